"""Per-account NPS and CSAT over a period, and the trend against the period before.

- NPS = % promoters (9-10) - % detractors (0-6) of the NPS responses received in the period,
  one decimal (-100..100); null without responses.
- CSAT = % of CSAT responses that are satisfied (4 or 5), one decimal; ``average_csat`` the
  mean score (1..5), two decimals.
- The trend compares with the period of the same length just before: ``nps_change`` and
  ``csat_change`` (null when either period has no responses) and ``trend``: IMPROVING,
  STABLE or DECLINING by the NPS change, or by the CSAT change for accounts without NPS.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from models import Account
from services.analytics.attainment import percentage
from services.analytics.period import Period
from services.analytics.sql import Statement
from services.visibility import Visibility


class Trend(StrEnum):
    IMPROVING = "IMPROVING"
    STABLE = "STABLE"
    DECLINING = "DECLINING"


@dataclass(frozen=True)
class Scores:
    nps: Decimal | None
    csat: Decimal | None
    average_csat: Decimal | None
    nps_responses: int
    csat_responses: int


@dataclass(frozen=True)
class Satisfaction:
    account_id: int
    period: Scores
    previous: Scores
    nps_change: Decimal | None
    csat_change: Decimal | None
    trend: Trend | None


def _scores(row: dict[str, Any], prefix: str) -> Scores:
    nps_n, csat_n = int(row[f"{prefix}_nps_n"] or 0), int(row[f"{prefix}_csat_n"] or 0)
    net = int(row[f"{prefix}_promoters"] or 0) - int(row[f"{prefix}_detractors"] or 0)
    average = None
    if csat_n:
        average = (Decimal(int(row[f"{prefix}_csat_sum"])) / csat_n).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
    return Scores(
        nps=percentage(Decimal(net), Decimal(nps_n)),
        csat=percentage(Decimal(int(row[f"{prefix}_satisfied"] or 0)), Decimal(csat_n)),
        average_csat=average,
        nps_responses=nps_n,
        csat_responses=csat_n,
    )


def _change(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    return None if now is None or before is None else now - before


def _trend(change: Decimal | None) -> Trend | None:
    if change is None:
        return None
    return Trend.IMPROVING if change > 0 else Trend.DECLINING if change < 0 else Trend.STABLE


def _sums(prefix: str) -> str:
    current = f"d.bucket = '{prefix}'"
    nps, csat = f"{current} AND d.kind = 'NPS'", f"{current} AND d.kind = 'CSAT'"
    return f"""
        SUM(CASE WHEN {nps} THEN 1 ELSE 0 END) AS {prefix}_nps_n,
        SUM(CASE WHEN {nps} AND d.score >= 9 THEN 1 ELSE 0 END) AS {prefix}_promoters,
        SUM(CASE WHEN {nps} AND d.score <= 6 THEN 1 ELSE 0 END) AS {prefix}_detractors,
        SUM(CASE WHEN {csat} THEN 1 ELSE 0 END) AS {prefix}_csat_n,
        SUM(CASE WHEN {csat} AND d.score >= 4 THEN 1 ELSE 0 END) AS {prefix}_satisfied,
        SUM(CASE WHEN {csat} THEN d.score ELSE 0 END) AS {prefix}_csat_sum"""


async def account_satisfaction(
    *, visibility: Visibility, account_ids: Sequence[int], period: Period
) -> dict[int, Satisfaction]:
    """Scores of each of ``account_ids`` the viewer sees (one statement for all)."""
    accounts = Account.filter(visibility.condition(Account), pk__in=set(account_ids))
    length = period.end - period.start + timedelta(days=1)
    previous = Period(period.start - length, period.start - timedelta(days=1))
    s = Statement()
    sql = f"""
        SELECT a.id AS account_id, {_sums("cur")}, {_sums("prev")}
        FROM account a
        LEFT JOIN (
            SELECT r.account_id AS account_id, r.kind AS kind, r.score AS score,
                   CASE WHEN r.received_at >= {s.timestamp(period.starts_at)}
                        THEN 'cur' ELSE 'prev' END AS bucket
            FROM satisfaction_response r
            WHERE r.received_at >= {s.timestamp(previous.starts_at)}
              AND r.received_at < {s.timestamp(period.ends_before)}
        ) d ON d.account_id = a.id
        WHERE a.id IN ({s.rows_of(accounts.values("id"))})
        GROUP BY a.id
    """
    result = {}
    for row in await s.rows(sql):
        current, before = _scores(row, "cur"), _scores(row, "prev")
        nps_change = _change(current.nps, before.nps)
        csat_change = _change(current.csat, before.csat)
        trend = _trend(nps_change) if current.nps_responses else _trend(csat_change)
        account_id = row["account_id"]
        result[account_id] = Satisfaction(
            account_id, current, before, nps_change, csat_change, trend
        )
    return result
