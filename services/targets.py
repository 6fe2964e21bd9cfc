"""Targets (quotas): what a user or a team is to reach over a period, by one metric.

``set_target`` keeps one target per (user or team, period, metric): setting it again
changes the amount instead of adding a second one. How much of it was reached is computed
from the deals and activities elsewhere.
"""

from decimal import Decimal
from typing import Any

from models import Target, Team, User
from models.enums import TargetMetric
from services import validation as v
from services.errors import DomainError, ErrorCode, Forbidden, Problem
from services.planning import period_problems
from services.records import (
    RecordKind,
    Reference,
    apply_changes,
    clean_values,
    problem_at,
    save_new,
)
from services.visibility import Visibility
from services.writes import write_transaction
from settings import get_settings


async def _target_rules(clean: dict[str, Any], existing: Target | None) -> list[Problem]:
    problems = period_problems(clean, existing)
    metric = clean.get("metric", existing.metric if existing else TargetMetric.REVENUE_WON)
    amount: Decimal | None = clean.get("amount")
    if metric == TargetMetric.REVENUE_WON:
        if clean.get("currency") is None:
            problems.append(
                problem_at(
                    "currency",
                    "a REVENUE_WON target needs an ISO 4217 currency, e.g. 'USD'",
                    ErrorCode.REQUIRED,
                )
            )
    else:
        noun = "deals won" if metric == TargetMetric.DEALS_WON else "activities completed"
        a = "a" if metric == TargetMetric.DEALS_WON else "an"
        if clean.get("currency") is not None:
            problems.append(
                problem_at(
                    "currency", f"{a} {metric.value} target counts {noun}; leave the currency out"
                )
            )
        if amount is not None and amount != amount.to_integral_value():
            problems.append(
                problem_at("amount", f"{a} {metric.value} target is a whole number of {noun}")
            )
    return problems


def _currency(value: Any) -> str | None:
    return None if value is None else v.currency(value)


TARGET = RecordKind(
    model=Target,
    label="target",
    validators={
        "period_start": v.passthrough,
        "period_end": v.passthrough,
        "metric": v.choice(TargetMetric),
        "amount": v.money(required=True),
        "currency": _currency,
    },
    references={"user_id": Reference(User, "user"), "team_id": Reference(Team, "team")},
    required=frozenset({"period_start", "period_end", "amount"}),
    rules=(_target_rules,),
)


async def set_target(*, actor: User, values: dict[str, Any]) -> Target:
    """Set the target of one user or one team for a period and metric (REVENUE_WON unless
    said otherwise), replacing the amount of the one already set for the same ones.

    A revenue target's currency defaults to the base currency; counts have none.
    Administrators set any target, sales managers their team's and its users'.
    """
    values = dict(values)
    user_id, team_id = values.get("user_id"), values.get("team_id")
    if (user_id is None) == (team_id is None):
        raise DomainError.single(
            "set a target for exactly one user or one team: give userId or teamId",
            code=ErrorCode.REQUIRED if user_id is None else ErrorCode.INVALID,
        )
    values.setdefault("metric", TargetMetric.REVENUE_WON)
    if "currency" not in values and values.get("metric") == TargetMetric.REVENUE_WON:
        values["currency"] = get_settings().base_currency
    user = await User.get_or_none(pk=user_id) if user_id is not None else None
    team = await Team.get_or_none(pk=team_id) if team_id is not None else None
    if (user or team) is not None and not Visibility(actor).may_set_target_for(
        user=user, team=team
    ):
        raise Forbidden("sales managers set the targets of their own team and its members")
    clean = await clean_values(TARGET, values, None)
    async with write_transaction():
        existing = (
            await Target.select_for_update()
            .filter(
                user_id=clean.get("user_id"),
                team_id=clean.get("team_id"),
                period_start=clean["period_start"],
                period_end=clean["period_end"],
                metric=clean["metric"],
            )
            .first()
        )
        if existing is None:
            return await save_new(TARGET, clean, actor_id=actor.pk)
        changes = {"amount": clean["amount"], "currency": clean.get("currency")}
        await apply_changes(TARGET, existing, changes, actor_id=actor.pk)
    return await Target.get(pk=existing.pk)  # as stored: amounts with their two decimals
