"""Importing leads from CSV: header mapping, per-row validation, matching by email,
all-or-nothing batches, encodings, and a constant number of statements per batch."""

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from tortoise.expressions import Q

from events.outbox import record_events
from ids import to_global_id
from models import AuditLogEntry, Lead, OutboxEvent
from services import records
from services.errors import DomainError, ErrorCode, Problem
from services.lead_import import (
    ImportInterrupted,
    ImportOptions,
    ImportReport,
    LeadColumn,
    RejectedRow,
    RowProblem,
    check_owner,
    import_leads,
)
from services.lead_import import batch as batch_module
from services.leads import LEAD
from tests.database import count_statements
from tests.factories import make_lead, make_user
from tests.state import database_state


async def run(content: str | bytes, owner, **options) -> ImportReport:
    data = content.encode() if isinstance(content, str) else content
    return await import_leads(
        io.BytesIO(data), ImportOptions(owner_id=owner.pk, actor_id=None, **options)
    )


async def refused(content: str | bytes, owner, **options) -> list[Problem]:
    before = await database_state()
    with pytest.raises(DomainError) as caught:
        await run(content, owner, **options)
    assert await database_state() == before
    return caught.value.problems


async def leads() -> list[tuple[Any, ...]]:
    return (
        await Lead.all()
        .order_by("id")
        .values_list("person_name", "company_name", "email", "score", "owner_id")
    )


async def test_rows_become_leads_owned_by_the_owner_with_audit_and_events():
    owner = await make_user()
    report = await run(
        "Name,Company,Email,Phone,Source,Status,Score,Next follow-up,Website,Notes\n"
        "Jo Doe,Initech,Jo@Initech.example,+1 555 0100,Inbound call,contacted,70,"
        "2026-12-01,https://www.initech.example/about,met at the fair\n",
        owner,
    )
    assert (report.created, report.updated, report.unchanged, report.rejected) == (1, 0, 0, 0)
    assert report.ignored_columns == ("Notes",)
    lead = await Lead.get()
    assert (
        lead.person_name,
        lead.company_name,
        lead.company_domain,
        lead.email,
        lead.phone,
        lead.source,
        lead.status,
        lead.score,
        lead.next_follow_up_at,
        lead.owner_id,
    ) == (
        "Jo Doe",
        "Initech",
        "initech.example",
        "jo@initech.example",
        "+1 555 0100",
        "INBOUND_CALL",
        "CONTACTED",
        70,
        datetime(2026, 12, 1, tzinfo=UTC),
        owner.pk,
    )
    entry = await AuditLogEntry.get()
    assert (entry.action, entry.record_type, entry.record_id) == ("CREATE", "Lead", lead.pk)
    assert entry.changes["email"] == {"before": None, "after": "jo@initech.example"}
    event = await OutboxEvent.get()
    assert (event.type, event.aggregate_id) == ("lead.created", lead.pk)
    assert event.data["object"]["id"] == to_global_id("Lead", lead.pk)
    assert event.data["object"]["ownerId"] == to_global_id("User", owner.pk)


async def test_import_writes_the_same_audit_entry_and_event_as_create_lead():
    owner = await make_user()
    values = {"person_name": "Jo", "company_name": "Initech", "email": "jo@initech.example"}
    made = await records.create_record(LEAD, actor_id=None, values={**values, "owner_id": owner.pk})
    await run("Name,Company,Email\nAl,Acme,al@acme.example\n", owner)
    imported = await Lead.get(email="al@acme.example")
    entries = {e.record_id: e.changes for e in await AuditLogEntry.all()}
    assert entries[imported.pk].keys() == entries[made.pk].keys()
    events = {e.aggregate_id: e.data for e in await OutboxEvent.all()}
    assert events[imported.pk]["object"].keys() == events[made.pk]["object"].keys()


@pytest.mark.parametrize(
    "header",
    [
        "Name,Company,Email",
        "FULL NAME,  Company Name ,E-mail",
        "person_name,company_name,email address",
        "Contact name,Organisation,E-Mail Address",
    ],
)
async def test_headers_are_matched_whatever_their_case_spacing_and_punctuation(header):
    owner = await make_user()
    await run(f"{header}\nJo Doe,Initech,jo@initech.example\n", owner)
    assert await leads() == [("Jo Doe", "Initech", "jo@initech.example", 0, owner.pk)]


