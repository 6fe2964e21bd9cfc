"""This process's copy of the published event stream, which every subscriber follows.

The hub keeps ``cursor``, the highest publication number it has taken in, and only ever
takes in the next one: a batch from this process's relay that skips ahead (batches of two
processes overtaking each other) makes it read the missing events from the outbox first,
and a wake-up from another process (over Redis) makes it read the outbox, never trusting
what the message says. So a connected
subscriber sees every published event, once, in publication order, whatever the broker
lost.

Each follower keeps its own position. Recent events are held in memory and shared by all
followers; one that falls further behind (a slow client, a resume from an older event)
reads from the outbox until it is back in the recent window.
"""

import asyncio
import logging
from collections import deque
from collections.abc import AsyncGenerator, Iterable

from events.published import PublishedEvent, latest_sequence, published_after

log = logging.getLogger("accountgraph.events")

# How many of the newest events keep the work their subscribers share (event.shared).
SHARED_FOR = 16


class Hub:
    def __init__(self, *, recent: int = 1024, page_size: int = 500) -> None:
        self.cursor = 0
        self.page_size = page_size
        self.followers = 0
        self._recent: deque[PublishedEvent] = deque(maxlen=recent)
        self._arrived = asyncio.Event()
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """Begin at the end of what is already published."""
        self.cursor = await latest_sequence()

    async def receive(self, events: Iterable[PublishedEvent]) -> None:
        """Take in a batch from the relay or the broker, filling any gap from the outbox."""
        fresh = sorted((e for e in events if e.sequence > self.cursor), key=lambda e: e.sequence)
        if not fresh:
            return
        async with self._lock:
            if fresh[0].sequence > self.cursor + 1:
                await self._read_outbox()
            self._take(fresh)

    async def catch_up(self) -> None:
        """Read from the outbox whatever was published and has not arrived here."""
        async with self._lock:
            await self._read_outbox()

    async def check(self) -> None:
        """Compare with the outbox: catch up if behind; start over if the outbox was reset."""
        latest = await latest_sequence()
        if latest > self.cursor:
            await self.catch_up()
        elif latest < self.cursor:
            async with self._lock:
                log.warning("the outbox restarted its numbering; following from %d", latest)
                self._recent.clear()
                self.cursor = latest

    async def _read_outbox(self) -> None:
        while True:
            page = await published_after(self.cursor, limit=self.page_size)
            self._take(page)
            if len(page) < self.page_size:
                return

    def _take(self, events: Iterable[PublishedEvent]) -> None:
        taken = False
        for event in events:
            if event.sequence != self.cursor + 1:
                continue  # already here, or beyond a gap that the next catch-up fills
            self._recent.append(event)
            self.cursor = event.sequence
            taken = True
            if len(self._recent) > SHARED_FOR:
                # Subscribers keeping up are past it; a late one works on its own.
                self._recent[-SHARED_FOR - 1].shared.clear()
        if taken:
            self._arrived.set()
            self._arrived = asyncio.Event()

    def _recent_after(self, position: int) -> list[PublishedEvent] | None:
        if not self._recent or position + 1 < self._recent[0].sequence:
            return None
        start = position + 1 - self._recent[0].sequence
        return [self._recent[i] for i in range(start, len(self._recent))]

    def follow(self, after: int | None = None) -> AsyncGenerator[PublishedEvent, None]:
        """Every event published after ``after`` (default: from this call on), in order."""
        return self._follow(self.cursor if after is None else after)

    async def _follow(self, position: int) -> AsyncGenerator[PublishedEvent, None]:
        self.followers += 1
        try:
            while True:
                arrived = self._arrived
                if position >= self.cursor:
                    await arrived.wait()
                    continue
                batch = self._recent_after(position)
                if batch is None:
                    batch = await published_after(position, limit=self.page_size, upto=self.cursor)
                    if not batch:  # the outbox was reset under us
                        position = self.cursor
                for event in batch:
                    position = event.sequence
                    yield event
        finally:
            self.followers -= 1
