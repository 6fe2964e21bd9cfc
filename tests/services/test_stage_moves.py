from decimal import Decimal

import pytest

from models import AuditLogEntry, Opportunity, OpportunityStageChange, OutboxEvent
from models.enums import AuditAction
from services.errors import DomainError, ErrorCode
from services.opportunities import move_opportunity_stage
from tests.factories import make_opportunity, make_user, stage


async def snapshot_state(opportunity_id: int) -> tuple:
    deal = await Opportunity.get(pk=opportunity_id)
    return (
        deal.stage_id,
        deal.probability,
        deal.closed_at,
        deal.lost_reason,
        await OpportunityStageChange.filter(opportunity_id=opportunity_id).count(),
        await OutboxEvent.all().count(),
        await AuditLogEntry.all().count(),
    )


async def refused(opportunity_id: int, **kwargs) -> DomainError:
    before = await snapshot_state(opportunity_id)
    with pytest.raises(DomainError) as caught:
        await move_opportunity_stage(opportunity_id=opportunity_id, actor_id=None, **kwargs)
    assert await snapshot_state(opportunity_id) == before
    return caught.value


async def test_move_writes_history_audit_and_events_together():
    actor = await make_user()
    deal = await make_opportunity(stage_name="Prospecting")
    proposal = await stage("New business", "Proposal")

    change = await move_opportunity_stage(
        opportunity_id=deal.pk, stage_id=proposal.pk, actor_id=actor.pk
    )

    deal = await Opportunity.get(pk=deal.pk)
    assert (deal.stage_id, deal.probability, deal.closed_at) == (proposal.pk, 60, None)
    assert change.to_stage_id == proposal.pk
    assert change.from_stage_id == (await stage("New business", "Prospecting")).pk
    assert change.changed_by_id == actor.pk
    assert change.amount == Decimal("1000.00")
    assert change.seconds_in_previous_stage >= 0
    history = await OpportunityStageChange.filter(opportunity_id=deal.pk).order_by("id")
    assert [h.to_stage_id for h in history] == [change.from_stage_id, proposal.pk]
    events = await OutboxEvent.filter(aggregate_id=deal.pk).order_by("id")
    assert [e.type for e in events] == ["opportunity.created", "opportunity.stage_changed"]
    assert events[1].event_id == change.event_id
    assert events[1].actor_id == actor.pk
    assert events[1].data["previous"]["probability"] == 10
    audit = await AuditLogEntry.get(action=AuditAction.STAGE_MOVE, record_id=deal.pk)
    assert audit.changes["probability"] == {"before": 10, "after": 60}


async def test_moving_to_won_sets_closed_at_and_emits_won():
    deal = await make_opportunity(stage_name="Negotiation")
    won = await stage("New business", "Closed won")

    await move_opportunity_stage(opportunity_id=deal.pk, stage_id=won.pk, actor_id=None)

    deal = await Opportunity.get(pk=deal.pk)
    assert deal.probability == 100
    assert deal.closed_at is not None
    types = (
        await OutboxEvent.filter(aggregate_id=deal.pk).order_by("id").values_list("type", flat=True)
    )
    assert types == ["opportunity.created", "opportunity.stage_changed", "opportunity.won"]


async def test_moving_to_won_without_amount_is_rejected():
    deal = await make_opportunity(amount=None)
    won = await stage("New business", "Closed won")
    error = await refused(deal.pk, stage_id=won.pk)
    assert error.problems[0].code == ErrorCode.INVALID_STAGE_MOVE
    assert error.problems[0].field == ("amount",)


async def test_moving_to_lost_without_reason_is_rejected():
    deal = await make_opportunity()
    lost = await stage("New business", "Closed lost")
    error = await refused(deal.pk, stage_id=lost.pk)
    assert error.problems[0].message == "stage 'Closed lost' needs a lost reason"
    assert error.problems[0].field == ("lost_reason",)


async def test_moving_to_lost_with_reason_records_it():
    deal = await make_opportunity()
    lost = await stage("New business", "Closed lost")
    await move_opportunity_stage(
        opportunity_id=deal.pk, stage_id=lost.pk, actor_id=None, lost_reason="Budget cut"
    )
    deal = await Opportunity.get(pk=deal.pk)
    assert (deal.lost_reason, deal.probability) == ("Budget cut", 0)
    assert await OutboxEvent.filter(type="opportunity.lost", aggregate_id=deal.pk).count() == 1


async def test_moving_to_the_current_stage_is_rejected():
    deal = await make_opportunity(stage_name="Proposal")
    error = await refused(deal.pk, stage_id=deal.stage_id)
    assert error.problems[0].message == "the deal is already in stage 'Proposal'"


async def test_moving_to_a_stage_of_another_pipeline_is_rejected():
    deal = await make_opportunity()
    other = await stage("Expansion", "Proposal")
    error = await refused(deal.pk, stage_id=other.pk)
    assert error.problems[0].code == ErrorCode.INVALID_STAGE_MOVE
    assert "another pipeline" in error.problems[0].message


async def test_a_closed_deal_moves_only_back_to_an_open_stage():
    deal = await make_opportunity(stage_name="Negotiation")
    won = await stage("New business", "Closed won")
    lost = await stage("New business", "Closed lost")
    proposal = await stage("New business", "Proposal")
    await move_opportunity_stage(opportunity_id=deal.pk, stage_id=won.pk, actor_id=None)

    error = await refused(deal.pk, stage_id=lost.pk, lost_reason="Changed mind")
    assert "reopen it" in error.problems[0].message

    await move_opportunity_stage(opportunity_id=deal.pk, stage_id=proposal.pk, actor_id=None)
    deal = await Opportunity.get(pk=deal.pk)
    assert (deal.stage_id, deal.probability, deal.closed_at) == (proposal.pk, 60, None)


async def test_unknown_opportunity_and_stage_are_not_found():
    deal = await make_opportunity()
    with pytest.raises(DomainError) as caught:
        await move_opportunity_stage(opportunity_id=999999, stage_id=deal.stage_id, actor_id=None)
    assert caught.value.problems[0].code == ErrorCode.NOT_FOUND
    error = await refused(deal.pk, stage_id=999999)
    assert error.problems[0].code == ErrorCode.NOT_FOUND