async def test_first_and_last_name_columns_make_the_person_name():
    owner = await make_user()
    await run("First name,Last name,Company,Email\nJo,Doe,Initech,jo@i.example\n", owner)
    assert await leads() == [("Jo Doe", "Initech", "jo@i.example", 0, owner.pk)]


async def test_an_explicit_mapping_names_columns_the_aliases_do_not_know():
    owner = await make_user()
    report = await run(
        "Who,Firm,Email,Work email\nJo,Initech,private@example.com,jo@initech.example\n",
        owner,
        mapping={
            "who": LeadColumn.PERSON_NAME,
            "Firm": LeadColumn.COMPANY_NAME,
            "Work Email": LeadColumn.EMAIL,
        },
    )
    assert report.ignored_columns == ("Email",)
    assert await leads() == [("Jo", "Initech", "jo@initech.example", 0, owner.pk)]


async def test_a_file_without_required_columns_is_refused_whole():
    owner = await make_user()
    problems = await refused("Name,Notes\nJo,x\n", owner)
    assert problems == [
        Problem(
            "the file has no column for companyName, email (its columns are: Name, Notes); add "
            "the column, or name the column that holds it in the column mapping, "
            "e.g. 'Contact=personName'",
            ErrorCode.REQUIRED,
            ("file",),
        )
    ]


async def test_two_columns_for_one_field_are_refused_until_the_mapping_picks_one():
    owner = await make_user()
    problems = await refused("Name,Company,Email,E-mail\nJo,I,a@b.example,c@d.example\n", owner)
    assert problems == [
        Problem(
            "columns 'Email' and 'E-mail' both hold email; name the one to use in the column "
            "mapping, e.g. 'E-mail=email'",
            ErrorCode.INVALID,
            ("file",),
        )
    ]


async def test_a_mapping_naming_a_missing_column_is_refused():
    owner = await make_user()
    problems = await refused(
        "Name,Company,Email\nJo,I,a@b.example\n", owner, mapping={"Mail": LeadColumn.EMAIL}
    )
    assert problems == [
        Problem(
            "the mapping names column 'Mail', which is not in the file; its columns are: "
            "Name, Company, Email",
            ErrorCode.INVALID,
            ("mapping",),
        )
    ]


async def test_an_empty_file_is_refused():
    owner = await make_user()
    problems = await refused(b"", owner)
    assert problems[0].message == "the file is empty; it needs a header row and a row per lead"


MALFORMED = (
    "Name,Company,Email,Score,Source,Next follow-up\n"
    "Jo Doe,Initech,jo@initech.example,70,WEBSITE,2026-12-01\n"  # row 2: fine
    "Al,Acme,not-an-email,10,,\n"  # row 3
    "Bo,,bo@b.example,,,\n"  # row 4
    "Cy,Cyan,cy@c.example,high,FAIR,next week\n"  # row 5
    "Di,Dyn,di@d.example,101,,\n"  # row 6
    "Ed,Eco,,,,\n"  # row 7
    "Fi,Fin,fi@f.example,1,2,3,4\n"  # row 8
    ",Gee,gi@g.example,,,\n"  # row 9
)


