"""Account plans: a plan per account and period, its objectives, actions and linked deals.

How far an objective has got (open, weighted and won amounts of its deals) is computed from
the linked deals elsewhere; nothing here stores progress.
"""

from datetime import date
from typing import Any, TypeVar

from models import Account, AccountPlan, Opportunity, PlanAction, PlanObjective, User
from models import PlanObjectiveOpportunity as ObjectiveDeal
from models.enums import ObjectiveStatus, PlanStatus
from services import validation as v
from services.errors import DomainError, ErrorCode, Problem
from services.records import (
    RecordKind,
    Reference,
    clean_values,
    delete_record,
    get_record,
    problem_at,
    save_new,
)
from services.visibility import ensure_may_assign
from services.writes import write_transaction


def period_problems(
    clean: dict[str, Any], existing: Any, start: str = "period_start", end: str = "period_end"
) -> list[Problem]:
    """A period must end after it starts (checked against the stored value not changed)."""
    first: date | None = clean.get(start, getattr(existing, start, None))
    last: date | None = clean.get(end, getattr(existing, end, None))
    if first is not None and last is not None and last <= first:
        return [
            problem_at(
                end if end in clean else start,
                f"the period must end after it starts: {last.isoformat()} is not after "
                f"{first.isoformat()}",
            )
        ]
    return []


async def active_user_problems(clean: dict[str, Any], name: str = "owner_id") -> list[Problem]:
    """A user put in charge of something must be able to act on it."""
    user_id = clean.get(name)
    if user_id is None:
        return []
    user = await User.get(pk=user_id)
    if not user.is_active:
        return [
            problem_at(
                name, f"{user.name} is deactivated; choose an active user", ErrorCode.INVALID
            )
        ]
    return []


async def _plan_rules(clean: dict[str, Any], existing: AccountPlan | None) -> list[Problem]:
    return period_problems(clean, existing) + await active_user_problems(clean)


PLAN = RecordKind(
    model=AccountPlan,
    label="account plan",
    validators={
        "name": v.text(200),
        "period_start": v.passthrough,
        "period_end": v.passthrough,
        "status": v.choice(PlanStatus),
        "revenue_target": v.money(),
        "currency": v.currency,
        "summary": v.text(5000, required=False),
    },
    references={"account_id": Reference(Account, "account"), "owner_id": Reference(User, "owner")},
    required=frozenset({"name", "account_id", "owner_id", "period_start", "period_end"}),
    rules=(_plan_rules,),
)


async def create_account_plan(*, actor_id: int | None, values: dict[str, Any]) -> AccountPlan:
    """Write a plan for an account and period.

    Owner and currency default to the account's; a new plan is a DRAFT unless said otherwise.
    A named owner follows the assignment rule of services/visibility.py.
    """
    values = dict(values)
    await ensure_may_assign(AccountPlan, values, actor_id=actor_id)
    if values.get("account_id") is not None and (
        values.get("owner_id") is None or values.get("currency") is None
    ):
        account = await Account.get_or_none(pk=values["account_id"])
        if account is not None:
            if values.get("owner_id") is None:
                values["owner_id"] = account.owner_id
            if values.get("currency") is None:
                values["currency"] = account.currency
    clean = await clean_values(PLAN, values, None)
    async with write_transaction():
        return await save_new(PLAN, clean, actor_id=actor_id)


async def _open_plan(plan_id: int, field: str = "plan_id") -> AccountPlan:
    plan = await get_record(AccountPlan, plan_id, "account plan", field)
    if plan.archived_at is not None:
        raise DomainError.single(
            "the account plan is archived; restore it before changing its objectives or actions",
            code=ErrorCode.INVALID_STATE,
            field=field,
        )
    return plan


async def _objective_rules(clean: dict[str, Any], existing: PlanObjective | None) -> list[Problem]:
    await _open_plan(existing.plan_id if existing else clean["plan_id"])
    return await active_user_problems(clean)


