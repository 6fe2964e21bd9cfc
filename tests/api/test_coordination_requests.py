"""Coordination requests over GraphQL: asking, the team's queue, working and commenting, the
filters of the list, and what a team member reads of the accounts they were asked about."""

from datetime import UTC, date, datetime, timedelta

import pytest

from ids import to_global_id
from models import CoordinationRequest, OutboxEvent
from models.enums import RequestStatus, Role, TeamKind
from services import auth
from tests.factories import (
    make_account,
    make_activity,
    make_contact,
    make_opportunity,
    make_request,
    make_team,
    make_user,
)
from tests.state import database_state

TODAY = datetime.now(UTC).date()


def gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


@pytest.fixture
async def world() -> dict:
    sales = await make_team(name="Sales", kind=TeamKind.SALES)
    delivery = await make_team(name="Delivery", kind=TeamKind.DELIVERY)
    legal = await make_team(name="Legal", kind=TeamKind.LEGAL)
    ann = await make_user(name="Ann", team_id=sales.pk)
    dee = await make_user(name="Dee", role=Role.TEAM_MEMBER, team_id=delivery.pk)
    dan = await make_user(name="Dan", role=Role.TEAM_MEMBER, team_id=delivery.pk)
    lee = await make_user(name="Lee", role=Role.TEAM_MEMBER, team_id=legal.pk)
    x = await make_account(name="X", owner_id=ann.pk)
    y = await make_account(name="Y", owner_id=ann.pk)
    return {
        "delivery": delivery,
        "legal": legal,
        "ann": ann,
        "dee": dee,
        "dan": dan,
        "lee": lee,
        "x": x,
        "y": y,
        "tokens": {
            name: auth.issue_access_token(user)
            for name, user in {"ann": ann, "dee": dee, "dan": dan, "lee": lee}.items()
        },
    }


CREATE = """mutation($input: CreateCoordinationRequestInput!) {
  createCoordinationRequest(input: $input) {
    coordinationRequest { id title status priority dueDate isOverdue team { name }
      account { name } requester { name } assignee { name } resolvedAt }
    errors { field message code } } }"""
UPDATE = """mutation($input: UpdateCoordinationRequestInput!) {
  updateCoordinationRequest(input: $input) {
    coordinationRequest { status assignee { name } resolvedAt team { name } title }
    errors { field message code } } }"""


async def test_an_account_manager_asks_delivery_for_help(gql, world):
    due = (TODAY + timedelta(days=3)).isoformat()
    data = await gql(
        CREATE,
        {
            "input": {
                "accountId": gid("Account", world["x"].pk),
                "teamId": gid("Team", world["delivery"].pk),
                "title": "Scope the rollout",
                "priority": "URGENT",
                "dueDate": due,
            }
        },
        token=world["tokens"]["ann"],
    )
    request = data["createCoordinationRequest"]["coordinationRequest"]
    assert {k: v for k, v in request.items() if k != "id"} == {
        "title": "Scope the rollout",
        "status": "OPEN",
        "priority": "URGENT",
        "dueDate": due,
        "isOverdue": False,
        "team": {"name": "Delivery"},
        "account": {"name": "X"},
        "requester": {"name": "Ann"},
        "assignee": None,
        "resolvedAt": None,
    }
    event = await OutboxEvent.get(type="coordination_request.created")
    assert event.data["object"]["id"] == request["id"]


async def test_a_team_member_sees_the_request_in_the_queue_takes_it_and_resolves_it(gql, world):
    request = await make_request(
        team_id=world["delivery"].pk, account_id=world["x"].pk, title="Scope"
    )
    queue = "{ coordinationQueue { totalCount nodes { title status assignee { name } } } }"
    assert await gql(queue, token=world["tokens"]["dee"]) == {
        "coordinationQueue": {
            "totalCount": 1,
            "nodes": [{"title": "Scope", "status": "OPEN", "assignee": None}],
        }
    }
    assert await gql(queue, token=world["tokens"]["lee"]) == {
        "coordinationQueue": {"totalCount": 0, "nodes": []}
    }

    taken = await gql(
        UPDATE,
        {
            "input": {
                "id": gid("CoordinationRequest", request.pk),
                "status": "IN_PROGRESS",
                "assigneeId": gid("User", world["dee"].pk),
            }
        },
        token=world["tokens"]["dee"],
    )
    assert taken["updateCoordinationRequest"] == {
        "coordinationRequest": {
            "status": "IN_PROGRESS",
            "assignee": {"name": "Dee"},
            "resolvedAt": None,
            "team": {"name": "Delivery"},
            "title": "Scope",
        },
        "errors": [],
    }
    done = await gql(
        UPDATE,
        {"input": {"id": gid("CoordinationRequest", request.pk), "status": "DONE"}},
        token=world["tokens"]["dee"],
    )
    assert done["updateCoordinationRequest"]["coordinationRequest"]["resolvedAt"] is not None
    assert await gql(queue, token=world["tokens"]["dee"]) == {
        "coordinationQueue": {"totalCount": 0, "nodes": []}
    }
    events = await OutboxEvent.filter(type="coordination_request.updated").order_by("id")
    assert [e.data["previous"] for e in events] == [
        {"status": "OPEN", "assigneeId": None},
        {"status": "IN_PROGRESS", "resolvedAt": None},
    ]


