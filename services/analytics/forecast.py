"""``forecast``: what is won and what is expected to close in a period, per currency.

- ``won``: deals in a WON stage whose ``closed_at`` falls in the period.
- ``pipeline``: open deals whose ``expected_close_date`` falls in the period (deals without
  an expected close date are in no period's forecast).
- ``commit``: the part of ``pipeline`` the owners stand behind: probability at least
  ``COMMIT_PROBABILITY`` (70) or the deal's ``forecast_commit`` flag.
- ``best_case``: the rest of ``pipeline`` that could still come in: not committed, with a
  probability of at least ``BEST_CASE_PROBABILITY`` (40).
- ``weighted_total``: ``won`` plus every ``pipeline`` deal's amount x probability / 100.

A deal that was won and then reopened has no ``closed_at`` and counts as open again. Deals
count by ``rules.REPORTABLE_DEAL`` (not archived, nor their account or client).
"""

from dataclasses import dataclass
from decimal import Decimal

from services.analytics.period import Period
from services.analytics.rules import reportable_opportunities
from services.analytics.sql import Statement, cents, money, weighted_money
from services.visibility import Visibility

COMMIT_PROBABILITY = 70
BEST_CASE_PROBABILITY = 40


@dataclass(frozen=True)
class ForecastLine:
    currency: str
    won: Decimal
    commit: Decimal
    best_case: Decimal
    pipeline: Decimal
    weighted_total: Decimal
    won_count: int
    open_count: int


async def forecast(
    *,
    visibility: Visibility,
    period: Period,
    owner_ids: list[int] | None = None,
    team_id: int | None = None,
) -> list[ForecastLine]:
    """The forecast of the deals the viewer sees, owned by ``owner_ids`` or by members of
    ``team_id`` when given, one line per currency."""
    deals = reportable_opportunities(visibility)
    if owner_ids is not None:
        deals = deals.filter(owner_id__in=owner_ids)
    if team_id is not None:
        deals = deals.filter(owner__team_id=team_id)
    s = Statement()
    # Each deal is put in its bucket once, so that every parameter appears once in the text.
    bucket = f"""
        CASE
            WHEN st.category = 'WON' AND o.closed_at >= {s.timestamp(period.starts_at)}
                 AND o.closed_at < {s.timestamp(period.ends_before)} THEN 'WON'
            WHEN st.category = 'OPEN' AND o.expected_close_date >= {s.day(period.start)}
                 AND o.expected_close_date <= {s.day(period.end)} THEN 'OPEN'
        END"""
    visible = s.rows_of(deals.values("id"))
    committed = f"(d.probability >= {COMMIT_PROBABILITY} OR d.forecast_commit = TRUE)"
    is_open = "d.bucket = 'OPEN'"
    sql = f"""
        SELECT d.currency AS currency,
               SUM(CASE WHEN d.bucket = 'WON' THEN d.cents ELSE 0 END) AS won,
               SUM(CASE WHEN d.bucket = 'WON' THEN 1 ELSE 0 END) AS won_count,
               SUM(CASE WHEN {is_open} AND {committed} THEN d.cents ELSE 0 END) AS commit_cents,
               SUM(CASE WHEN {is_open} AND NOT {committed}
                        AND d.probability >= {BEST_CASE_PROBABILITY}
                        THEN d.cents ELSE 0 END) AS best_case,
               SUM(CASE WHEN {is_open} THEN d.cents ELSE 0 END) AS pipeline,
               SUM(CASE WHEN {is_open} THEN 1 ELSE 0 END) AS open_count,
               SUM(CASE WHEN {is_open} THEN d.cents * d.probability ELSE 0 END) AS weighted
        FROM (
            SELECT o.currency AS currency, COALESCE({cents("o.amount")}, 0) AS cents,
                   o.probability AS probability, o.forecast_commit AS forecast_commit,
                   {bucket} AS bucket
            FROM opportunity o
            JOIN stage st ON st.id = o.stage_id
            WHERE o.id IN ({visible})
        ) d
        WHERE d.bucket IS NOT NULL
        GROUP BY d.currency
        ORDER BY d.currency
    """
    lines = []
    for row in await s.rows(sql):
        won = money(row["won"])
        lines.append(
            ForecastLine(
                currency=row["currency"],
                won=won,
                commit=money(row["commit_cents"]),
                best_case=money(row["best_case"]),
                pipeline=money(row["pipeline"]),
                weighted_total=won + weighted_money(row["weighted"]),
                won_count=int(row["won_count"]),
                open_count=int(row["open_count"]),
            )
        )
    return lines
