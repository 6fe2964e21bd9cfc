"""Setting targets: one per (user or team, period, metric), amounts, currencies, and who may."""

from datetime import date
from decimal import Decimal

import pytest

from models import AuditLogEntry, Target
from models.enums import AuditAction, Role, TargetMetric, TeamKind
from services.errors import DomainError, ErrorCode, Forbidden
from services.targets import set_target
from tests.factories import make_team, make_user
from tests.state import database_state

Q1 = {"period_start": date(2030, 1, 1), "period_end": date(2030, 3, 31)}


@pytest.fixture
async def people() -> dict:
    team = await make_team(name="Sales", kind=TeamKind.SALES)
    other = await make_team(name="Other sales", kind=TeamKind.SALES)
    return {
        "team": team,
        "other": other,
        "sam": await make_user(name="Sam", role=Role.SALES_MANAGER, team_id=team.pk),
        "ann": await make_user(name="Ann", team_id=team.pk),
        "bob": await make_user(name="Bob", team_id=other.pk),
        "ada": await make_user(name="Ada", role=Role.ADMIN),
    }


async def refused(actor, values, error=DomainError):
    before = await database_state()
    with pytest.raises(error) as caught:
        await set_target(actor=actor, values=values)
    assert await database_state() == before
    return caught.value


def problems(error: DomainError) -> list[tuple]:
    return [(p.field, p.message, p.code) for p in error.problems]


async def test_setting_a_target_again_replaces_its_amount(people):
    first = await set_target(
        actor=people["sam"], values={"user_id": people["ann"].pk, "amount": Decimal("100000"), **Q1}
    )
    assert (first.metric, first.currency, first.amount) == (
        TargetMetric.REVENUE_WON,
        "USD",
        Decimal("100000"),
    )
    again = await set_target(
        actor=people["sam"],
        values={"user_id": people["ann"].pk, "amount": Decimal("120000.50"), **Q1},
    )
    assert again.pk == first.pk
    stored = await Target.get(pk=first.pk)
    assert (stored.amount, stored.currency) == (Decimal("120000.50"), "USD")
    actions = await AuditLogEntry.filter(record_type="Target").order_by("id")
    assert [a.action for a in actions] == [AuditAction.CREATE, AuditAction.UPDATE]
    assert actions[1].changes == {"amount": {"before": "100000.00", "after": "120000.50"}}


async def test_other_metrics_periods_and_owners_get_their_own_targets(people):
    await set_target(actor=people["sam"], values={"user_id": people["ann"].pk, "amount": 1, **Q1})
    await set_target(
        actor=people["sam"],
        values={"user_id": people["ann"].pk, "amount": 12, "metric": "DEALS_WON", **Q1},
    )
    await set_target(actor=people["sam"], values={"team_id": people["team"].pk, "amount": 5, **Q1})
    await set_target(
        actor=people["sam"],
        values={
            "user_id": people["ann"].pk,
            "amount": 2,
            "period_start": date(2030, 4, 1),
            "period_end": date(2030, 6, 30),
        },
    )
    rows = await Target.all().order_by("id").values_list("user_id", "team_id", "metric", "currency")
    assert rows == [
        (people["ann"].pk, None, TargetMetric.REVENUE_WON, "USD"),
        (people["ann"].pk, None, TargetMetric.DEALS_WON, None),
        (None, people["team"].pk, TargetMetric.REVENUE_WON, "USD"),
        (people["ann"].pk, None, TargetMetric.REVENUE_WON, "USD"),
    ]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {},
            [
                (
                    None,
                    "set a target for exactly one user or one team: give userId or teamId",
                    ErrorCode.REQUIRED,
                )
            ],
        ),
        (
            {"user_id": "ann", "team_id": "team"},
            [
                (
                    None,
                    "set a target for exactly one user or one team: give userId or teamId",
                    ErrorCode.INVALID,
                )
            ],
        ),
        (
            {"user_id": "ann", "amount": Decimal("-1")},
            [(("amount",), "amount must not be negative", ErrorCode.INVALID)],
        ),
        (
            {"user_id": "ann", "currency": "XYZ"},
            [
                (
                    ("currency",),
                    "currency 'XYZ' is not an ISO 4217 currency code, e.g. 'USD' or 'EUR'",
                    ErrorCode.INVALID,
                )
            ],
        ),
        (
            {"user_id": "ann", "currency": None},
            [
                (
                    ("currency",),
                    "a REVENUE_WON target needs an ISO 4217 currency, e.g. 'USD'",
                    ErrorCode.REQUIRED,
                )
            ],
        ),
        (
            {"user_id": "ann", "metric": "DEALS_WON", "currency": "USD"},
            [
                (
                    ("currency",),
                    "a DEALS_WON target counts deals won; leave the currency out",
                    ErrorCode.INVALID,
                )
            ],
        ),
        (
            {"user_id": "ann", "metric": "ACTIVITIES_COMPLETED", "amount": Decimal("2.5")},
            [
                (
                    ("amount",),
                    "an ACTIVITIES_COMPLETED target is a whole number of activities completed",
                    ErrorCode.INVALID,
                )
            ],
        ),
        (
            {"user_id": "ann", "period_end": date(2029, 12, 31)},
            [
                (
                    ("period_end",),
                    "the period must end after it starts: 2029-12-31 is not after 2030-01-01",
                    ErrorCode.INVALID,
                )
            ],
        ),
    ],
)
async def test_invalid_targets_are_refused(people, values, expected):
    values = {"amount": Decimal("10"), **Q1, **values}
    for key in ("user_id", "team_id"):
        if key in values:
            values[key] = people[values[key]].pk
    assert problems(await refused(people["sam"], values)) == expected


async def test_a_zero_target_is_allowed(people):
    target = await set_target(
        actor=people["sam"], values={"team_id": people["team"].pk, "amount": 0, **Q1}
    )
    assert target.amount == Decimal("0")


@pytest.mark.parametrize("whom", ["bob", "other"])
async def test_sales_managers_set_only_their_own_teams_targets(people, whom):
    key = "team_id" if whom == "other" else "user_id"
    error = await refused(people["sam"], {key: people[whom].pk, "amount": 1, **Q1}, error=Forbidden)
    assert str(error) == "sales managers set the targets of their own team and its members"


async def test_account_managers_set_no_targets_and_administrators_set_any(people):
    await refused(people["ann"], {"user_id": people["ann"].pk, "amount": 1, **Q1}, Forbidden)
    target = await set_target(
        actor=people["ada"], values={"user_id": people["bob"].pk, "amount": 1, **Q1}
    )
    assert target.user_id == people["bob"].pk
