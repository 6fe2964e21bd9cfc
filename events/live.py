"""Live events in a server process: the hub subscribers follow, the broker, the relay."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from events.broker import LocalBroker, RedisBroker, make_broker
from events.hub import Hub
from events.relay import Relay
from settings import Settings


@dataclass
class LiveEvents:
    hub: Hub
    broker: LocalBroker | RedisBroker
    relay: Relay
    resume_window_seconds: int


@asynccontextmanager
async def running_live_events(settings: Settings) -> AsyncIterator[LiveEvents]:
    """Start publishing and following events for the lifetime of the block."""
    hub = Hub()
    broker = make_broker(hub, redis_url=settings.redis_url, channel=settings.redis_channel)
    relay = Relay(
        broker.publish,
        poll_seconds=settings.relay_poll_seconds,
        batch_size=settings.relay_batch_size,
        on_idle=hub.check,
    )
    await hub.start()
    await broker.start()
    await relay.start()
    try:
        yield LiveEvents(hub, broker, relay, settings.resume_window_seconds)
    finally:
        await relay.stop()
        await broker.stop()
