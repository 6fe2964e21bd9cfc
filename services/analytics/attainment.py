"""``targetAttainment``: each target against what its user or team achieved.

The targets asked about are those whose period overlaps the period of the question; each is
measured over its own period (a quarterly target is measured over its quarter), by its
metric:

- ``REVENUE_WON``: the amounts of deals in a WON stage, in the target's currency, whose
  ``closed_at`` day falls in the target's period;
- ``DEALS_WON``: how many such deals (any currency);
- ``ACTIVITIES_COMPLETED``: how many activities were done in the period, by
  ``rules.ACTIVITY_DONE_AT`` (completed tasks; calls, emails and meetings that took place;
  not notes), up to now.

Counts are whole numbers, money is to the cent (``rules.target_figure``). A user's target
counts what the user owns; a team's target what the team's current members own.
``percentage`` is achieved / target x 100 to one decimal, and null for a target of 0
(nothing to measure against). Deals count by ``rules.REPORTABLE_DEAL``; archived activities
are left out.

Who sees which targets: administrators all; sales managers and read-only users their team's
targets and their team members'; account managers their own and their team's (not their
teammates'); team members none (``services/visibility.py``).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from tortoise.expressions import Q, Subquery

from models import Opportunity, Target, User
from models.enums import TargetMetric
from services.analytics.period import Period
from services.analytics.rules import ACTIVITY_DONE_AT, REPORTABLE_DEAL, target_figure
from services.analytics.sql import Statement, as_day, cents, money
from services.clock import now as current_time
from services.visibility import Visibility

TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Attainment:
    target_id: int
    user_id: int | None
    team_id: int | None
    metric: TargetMetric
    period: Period
    currency: str | None
    target: Decimal
    achieved: Decimal
    percentage: Decimal | None


def percentage(achieved: Decimal, target: Decimal) -> Decimal | None:
    if target == 0:
        return None
    return (achieved * 100 / target).quantize(TENTH, rounding=ROUND_HALF_UP)


async def target_attainment(
    *,
    visibility: Visibility,
    period: Period,
    user_ids: list[int] | None = None,
    now: datetime | None = None,
) -> list[Attainment]:
    """Attainment of every target the viewer sees that overlaps ``period`` (optionally only
    the targets of ``user_ids`` and of those users' teams), as of ``now`` (default: now)."""
    targets = Target.filter(
        visibility.condition(Target), period_start__lte=period.end, period_end__gte=period.start
    )
    if user_ids is not None:
        teams = User.filter(pk__in=user_ids, team_id__isnull=False).values("team_id")
        targets = targets.filter(Q(user_id__in=user_ids) | Q(team_id__in=Subquery(teams)))
    s = Statement()
    in_period = "BETWEEN t.period_start AND t.period_end"
    by_owner = "(x.owner_id = t.user_id OR u.team_id = t.team_id)"

    def won_deals() -> str:  # a function: each use adds its own parameters, in text order
        reportable = s.rows_of(Opportunity.filter(REPORTABLE_DEAL).values("id"))
        return f"""
        FROM opportunity x
        JOIN stage st ON st.id = x.stage_id
        JOIN app_user u ON u.id = x.owner_id
        WHERE st.category = 'WON' AND x.id IN ({reportable}) AND x.closed_at IS NOT NULL
          AND {s.day_of("x.closed_at")} {in_period} AND {by_owner}"""

    done_at = f"({ACTIVITY_DONE_AT})"
    sql = f"""
        SELECT t.id AS id, t.user_id AS user_id, t.team_id AS team_id, t.metric AS metric,
               t.period_start AS period_start, t.period_end AS period_end,
               t.currency AS currency, {cents("t.amount")} AS target_cents,
               CASE t.metric
                   WHEN 'REVENUE_WON' THEN (
                       SELECT COALESCE(SUM({cents("x.amount")}), 0) {won_deals()}
                         AND x.currency = t.currency)
                   WHEN 'DEALS_WON' THEN (SELECT COUNT(*) * 100 {won_deals()})
                   ELSE (
                       SELECT COUNT(*) * 100
                       FROM activity x
                       JOIN app_user u ON u.id = x.owner_id
                       WHERE x.archived_at IS NULL AND {done_at} IS NOT NULL
                         AND {done_at} <= {s.timestamp(now or current_time())}
                         AND {s.day_of(done_at)} {in_period} AND {by_owner})
               END AS achieved_cents
        FROM target t
        WHERE t.id IN ({s.rows_of(targets.values("id"))})
        ORDER BY t.period_start, t.user_id IS NULL, t.user_id, t.team_id, t.metric, t.id
    """
    results = []
    for row in await s.rows(sql):
        metric = TargetMetric(row["metric"])
        target = target_figure(metric, money(row["target_cents"]))
        achieved = target_figure(metric, money(row["achieved_cents"]))
        results.append(
            Attainment(
                target_id=row["id"],
                user_id=row["user_id"],
                team_id=row["team_id"],
                metric=metric,
                period=Period(as_day(row["period_start"]), as_day(row["period_end"])),
                currency=row["currency"],
                target=target,
                achieved=achieved,
                percentage=percentage(achieved, target),
            )
        )
    return results
