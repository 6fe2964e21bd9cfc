"""From the outbox to deliveries: each committed event, once, to every endpoint that wants its
type and whose owner may see the record it is about.

Events are taken by "not yet fanned out" (``webhooks_dispatched_at`` unset), never by "id above
the last one seen": on PostgreSQL a lower id may commit after a higher one, and a cursor would
skip it. The unique (endpoint, event) pair makes a repeated fan-out harmless.
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from tortoise import Tortoise
from tortoise.transactions import in_transaction

from events.catalogue import EventType
from models import OutboxEvent, User, WebhookDelivery, WebhookEndpoint
from services.visibility import Visibility
from webhooks.policy import DeliveryStatus


def is_postgres() -> bool:
    return Tortoise.get_connection("default").capabilities.dialect == "postgres"


def timestamp_text(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def body(event_type: str, occurred_at: datetime, data: dict[str, Any]) -> str:
    """The request body: exactly ``{"type", "timestamp", "data"}``."""
    document = {"type": event_type, "timestamp": timestamp_text(occurred_at), "data": data}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


async def fan_out(*, limit: int, at: datetime) -> int:
    """Turn up to ``limit`` events into deliveries; returns how many events were handled."""
    query = OutboxEvent.filter(webhooks_dispatched_at__isnull=True).order_by("id").limit(limit)
    if is_postgres():
        async with in_transaction():
            events = await query.select_for_update(skip_locked=True)
            await _store(events, await plan(events, at), at)
        return len(events)
    # SQLite serialises writers: everything is read first, so that the transaction starts with
    # a write and waits its turn (a read-then-write transaction would fail at once when
    # another process wrote in between). The unique (endpoint, event) pair keeps two workers
    # that read the same events from delivering them twice.
    events = await query
    deliveries = await plan(events, at)
    async with in_transaction():
        await _store(events, deliveries, at)
    return len(events)


async def _store(
    events: list[OutboxEvent], deliveries: list[WebhookDelivery], at: datetime
) -> None:
    if not events:
        return
    if deliveries:
        await WebhookDelivery.bulk_create(deliveries, ignore_conflicts=True)
    await OutboxEvent.filter(id__in=[e.id for e in events]).update(webhooks_dispatched_at=at)


async def plan(events: Iterable[OutboxEvent], at: datetime) -> list[WebhookDelivery]:
    """The deliveries ``events`` make: one per (event, endpoint that wants and may see it)."""
    events = [e for e in events if e.type != EventType.WEBHOOK_PING]
    endpoints = await WebhookEndpoint.filter(enabled=True, owner__is_active=True).prefetch_related(
        "owner"
    )
    if not events or not endpoints:
        return []
    visible = await _visible_aggregates(events, endpoints)
    deliveries = []
    for event in events:
        text: str | None = None
        for endpoint in endpoints:
            if event.type not in endpoint.event_types:
                continue
            if (event.aggregate_type, event.aggregate_id) not in visible[endpoint.owner_id]:
                continue
            text = text or body(event.type, event.occurred_at, event.data)
            deliveries.append(
                WebhookDelivery(
                    endpoint_id=endpoint.pk,
                    event_id=event.event_id,
                    event_type=event.type,
                    payload=text,
                    status=DeliveryStatus.PENDING,
                    next_attempt_at=at,
                    event_occurred_at=event.occurred_at,
                    created_at=at,
                    updated_at=at,
                )
            )
    return deliveries


async def _visible_aggregates(
    events: list[OutboxEvent], endpoints: list[WebhookEndpoint]
) -> dict[int, set[tuple[str, int]]]:
    """For each endpoint owner, which of the events' records they may see, now."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        wanted[event.aggregate_type].add(event.aggregate_id)
    owners: dict[int, User] = {e.owner_id: e.owner for e in endpoints}
    result: dict[int, set[tuple[str, int]]] = {}
    for owner_id, owner in owners.items():
        visibility = Visibility(owner)
        seen: set[tuple[str, int]] = set()
        for type_name, ids in wanted.items():
            model = Tortoise.apps["models"].get(type_name)
            if model is None:
                continue
            rows = await model.filter(visibility.condition(model), id__in=ids).values_list(
                "id", flat=True
            )
            seen.update((type_name, row) for row in rows)
        result[owner_id] = seen
    return result