async def test_each_problem_of_a_malformed_row_is_reported_with_row_column_and_reason():
    owner = await make_user()
    seen: list[RejectedRow] = []
    report = await import_leads(
        io.BytesIO(MALFORMED.encode()),
        ImportOptions(owner_id=owner.pk, actor_id=None, batch_size=3),
        on_rejected=seen.append,
    )
    assert (report.created, report.rejected, report.total_rows) == (1, 7, 8)
    assert seen == report.rejected_rows
    assert [(r.number, r.problems) for r in report.rejected_rows] == [
        (
            3,
            (
                RowProblem(
                    "email 'not-an-email' is not a valid email address: An email address must "
                    "have an @-sign.",
                    ErrorCode.INVALID,
                    "email",
                    "Email",
                ),
            ),
        ),
        (
            4,
            (
                RowProblem(
                    "company name is required", ErrorCode.REQUIRED, "company_name", "Company"
                ),
            ),
        ),
        (
            5,
            (
                RowProblem(
                    "score 'high' is not a whole number", ErrorCode.INVALID, "score", "Score"
                ),
                RowProblem(
                    "source 'FAIR' is not one of WEBSITE, REFERRAL, EVENT, OUTBOUND, PARTNER, "
                    "INBOUND_CALL, OTHER",
                    ErrorCode.INVALID,
                    "source",
                    "Source",
                ),
                RowProblem(
                    "next follow up at 'next week' is not a date or time; write it like "
                    "2026-12-01 or 2026-12-01T09:30Z",
                    ErrorCode.INVALID,
                    "next_follow_up_at",
                    "Next follow-up",
                ),
            ),
        ),
        (
            6,
            (RowProblem("score must be between 0 and 100", ErrorCode.INVALID, "score", "Score"),),
        ),
        (
            7,
            (
                RowProblem(
                    "email is required to import a lead: it is how an import finds the lead again",
                    ErrorCode.REQUIRED,
                    "email",
                    "Email",
                ),
            ),
        ),
        (
            8,
            (
                RowProblem(
                    "the row has 7 values but the header names 6 columns; check for an unquoted "
                    "comma or a missing value",
                    ErrorCode.INVALID,
                ),
            ),
        ),
        (
            9,
            (RowProblem("person name is required", ErrorCode.REQUIRED, "person_name", "Name"),),
        ),
    ]
    assert report.rejected_rows[3].cells == ("Di", "Dyn", "di@d.example", "101", "", "")
    assert await leads() == [("Jo Doe", "Initech", "jo@initech.example", 70, owner.pk)]


async def test_a_file_in_another_encoding_is_refused_naming_the_byte_offset():
    owner = await make_user()
    content = "Name,Company,Email\nJo,Initech,jo@i.example\nRené,Café,rene@c.example\n"
    problems = await refused(content.encode("cp1252"), owner)
    offset = len(b"Name,Company,Email\nJo,Initech,jo@i.example\nRen")
    assert problems == [
        Problem(
            f"the file is not valid utf-8: the byte 0xE9 at offset {offset} (line 3) cannot be "
            "read as utf-8. Save the file as UTF-8, or give the encoding it was saved in (for "
            "example cp1252 or latin-1); nothing was imported",
            ErrorCode.INVALID,
            ("encoding",),
        )
    ]


async def test_a_bad_byte_far_into_the_file_is_refused_before_any_batch_is_written():
    owner = await make_user()
    rows = "".join(f"P{n},C{n},p{n}@x.example\n" for n in range(3000))
    good = ("Name,Company,Email\n" + rows + "Bad,").encode()
    problems = await refused(good + b"\xff,bad@x.example\n", owner, batch_size=10)
    assert f"0xFF at offset {len(good)} (line 3002)" in problems[0].message


async def test_a_file_in_its_named_encoding_is_read_exactly():
    owner = await make_user()
    content = "Name,Company,Email\nRené Müller,Café Zoë,rene@c.example\n".encode("cp1252")
    await run(content, owner, encoding="cp1252")
    assert await leads() == [("René Müller", "Café Zoë", "rene@c.example", 0, owner.pk)]


async def test_utf8_with_a_byte_order_mark_reads_the_first_header_correctly():
    owner = await make_user()
    content = "\ufeffEmail,Name,Company\nrene@c.example,René,Café\n".encode()
    await run(content, owner)
    assert await leads() == [("René", "Café", "rene@c.example", 0, owner.pk)]


async def test_a_utf16_file_is_refused_with_the_encoding_to_give():
    owner = await make_user()
    problems = await refused("Name,Company,Email\nJo,I,jo@i.example\n".encode("utf-16"), owner)
    assert problems == [
        Problem(
            "the file is UTF-16 encoded (it starts with a UTF-16 byte order mark); give its "
            "encoding as utf-16, or save it as UTF-8",
            ErrorCode.INVALID,
            ("encoding",),
        )
    ]
    await run("Name,Company,Email\nJo,I,jo@i.example\n".encode("utf-16"), owner, encoding="utf-16")
    assert await leads() == [("Jo", "I", "jo@i.example", 0, owner.pk)]


async def test_an_unknown_encoding_is_refused():
    owner = await make_user()
    problems = await refused("Name,Company,Email\n", owner, encoding="klingon")
    assert problems == [
        Problem(
            "'klingon' is not an encoding this server knows; try utf-8, cp1252 or latin-1",
            ErrorCode.INVALID,
            ("encoding",),
        )
    ]


