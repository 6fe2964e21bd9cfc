"""The notifications feed: the ``events`` query lists the events the caller may see, newest
first in publication order, typed per event type, resumable from an ``eventId``
(resolvers/core/event_feed.py)."""

import pytest

from events.relay import publish_pending
from ids import to_global_id
from models import OutboxEvent, User
from services.accounts import ACCOUNT
from services.auth import issue_access_token
from services.opportunities import move_opportunity_stage
from services.records import update_record
from tests.database import count_statements
from tests.factories import make_account, make_activity, make_opportunity, stage
from tests.state import database_state

FEED = """
query Feed($first: Int, $after: String, $last: Int, $before: String, $afterEventId: ID,
           $types: [EventType!]) {
  events(first: $first, after: $after, last: $last, before: $before,
         afterEventId: $afterEventId, types: $types) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage }
    edges { cursor node {
      __typename eventId type subjectId actor { name }
      ... on OpportunityCreatedEvent { opportunity { name } }
      ... on OpportunityStageChangedEvent {
        opportunity { name } stageChange { fromStage { name } toStage { name } }
      }
      ... on OpportunityWonEvent { opportunity { name } stageChange { toStage { name } } }
      ... on AccountUpdatedEvent { account { name } changedFields }
      ... on ActivityLoggedEvent { activity { subject } }
    } }
  }
}
"""


async def event_ids() -> list[str]:
    """Every event's id, in publication order, after publishing what is pending."""
    await publish_pending(limit=1000)
    rows = await OutboxEvent.all().order_by("publication").values_list("event_id", flat=True)
    return [str(row) for row in rows]


async def build_feed() -> tuple[User, User]:
    """A deal on Acme created, moved to Closed won and called about; Acme renamed; a deal
    on Globex created. Events are published in that order. Returns the two owners."""
    admin = await User.get(email="admin@example.com")  # the actor of the changes made by someone
    owner, other = (await make_account(name="Acme")), (await make_account(name="Globex"))
    deal = await make_opportunity(account_id=owner.pk, name="Big deal")
    won = await stage("New business", "Closed won")
    await move_opportunity_stage(opportunity_id=deal.pk, stage_id=won.pk, actor_id=admin.pk)
    await make_activity(account_id=owner.pk, subject="Thank-you call")
    await update_record(
        ACCOUNT, record_id=owner.pk, changes={"name": "Acme Ltd"}, actor_id=admin.pk
    )
    await make_opportunity(account_id=other.pk, name="Other deal")
    return await owner.owner, await other.owner


def nodes(data: dict) -> list[dict]:
    return [edge["node"] for edge in data["events"]["edges"]]


def cursors(data: dict) -> list[str]:
    return [edge["cursor"] for edge in data["events"]["edges"]]


def flags(data: dict) -> tuple[bool, bool]:
    """(hasNextPage, hasPreviousPage)"""
    page_info = data["events"]["pageInfo"]
    return page_info["hasNextPage"], page_info["hasPreviousPage"]


def expected(ids: list[str]) -> list[dict]:
    """Every event of ``build_feed``, newest first."""
    deal = to_global_id("Opportunity", 1)
    return [
        {
            "__typename": "OpportunityCreatedEvent",
            "eventId": ids[5],
            "type": "OPPORTUNITY_CREATED",
            "subjectId": to_global_id("Opportunity", 2),
            "actor": None,
            "opportunity": {"name": "Other deal"},
        },
        {
            "__typename": "AccountUpdatedEvent",
            "eventId": ids[4],
            "type": "ACCOUNT_UPDATED",
            "subjectId": to_global_id("Account", 1),
            "actor": {"name": "Admin"},
            "account": {"name": "Acme Ltd"},
            "changedFields": ["name"],
        },
        {
            "__typename": "ActivityLoggedEvent",
            "eventId": ids[3],
            "type": "ACTIVITY_LOGGED",
            "subjectId": to_global_id("Activity", 1),
            "actor": None,
            "activity": {"subject": "Thank-you call"},
        },
        {
            "__typename": "OpportunityWonEvent",
            "eventId": ids[2],
            "type": "OPPORTUNITY_WON",
            "subjectId": deal,
            "actor": {"name": "Admin"},
            "opportunity": {"name": "Big deal"},
            "stageChange": {"toStage": {"name": "Closed won"}},
        },
        {
            "__typename": "OpportunityStageChangedEvent",
            "eventId": ids[1],
            "type": "OPPORTUNITY_STAGE_CHANGED",
            "subjectId": deal,
            "actor": {"name": "Admin"},
            "opportunity": {"name": "Big deal"},
            "stageChange": {
                "fromStage": {"name": "Prospecting"},
                "toStage": {"name": "Closed won"},
            },
        },
        {
            "__typename": "OpportunityCreatedEvent",
            "eventId": ids[0],
            "type": "OPPORTUNITY_CREATED",
            "subjectId": deal,
            "actor": None,
            "opportunity": {"name": "Big deal"},
        },
    ]


