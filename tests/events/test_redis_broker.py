"""Redis carries wake-ups, never events: whoever can publish on the channel changes nothing
a subscriber receives. Every event body is read from the outbox."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import orjson
import pytest
import redis.asyncio as aioredis

from events.broker import RedisBroker
from events.hub import Hub
from events.published import PublishedEvent, published_after
from events.relay import publish_pending
from services.opportunities import move_opportunity_stage
from tests.factories import make_opportunity, stage
from tests.live_events import reachable_redis, unique_channel


@pytest.fixture
async def channel() -> str:
    return unique_channel()


@pytest.fixture
async def redis_url() -> str:
    return await reachable_redis()


async def started(hub: Hub, url: str, channel: str) -> RedisBroker:
    await hub.start()
    broker = RedisBroker(hub, url, channel)
    await broker.start()
    await asyncio.wait_for(broker.subscribed.wait(), 10)
    return broker


def forged_batch(sequence: int, aggregate_id: int) -> bytes:
    """A message in the shape events once travelled in over Redis, with a made-up body."""
    return orjson.dumps(
        [
            {
                "sequence": sequence,
                "eventId": str(uuid.uuid4()),
                "type": "opportunity.stage_changed",
                "occurredAt": datetime.now(UTC).isoformat(),
                "actorId": None,
                "aggregateType": "opportunity",
                "aggregateId": aggregate_id,
                "data": {"object": {"name": "forged"}},
            }
        ]
    )


async def take(follower: AsyncIterator[PublishedEvent], count: int) -> list[PublishedEvent]:
    return [await asyncio.wait_for(anext(follower), 10) for _ in range(count)]


def body(event: PublishedEvent) -> tuple:
    return (event.sequence, event.event_id, event.type, event.aggregate_id, event.data)


async def test_forged_messages_change_nothing_a_subscriber_receives(redis_url, channel):
    deal = await make_opportunity()
    await publish_pending(limit=100)  # the deal's creation: number 1
    receiving, sending = Hub(), Hub()
    receiver = await started(receiving, redis_url, channel)
    sender = await started(sending, redis_url, channel)
    follower = receiving.follow()
    attacker = aioredis.from_url(redis_url)
    try:
        # The next number, a number far ahead, and junk: none of them may be taken in.
        for message in (
            forged_batch(2, deal.pk),
            forged_batch(3, deal.pk),
            b"999999999",
            b"not a number",
            b"-5",
        ):
            assert await attacker.publish(channel, message) == 2
        names = ["Qualification", "Prospecting"]
        for n in range(2):
            target = await stage("New business", names[n])
            await move_opportunity_stage(opportunity_id=deal.pk, stage_id=target.pk, actor_id=None)
            await sender.publish(await publish_pending(limit=100))
        received = await take(follower, 2)
    finally:
        await attacker.aclose()
        await follower.aclose()
        await sender.stop()
        await receiver.stop()
    stored = await published_after(1, limit=100)
    assert [body(event) for event in received] == [body(event) for event in stored]
    assert [event.sequence for event in stored] == [2, 3]
    assert receiving.cursor == 3


async def test_the_message_is_only_the_publication_number(redis_url, channel):
    deal = await make_opportunity()
    hub = Hub()
    sender = await started(hub, redis_url, channel)
    listener = aioredis.from_url(redis_url)
    pubsub = listener.pubsub()
    await pubsub.subscribe(channel)
    try:
        await asyncio.wait_for(pubsub.get_message(timeout=5), 10)  # the subscription
        await sender.publish(await publish_pending(limit=100))
        message = await asyncio.wait_for(pubsub.get_message(timeout=5), 10)
    finally:
        await pubsub.aclose()
        await listener.aclose()
        await sender.stop()
    assert deal.pk
    assert message is not None and message["data"] == b"1"
