"""Opportunities (deals) and their moves through a pipeline."""

import uuid
from datetime import date, datetime
from typing import Any

from events.catalogue import EventType
from events.outbox import record_event
from events.snapshot import field_values, snapshot
from models import (
    Account,
    Competitor,
    Opportunity,
    OpportunityCompetitor,
    OpportunityLineItem,
    OpportunityStageChange,
    Pipeline,
    Product,
    Stage,
    User,
)
from models.enums import AuditAction, CompetitorStatus, OpportunityType, StageCategory
from services import validation as v
from services.audit import record_audit
from services.clock import now
from services.errors import DomainError, ErrorCode, Problem, not_found
from services.records import (
    RecordKind,
    Reference,
    clean_values,
    ensure_not_archived,
    get_record,
    problem_at,
    save_new,
)
from services.visibility import ensure_may_assign
from services.writes import locked, write_transaction

OPEN = StageCategory.OPEN


def close_date_problem(close_date: date | None, category: StageCategory) -> list[Problem]:
    if close_date is not None and category == OPEN and close_date < now().date():
        return [
            problem_at(
                "expected_close_date",
                f"expected close date {close_date.isoformat()} is in the past; "
                "only closed deals may have a past close date",
            )
        ]
    return []


async def _update_rules(clean: dict[str, Any], existing: Opportunity | None) -> list[Problem]:
    if existing is None:
        return []
    stage = await Stage.get(pk=existing.stage_id)
    problems = close_date_problem(clean.get("expected_close_date"), stage.category)
    if "probability" in clean and stage.category != OPEN:
        problems.append(
            problem_at(
                "probability",
                f"the probability of a deal in closed stage '{stage.name}' follows the stage; "
                "reopen the deal to change it",
            )
        )
    if "amount" in clean and stage.category == StageCategory.WON and not clean["amount"]:
        problems.append(problem_at("amount", "a won deal needs an amount greater than 0"))
    return problems


OPPORTUNITY = RecordKind(
    model=Opportunity,
    label="opportunity",
    validators={
        "name": v.text(200),
        "amount": v.money(),
        "currency": v.currency,
        "probability": v.integer_range(0, 100),
        "expected_close_date": v.passthrough,
        "type": v.choice(OpportunityType),
        "next_step": v.text(500, required=False),
        "forecast_commit": v.boolean,
    },
    references={"account_id": Reference(Account, "account"), "owner_id": Reference(User, "owner")},
    required=frozenset({"name", "account_id"}),
    rules=(_update_rules,),
    created_event=EventType.OPPORTUNITY_CREATED,
    updated_event=EventType.OPPORTUNITY_UPDATED,
)


def stage_entry_problems(stage: Stage, *, amount: Any, lost_reason: str | None) -> list[Problem]:
    """What a deal needs before it may enter ``stage``."""
    if stage.category == StageCategory.LOST and not lost_reason:
        return [
            problem_at(
                "lost_reason", f"stage '{stage.name}' needs a lost reason", ErrorCode.REQUIRED
            )
        ]
    if stage.category == StageCategory.WON and not (amount and amount > 0):
        return [
            problem_at(
                "amount",
                f"stage '{stage.name}' needs an amount greater than 0; set the deal's amount first",
                ErrorCode.INVALID_STAGE_MOVE,
            )
        ]
    return []


def closing_fields(stage: Stage, at: datetime, lost_reason: str | None) -> dict[str, Any]:
    """The fields a deal takes on entering ``stage``."""
    if stage.category == OPEN:
        return {"closed_at": None, "lost_reason": None}
    return {
        "closed_at": at,
        "probability": stage.probability,
        "lost_reason": lost_reason if stage.category == StageCategory.LOST else None,
    }


async def _first_pipeline() -> Pipeline:
    pipeline = await Pipeline.all().order_by("position", "id").first()
    if pipeline is None:
        raise DomainError.single("no pipeline is configured", code=ErrorCode.INVALID_STATE)
    return pipeline