async def test_an_unclosed_quote_refuses_the_file_before_anything_is_written():
    owner = await make_user()
    content = (
        'Name,Company,Email\nJo,Initech,jo@i.example\nAl,"Acme,al@a.example\nBo,B,bo@b.example\n'
    )
    problems = await refused(content, owner, batch_size=1)
    assert problems == [
        Problem(
            "row 3 is not valid CSV (unexpected end of data); check its quotes; nothing was "
            "imported",
            ErrorCode.INVALID,
            ("file",),
        )
    ]


async def test_semicolon_separated_files_and_windows_line_endings_are_read():
    owner = await make_user()
    await run('Name;Company;Email\r\n"Doe; Jo";Initech;jo@i.example\r\n\r\n', owner)
    assert await leads() == [("Doe; Jo", "Initech", "jo@i.example", 0, owner.pk)]


@pytest.mark.parametrize("batch_size", [1, 10])
async def test_when_two_rows_share_an_email_the_later_row_wins(batch_size):
    owner = await make_user()
    report = await run(
        "Name,Company,Email,Score\n"
        "Jo,Initech,jo@i.example,10\n"
        "Al,Acme,al@a.example,20\n"
        "Jo Doe,,JO@I.EXAMPLE,30\n",
        owner,
        batch_size=batch_size,
    )
    assert (report.created, report.updated, report.duplicates) == (2, 1, 1)
    assert await leads() == [
        ("Jo Doe", "Initech", "jo@i.example", 30, owner.pk),
        ("Al", "Acme", "al@a.example", 20, owner.pk),
    ]
    assert await OutboxEvent.filter(type="lead.created").count() == 2


async def test_a_lead_already_stored_is_updated_not_duplicated_whatever_the_email_case():
    owner, other = await make_user(), await make_user()
    stored = await records.create_record(
        LEAD,
        actor_id=None,
        values={
            "person_name": "Jo",
            "company_name": "Initech",
            "email": "Jo@Initech.Example",
            "score": 10,
            "phone": "555",
            "owner_id": other.pk,
        },
    )
    report = await run(
        "Name,Company,Email,Score,Phone\nJo Doe,Initech,JO@INITECH.EXAMPLE,40,\n", owner
    )
    assert (report.created, report.updated) == (0, 1)
    # the blank phone leaves the phone alone; the owner stays
    assert await Lead.all().values_list("person_name", "score", "phone", "owner_id", "version") == [
        ("Jo Doe", 40, "555", other.pk, 2)
    ]
    update = await AuditLogEntry.get(action="UPDATE")
    assert (update.record_id, update.changes) == (
        stored.pk,
        {
            "personName": {"before": "Jo", "after": "Jo Doe"},
            "score": {"before": 10, "after": 40},
        },
    )
    # lead.created only for the createLead; the catalogue has no lead update event
    assert await OutboxEvent.all().values_list("type", flat=True) == ["lead.created"]


async def test_rows_that_change_nothing_write_nothing():
    owner = await make_user()
    content = "Name,Company,Email,Score\nJo,Initech,jo@i.example,10\n"
    await run(content, owner)
    before = await database_state()
    report = await run(content, owner)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert await database_state() == before


async def test_a_lead_outside_the_importers_sight_is_not_matched():
    owner, other = await make_user(), await make_user()
    await make_lead(email="jo@i.example", owner_id=other.pk, person_name="Theirs")
    report = await run(
        "Name,Company,Email\nMine,Initech,jo@i.example\n", owner, scope=Q(owner_id=owner.pk)
    )
    assert report.created == 1
    assert await Lead.filter(email="jo@i.example").order_by("id").values_list(
        "person_name", "owner_id"
    ) == [("Theirs", other.pk), ("Mine", owner.pk)]


async def test_rows_matching_several_leads_or_an_archived_one_are_rejected():
    owner = await make_user()
    await make_lead(email="two@x.example")
    await make_lead(email="two@x.example")
    await make_lead(email="gone@x.example", archived_at=datetime(2026, 1, 1, tzinfo=UTC))
    before = await database_state()
    report = await run("Name,Company,Email\nA,B,two@x.example\nC,D,gone@x.example\n", owner)
    assert [(r.number, r.problems) for r in report.rejected_rows] == [
        (
            2,
            (
                RowProblem(
                    "2 leads already have the email two@x.example; archive all but one of them, "
                    "then import this row again",
                    ErrorCode.DUPLICATE,
                    "email",
                    "Email",
                ),
            ),
        ),
        (
            3,
            (
                RowProblem(
                    "the lead with the email gone@x.example is archived; restore it to update it "
                    "from a file",
                    ErrorCode.INVALID_STATE,
                    "email",
                    "Email",
                ),
            ),
        ),
    ]
    assert await database_state() == before


