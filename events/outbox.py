"""Writing events to the outbox, inside the caller's transaction."""

import uuid
from datetime import datetime
from typing import Any

from tortoise.models import Model

from events.catalogue import EventType
from events.snapshot import snapshot
from models import OutboxEvent


async def record_event(
    event_type: EventType,
    *,
    record: Model,
    actor_id: int | None,
    occurred_at: datetime,
    previous: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    event_id: uuid.UUID | None = None,
) -> OutboxEvent:
    """Store one event about ``record``; call it inside the transaction that changed it.

    ``data`` carries the object as it is after the change and, for updates, ``previous``:
    the changed fields with the values they had before.
    """
    event = outbox_event(
        event_type,
        record=record,
        actor_id=actor_id,
        occurred_at=occurred_at,
        previous=previous,
        extra=extra,
        event_id=event_id,
    )
    await event.save()
    return event


def outbox_event(
    event_type: EventType,
    *,
    record: Model,
    actor_id: int | None,
    occurred_at: datetime,
    previous: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    event_id: uuid.UUID | None = None,
) -> OutboxEvent:
    """The event ``record_event`` stores, not yet saved."""
    data: dict[str, Any] = {"object": snapshot(record)}
    if previous is not None:
        data["previous"] = previous
    if extra:
        data.update(extra)
    return OutboxEvent(
        event_id=event_id or uuid.uuid4(),
        type=event_type.value,
        occurred_at=occurred_at,
        actor_id=actor_id,
        aggregate_type=type(record).__name__,
        aggregate_id=record.pk,
        data=data,
    )


async def record_events(events: list[OutboxEvent]) -> None:
    """Store many events in one statement; call it inside the transaction that made them.

    Events stored here are exactly those ``record_event`` would store one by one.
    """
    if events:
        await OutboxEvent.bulk_create(events)