async def _starting_stage(values: dict[str, Any]) -> Stage:
    """The stage a new deal starts in: the one asked for, else its pipeline's first open stage."""
    stage_id, pipeline_id = values.pop("stage_id", None), values.pop("pipeline_id", None)
    if stage_id is not None:
        stage = await get_record(Stage, stage_id, "stage", "stage_id")
        if pipeline_id is not None and stage.pipeline_id != pipeline_id:
            raise DomainError(
                [problem_at("stage_id", "the stage belongs to another pipeline", ErrorCode.INVALID)]
            )
        return stage
    pipeline = (
        await get_record(Pipeline, pipeline_id, "pipeline", "pipeline_id")
        if pipeline_id is not None
        else await _first_pipeline()
    )
    first = await Stage.filter(pipeline_id=pipeline.pk, category=OPEN).order_by("position").first()
    if first is None:
        raise DomainError.single(
            f"pipeline '{pipeline.name}' has no open stage", field="pipeline_id"
        )
    return first


async def create_opportunity(*, actor_id: int | None, values: dict[str, Any]) -> Opportunity:
    """Open a deal on an account, in the given stage or the pipeline's first open one.

    Owner and currency default to the account's, probability to the stage's. The deal's
    stage history starts with an entry for the starting stage.
    """
    values = dict(values)
    lost_reason = values.pop("lost_reason", None)
    stage = await _starting_stage(values)
    await ensure_may_assign(Opportunity, values, actor_id=actor_id)
    clean = await clean_values(OPPORTUNITY, values, None)
    account = await Account.get(pk=clean["account_id"])
    clean.setdefault("owner_id", account.owner_id)
    clean.setdefault("currency", account.currency)
    clean.setdefault("probability", stage.probability)
    problems = close_date_problem(clean.get("expected_close_date"), stage.category)
    problems += stage_entry_problems(stage, amount=clean.get("amount"), lost_reason=lost_reason)
    if problems:
        raise DomainError(problems)
    at = now()
    clean.update(
        pipeline_id=stage.pipeline_id,
        stage_id=stage.pk,
        stage_entered_at=at,
        **closing_fields(stage, at, lost_reason),
    )
    async with write_transaction():
        opportunity = await save_new(OPPORTUNITY, clean, actor_id=actor_id)
        await _history_entry(opportunity, None, stage, actor_id, at)
    return opportunity


async def _history_entry(
    opportunity: Opportunity,
    from_stage: Stage | None,
    to_stage: Stage,
    actor_id: int | None,
    at: datetime,
    seconds_in_previous_stage: int | None = None,
) -> OpportunityStageChange:
    """Append a deal's entry into ``to_stage`` to its stage history."""
    return await OpportunityStageChange.create(
        opportunity_id=opportunity.pk,
        from_stage_id=from_stage.pk if from_stage else None,
        to_stage_id=to_stage.pk,
        changed_by_id=actor_id,
        changed_at=at,
        amount=opportunity.amount,
        currency=opportunity.currency,
        seconds_in_previous_stage=seconds_in_previous_stage,
        event_id=uuid.uuid4(),
    )


def move_problems(current: Stage, target: Stage, opportunity: Opportunity) -> list[Problem]:
    if target.pipeline_id != opportunity.pipeline_id:
        return [
            problem_at(
                "stage_id",
                f"stage '{target.name}' belongs to another pipeline; "
                "a deal moves only within its own pipeline",
                ErrorCode.INVALID_STAGE_MOVE,
            )
        ]
    if target.pk == current.pk:
        return [
            problem_at(
                "stage_id",
                f"the deal is already in stage '{current.name}'",
                ErrorCode.INVALID_STAGE_MOVE,
            )
        ]
    if current.category != OPEN and target.category != OPEN:
        return [
            problem_at(
                "stage_id",
                f"the deal is closed in '{current.name}'; reopen it by moving it to an open "
                "stage first",
                ErrorCode.INVALID_STAGE_MOVE,
            )
        ]
    return []


