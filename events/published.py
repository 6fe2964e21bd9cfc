"""Events as the relay publishes them: committed outbox rows with their publication number.

``sequence`` is ``OutboxEvent.publication``: numbers are given under one lock, in the order
events are published, with no gaps, and each batch commits before the next is numbered. So
"everything after sequence N" read from the outbox is complete the moment anyone has seen
N + 1, which is what lets every process catch up after a lost message and every client
resume after a disconnect.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from models import OutboxEvent


@dataclass(slots=True, eq=False)
class PublishedEvent:
    sequence: int
    event_id: uuid.UUID
    type: str
    occurred_at: datetime
    actor_id: int | None
    aggregate_type: str
    aggregate_id: int
    data: dict[str, Any]
    # Work every subscriber of this process would otherwise repeat for the event (the
    # viewer re-read, the visibility check): computed by the first, shared by the rest.
    shared: dict[Any, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_row(cls, row: OutboxEvent) -> "PublishedEvent":
        assert row.publication is not None, "only published events have a sequence"
        return cls(
            sequence=row.publication,
            event_id=row.event_id,
            type=row.type,
            occurred_at=row.occurred_at,
            actor_id=row.actor_id,
            aggregate_type=row.aggregate_type,
            aggregate_id=row.aggregate_id,
            data=row.data,
        )


def encode_wake_up(events: Iterable[PublishedEvent]) -> bytes:
    """What crosses Redis: the newest publication number of a batch, nothing else."""
    return str(max(event.sequence for event in events)).encode()


def decode_wake_up(payload: bytes | str) -> int | None:
    """The publication number a wake-up names, or None when it names none (any message
    wakes the hub, which trusts nothing in it: events are read from the outbox)."""
    text = payload.decode("ascii", "replace") if isinstance(payload, bytes) else payload
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 20 else None


async def latest_sequence() -> int:
    """The highest publication number in the outbox, 0 before anything was published."""
    found = (
        await OutboxEvent.filter(publication__isnull=False)
        .order_by("-publication")
        .limit(1)
        .values_list("publication", flat=True)
    )
    return int(cast(int, found[0])) if found else 0


async def published_after(
    sequence: int, *, limit: int, upto: int | None = None
) -> list[PublishedEvent]:
    """Published events numbered above ``sequence`` (and at most ``upto``), in order."""
    query = OutboxEvent.filter(publication__gt=sequence)
    if upto is not None:
        query = query.filter(publication__lte=upto)
    rows = await query.order_by("publication").limit(limit)
    return [PublishedEvent.from_row(row) for row in rows]
