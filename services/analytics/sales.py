"""``salesMetrics``: how well deals are won over a period, from deals and their stage history.

- ``won_count``/``lost_count``: deals closed (WON or LOST stage) with ``closed_at`` in the
  period; ``win_rate`` = won / (won + lost) in percent, one decimal (null when none closed).
- ``average_deal_size``: per currency, the mean amount of the deals won.
- ``average_sales_cycle_days``: the mean of ``closed_at - created_at`` of the deals won, in
  days, one decimal.
- per open stage, from the stage history: ``entered``, the deals that entered it in the
  period; ``advanced``, those of them that later moved to a stage further on in the same
  pipeline (not a LOST one); ``conversion_rate`` = advanced / entered in percent; and
  ``average_days_in_stage``, the mean time deals spent in the stage, over the moves out of it
  made in the period. Only OPEN stages are listed: time spent in a WON stage by a deal that
  was reopened is not time in a stage of the pipeline's way to a win.

Deals count by ``rules.REPORTABLE_DEAL`` (not archived, nor their account or client).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from tortoise.queryset import QuerySet

from models import Opportunity
from services.analytics.attainment import percentage
from services.analytics.period import Period
from services.analytics.portfolio import Money
from services.analytics.rules import reportable_opportunities
from services.analytics.sql import CENT, Statement, cents, money
from services.visibility import Visibility

TENTH = Decimal("0.1")
DAY = 86_400


@dataclass
class StageMetrics:
    stage_id: int
    entered: int = 0
    advanced: int = 0
    exits: int = 0
    average_days_in_stage: Decimal | None = None

    @property
    def conversion_rate(self) -> Decimal | None:
        return percentage(Decimal(self.advanced), Decimal(self.entered))


@dataclass
class SalesMetrics:
    won_count: int = 0
    lost_count: int = 0
    average_deal_size: list[Money] = field(default_factory=list)
    average_sales_cycle_days: Decimal | None = None
    stages: list[StageMetrics] = field(default_factory=list)

    @property
    def win_rate(self) -> Decimal | None:
        return percentage(Decimal(self.won_count), Decimal(self.won_count + self.lost_count))


def days(seconds: int, count: int) -> Decimal | None:
    if count == 0:
        return None
    return (Decimal(seconds) / count / DAY).quantize(TENTH, rounding=ROUND_HALF_UP)


async def sales_metrics(
    *,
    visibility: Visibility,
    period: Period,
    owner_ids: list[int] | None = None,
    team_id: int | None = None,
) -> SalesMetrics:
    deals = reportable_opportunities(visibility)
    if owner_ids is not None:
        deals = deals.filter(owner_id__in=owner_ids)
    if team_id is not None:
        deals = deals.filter(owner__team_id=team_id)
    metrics = SalesMetrics()
    await _closed(metrics, deals, period)
    await _stages(metrics, deals, period)
    return metrics


async def _closed(metrics: SalesMetrics, deals: QuerySet[Opportunity], period: Period) -> None:
    s = Statement()
    won = "st.category = 'WON'"
    rows = await s.rows(
        f"""
        SELECT o.currency AS currency,
               SUM(CASE WHEN {won} THEN 1 ELSE 0 END) AS won,
               SUM(CASE WHEN st.category = 'LOST' THEN 1 ELSE 0 END) AS lost,
               SUM(CASE WHEN {won} THEN COALESCE({cents("o.amount")}, 0) ELSE 0 END) AS won_cents,
               SUM(CASE WHEN {won} THEN {s.seconds_between("o.created_at", "o.closed_at")}
                        ELSE 0 END) AS cycle_seconds
        FROM opportunity o
        JOIN stage st ON st.id = o.stage_id
        WHERE o.id IN ({s.rows_of(deals.values("id"))})
          AND st.category IN ('WON', 'LOST')
          AND o.closed_at >= {s.timestamp(period.starts_at)}
          AND o.closed_at < {s.timestamp(period.ends_before)}
        GROUP BY o.currency
        ORDER BY o.currency
        """
    )
    cycle = 0
    for row in rows:
        won_count = int(row["won"])
        metrics.won_count += won_count
        metrics.lost_count += int(row["lost"])
        cycle += int(row["cycle_seconds"] or 0)
        if won_count:
            mean = (money(row["won_cents"]) / won_count).quantize(CENT, rounding=ROUND_HALF_UP)
            metrics.average_deal_size.append(Money(mean, row["currency"]))
    metrics.average_sales_cycle_days = days(cycle, metrics.won_count)


async def _stages(metrics: SalesMetrics, deals: QuerySet[Opportunity], period: Period) -> None:
    s = Statement()
    conversions = await s.rows(
        f"""
        SELECT e.to_stage_id AS stage_id, p.position AS pipeline_position,
               es.position AS position,
               COUNT(DISTINCT e.opportunity_id) AS entered,
               COUNT(DISTINCT CASE WHEN EXISTS (
                   SELECT 1 FROM opportunity_stage_change n
                   JOIN stage ns ON ns.id = n.to_stage_id
                   WHERE n.opportunity_id = e.opportunity_id AND n.changed_at > e.changed_at
                     AND ns.pipeline_id = es.pipeline_id AND ns.position > es.position
                     AND ns.category <> 'LOST'
               ) THEN e.opportunity_id END) AS advanced
        FROM opportunity_stage_change e
        JOIN stage es ON es.id = e.to_stage_id
        JOIN pipeline p ON p.id = es.pipeline_id
        WHERE e.opportunity_id IN ({s.rows_of(deals.values("id"))})
          AND es.category = 'OPEN'
          AND e.changed_at >= {s.timestamp(period.starts_at)}
          AND e.changed_at < {s.timestamp(period.ends_before)}
        GROUP BY e.to_stage_id, p.position, es.position
        """
    )
    s = Statement()
    durations = await s.rows(
        f"""
        SELECT c.from_stage_id AS stage_id, p.position AS pipeline_position,
               fs.position AS position, COUNT(*) AS exits,
               SUM(c.seconds_in_previous_stage) AS seconds
        FROM opportunity_stage_change c
        JOIN stage fs ON fs.id = c.from_stage_id
        JOIN pipeline p ON p.id = fs.pipeline_id
        WHERE c.opportunity_id IN ({s.rows_of(deals.values("id"))})
          AND fs.category = 'OPEN' AND c.seconds_in_previous_stage IS NOT NULL
          AND c.changed_at >= {s.timestamp(period.starts_at)}
          AND c.changed_at < {s.timestamp(period.ends_before)}
        GROUP BY c.from_stage_id, p.position, fs.position
        """
    )
    stages: dict[int, StageMetrics] = {}
    order: dict[int, tuple[int, int, int]] = {}
    for row in conversions + durations:
        stage_id = row["stage_id"]
        stages.setdefault(stage_id, StageMetrics(stage_id))
        order[stage_id] = (row["pipeline_position"], row["position"], stage_id)
    for row in conversions:
        stage = stages[row["stage_id"]]
        stage.entered, stage.advanced = int(row["entered"]), int(row["advanced"])
    for row in durations:
        stage = stages[row["stage_id"]]
        stage.exits = int(row["exits"])
        stage.average_days_in_stage = days(int(row["seconds"]), stage.exits)
    metrics.stages = [stages[k] for k in sorted(stages, key=order.__getitem__)]
