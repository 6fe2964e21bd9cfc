"""`accountgraph import-leads`: the installed command, against the suite's database."""

import os
import subprocess
from pathlib import Path

from models import Lead
from tests.factories import make_user
from tests.live_server import ACCOUNTGRAPH
from tests.state import database_state


def import_leads(database_url: str, workdir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ACCOUNTGRAPH_DATABASE_URL": database_url, "COLUMNS": "200"}
    return subprocess.run(
        [ACCOUNTGRAPH, "import-leads", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_the_command_imports_prints_the_report_and_writes_the_rejected_rows(
    database_url, tmp_path
):
    owner = await make_user(email="ann@example.com")
    (tmp_path / "leads.csv").write_text(
        "Full name,Company,E-mail,Score\n"
        "Jo Doe,Initech,jo@initech.example,70\n"
        "Al,Acme,not-an-email,high\n"
        "Bo,Bco,bo@b.example,5\n"
    )
    done = import_leads(
        database_url,
        tmp_path,
        "leads.csv",
        "--owner",
        "ANN@example.com",
        "--batch-size",
        "2",
        "--rejects",
        "rejected.csv",
    )
    assert done.returncode == 3, done.stderr
    assert "Importing leads.csv" in done.stdout
    assert "│ created                               │ 2 │" in done.stdout
    assert "│ rejected                              │ 1 │" in done.stdout
    assert (
        "  row 3, E-mail: email 'not-an-email' is not a valid email address: An email address "
        "must have an @-sign.\n  row 3, Score: score 'high' is not a whole number\n"
    ) in done.stdout
    assert (tmp_path / "rejected.csv").read_bytes().decode() == (
        "row,Full name,Company,E-mail,Score,problems\r\n"
        "3,Al,Acme,not-an-email,high,E-mail: email 'not-an-email' is not a valid email "
        "address: An email address must have an @-sign.; Score: score 'high' is not a whole "
        "number\r\n"
    )
    assert await Lead.all().order_by("id").values_list("email", "score", "owner_id") == [
        ("jo@initech.example", 70, owner.pk),
        ("bo@b.example", 5, owner.pk),
    ]


async def test_a_clean_file_exits_zero_and_a_second_import_updates_instead_of_duplicating(
    database_url, tmp_path
):
    await make_user(email="ann@example.com")
    (tmp_path / "leads.csv").write_text("Who,Firm,Email\nJo,Initech,jo@i.example\n")
    args = ["leads.csv", "--owner", "ann@example.com", "--map", "Who=personName"]
    first = import_leads(database_url, tmp_path, *args, "--map", "firm=company_name")
    assert first.returncode == 0, first.stdout + first.stderr
    (tmp_path / "leads.csv").write_text("Who,Firm,Email\nJo Doe,Initech,JO@I.EXAMPLE\n")
    second = import_leads(database_url, tmp_path, *args, "--map", "firm=company_name")
    assert second.returncode == 0
    assert "│ updated                               │ 1 │" in second.stdout
    assert await Lead.all().values_list("person_name", "email") == [("Jo Doe", "jo@i.example")]


async def test_a_refused_file_exits_one_and_changes_nothing(database_url, tmp_path):
    await make_user(email="ann@example.com")
    (tmp_path / "leads.csv").write_bytes(
        "Name,Company,Email\nRené,Café,r@c.example\n".encode("cp1252")
    )
    before = await database_state()
    done = import_leads(database_url, tmp_path, "leads.csv", "--owner", "ann@example.com")
    assert done.returncode == 1
    assert done.stdout == (
        "Not imported: the file is not valid utf-8: the byte 0xE9 at offset 22 (line 2) cannot "
        "be read as utf-8. Save the file as UTF-8, or give the encoding it was saved in (for "
        "example cp1252 or latin-1); nothing was imported\n"
    )
    assert await database_state() == before
    again = import_leads(
        database_url, tmp_path, "leads.csv", "--owner", "ann@example.com", "--encoding", "cp1252"
    )
    assert again.returncode == 0
    assert await Lead.all().values_list("person_name", "company_name") == [("René", "Café")]


async def test_an_unknown_owner_or_a_bad_mapping_is_refused(database_url, tmp_path):
    await make_user(email="ann@example.com")
    (tmp_path / "leads.csv").write_text("Name,Company,Email\nJo,I,jo@i.example\n")
    before = await database_state()
    nobody = import_leads(database_url, tmp_path, "leads.csv", "--owner", "bob@example.com")
    assert (nobody.returncode, nobody.stdout) == (
        1,
        "Not imported: there is no user with the email bob@example.com\n",
    )
    mapping = import_leads(
        database_url, tmp_path, "leads.csv", "--owner", "ann@example.com", "--map", "Name=nom"
    )
    assert mapping.returncode == 1
    assert mapping.stdout.startswith(
        "Not imported: 'nom' is not a lead field; use one of personName"
    )
    assert await database_state() == before


async def test_a_dry_run_reports_and_stores_nothing(database_url, tmp_path):
    await make_user(email="ann@example.com")
    (tmp_path / "leads.csv").write_text("Name,Company,Email\nJo,I,jo@i.example\n")
    before = await database_state()
    done = import_leads(
        database_url, tmp_path, "leads.csv", "--owner", "ann@example.com", "--dry-run"
    )
    assert done.returncode == 0
    assert "Dry run: nothing was stored" in done.stdout
    assert "│ created                               │ 1 │" in done.stdout
    assert await database_state() == before
