"""The relay: publishes committed outbox events, in order, exactly once across processes.

Only committed rows are visible to it, so a rolled-back change is never published. Each
server process runs one relay. Publishing takes a database-wide lock (a transaction-level
advisory lock on PostgreSQL, the write lock on SQLite), so that relays of several processes
take turns: no event is published twice, and publication numbers are handed out without
gaps in the order batches commit. Within the lock the rows are claimed with
``SELECT ... FOR UPDATE`` and marked with a guard on ``published_at IS NULL``.

A relay wakes when this process commits a change (``notify_committed``, called after every
mutation) and otherwise polls every ``relay_poll_seconds`` for events committed elsewhere
(another process, the command line) or left unpublished by a process that died.

A client may hold an event's id before the relay has numbered it (a mutation's answer races
the relay's round); ``publication_of`` wakes the relay and waits for the round that numbers
it, so a committed event the API handed out is always a point to resume from.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from db import log_failure
from events.published import PublishedEvent, latest_sequence
from models import OutboxEvent
from services.clock import now

log = logging.getLogger("accountgraph.events")

# Key of the PostgreSQL advisory lock that takes publishing relays in turn ("AGRELAY").
PUBLISH_LOCK_KEY = 0x4147_52454C4159

Publish = Callable[[list[PublishedEvent]], Awaitable[None]]


def _runs(ids: Sequence[int]) -> list[tuple[int, int, int]]:
    """(first id, last id, index of first) of each run of consecutive ids."""
    runs: list[tuple[int, int, int]] = []
    for index, pk in enumerate(ids):
        if runs and runs[-1][1] == pk - 1:
            first, _, at = runs[-1]
            runs[-1] = (first, pk, at)
        else:
            runs.append((pk, pk, index))
    return runs


async def _take_publishing_lock(connection: Any) -> None:
    if connection.capabilities.dialect == "postgres":
        await connection.execute_query(f"SELECT pg_advisory_xact_lock({PUBLISH_LOCK_KEY})")
    else:
        # A write as the transaction's first statement takes SQLite's write lock now, so a
        # second process waits here instead of failing when it tries to write later.
        await OutboxEvent.filter(id=0).using_db(connection).update(published_at=None)


async def publish_pending(*, limit: int) -> list[PublishedEvent]:
    """Publish up to ``limit`` committed, unpublished events, oldest first; return them."""
    if not await OutboxEvent.filter(published_at__isnull=True).exists():
        return []
    async with in_transaction() as connection:
        await _take_publishing_lock(connection)
        rows = (
            await OutboxEvent.filter(published_at__isnull=True)
            .using_db(connection)
            .order_by("id")
            .limit(limit)
            .select_for_update()
        )
        if not rows:
            return []
        base = await latest_sequence()
        at = now()
        marked = 0
        for first, last, index in _runs([row.id for row in rows]):
            # Rows first..last are consecutive ids, so id + offset numbers them consecutively.
            offset = base + index + 1 - first
            marked += (
                await OutboxEvent.filter(id__gte=first, id__lte=last, published_at__isnull=True)
                .using_db(connection)
                .update(published_at=at, publication=F("id") + offset)
            )
        if marked != len(rows):
            raise RuntimeError("outbox rows changed while being published; retrying")
        for index, row in enumerate(rows):
            row.publication = base + index + 1
            row.published_at = at
    return [PublishedEvent.from_row(row) for row in rows]


_running: set["Relay"] = set()


def notify_committed() -> None:
    """Wake this process's relay: a transaction that may have written events has committed."""
    for relay in _running:
        relay.wake()


class Relay:
    """Publishes pending events whenever woken or every ``poll_seconds``; ``publish``
    hands each batch to the broker, and ``on_idle`` runs after each round."""

    def __init__(
        self,
        publish: Publish,
        *,
        poll_seconds: float,
        batch_size: int,
        on_idle: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.publish = publish
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.on_idle = on_idle
        self._wake = asyncio.Event()
        self._round_done = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        _running.add(self)
        self._task = asyncio.create_task(self._run(), name="accountgraph-relay")

    async def stop(self) -> None:
        _running.discard(self)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def publish_all(self) -> int:
        """Publish until nothing is pending; the number of events published."""
        total = 0
        while True:
            events = await publish_pending(limit=self.batch_size)
            if events:
                total += len(events)
                await self.publish(events)
            if len(events) < self.batch_size:
                return total

    async def publication_of(self, outbox_id: int, *, within_seconds: float) -> int | None:
        """The publication number of the committed outbox row ``outbox_id``: if the relay
        has not numbered it yet, wake it and wait for the rounds that do, at most
        ``within_seconds``. None for a row gone, or still unnumbered after that."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within_seconds
        while True:
            row = await OutboxEvent.get_or_none(id=outbox_id).only("id", "publication")
            if row is None or row.publication is not None:
                return row.publication if row is not None else None
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            round_done = self._round_done
            self.wake()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await round_done.wait()

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_seconds):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self.publish_all()
                if self.on_idle is not None:
                    await self.on_idle()
            except Exception as exc:
                # The outbox keeps every event; the next round tries again.
                log_failure(log, "publishing live events failed", exc)
            finally:
                self._round_done.set()
                self._round_done = asyncio.Event()


__all__ = ["Relay", "latest_sequence", "notify_committed", "publish_pending"]
