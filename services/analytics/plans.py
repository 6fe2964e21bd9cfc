"""Plan progress: the deals linked to a plan's objectives, against its revenue target.

For each objective, and for the plan as a whole (each deal counted once even when linked to
several objectives), per currency: the amount of open deals, their weighted amount
(amount x probability / 100) and the amount won. ``attainment`` compares the amount won in
the plan's currency with the plan's revenue target (percent, one decimal; null without a
target or for a target of 0). Deals count by ``rules.REPORTABLE_DEAL`` (not archived, nor
their account or client).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tortoise.expressions import Subquery

from models import Account, AccountPlan, Opportunity, PlanObjective
from services.analytics.attainment import percentage
from services.analytics.rules import REPORTABLE_DEAL
from services.analytics.sql import Statement, cents, money, weighted_money
from services.visibility import Visibility


@dataclass(frozen=True)
class DealProgress:
    """Linked deals in one currency."""

    currency: str
    open_amount: Decimal
    weighted_amount: Decimal
    won_amount: Decimal
    open_count: int
    won_count: int


@dataclass(frozen=True)
class ObjectiveProgress:
    objective_id: int
    amounts: list[DealProgress]


@dataclass
class PlanProgress:
    plan_id: int
    revenue_target: Decimal | None
    currency: str
    amounts: list[DealProgress] = field(default_factory=list)
    objectives: list[ObjectiveProgress] = field(default_factory=list)

    def in_plan_currency(self) -> DealProgress | None:
        return next((a for a in self.amounts if a.currency == self.currency), None)

    @property
    def won_amount(self) -> Decimal:
        line = self.in_plan_currency()
        return line.won_amount if line else Decimal("0.00")

    @property
    def weighted_amount(self) -> Decimal:
        line = self.in_plan_currency()
        return line.weighted_amount if line else Decimal("0.00")

    @property
    def attainment(self) -> Decimal | None:
        """Won in the plan's currency as a percentage of the revenue target."""
        if self.revenue_target is None:
            return None
        return percentage(self.won_amount, self.revenue_target)


def _progress(row: dict[str, Any]) -> DealProgress:
    return DealProgress(
        currency=row["currency"],
        open_amount=money(row["open_cents"]),
        weighted_amount=weighted_money(row["weighted"]),
        won_amount=money(row["won_cents"]),
        open_count=int(row["open_count"]),
        won_count=int(row["won_count"]),
    )


_SUMS = f"""
    SUM(CASE WHEN st.category = 'OPEN' THEN COALESCE({cents("o.amount")}, 0) ELSE 0 END)
        AS open_cents,
    SUM(CASE WHEN st.category = 'OPEN' THEN COALESCE({cents("o.amount")}, 0) * o.probability
        ELSE 0 END) AS weighted,
    SUM(CASE WHEN st.category = 'WON' THEN COALESCE({cents("o.amount")}, 0) ELSE 0 END)
        AS won_cents,
    SUM(CASE WHEN st.category = 'OPEN' THEN 1 ELSE 0 END) AS open_count,
    SUM(CASE WHEN st.category = 'WON' THEN 1 ELSE 0 END) AS won_count"""


async def plan_progress(*, visibility: Visibility, plan_ids: list[int]) -> list[PlanProgress]:
    """Progress of the plans among ``plan_ids`` the viewer sees (plans of visible accounts),
    in the order asked; unknown or unseen ids are left out. Four statements in all."""
    accounts = Subquery(Account.filter(visibility.condition(Account)).values("id"))
    plans = await AccountPlan.filter(pk__in=set(plan_ids), account_id__in=accounts)
    found = {plan.pk: PlanProgress(plan.pk, plan.revenue_target, plan.currency) for plan in plans}
    if not found:
        return []
    objectives = PlanObjective.filter(plan_id__in=list(found)).values("id")

    s = Statement()
    by_objective = await s.rows(
        f"""
        SELECT l.objective_id AS objective_id, ob.plan_id AS plan_id, o.currency AS currency,
               {_SUMS}
        FROM plan_objective_opportunity l
        JOIN plan_objective ob ON ob.id = l.objective_id
        JOIN opportunity o ON o.id = l.opportunity_id
        JOIN stage st ON st.id = o.stage_id
        WHERE l.objective_id IN ({s.rows_of(objectives)})
          AND o.id IN ({s.rows_of(Opportunity.filter(REPORTABLE_DEAL).values("id"))})
        GROUP BY l.objective_id, ob.plan_id, o.currency
        ORDER BY l.objective_id, o.currency
        """
    )
    s = Statement()
    by_plan = await s.rows(
        f"""
        SELECT d.plan_id AS plan_id, o.currency AS currency, {_SUMS}
        FROM (
            SELECT DISTINCT ob.plan_id AS plan_id, l.opportunity_id AS opportunity_id
            FROM plan_objective_opportunity l
            JOIN plan_objective ob ON ob.id = l.objective_id
            WHERE l.objective_id IN ({s.rows_of(objectives)})
        ) d
        JOIN opportunity o ON o.id = d.opportunity_id
        JOIN stage st ON st.id = o.stage_id
        WHERE o.id IN ({s.rows_of(Opportunity.filter(REPORTABLE_DEAL).values("id"))})
        GROUP BY d.plan_id, o.currency
        ORDER BY d.plan_id, o.currency
        """
    )
    objective_ids = await PlanObjective.filter(plan_id__in=list(found)).order_by(
        "plan_id", "position", "id"
    )
    lines: dict[int, list[DealProgress]] = defaultdict(list)
    for row in by_objective:
        lines[row["objective_id"]].append(_progress(row))
    for objective in objective_ids:
        found[objective.plan_id].objectives.append(
            ObjectiveProgress(objective.pk, lines.get(objective.pk, []))
        )
    for row in by_plan:
        found[row["plan_id"]].amounts.append(_progress(row))
    return [found[pk] for pk in dict.fromkeys(plan_ids) if pk in found]
