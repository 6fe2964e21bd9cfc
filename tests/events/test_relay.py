"""The relay publishes committed outbox events once each, numbered in publication order."""

import asyncio
import uuid

import pytest
from tortoise.transactions import in_transaction

from events.catalogue import EventType
from events.outbox import record_event
from events.published import latest_sequence
from events.relay import publish_pending
from models import OutboxEvent
from services.clock import now
from services.opportunities import move_opportunity_stage
from tests.database import BACKEND
from tests.factories import make_opportunity, stage
from tests.state import database_state


async def test_committed_events_are_published_once_with_consecutive_numbers():
    deal = await make_opportunity()
    await move_opportunity_stage(
        opportunity_id=deal.pk,
        stage_id=(await stage("New business", "Qualification")).pk,
        actor_id=None,
    )
    rows = await OutboxEvent.all().order_by("id")
    assert [row.type for row in rows] == ["opportunity.created", "opportunity.stage_changed"]

    published = await publish_pending(limit=100)

    assert [(e.sequence, e.event_id, e.type) for e in published] == [
        (1, rows[0].event_id, "opportunity.created"),
        (2, rows[1].event_id, "opportunity.stage_changed"),
    ]
    stored = await OutboxEvent.all().order_by("id").values_list("publication", flat=True)
    assert stored == [1, 2]
    assert await OutboxEvent.filter(published_at__isnull=True).count() == 0
    assert await publish_pending(limit=100) == []
    assert await latest_sequence() == 2


async def test_a_limited_batch_takes_the_oldest_and_numbering_continues():
    deal = await make_opportunity()
    for name in ("Qualification", "Needs analysis", "Proposal"):
        await move_opportunity_stage(
            opportunity_id=deal.pk, stage_id=(await stage("New business", name)).pk, actor_id=None
        )
    ids = await OutboxEvent.all().order_by("id").values_list("id", flat=True)

    first = await publish_pending(limit=3)
    second = await publish_pending(limit=3)

    assert [e.sequence for e in first] == [1, 2, 3]
    assert [e.sequence for e in second] == [4]
    by_id = dict(await OutboxEvent.all().values_list("id", "publication"))
    assert [by_id[pk] for pk in ids] == [1, 2, 3, 4]


async def test_a_rolled_back_change_is_never_published():
    deal = await make_opportunity()
    await publish_pending(limit=100)
    before = await database_state()

    with pytest.raises(RuntimeError, match="abandoned"):
        async with in_transaction():
            await move_opportunity_stage(
                opportunity_id=deal.pk,
                stage_id=(await stage("New business", "Qualification")).pk,
                actor_id=None,
            )
            raise RuntimeError("abandoned")

    assert await publish_pending(limit=100) == []
    assert await database_state() == before


@pytest.mark.skipif(BACKEND != "postgres", reason="concurrent transactions need PostgreSQL")
async def test_an_event_committed_after_a_later_id_is_published_after_it_and_not_lost():
    deal = await make_opportunity()
    await publish_pending(limit=100)
    start = await latest_sequence()
    inserted = asyncio.Event()
    release = asyncio.Event()

    async def slow_writer() -> uuid.UUID:
        async with in_transaction():
            event = await record_event(
                EventType.OPPORTUNITY_UPDATED, record=deal, actor_id=None, occurred_at=now()
            )
            inserted.set()
            await release.wait()
        return event.event_id

    slow = asyncio.create_task(slow_writer())
    await inserted.wait()
    fast = await record_event(
        EventType.OPPORTUNITY_UPDATED, record=deal, actor_id=None, occurred_at=now()
    )
    first = await publish_pending(limit=100)
    release.set()
    slow_id = await slow
    second = await publish_pending(limit=100)

    assert [(e.sequence, e.event_id) for e in first] == [(start + 1, fast.event_id)]
    assert [(e.sequence, e.event_id) for e in second] == [(start + 2, slow_id)]
    ids = dict(
        await OutboxEvent.filter(event_id__in=[fast.event_id, slow_id]).values_list(
            "event_id", "id"
        )
    )
    assert ids[slow_id] < ids[fast.event_id]  # the lower id was committed, and published, last


async def test_relays_publishing_at_the_same_time_publish_each_event_once_without_gaps():
    deal = await make_opportunity()
    for n in range(60):
        name = "Qualification" if n % 2 == 0 else "Prospecting"
        await move_opportunity_stage(
            opportunity_id=deal.pk, stage_id=(await stage("New business", name)).pk, actor_id=None
        )

    batches = await asyncio.gather(*(publish_pending(limit=7) for _ in range(12)))

    published = [event for batch in batches for event in batch]
    assert sorted(e.sequence for e in published) == list(range(1, 62))
    assert len({e.event_id for e in published}) == 61
    by_id = await OutboxEvent.all().order_by("id").values_list("publication", flat=True)
    assert by_id == list(range(1, 62))  # one deal: publication follows commit order