async def test_the_team_may_not_retarget_a_request_and_nothing_changes(gql, world):
    request = await make_request(team_id=world["delivery"].pk, account_id=world["x"].pk)
    before = await database_state()
    body = await gql(
        UPDATE,
        {
            "input": {
                "id": gid("CoordinationRequest", request.pk),
                "teamId": gid("Team", world["legal"].pk),
            }
        },
        token=world["tokens"]["dee"],
        errors=True,
    )
    message = "the team asked changes only the status and assignee of a request, not: team_id"
    refusal = {"field": None, "message": message, "code": "FORBIDDEN"}
    assert body == {
        "data": {"updateCoordinationRequest": {"coordinationRequest": None, "errors": [refusal]}}
    }
    assert await database_state() == before


async def test_assigning_someone_outside_the_team_is_a_user_error(gql, world):
    request = await make_request(team_id=world["delivery"].pk, account_id=world["x"].pk)
    before = await database_state()
    data = await gql(
        UPDATE,
        {
            "input": {
                "id": gid("CoordinationRequest", request.pk),
                "assigneeId": gid("User", world["lee"].pk),
            }
        },
        token=world["tokens"]["dee"],
    )
    assert data["updateCoordinationRequest"] == {
        "coordinationRequest": None,
        "errors": [
            {
                "field": ["assigneeId"],
                "message": "Lee is not an active member of the team the request is sent to; "
                "assign it to one of that team's members",
                "code": "INVALID",
            }
        ],
    }
    assert await database_state() == before


async def test_both_sides_comment_and_read_the_thread(gql, world):
    request = await make_request(team_id=world["delivery"].pk, account_id=world["x"].pk)
    comment = """mutation($id: ID!, $body: String!) {
      commentOnCoordinationRequest(input: {requestId: $id, body: $body}) {
        comment { body author { name } } coordinationRequest { title } errors { code } } }"""
    request_id = gid("CoordinationRequest", request.pk)
    first = await gql(comment, {"id": request_id, "body": "When?"}, token=world["tokens"]["ann"])
    assert first["commentOnCoordinationRequest"] == {
        "comment": {"body": "When?", "author": {"name": "Ann"}},
        "coordinationRequest": {"title": request.title},
        "errors": [],
    }
    await gql(comment, {"id": request_id, "body": "Friday"}, token=world["tokens"]["dee"])
    before = await database_state()
    body = await gql(
        comment, {"id": request_id, "body": "Me too"}, token=world["tokens"]["lee"], errors=True
    )
    # Lee's team was not asked and Lee does not see the account: the request looks missing.
    assert body == {
        "data": {
            "commentOnCoordinationRequest": {
                "comment": None,
                "coordinationRequest": None,
                "errors": [{"code": "NOT_FOUND"}],
            }
        }
    }
    assert await database_state() == before
    thread = await gql(
        "query($id: ID!) { node(id: $id) { ... on CoordinationRequest { comments { totalCount nodes { body author { name } } } } } }",
        {"id": request_id},
        token=world["tokens"]["dee"],
    )
    assert thread["node"]["comments"] == {
        "totalCount": 2,
        "nodes": [
            {"body": "When?", "author": {"name": "Ann"}},
            {"body": "Friday", "author": {"name": "Dee"}},
        ],
    }


async def test_the_list_filters_by_team_status_assignee_and_overdue(gql, world):
    past = TODAY - timedelta(days=2)
    rows = [
        ("late open", world["delivery"].pk, RequestStatus.OPEN, past, None),
        ("late in progress", world["delivery"].pk, RequestStatus.IN_PROGRESS, past, "dee"),
        ("late but done", world["delivery"].pk, RequestStatus.DONE, past, "dee"),
        ("on time", world["legal"].pk, RequestStatus.OPEN, TODAY + timedelta(days=5), "lee"),
        ("undated", world["legal"].pk, RequestStatus.DECLINED, None, None),
    ]
    for title, team_id, status, due, assignee in rows:
        await make_request(
            title=title,
            team_id=team_id,
            account_id=world["x"].pk,
            status=status,
            due_date=due,
            assignee_id=world[assignee].pk if assignee else None,
        )
    data = await gql(
        """query($d: [ID!], $u: [ID!]) {
          overdue: coordinationRequests(filter: {overdue: true}, orderBy: [{field: CREATED_AT}]) { nodes { title isOverdue } }
          notOverdue: coordinationRequests(filter: {overdue: false}, orderBy: [{field: CREATED_AT}]) { nodes { title } }
          delivery: coordinationRequests(filter: {teamIds: $d}) { totalCount }
          open: coordinationRequests(filter: {statuses: [OPEN, IN_PROGRESS]}, orderBy: [{field: CREATED_AT}]) { nodes { title } }
          dees: coordinationRequests(filter: {assigneeIds: $u}, orderBy: [{field: CREATED_AT}]) { nodes { title } }
          unassigned: coordinationRequests(filter: {unassigned: true}, orderBy: [{field: CREATED_AT}]) { nodes { title } }
        }""",
        {"d": [gid("Team", world["delivery"].pk)], "u": [gid("User", world["dee"].pk)]},
    )
    assert data == {
        "overdue": {
            "nodes": [
                {"title": "late open", "isOverdue": True},
                {"title": "late in progress", "isOverdue": True},
            ]
        },
        "notOverdue": {
            "nodes": [{"title": "late but done"}, {"title": "on time"}, {"title": "undated"}]
        },
        "delivery": {"totalCount": 3},
        "open": {
            "nodes": [{"title": "late open"}, {"title": "late in progress"}, {"title": "on time"}]
        },
        "dees": {"nodes": [{"title": "late in progress"}, {"title": "late but done"}]},
        "unassigned": {"nodes": [{"title": "late open"}, {"title": "undated"}]},
    }


