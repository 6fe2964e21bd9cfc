"""DateTime, Date and Decimal on the wire: one format out, strict parsing in (schema/scalars.py)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ids import to_global_id
from models import Activity, Opportunity
from tests.factories import make_account, make_opportunity
from tests.state import database_state

LOG = """mutation($input: LogActivityInput!) {
  logActivity(input: $input) { activity { occurredAt dueAt } errors { message } } }"""
UPDATE = """mutation($input: UpdateOpportunityInput!) {
  updateOpportunity(input: $input) { opportunity { amount expectedCloseDate } errors { message } } }"""
DEAL = "query($id: ID!) { opportunity(id: $id) { amount expectedCloseDate } }"
DEALS = "query($f: OpportunityFilter) { opportunities(filter: $f) { totalCount } }"


def invalid(variable: str, at: str, scalar: str, value: str, reason: str) -> dict:
    return {
        "errors": [
            {
                "message": f"Variable '${variable}' has invalid value at .{at}: "
                f'{scalar} cannot represent "{value}": {reason}',
                "locations": [{"line": 1, "column": 7 if variable == "f" else 10}],
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ]
    }


async def test_times_are_answered_in_utc_with_z_and_microseconds_whatever_offset_they_came_in(
    gql,
):
    account = await make_account()
    data = await gql(
        LOG,
        {
            "input": {
                "kind": "TASK",
                "subject": "Call back",
                "accountId": to_global_id("Account", account.pk),
                "occurredAt": "2026-03-01T10:30:00+01:00",
                "dueAt": "2026-03-02t18:00:00.1234567-05:30",
            }
        },
    )
    assert data["logActivity"] == {
        "activity": {
            "occurredAt": "2026-03-01T09:30:00.000000Z",
            "dueAt": "2026-03-02T23:30:00.123456Z",
        },
        "errors": [],
    }
    stored = await Activity.get()
    assert stored.occurred_at == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    assert stored.due_at == datetime(2026, 3, 2, 23, 30, 0, 123456, tzinfo=UTC)


NAIVE = 'the time has no UTC offset; add "Z" (UTC) or an offset such as "+02:00".'
NOT_RFC_3339 = "expected an RFC 3339 date and time such as 2026-03-01T09:30:00Z."


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2026-03-01T10:30:00", NAIVE),
        ("2026-03-01T10:30:00.5", NAIVE),
        ("2026-03-01", NOT_RFC_3339),
        ("2026-03-01 10:30:00Z", NOT_RFC_3339),
        ("20260301T103000Z", NOT_RFC_3339),
        ("2026-03-01T10:30Z", NOT_RFC_3339),
        ("2026-03-01T10:30:00+0100", NOT_RFC_3339),
        ("yesterday", NOT_RFC_3339),
        ("2026-02-30T10:30:00Z", "day is out of range for month."),
        ("2026-03-01T24:00:00Z", "hour must be in 0..23."),
    ],
)
async def test_a_time_that_is_not_rfc_3339_with_an_offset_is_refused(gql, value, reason):
    account = await make_account()
    before = await database_state()
    body = await gql(
        LOG,
        {
            "input": {
                "kind": "NOTE",
                "subject": "x",
                "accountId": to_global_id("Account", account.pk),
                "occurredAt": value,
            }
        },
        errors=True,
    )
    assert body == invalid("input", "occurredAt", "DateTime", value, reason)
    assert await database_state() == before


async def test_amounts_keep_their_two_places_and_dates_are_full_dates(gql):
    deal = await make_opportunity(name="Renewal", amount=Decimal("1000"))
    deal_id = to_global_id("Opportunity", deal.pk)
    assert await gql(DEAL, {"id": deal_id}) == {
        "opportunity": {"amount": "1000.00", "expectedCloseDate": None}
    }
    data = await gql(
        UPDATE, {"input": {"id": deal_id, "amount": "77.5", "expectedCloseDate": "2030-06-30"}}
    )
    expected = {"amount": "77.50", "expectedCloseDate": "2030-06-30"}
    assert data["updateOpportunity"] == {"opportunity": expected, "errors": []}
    assert await gql(DEAL, {"id": deal_id}) == {"opportunity": expected}
    stored = await Opportunity.get(pk=deal.pk)
    assert (stored.amount, stored.expected_close_date) == (Decimal("77.50"), date(2030, 6, 30))


async def test_an_amount_filter_takes_decimal_strings_and_json_numbers(gql):
    await make_opportunity(amount=Decimal("100"))
    await make_opportunity(amount=Decimal("9000.50"))
    for value, count in [
        ("9000.5", 1),
        ("9000.51", 0),
        ("+100", 2),
        ("-1", 2),
        (".5", 2),
        ("100.", 2),
        ("0" * 30 + "100", 2),
        (100, 2),
        (9000.5, 1),
    ]:
        assert await gql(DEALS, {"f": {"amountGte": value}}) == {
            "opportunities": {"totalCount": count}
        }, value


DECIMAL_NOTATION = (
    'expected a finite number in decimal notation such as "1250.00" (no NaN, Infinity or exponent).'
)


@pytest.mark.parametrize(
    ("value", "shown", "reason"),
    [
        ("NaN", "NaN", DECIMAL_NOTATION),
        ("nan", "nan", DECIMAL_NOTATION),
        ("sNaN", "sNaN", DECIMAL_NOTATION),
        ("Infinity", "Infinity", DECIMAL_NOTATION),
        ("-Infinity", "-Infinity", DECIMAL_NOTATION),
        ("inf", "inf", DECIMAL_NOTATION),
        ("1e3", "1e3", DECIMAL_NOTATION),
        ("1E+400000", "1E+400000", DECIMAL_NOTATION),
        ("abc", "abc", DECIMAL_NOTATION),
        ("", "", DECIMAL_NOTATION),
        (" 1", " 1", DECIMAL_NOTATION),
        ("1,000.00", "1,000.00", DECIMAL_NOTATION),
        ("1" * 19, "1" * 19, "at most 18 digits before and after the point."),
        ("0." + "1" * 19, "0." + "1" * 19, "at most 18 digits before and after the point."),
        (1e300, "1e+300", DECIMAL_NOTATION),
        (True, "True", 'expected a string such as "1250.00".'),
    ],
)
async def test_an_amount_filter_refuses_what_is_not_a_finite_decimal(gql, value, shown, reason):
    await make_opportunity(amount=Decimal("100"))
    body = await gql(DEALS, {"f": {"amountGte": value}}, errors=True)
    assert body == invalid("f", "amountGte", "Decimal", shown, reason)


async def test_a_nan_written_in_the_document_is_refused_too(gql):
    body = await gql(
        'query Q { opportunities(filter: {amountLte: "NaN"}) { totalCount } }', errors=True
    )
    assert body == {
        "errors": [
            {
                "message": f'Decimal cannot represent "NaN": {DECIMAL_NOTATION}',
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ]
    }


async def test_a_refused_amount_in_a_mutation_changes_nothing(gql):
    deal = await make_opportunity(amount=Decimal("100"))
    before = await database_state()
    body = await gql(
        UPDATE,
        {"input": {"id": to_global_id("Opportunity", deal.pk), "amount": "Infinity"}},
        errors=True,
    )
    assert body == invalid("input", "amount", "Decimal", "Infinity", DECIMAL_NOTATION)
    assert await database_state() == before


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("20260630", "expected an RFC 3339 full-date such as 2026-03-01."),
        ("2026-W26-2", "expected an RFC 3339 full-date such as 2026-03-01."),
        ("2026-06-30T00:00:00Z", "expected an RFC 3339 full-date such as 2026-03-01."),
        ("2026-02-30", "day is out of range for month."),
    ],
)
async def test_a_date_that_is_not_a_full_date_is_refused(gql, value, reason):
    deal = await make_opportunity()
    before = await database_state()
    body = await gql(
        UPDATE,
        {"input": {"id": to_global_id("Opportunity", deal.pk), "expectedCloseDate": value}},
        errors=True,
    )
    assert body == invalid("input", "expectedCloseDate", "Date", value, reason)
    assert await database_state() == before