async def test_the_feed_lists_typed_events_newest_first(gql):
    await build_feed()
    ids = await event_ids()

    data = await gql(FEED, {"first": 20})

    assert nodes(data) == expected(ids)
    assert data["events"]["totalCount"] == 6
    assert flags(data) == (False, False)


async def test_an_account_manager_sees_only_the_events_about_records_they_see(gql):
    acme_owner, globex_owner = await build_feed()
    ids = await event_ids()

    mine = await gql(FEED, {"first": 20}, token=issue_access_token(acme_owner))
    theirs = await gql(FEED, {"first": 20}, token=issue_access_token(globex_owner))

    assert nodes(mine) == expected(ids)[1:]
    assert nodes(theirs) == expected(ids)[:1]
    assert (mine["events"]["totalCount"], theirs["events"]["totalCount"]) == (5, 1)


async def test_events_not_yet_published_are_not_listed(gql):
    await make_opportunity(name="Published")
    await event_ids()
    await make_opportunity(name="Committed, not yet published")

    data = await gql(FEED, {"first": 20})

    assert [node["opportunity"] for node in nodes(data)] == [{"name": "Published"}]


async def test_after_event_id_lists_only_what_was_published_since(gql):
    await build_feed()
    ids = await event_ids()

    data = await gql(FEED, {"afterEventId": ids[3]})

    assert nodes(data) == expected(ids)[:2]
    assert data["events"]["totalCount"] == 2


async def test_types_narrow_the_feed(gql):
    await build_feed()
    ids = await event_ids()

    data = await gql(FEED, {"types": ["OPPORTUNITY_WON", "ACTIVITY_LOGGED"]})

    assert nodes(data) == expected(ids)[2:4]


async def test_pages_neither_skip_nor_repeat_events_published_between_them(gql):
    await build_feed()
    ids = await event_ids()

    first = await gql(FEED, {"first": 2})
    assert nodes(first) == expected(ids)[:2]
    assert flags(first) == (True, False)
    await make_opportunity(name="Newer deal")
    newest = (await event_ids())[-1]

    second = await gql(FEED, {"first": 2, "after": cursors(first)[-1]})
    assert nodes(second) == expected(ids)[2:4]
    assert flags(second) == (True, True)

    back = await gql(FEED, {"last": 2, "before": cursors(second)[0]})
    assert nodes(back) == expected(ids)[:2]
    assert flags(back) == (True, True)

    newer = await gql(FEED, {"last": 2, "before": cursors(back)[0]})
    assert [node["eventId"] for node in nodes(newer)] == [newest]
    assert flags(newer) == (True, False)


@pytest.mark.parametrize("deals", [2, 12])
async def test_a_feed_page_costs_the_same_statements_however_many_events_it_holds(gql, deals):
    for n in range(deals):
        deal = await make_opportunity(name=f"Deal {n}")
        qualification = await stage("New business", "Qualification")
        await move_opportunity_stage(
            opportunity_id=deal.pk, stage_id=qualification.pk, actor_id=None
        )
    await event_ids()

    with count_statements() as counter:
        data = await gql(FEED, {"first": 100})

    assert len(nodes(data)) == 2 * deals
    # the caller, the events, their count, their deals, their stage changes, those
    # changes' stages
    assert counter.count == 6, counter.statements


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"afterEventId": "nope"},
            "'nope' is not an event id; pass the eventId of an event you received",
        ),
        (
            {"afterEventId": "00000000-0000-0000-0000-000000000000"},
            "event 00000000-0000-0000-0000-000000000000 is unknown: pass the eventId of an "
            "event this API sent, or omit afterEventId",
        ),
        ({"after": "bm9wZQ=="}, "'bm9wZQ==' is not a valid cursor of this list"),
        ({"first": 1, "last": 1}, "pass either 'first' or 'last', not both"),
    ],
)
async def test_bad_feed_arguments_are_refused(gql, variables, message):
    await build_feed()
    await event_ids()
    before = await database_state()

    body = await gql(FEED, variables, errors=True)

    assert body["data"] is None
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        (message, "BAD_USER_INPUT")
    ]
    assert await database_state() == before
