"""An account's timeline: activities, stage changes, coordination requests and satisfaction
answers merged newest first, with cursors that are positions (resolvers/core/timeline.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from ids import to_global_id
from models import Account, Activity, CoordinationRequest, SatisfactionResponse
from models.enums import SatisfactionKind
from services.auth import issue_access_token
from services.opportunities import move_opportunity_stage
from tests.database import count_statements
from tests.factories import make_account, make_activity, make_opportunity, make_request, stage
from tests.state import database_state

T0 = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)

TIMELINE = """
query Timeline($ids: [ID!]!, $first: Int, $after: String, $last: Int, $before: String) {
  nodes(ids: $ids) { ... on Account {
    timeline(first: $first, after: $after, last: $last, before: $before) {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node {
        __typename
        ... on Activity { subject occurredAt }
        ... on OpportunityStageChange { changedAt toStage { name } opportunity { name } }
        ... on CoordinationRequest { title createdAt }
        ... on SatisfactionResponse { score receivedAt }
      } }
    }
  } }
}
"""


def at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


def iso(hours: int) -> str:
    """The time as the API sends it: RFC 3339 in UTC, with microseconds and ``Z``."""
    return at(hours).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def build_timeline(set_clock, name: str = "Acme") -> Account:
    """One account with, oldest first: a deal created (hour 0), a call (1), a request (2), an
    NPS answer (3), a move to Qualification (4) and, at hour 5, a meeting and a request."""
    account = await make_account(name=name)
    set_clock(at(0))
    deal = await make_opportunity(account_id=account.pk, name="Big deal")
    await make_activity(account_id=account.pk, subject="Call", occurred_at=at(1))
    first = await make_request(account_id=account.pk, title="Kick-off")
    await CoordinationRequest.filter(pk=first.pk).update(created_at=at(2))
    await SatisfactionResponse.create(
        account=account, kind=SatisfactionKind.NPS, score=9, received_at=at(3)
    )
    set_clock(at(4))
    qualification = await stage("New business", "Qualification")
    await move_opportunity_stage(opportunity_id=deal.pk, stage_id=qualification.pk, actor_id=None)
    await make_activity(account_id=account.pk, subject="Meeting", occurred_at=at(5))
    second = await make_request(account_id=account.pk, title="Legal review")
    await CoordinationRequest.filter(pk=second.pk).update(created_at=at(5))
    # Not on the timeline: another account's call, an archived call.
    await make_activity(account_id=(await make_account()).pk, subject="Elsewhere")
    archived = await make_activity(account_id=account.pk, subject="Archived", occurred_at=at(6))
    await Activity.filter(pk=archived.pk).update(archived_at=at(6))
    set_clock(lambda: datetime.now(UTC))  # for the callers' tokens
    return account


def items(data: dict) -> list[dict]:
    return [edge["node"] for edge in data["nodes"][0]["timeline"]["edges"]]


EVERYTHING = [
    # at hour 5 a request and an activity: ties between types go by type name, descending
    {"__typename": "CoordinationRequest", "title": "Legal review", "createdAt": iso(5)},
    {"__typename": "Activity", "subject": "Meeting", "occurredAt": iso(5)},
    {
        "__typename": "OpportunityStageChange",
        "changedAt": iso(4),
        "toStage": {"name": "Qualification"},
        "opportunity": {"name": "Big deal"},
    },
    {"__typename": "SatisfactionResponse", "score": 9, "receivedAt": iso(3)},
    {"__typename": "CoordinationRequest", "title": "Kick-off", "createdAt": iso(2)},
    {"__typename": "Activity", "subject": "Call", "occurredAt": iso(1)},
    {
        "__typename": "OpportunityStageChange",
        "changedAt": iso(0),
        "toStage": {"name": "Prospecting"},
        "opportunity": {"name": "Big deal"},
    },
]


async def test_the_timeline_merges_everything_that_happened_newest_first(gql, set_clock):
    account = await build_timeline(set_clock)

    data = await gql(TIMELINE, {"ids": [to_global_id("Account", account.pk)], "first": 20})

    assert items(data) == EVERYTHING
    page_info = data["nodes"][0]["timeline"]["pageInfo"]
    assert (page_info["hasNextPage"], page_info["hasPreviousPage"]) == (False, False)


async def test_pages_neither_skip_nor_repeat_items_added_between_them(gql, set_clock):
    account = await build_timeline(set_clock)
    ids = [to_global_id("Account", account.pk)]

    first = await gql(TIMELINE, {"ids": ids, "first": 3})
    assert items(first) == EVERYTHING[:3]
    assert first["nodes"][0]["timeline"]["pageInfo"]["hasNextPage"] is True
    # Newer items, and one at exactly the time of the last item seen, of a type placed
    # after it: offsets would shift, positions do not.
    await make_activity(account_id=account.pk, subject="Newest", occurred_at=at(9))
    await make_activity(account_id=account.pk, subject="Same hour", occurred_at=at(4))
    after = first["nodes"][0]["timeline"]["pageInfo"]["endCursor"]

    second = await gql(TIMELINE, {"ids": ids, "first": 3, "after": after})

    assert items(second) == [
        {"__typename": "Activity", "subject": "Same hour", "occurredAt": iso(4)},
        *EVERYTHING[3:5],
    ]
    page_info = second["nodes"][0]["timeline"]["pageInfo"]
    assert (page_info["hasNextPage"], page_info["hasPreviousPage"]) == (True, True)

    back = await gql(TIMELINE, {"ids": ids, "last": 3, "before": page_info["startCursor"]})
    assert items(back) == EVERYTHING[:3]
    page_info = back["nodes"][0]["timeline"]["pageInfo"]
    assert (page_info["hasNextPage"], page_info["hasPreviousPage"]) == (True, True)
    newest = await gql(TIMELINE, {"ids": ids, "last": 3, "before": page_info["startCursor"]})
    assert items(newest) == [{"__typename": "Activity", "subject": "Newest", "occurredAt": iso(9)}]
    page_info = newest["nodes"][0]["timeline"]["pageInfo"]
    assert (page_info["hasNextPage"], page_info["hasPreviousPage"]) == (True, False)


async def test_the_oldest_page_is_the_last_items(gql, set_clock):
    account = await build_timeline(set_clock)

    data = await gql(TIMELINE, {"ids": [to_global_id("Account", account.pk)], "last": 2})

    assert items(data) == EVERYTHING[-2:]
    page_info = data["nodes"][0]["timeline"]["pageInfo"]
    assert (page_info["hasNextPage"], page_info["hasPreviousPage"]) == (False, True)


@pytest.mark.parametrize("moves", [1, 6])
async def test_a_timeline_page_costs_the_same_statements_however_long_it_is(gql, set_clock, moves):
    account = await build_timeline(set_clock)
    for n in range(moves):
        await make_activity(account_id=account.pk, subject=f"Call {n}", occurred_at=at(10 + n))

    with count_statements() as counter:
        data = await gql(TIMELINE, {"ids": [to_global_id("Account", account.pk)], "first": 50})

    assert len(items(data)) == 7 + moves
    # the caller, the account, one statement per table, the deal and its stages
    assert counter.count == 8, counter.statements


async def test_an_account_manager_sees_the_timeline_of_their_account_only(gql, set_clock):
    account = await build_timeline(set_clock)
    owner = await account.owner
    stranger = await (await make_account()).owner
    ids = [to_global_id("Account", account.pk)]

    mine = await gql(TIMELINE, {"ids": ids, "first": 20}, token=issue_access_token(owner))
    theirs = await gql(TIMELINE, {"ids": ids, "first": 20}, token=issue_access_token(stranger))

    assert items(mine) == EVERYTHING
    assert theirs == {"nodes": [None]}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"after": "bm9wZQ=="}, "'bm9wZQ==' is not a valid cursor of this list"),
        ({"first": 2, "last": 2}, "pass either 'first' or 'last', not both"),
        ({"first": 101}, "'first' must be between 0 and 100, got 101"),
    ],
)
async def test_bad_page_arguments_are_refused(gql, set_clock, arguments, message):
    account = await build_timeline(set_clock)
    before = await database_state()

    body = await gql(
        TIMELINE, {"ids": [to_global_id("Account", account.pk)], **arguments}, errors=True
    )

    assert body["data"] == {"nodes": [None]}
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        (message, "BAD_USER_INPUT")
    ]
    assert await database_state() == before


@pytest.mark.parametrize("accounts", [2, 6])
async def test_timelines_of_a_list_of_accounts_are_read_together(gql, set_clock, accounts):
    built = [await build_timeline(set_clock, f"Timeline {n}") for n in range(accounts)]
    query = """{ accounts(first: 50, orderBy: [{field: CREATED_AT}]) { edges { node {
        name timeline(first: 2) { edges { node { __typename } } } } } } }"""

    with count_statements() as counter:
        data = await gql(query)

    timelines = {
        edge["node"]["name"]: [e["node"]["__typename"] for e in edge["node"]["timeline"]["edges"]]
        for edge in data["accounts"]["edges"]
    }
    # each account's own newest two items; beside each, an account with one call
    assert [timelines.pop(account.name) for account in built] == [
        ["CoordinationRequest", "Activity"]
    ] * accounts
    assert list(timelines.values()) == [["Activity"]] * accounts
    # the caller, the accounts, one statement per table for all their timelines
    assert counter.count == 6, counter.statements