async def test_a_converted_lead_is_left_alone_unless_the_row_changes_it():
    owner = await make_user()
    await make_lead(
        person_name="Jo", company_name="Initech", email="jo@i.example", status="CONVERTED"
    )
    report = await run("Name,Company,Email\nJo,Initech,jo@i.example\nJo Doe,,jo@i.example\n", owner)
    assert report.unchanged == 1
    assert [(r.number, r.problems) for r in report.rejected_rows] == [
        (
            3,
            (
                RowProblem(
                    "a converted lead cannot be changed", ErrorCode.INVALID_STATE, "status", None
                ),
            ),
        )
    ]


async def test_a_failure_half_way_through_a_batch_keeps_earlier_batches_and_none_of_it(
    monkeypatch,
):
    owner = await make_user()
    real = record_events
    calls = 0

    async def fail_on_second_batch(events):
        nonlocal calls
        calls += 1
        if calls == 2:  # the batch's leads and audit entries are written by now
            raise RuntimeError("connection lost")
        await real(events)

    monkeypatch.setattr(batch_module, "record_events", fail_on_second_batch)
    rows = "".join(f"P{n},C{n},p{n}@x.example\n" for n in range(5))
    with pytest.raises(ImportInterrupted) as caught:
        await run("Name,Company,Email\n" + rows, owner, batch_size=2)
    assert (caught.value.first_row, caught.value.last_row) == (4, 5)
    assert caught.value.report.created == 2
    assert await Lead.all().order_by("id").values_list("email", flat=True) == [
        "p0@x.example",
        "p1@x.example",
    ]
    assert await AuditLogEntry.all().count() == 2
    assert await OutboxEvent.all().count() == 2


async def import_counted(owner, first: int, count: int) -> int:
    """Statements for one batch of ``count`` rows: half update stored leads, half are new."""
    rows = "".join(f"P{n},C{n},p{n}@x.example,{n % 100}\n" for n in range(first, first + count))
    with count_statements() as counter:
        await run("Name,Company,Email,Score\n" + rows, owner, batch_size=count)
    return counter.count


async def test_a_batch_takes_the_same_number_of_statements_whatever_its_size():
    owner = await make_user()
    await run(
        "Name,Company,Email\n" + "".join(f"Q{n},C,p{n}@x.example\n" for n in range(0, 200)), owner
    )
    small = await import_counted(owner, 195, 10)
    large = await import_counted(owner, 100, 200)
    # find the stored leads; insert the new ones; update the changed ones; audit; events
    assert small == large == 5


async def test_a_dry_run_reports_what_would_happen_and_writes_nothing():
    owner = await make_user()
    await run("Name,Company,Email\nJo,I,jo@i.example\n", owner)
    before = await database_state()
    report = await run(
        "Name,Company,Email\nJo Doe,I,jo@i.example\nAl,A,al@a.example\nAl B,A,al@a.example\n",
        owner,
        dry_run=True,
        batch_size=1,
    )
    assert (report.dry_run, report.created, report.updated, report.duplicates) == (True, 1, 2, 1)
    assert await database_state() == before


async def test_an_inactive_owner_is_refused_even_from_the_command_line():
    inactive = await make_user(is_active=False)
    with pytest.raises(DomainError) as caught:
        check_owner(inactive, assigned_by=None)
    assert caught.value.problems == [
        Problem("the owner must be an active user", ErrorCode.INVALID, ("owner_id",))
    ]
    assert check_owner(await make_user(), assigned_by=None).is_active


async def test_a_batch_too_big_for_one_insert_statement_is_split_and_stored_whole():
    owner = await make_user()
    rows = "".join(f"P{n},C,p{n}@x.example\n" for n in range(2500))
    with count_statements() as counter:
        report = await run("Name,Company,Email\n" + rows, owner, batch_size=2500)
    assert (report.batches, report.created) == (1, 2500)
    # find; two inserts (the parameter limit); audit entries; events
    assert counter.count == 5
    assert await Lead.all().count() == 2500
