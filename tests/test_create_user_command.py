"""`accountgraph create-user`: the installed command, against the suite's database."""

import os
import subprocess
from pathlib import Path

from models import AuditLogEntry, User
from models.enums import Role
from services import auth
from tests.factories import make_user
from tests.live_server import ACCOUNTGRAPH
from tests.state import database_state

PASSWORD = "a-long-password-1"


def create_user(
    database_url: str, workdir: Path, password: str, *args: str
) -> subprocess.CompletedProcess:
    env = {**os.environ, "ACCOUNTGRAPH_DATABASE_URL": database_url, "COLUMNS": "200"}
    return subprocess.run(
        [ACCOUNTGRAPH, "create-user", *args],
        input=password + "\n",
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_the_command_creates_a_user_who_signs_in_with_the_password(database_url, tmp_path):
    done = create_user(
        database_url,
        tmp_path,
        PASSWORD,
        "--email",
        "New@Example.com",
        "--name",
        "New",
        "--role",
        "admin",
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "Created ADMIN new@example.com\n", "")
    user = await User.get(email="new@example.com")
    assert (user.name, user.role, user.is_active) == ("New", Role.ADMIN, True)
    assert await auth.verify_password(user.password_hash, PASSWORD)
    entry = await AuditLogEntry.get(record_type="User", record_id=user.pk)
    assert entry.actor_id is None
    assert "passwordHash" not in entry.changes


async def test_a_short_password_is_a_bad_parameter_and_nothing_is_stored(database_url, tmp_path):
    before = await database_state()
    done = create_user(database_url, tmp_path, "short", "--email", "a@example.com", "--name", "A")
    assert done.returncode == 2
    assert "Invalid value: the password needs at least 12 characters" in done.stderr
    assert done.stdout == ""
    assert await database_state() == before


async def test_an_unknown_role_is_a_bad_parameter_and_nothing_is_stored(database_url, tmp_path):
    before = await database_state()
    done = create_user(
        database_url,
        tmp_path,
        PASSWORD,
        "--email",
        "a@example.com",
        "--name",
        "A",
        "--role",
        "boss",
    )
    assert done.returncode == 2
    assert (
        "Invalid value: 'boss' is not one of ACCOUNT_MANAGER, SALES_MANAGER, TEAM_MEMBER, ADMIN, VIEWER"
        in done.stderr
    )
    assert await database_state() == before


async def test_a_taken_email_is_refused_and_nothing_is_stored(database_url, tmp_path):
    await make_user(email="taken@example.com")
    before = await database_state()
    done = create_user(
        database_url, tmp_path, PASSWORD, "--email", "TAKEN@example.com", "--name", "A"
    )
    assert (done.returncode, done.stdout) == (
        1,
        "Not created: another user already has email 'taken@example.com'\n",
    )
    assert await database_state() == before
