"""Brokers carry published events to the hubs of every server process.

``LocalBroker`` (the default) hands them to this process's hub. ``RedisBroker`` also wakes
the other processes over Redis pub/sub: a message is only the newest publication number, a
hint, and the hub that receives it reads the events themselves from the outbox. So anyone
who can publish on the channel can at most cause a read of the outbox: a forged message
never reaches a subscriber, and never makes the real event with its number be skipped.
Redis is only the fast path: whenever its subscription (re)starts, the hub reads what it
missed from the outbox, so a Redis restart or a dropped connection loses nothing.
"""

import asyncio
import contextlib
import logging
import os
from typing import Any, Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from events.hub import Hub
from events.published import PublishedEvent, decode_wake_up, encode_wake_up

log = logging.getLogger("accountgraph.events")


class Broker(Protocol):
    hub: Hub

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, events: list[PublishedEvent]) -> None: ...


class LocalBroker:
    """One process: published events go straight to its hub."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def publish(self, events: list[PublishedEvent]) -> None:
        await self.hub.receive(events)


class RedisBroker:
    """Several processes: published events travel over one Redis pub/sub channel."""

    def __init__(self, hub: Hub, url: str, channel: str, *, max_retry_seconds: float = 2.0) -> None:
        self.hub = hub
        self.channel = channel
        self.max_retry_seconds = max_retry_seconds
        # Named, so that operators (and tests) can tell these connections apart.
        self.client_name = f"{channel}:{os.getpid()}"
        self._redis: Any = aioredis.from_url(url, client_name=self.client_name)
        self._listener: asyncio.Task[None] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._woken = asyncio.Event()
        self.subscribed = asyncio.Event()

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen(), name="accountgraph-redis-events")
        self._reader = asyncio.create_task(self._read(), name="accountgraph-redis-wake-ups")

    async def stop(self) -> None:
        for task in (self._listener, self._reader):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._listener = self._reader = None
        await self._redis.aclose()

    async def publish(self, events: list[PublishedEvent]) -> None:
        await self.hub.receive(events)
        try:
            await self._redis.publish(self.channel, encode_wake_up(events))
        except (RedisError, OSError) as exc:
            # Other processes read these from the outbox when Redis is back.
            log.warning("could not send %d events over Redis: %s", len(events), exc)

    async def _listen(self) -> None:
        delay = 0.05
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    async for message in pubsub.listen():
                        delay = 0.05
                        await self._handle(message)
            except (RedisError, OSError) as exc:
                self.subscribed.clear()
                log.warning("Redis subscription lost (%s); reconnecting in %.2fs", exc, delay)
            except Exception:
                self.subscribed.clear()
                log.exception("reading live events from Redis failed")
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_retry_seconds)

    async def _handle(self, message: dict[str, Any]) -> None:
        if message["type"] == "subscribe":
            # The first subscription, or one that redis-py renewed after reconnecting:
            # whatever was sent while nobody listened is in the outbox.
            await self.hub.catch_up()
            self.subscribed.set()
        elif message["type"] == "message":
            hint = decode_wake_up(message["data"])
            if hint is None or hint > self.hub.cursor:
                self._woken.set()

    async def _read(self) -> None:
        """Read the outbox after wake-ups; a burst of them makes one read."""
        while True:
            await self._woken.wait()
            self._woken.clear()
            try:
                await self.hub.catch_up()
            except Exception:
                # The relay's next round (hub.check) catches up from the outbox too.
                log.exception("reading live events from the outbox failed")


def make_broker(hub: Hub, *, redis_url: str | None, channel: str) -> LocalBroker | RedisBroker:
    if redis_url:
        return RedisBroker(hub, redis_url, channel)
    return LocalBroker(hub)
