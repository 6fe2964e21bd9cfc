"""The world in which the authorization tests of plans, satisfaction, coordination requests
and targets run, and the checks they share.

Ann (account manager, sales team A) owns account X, with a deal, a plan (an objective and an
action), an NPS response, and a request to Delivery with a comment. Bob is an account manager
of team B; Sam manages team A; Vera is team A's read-only user; Tina is a member of Delivery,
the team asked about X; Ada is an administrator. Ann has a target.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from ids import to_global_id
from models import (
    Account,
    Client,
    CoordinationComment,
    PlanAction,
    PlanObjective,
    SatisfactionResponse,
    Target,
)
from models.enums import Role, TeamKind
from services import auth
from tests.api.conftest import GraphQL
from tests.factories import make_opportunity, make_plan, make_request, make_team, make_user
from tests.state import database_state

CALLERS = ["anonymous", "vera", "bob", "ann", "sam", "tina", "ada"]
SEES_X = {"vera", "ann", "sam", "tina", "ada"}
SALES_WRITE = {"ann": "ok", "sam": "ok", "ada": "ok", "vera": "FORBIDDEN", "tina": "FORBIDDEN"}


@dataclass
class World:
    tokens: dict[str, str | None]
    ids: dict[str, str]


async def make_world() -> World:
    team_a = await make_team(name="Team A", kind=TeamKind.SALES)
    team_b = await make_team(name="Team B", kind=TeamKind.SALES)
    delivery = await make_team(name="Delivery", kind=TeamKind.DELIVERY)
    legal = await make_team(name="Legal", kind=TeamKind.LEGAL)
    people = {
        "ann": await make_user(name="Ann", role=Role.ACCOUNT_MANAGER, team_id=team_a.pk),
        "bob": await make_user(name="Bob", role=Role.ACCOUNT_MANAGER, team_id=team_b.pk),
        "sam": await make_user(name="Sam", role=Role.SALES_MANAGER, team_id=team_a.pk),
        "vera": await make_user(name="Vera", role=Role.VIEWER, team_id=team_a.pk),
        "tina": await make_user(name="Tina", role=Role.TEAM_MEMBER, team_id=delivery.pk),
        "ada": await make_user(name="Ada", role=Role.ADMIN),
    }
    acme = await Client.create(name="Acme")
    x = await Account.create(name="X", client_id=acme.pk, owner_id=people["ann"].pk, currency="USD")
    deal = await make_opportunity(account_id=x.pk, name="X deal", amount=Decimal("5000"))
    plan = await make_plan(account_id=x.pk, name="X plan")
    objective = await PlanObjective.create(plan_id=plan.pk, title="Grow")
    action = await PlanAction.create(plan_id=plan.pk, title="Call")
    response = await SatisfactionResponse.create(
        account_id=x.pk, kind="NPS", score=8, received_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    request = await make_request(team_id=delivery.pk, account_id=x.pk, title="Scope")
    comment = await CoordinationComment.create(
        request_id=request.pk, author_id=people["ann"].pk, body="Please"
    )
    target = await Target.create(
        user_id=people["ann"].pk,
        period_start=date(2030, 1, 1),
        period_end=date(2030, 3, 31),
        amount=Decimal("100"),
        currency="USD",
    )
    tokens: dict[str, str | None] = {
        name: auth.issue_access_token(user) for name, user in people.items()
    }
    tokens["anonymous"] = None
    ids = {
        "Account": to_global_id("Account", x.pk),
        "Opportunity": to_global_id("Opportunity", deal.pk),
        "AccountPlan": to_global_id("AccountPlan", plan.pk),
        "PlanObjective": to_global_id("PlanObjective", objective.pk),
        "PlanAction": to_global_id("PlanAction", action.pk),
        "SatisfactionResponse": to_global_id("SatisfactionResponse", response.pk),
        "CoordinationRequest": to_global_id("CoordinationRequest", request.pk),
        "CoordinationComment": to_global_id("CoordinationComment", comment.pk),
        "Target": to_global_id("Target", target.pk),
        "Ann": to_global_id("User", people["ann"].pk),
        "Legal": to_global_id("Team", legal.pk),
    }
    return World(tokens, ids)


async def check_node_lookup(
    gql: GraphQL, world: World, caller: str, node: str, sees: set[str]
) -> None:
    """``node(id:)`` finds the record for those who see it, and for nobody else."""
    body = await gql(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": world.ids[node]},
        token=world.tokens[caller],
        errors=True,
    )
    if caller == "anonymous":
        assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED", "reason": "MISSING"}
    elif caller in sees:
        assert body == {"data": {"node": {"id": world.ids[node]}}}
    else:
        assert body == {
            "data": {"node": None},
            "errors": [
                {
                    "message": "No record with that id",
                    "locations": [{"line": 1, "column": 19}],
                    "path": ["node"],
                    "extensions": {"code": "NOT_FOUND"},
                }
            ],
        }


async def check_list(gql: GraphQL, world: World, caller: str, field: str, sees: set[str]) -> None:
    """The root list ``field`` holds the one record of the world for those who see it."""
    body = await gql(
        f"{{ {field} {{ totalCount nodes {{ id }} }} }}", token=world.tokens[caller], errors=True
    )
    if caller == "anonymous":
        assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED", "reason": "MISSING"}
        return
    expected = 1 if caller in sees else 0
    assert body["data"][field]["totalCount"] == expected
    assert len(body["data"][field]["nodes"]) == expected


async def check_write(
    gql: GraphQL,
    world: World,
    caller: str,
    mutation: str,
    document: str,
    outcomes: dict[str, str],
) -> None:
    """The mutation succeeds, is refused (FORBIDDEN, in its payload), or finds nothing
    (NOT_FOUND, the default: Bob sees neither X nor anything on it), as ``outcomes`` says for
    the caller; a refusal changes nothing."""
    variables = {
        "a": world.ids["Account"],
        "p": world.ids["AccountPlan"],
        "o": world.ids["PlanObjective"],
        "x": world.ids["PlanAction"],
        "d": world.ids["Opportunity"],
        "r": world.ids["CoordinationRequest"],
        "legal": world.ids["Legal"],
        "ann": world.ids["Ann"],
    }
    used = {name: value for name, value in variables.items() if f"${name}" in document}
    before = await database_state()
    body = await gql(document, used, token=world.tokens[caller], errors=True)
    outcome = outcomes.get(caller, "NOT_FOUND")
    if caller == "anonymous":
        assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED", "reason": "MISSING"}
    elif outcome == "ok":
        assert body == {"data": {mutation: {"errors": []}}}
        return
    elif outcome == "FORBIDDEN":
        assert body == {"data": {mutation: {"errors": [{"code": "FORBIDDEN"}]}}}
    else:
        assert body == {"data": {mutation: {"errors": [{"code": "NOT_FOUND"}]}}}
    assert await database_state() == before
