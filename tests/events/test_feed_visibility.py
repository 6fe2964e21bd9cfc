"""The events query shows exactly the events the events subscription would send: its one
query condition (``resolvers/core/event_feed.py``) agrees, event by event and caller by
caller, with the subscription's check (``resolvers/core/subscriptions.aggregate_record``)."""

from datetime import UTC, datetime

from events.catalogue import EventType
from events.outbox import record_event
from events.published import PublishedEvent
from events.relay import publish_pending
from models import Account, Lead, OutboxEvent
from resolvers.core.event_feed import visible_events
from resolvers.core.loaders import Loaders
from resolvers.core.subscriptions import EventView, aggregate_record
from services.visibility import Visibility
from tests.api import test_visibility_rules
from tests.api.test_visibility_rules import World
from tests.factories import make_account, make_request

# The world of the visibility rules: two sales teams, delivery, an administrator.
world = test_visibility_rules.world

AT = datetime(2030, 1, 1, tzinfo=UTC)


async def more_events(world: World) -> None:
    """Events of kinds the world lacks: about a lead, a request sent to delivery about team
    B's account, a deleted account and a type of record no model has."""
    await record_event(
        EventType.LEAD_CREATED,
        record=await Lead.get(pk=world.pks["lead:a"]),
        actor_id=None,
        occurred_at=AT,
    )
    request = await make_request(
        account_id=world.pks["account:b"], team_id=world.teams["delivery"].pk
    )
    await record_event(
        EventType.COORDINATION_REQUEST_CREATED, record=request, actor_id=None, occurred_at=AT
    )
    gone = await make_account(name="Gone")
    await record_event(EventType.ACCOUNT_CREATED, record=gone, actor_id=None, occurred_at=AT)
    await Account.filter(pk=gone.pk).delete()
    await OutboxEvent.create(
        event_id="00000000-0000-0000-0000-000000000001",
        type=EventType.WEBHOOK_PING.value,
        occurred_at=AT,
        aggregate_type="WebhookPing",
        aggregate_id=1,
        data={},
    )


async def test_the_feed_and_the_subscription_agree_on_every_event_for_every_caller(world):
    await more_events(world)
    await publish_pending(limit=1000)
    published = [
        PublishedEvent.from_row(row)
        for row in await OutboxEvent.filter(publication__isnull=False).order_by("publication")
    ]
    assert len(published) >= 6
    seen_by = {}
    for name, user in world.users.items():
        visibility = Visibility(user)
        view = EventView(user, visibility, Loaders(visibility))
        subscription = {
            event.sequence for event in published if await aggregate_record(event, view) is not None
        }
        feed = set(
            await OutboxEvent.filter(visible_events(visibility)).values_list(
                "publication", flat=True
            )
        )
        assert feed == subscription, name
        seen_by[name] = len(feed)
    # Not a vacuous agreement: callers see different numbers of events.
    assert seen_by["ada"] == len(published)
    # Team A's deal, activity and lead; team B's deal, activity and request; and for Tess, in
    # delivery, what her team's request concerns: that request, team B's deal and activity.
    assert (seen_by["ann"], seen_by["sam"], seen_by["bob"], seen_by["tess"]) == (3, 3, 3, 3)
