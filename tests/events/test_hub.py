"""The hub: what every subscriber of a process follows. Nothing published is skipped or
repeated, whatever order or loss the broker brings."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from graphql import GraphQLError

from events.hub import SHARED_FOR, Hub
from events.published import PublishedEvent, decode_wake_up, encode_wake_up
from events.relay import Relay, publish_pending
from models import OutboxEvent
from resolvers.core.subscriptions import resume_position
from services.opportunities import move_opportunity_stage
from tests.factories import make_opportunity, stage


async def published_moves(count: int) -> list[PublishedEvent]:
    """``count`` stage moves (after the deal's creation), published; all the events."""
    deal = await make_opportunity()
    names = ["Qualification", "Prospecting"]
    for n in range(count):
        target = await stage("New business", names[n % 2])
        await move_opportunity_stage(opportunity_id=deal.pk, stage_id=target.pk, actor_id=None)
    return await publish_pending(limit=1000)


async def take(follower: AsyncIterator[PublishedEvent], count: int) -> list[int]:
    return [(await anext(follower)).sequence for _ in range(count)]


async def test_a_batch_that_skips_ahead_is_completed_from_the_outbox():
    hub = Hub()
    await hub.start()
    events = await published_moves(3)
    follower = hub.follow()

    await hub.receive(events[3:])  # the first three were lost on the way

    assert hub.cursor == 4
    assert await take(follower, 4) == [1, 2, 3, 4]
    await follower.aclose()


async def test_batches_arriving_twice_or_out_of_order_are_taken_once_in_order():
    hub = Hub()
    await hub.start()
    events = await published_moves(3)
    follower = hub.follow()

    await hub.receive(events[:2])
    await hub.receive(events[:2])
    await hub.receive(events[1:])

    assert await take(follower, 4) == [1, 2, 3, 4]
    assert hub.cursor == 4
    pending = asyncio.ensure_future(anext(follower))
    await asyncio.sleep(0.05)
    assert not pending.done()
    pending.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await pending
    await follower.aclose()


async def test_a_follower_behind_the_recent_window_reads_the_outbox_then_the_window():
    hub = Hub(recent=2, page_size=2)
    await hub.start()
    events = await published_moves(5)
    await hub.receive(events)

    follower = hub.follow(after=0)

    assert await take(follower, 6) == [1, 2, 3, 4, 5, 6]
    assert hub.followers == 1
    await follower.aclose()
    assert hub.followers == 0


async def test_a_hub_that_missed_everything_catches_up_when_it_checks():
    hub = Hub()
    await hub.start()
    await published_moves(2)
    follower = hub.follow()

    await hub.check()

    assert await take(follower, 3) == [1, 2, 3]
    await follower.aclose()


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b"42", 42),
        ("7", 7),
        (b"", None),
        (b"-1", None),
        (b"4.2", None),
        (b"[{}]", None),
        ("\u00b2", None),
        (b"1" * 21, None),
        (b"\xff", None),
    ],
)
def test_a_wake_up_names_at_most_a_publication_number(payload, expected):
    assert decode_wake_up(payload) == expected


async def test_a_wake_up_carries_the_newest_number_of_its_batch():
    events = await published_moves(2)
    assert encode_wake_up(events) == b"3"


async def test_resuming_after_a_published_event_starts_at_its_number():
    events = await published_moves(2)
    assert await resume_position(str(events[1].event_id), 3600) == 2
    assert await resume_position(None, 3600) is None


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("nonsense", "'nonsense' is not an event id; pass the eventId of an event you received"),
        (
            "00000000-0000-4000-8000-000000000000",
            "event 00000000-0000-4000-8000-000000000000 is unknown: resume from the eventId of "
            "an event this API sent, or subscribe without afterEventId",
        ),
    ],
)
async def test_resuming_from_an_unknown_event_is_a_clear_error(given, message):
    with pytest.raises(GraphQLError) as error:
        await resume_position(given, 3600)
    assert (error.value.message, error.value.extensions) == (message, {"code": "BAD_USER_INPUT"})


async def test_resuming_from_an_event_older_than_the_window_is_a_clear_error():
    [event] = await published_moves(0)
    await OutboxEvent.filter(event_id=event.event_id).update(
        published_at=datetime.now(UTC) - timedelta(seconds=61)
    )
    with pytest.raises(GraphQLError) as error:
        await resume_position(str(event.event_id), 60)
    assert error.value.message == (
        f"event {event.event_id} is older than the resume window of 60 seconds: "
        "reload the data, then subscribe without afterEventId"
    )


async def test_an_event_not_yet_published_cannot_be_resumed_from_without_a_relay():
    deal = await make_opportunity()
    row = await OutboxEvent.get(aggregate_id=deal.pk)
    with pytest.raises(GraphQLError, match="is unknown"):
        await resume_position(str(row.event_id), 3600)


async def test_resuming_from_an_event_not_yet_numbered_wakes_the_relay_and_waits_for_it():
    """The relay polls once an hour here: only the wake-up makes it number the event."""
    published: list[PublishedEvent] = []

    async def publish(events: list[PublishedEvent]) -> None:
        published.extend(events)

    relay = Relay(publish, poll_seconds=3600, batch_size=10)
    await relay.start()
    try:
        deal = await make_opportunity()
        row = await OutboxEvent.get(aggregate_id=deal.pk)
        assert row.publication is None
        assert await resume_position(str(row.event_id), 3600, relay) == 1
        assert [e.event_id for e in published] == [row.event_id]
    finally:
        await relay.stop()


async def test_only_the_newest_events_keep_the_work_their_subscribers_share():
    hub = Hub()
    await hub.start()
    events = await published_moves(SHARED_FOR + 1)  # SHARED_FOR + 2 events
    for event in events:
        event.shared["view"] = "computed"
    await hub.receive(events)
    assert [bool(e.shared) for e in events] == [False, False] + [True] * SHARED_FOR


async def test_a_hub_whose_outbox_was_emptied_follows_it_from_the_start_again():
    hub = Hub()
    await hub.start()
    await hub.receive(await published_moves(1))
    assert hub.cursor == 2
    await OutboxEvent.all().delete()

    await hub.check()
    assert hub.cursor == 0

    follower = hub.follow()
    deal_events = await published_moves(0)
    await hub.receive(deal_events)
    assert await take(follower, 1) == [deal_events[0].sequence]
    await follower.aclose()