OBJECTIVE = RecordKind(
    model=PlanObjective,
    label="objective",
    validators={
        "title": v.text(200),
        "due_date": v.passthrough,
        "status": v.choice(ObjectiveStatus),
        "measure": v.text(500, required=False),
        "position": v.integer_range(0, 10_000),
    },
    references={
        "plan_id": Reference(AccountPlan, "account plan"),
        "owner_id": Reference(User, "owner"),
    },
    required=frozenset({"title", "plan_id"}),
    rules=(_objective_rules,),
)


async def _action_rules(clean: dict[str, Any], existing: PlanAction | None) -> list[Problem]:
    plan_id = existing.plan_id if existing else clean["plan_id"]
    await _open_plan(plan_id)
    problems = await active_user_problems(clean)
    objective_id = clean.get("objective_id")
    if objective_id is not None:
        objective = await PlanObjective.get(pk=objective_id)
        if objective.plan_id != plan_id:
            problems.append(
                problem_at(
                    "objective_id",
                    "the objective belongs to another account plan; "
                    "choose one of this plan's objectives",
                )
            )
    return problems


ACTION = RecordKind(
    model=PlanAction,
    label="action",
    validators={
        "title": v.text(200),
        "due_date": v.passthrough,
        "completed_at": v.passthrough,
    },
    references={
        "plan_id": Reference(AccountPlan, "account plan"),
        "objective_id": Reference(PlanObjective, "objective"),
        "owner_id": Reference(User, "owner"),
    },
    required=frozenset({"title", "plan_id"}),
    rules=(_action_rules,),
)


async def _link_rules(clean: dict[str, Any], existing: Any) -> list[Problem]:
    objective = await PlanObjective.get(pk=clean["objective_id"])
    plan = await _open_plan(objective.plan_id, "objective_id")
    deal = await Opportunity.get(pk=clean["opportunity_id"])
    if deal.account_id != plan.account_id:
        return [
            problem_at(
                "opportunity_id",
                "the deal belongs to another account; link deals of the plan's own account",
            )
        ]
    if await ObjectiveDeal.exists(objective_id=objective.pk, opportunity_id=deal.pk):
        return [
            problem_at(
                "opportunity_id",
                "the deal is already linked to this objective",
                ErrorCode.DUPLICATE,
            )
        ]
    return []


OBJECTIVE_DEAL = RecordKind(
    model=ObjectiveDeal,
    label="deal linked to an objective",
    validators={},
    references={
        "objective_id": Reference(PlanObjective, "objective"),
        "opportunity_id": Reference(Opportunity, "opportunity"),
    },
    required=frozenset({"objective_id", "opportunity_id"}),
    rules=(_link_rules,),
)


async def link_opportunity(
    *, objective_id: int, opportunity_id: int, actor_id: int | None
) -> PlanObjective:
    """Count a deal of the plan's account towards an objective's measure."""
    clean = await clean_values(
        OBJECTIVE_DEAL, {"objective_id": objective_id, "opportunity_id": opportunity_id}, None
    )
    async with write_transaction():
        await save_new(OBJECTIVE_DEAL, clean, actor_id=actor_id)
    return await PlanObjective.get(pk=objective_id)


async def unlink_opportunity(
    *, objective_id: int, opportunity_id: int, actor_id: int | None
) -> PlanObjective:
    """Stop counting a deal towards an objective; the audit log keeps the link."""
    objective = await get_record(PlanObjective, objective_id, "objective", "objective_id")
    await _open_plan(objective.plan_id, "objective_id")
    link = await ObjectiveDeal.get_or_none(objective_id=objective_id, opportunity_id=opportunity_id)
    if link is None:
        raise DomainError.single(
            "the deal is not linked to this objective",
            code=ErrorCode.NOT_FOUND,
            field="opportunity_id",
        )
    await delete_record(OBJECTIVE_DEAL, record_id=link.pk, actor_id=actor_id)
    return objective


# The parts of a plan that are removed rather than archived.
Part = TypeVar("Part", PlanObjective, PlanAction)


async def remove_part(kind: RecordKind[Part], *, record_id: int, actor_id: int | None) -> Part:
    """Delete an objective or action of a plan that is not archived."""
    record = await get_record(kind.model, record_id, kind.label, "id")
    await _open_plan(record.plan_id, "id")
    return await delete_record(kind, record_id=record_id, actor_id=actor_id)
