"""Targets over GraphQL: setTarget, and who sees which targets."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ids import to_global_id
from models import Target
from models.enums import Role, TargetMetric, TeamKind
from services import auth
from tests.factories import make_team, make_user
from tests.state import database_state

SET = """mutation($input: SetTargetInput!) { setTarget(input: $input) {
  target { id periodStart periodEnd metric amount currency user { name } team { name } }
  errors { field message code } } }"""


@pytest.fixture
async def people() -> dict:
    sales = await make_team(name="Sales", kind=TeamKind.SALES)
    other = await make_team(name="Other sales", kind=TeamKind.SALES)
    delivery = await make_team(name="Delivery", kind=TeamKind.DELIVERY)
    users = {
        "sam": await make_user(name="Sam", role=Role.SALES_MANAGER, team_id=sales.pk),
        "ann": await make_user(name="Ann", team_id=sales.pk),
        "amy": await make_user(name="Amy", team_id=sales.pk),
        "bob": await make_user(name="Bob", team_id=other.pk),
        "dee": await make_user(name="Dee", role=Role.TEAM_MEMBER, team_id=delivery.pk),
        "vera": await make_user(name="Vera", role=Role.VIEWER, team_id=sales.pk),
    }
    return {"sales": sales, "other": other, **users}


async def test_a_sales_manager_sets_and_then_raises_a_target(gql, people):
    token = auth.issue_access_token(people["sam"])
    variables = {
        "input": {
            "userId": to_global_id("User", people["ann"].pk),
            "periodStart": "2030-01-01",
            "periodEnd": "2030-03-31",
            "amount": "150000",
        }
    }
    first = await gql(SET, variables, token=token)
    target = first["setTarget"]["target"]
    assert {k: v for k, v in target.items() if k != "id"} == {
        "periodStart": "2030-01-01",
        "periodEnd": "2030-03-31",
        "metric": "REVENUE_WON",
        "amount": "150000.00",
        "currency": "USD",
        "user": {"name": "Ann"},
        "team": None,
    }
    variables["input"]["amount"] = "175000"
    again = await gql(SET, variables, token=token)
    assert again["setTarget"]["target"]["id"] == target["id"]
    assert again["setTarget"]["target"]["amount"] == "175000.00"
    assert await Target.all().count() == 1


async def test_count_targets_have_no_currency(gql, people):
    data = await gql(
        SET,
        {
            "input": {
                "teamId": to_global_id("Team", people["sales"].pk),
                "periodStart": "2030-01-01",
                "periodEnd": "2030-12-31",
                "amount": "40",
                "metric": "DEALS_WON",
                "currency": "EUR",
            }
        },
    )
    assert data["setTarget"] == {
        "target": None,
        "errors": [
            {
                "field": ["currency"],
                "message": "a DEALS_WON target counts deals won; leave the currency out",
                "code": "INVALID",
            }
        ],
    }
    assert not await Target.exists()


@pytest.mark.parametrize("caller", ["sam", "ann", "bob", "dee", "vera", "admin"])
async def test_each_caller_sees_the_targets_they_may(gql, people, caller):
    period: dict[str, Any] = {"period_start": date(2030, 1, 1), "period_end": date(2030, 3, 31)}
    for name in ("ann", "amy", "bob", "sam"):
        await Target.create(user_id=people[name].pk, amount=Decimal(1), currency="USD", **period)
    await Target.create(team_id=people["sales"].pk, amount=Decimal(5), currency="USD", **period)
    await Target.create(
        team_id=people["other"].pk, amount=Decimal(7), metric=TargetMetric.DEALS_WON, **period
    )
    token = None if caller == "admin" else auth.issue_access_token(people[caller])
    query = "{ targets(orderBy: [{field: CREATED_AT}]) { totalCount nodes { user { name } team { name } } } }"
    data = await gql(query, **({"token": token} if token else {}))

    def who(node: dict) -> str:
        return (node["user"] or node["team"])["name"]

    seen = [who(n) for n in data["targets"]["nodes"]]
    assert (
        seen
        == {
            "admin": ["Ann", "Amy", "Bob", "Sam", "Sales", "Other sales"],
            "sam": ["Ann", "Amy", "Sam", "Sales"],
            "ann": ["Ann", "Sales"],
            "bob": ["Bob", "Other sales"],
            "dee": [],
            "vera": ["Ann", "Amy", "Sam", "Sales"],
        }[caller]
    )
    assert data["targets"]["totalCount"] == len(seen)


@pytest.mark.parametrize("caller", ["ann", "dee", "vera"])
async def test_only_sales_managers_and_administrators_set_targets(gql, people, caller):
    before = await database_state()
    body = await gql(
        SET,
        {
            "input": {
                "userId": to_global_id("User", people["ann"].pk),
                "periodStart": "2030-01-01",
                "periodEnd": "2030-03-31",
                "amount": "1",
            }
        },
        token=auth.issue_access_token(people[caller]),
        errors=True,
    )
    message = "you may not change Target records"
    refusal = {"field": None, "message": message, "code": "FORBIDDEN"}
    assert body == {"data": {"setTarget": {"target": None, "errors": [refusal]}}}
    assert await database_state() == before


async def test_a_sales_manager_may_not_set_another_teams_target(gql, people):
    before = await database_state()
    body = await gql(
        SET,
        {
            "input": {
                "teamId": to_global_id("Team", people["other"].pk),
                "periodStart": "2030-01-01",
                "periodEnd": "2030-03-31",
                "amount": "1",
            }
        },
        token=auth.issue_access_token(people["sam"]),
        errors=True,
    )
    message = "sales managers set the targets of their own team and its members"
    refusal = {"field": None, "message": message, "code": "FORBIDDEN"}
    assert body == {"data": {"setTarget": {"target": None, "errors": [refusal]}}}
    assert await database_state() == before