async def move_opportunity_stage(
    *, opportunity_id: int, stage_id: int, actor_id: int | None, lost_reason: str | None = None
) -> OpportunityStageChange:
    """Move a deal to another stage of its pipeline.

    Writes the stage change, the audit entry and the events (``opportunity.stage_changed``,
    plus ``opportunity.won`` or ``opportunity.lost``) in the same transaction as the move.
    """
    lost_reason = v.text(500, required=False)(lost_reason)
    async with write_transaction():
        opportunity = await locked(Opportunity, opportunity_id, "opportunity", "opportunity_id")
        ensure_not_archived(OPPORTUNITY, opportunity)
        target = await Stage.get_or_none(pk=stage_id)
        if target is None:
            raise not_found("Stage", "stage_id")
        current = await Stage.get(pk=opportunity.stage_id)
        problems = move_problems(current, target, opportunity) or stage_entry_problems(
            target, amount=opportunity.amount, lost_reason=lost_reason
        )
        if problems:
            raise DomainError(problems)
        return await _record_move(opportunity, current, target, actor_id, lost_reason)


async def _record_move(
    opportunity: Opportunity,
    current: Stage,
    target: Stage,
    actor_id: int | None,
    lost_reason: str | None,
) -> OpportunityStageChange:
    at = now()
    before = field_values(opportunity)
    seconds_in_stage = int((at - opportunity.stage_entered_at).total_seconds())
    changes = {"stage_id": target.pk, "stage_entered_at": at, "probability": target.probability}
    changes.update(closing_fields(target, at, lost_reason))
    for name, value in changes.items():
        setattr(opportunity, name, value)
    opportunity.version += 1
    await opportunity.save(update_fields=[*changes, "updated_at", "version"])
    change = await _history_entry(opportunity, current, target, actor_id, at, seconds_in_stage)
    audit = await record_audit(
        AuditAction.STAGE_MOVE, record=opportunity, actor_id=actor_id, before=before, occurred_at=at
    )
    previous = {key: value["before"] for key, value in audit.items()}
    extra = {"stageChange": snapshot(change)}
    await record_event(
        EventType.OPPORTUNITY_STAGE_CHANGED,
        record=opportunity,
        actor_id=actor_id,
        occurred_at=at,
        previous=previous,
        extra=extra,
        event_id=change.event_id,
    )
    outcome = {
        StageCategory.WON: EventType.OPPORTUNITY_WON,
        StageCategory.LOST: EventType.OPPORTUNITY_LOST,
    }
    if target.category in outcome:
        await record_event(
            outcome[target.category],
            record=opportunity,
            actor_id=actor_id,
            occurred_at=at,
            extra=extra,
        )
    return change


async def _line_item_rules(clean: dict[str, Any], existing: Any) -> list[Problem]:
    if "quantity" in clean and not clean["quantity"]:
        return [problem_at("quantity", "quantity must be greater than 0")]
    if existing is None and clean.get("unit_price") is None:
        product = await Product.get(pk=clean["product_id"])
        clean["unit_price"] = product.list_price
    return []


LINE_ITEM = RecordKind(
    model=OpportunityLineItem,
    label="line item",
    validators={
        "quantity": v.money(required=True),
        "unit_price": v.money(),
        "discount_percent": v.percent,
    },
    references={
        "opportunity_id": Reference(Opportunity, "opportunity"),
        "product_id": Reference(Product, "product"),
    },
    required=frozenset({"opportunity_id", "product_id", "quantity"}),
    rules=(_line_item_rules,),
)


async def _unique_competitor(clean: dict[str, Any], existing: Any) -> list[Problem]:
    if existing is None and await OpportunityCompetitor.exists(
        opportunity_id=clean["opportunity_id"], competitor_id=clean["competitor_id"]
    ):
        return [
            problem_at(
                "competitor_id", "this competitor is already on the deal", ErrorCode.DUPLICATE
            )
        ]
    return []


DEAL_COMPETITOR = RecordKind(
    model=OpportunityCompetitor,
    label="competitor on the deal",
    validators={"status": v.choice(CompetitorStatus), "notes": v.text(5000, required=False)},
    references={
        "opportunity_id": Reference(Opportunity, "opportunity"),
        "competitor_id": Reference(Competitor, "competitor"),
    },
    required=frozenset({"opportunity_id", "competitor_id"}),
    rules=(_unique_competitor,),
)