async def test_a_team_member_reads_the_accounts_their_team_is_asked_about_and_nothing_else(
    gql, world
):
    x, y = world["x"], world["y"]
    deal = await make_opportunity(account_id=x.pk, name="X deal")
    await make_opportunity(account_id=y.pk, name="Y deal")
    contact = await make_contact(client_id=x.client_id, name="Carla")
    await make_activity(opportunity_id=deal.pk, subject="X call")
    await make_request(team_id=world["delivery"].pk, account_id=x.pk, title="For delivery")
    await make_request(team_id=world["legal"].pk, account_id=y.pk, title="For legal")

    query = """{ accounts { nodes { name client { name } opportunities { nodes { name } }
                   activities { nodes { subject } } coordinationRequests { nodes { title } } } }
                 clients { nodes { name } }
                 contacts { nodes { name } }
                 leads { totalCount }
                 coordinationRequests { nodes { title } } }"""
    seen = await gql(query, token=world["tokens"]["dee"])
    assert seen == {
        "accounts": {
            "nodes": [
                {
                    "name": "X",
                    "client": {"name": (await x.client).name},
                    "opportunities": {"nodes": [{"name": "X deal"}]},
                    "activities": {"nodes": [{"subject": "X call"}]},
                    "coordinationRequests": {"nodes": [{"title": "For delivery"}]},
                }
            ]
        },
        "clients": {"nodes": [{"name": (await x.client).name}]},
        "contacts": {"nodes": [{"name": contact.name}]},
        "leads": {"totalCount": 0},
        "coordinationRequests": {"nodes": [{"title": "For delivery"}]},
    }
    before = await database_state()
    body = await gql(
        'mutation($id: ID!) { updateAccount(input: {id: $id, name: "Mine"}) { errors { field message code } } }',
        {"id": gid("Account", x.pk)},
        token=world["tokens"]["dee"],
        errors=True,
    )
    refusal = {"field": None, "message": "you may not change Account records", "code": "FORBIDDEN"}
    assert body == {"data": {"updateAccount": {"errors": [refusal]}}}
    assert await database_state() == before


async def test_a_sales_team_is_refused_as_the_team_asked(gql, world):
    sales = await make_team(name="Other sales", kind=TeamKind.SALES)
    before = await database_state()
    data = await gql(
        CREATE,
        {
            "input": {
                "accountId": gid("Account", world["x"].pk),
                "teamId": gid("Team", sales.pk),
                "title": "Help",
            }
        },
        token=world["tokens"]["ann"],
    )
    assert data["createCoordinationRequest"]["errors"] == [
        {
            "field": ["teamId"],
            "message": "'Other sales' is a sales team; send requests to an internal team "
            "(delivery, support, legal, finance, product or other)",
            "code": "INVALID",
        }
    ]
    assert await database_state() == before


async def test_reopening_clears_resolved_at_and_explicit_null_clears_the_due_date(gql, world):
    request = await make_request(
        team_id=world["delivery"].pk,
        account_id=world["x"].pk,
        status=RequestStatus.DONE,
        resolved_at=datetime(2026, 1, 2, tzinfo=UTC),
        due_date=date(2031, 1, 1),
    )
    data = await gql(
        """mutation($id: ID!) { updateCoordinationRequest(input: {id: $id, status: OPEN, dueDate: null}) {
          coordinationRequest { status resolvedAt dueDate title } errors { code } } }""",
        {"id": gid("CoordinationRequest", request.pk)},
        token=world["tokens"]["ann"],
    )
    assert data["updateCoordinationRequest"] == {
        "coordinationRequest": {
            "status": "OPEN",
            "resolvedAt": None,
            "dueDate": None,
            "title": request.title,
        },
        "errors": [],
    }
    assert await CoordinationRequest.filter(due_date__isnull=True).count() == 1
