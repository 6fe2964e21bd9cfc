"""``staleOpportunities``: open deals left alone for longer than their stage allows.

A deal's last touch is the later of when it entered its stage and its latest activity (not
archived, not in the future). It is stale when more than its stage's ``rotting_days`` have
passed since; stages without a threshold never rot. Deals count by
``rules.REPORTABLE_DEAL`` (not archived, nor their account or client).
"""

from dataclasses import dataclass
from datetime import datetime

from services.analytics.rules import reportable_opportunities
from services.analytics.sql import Statement, as_datetime
from services.visibility import Visibility


def last_touch(s: Statement, now: datetime, deal: str = "o") -> str:
    """SQL of a deal's last touch (``deal`` is the opportunity's alias)."""
    latest_activity = (
        f"(SELECT MAX(y.occurred_at) FROM activity y WHERE y.opportunity_id = {deal}.id "
        f"AND y.archived_at IS NULL AND y.occurred_at <= {s.timestamp(now)})"
    )
    return s.later_of(f"{deal}.stage_entered_at", latest_activity)


def is_rotten(s: Statement, touch: str, now: datetime, rotting_days: str) -> str:
    """SQL: more than ``rotting_days`` days have passed from ``touch`` to ``now``.

    ``touch`` from ``last_touch`` holds a placeholder for the same instant ``now``: which of
    the two comes first in the text (SQLite's are positional) does not matter.
    """
    return f"{s.seconds_between(touch, s.timestamp(now))} > {rotting_days} * 86400"


@dataclass(frozen=True)
class StaleOpportunity:
    opportunity_id: int
    last_touch_at: datetime
    days_idle: int
    rotting_days: int


async def stale_opportunities(*, visibility: Visibility, now: datetime) -> list[StaleOpportunity]:
    """The viewer's stale open deals, the longest untouched first."""
    deals = reportable_opportunities(visibility)
    s = Statement()
    sql = f"""
        SELECT d.id AS id, d.rotting_days AS rotting_days, d.last_touch AS last_touch
        FROM (
            SELECT o.id AS id, st.rotting_days AS rotting_days,
                   {last_touch(s, now)} AS last_touch
            FROM opportunity o
            JOIN stage st ON st.id = o.stage_id
            WHERE st.category = 'OPEN' AND st.rotting_days IS NOT NULL
              AND o.id IN ({s.rows_of(deals.values("id"))})
        ) d
        WHERE {is_rotten(s, "d.last_touch", now, "d.rotting_days")}
        ORDER BY d.last_touch, d.id
    """
    result = []
    for row in await s.rows(sql):
        touched = as_datetime(row["last_touch"])
        assert touched is not None
        result.append(
            StaleOpportunity(row["id"], touched, (now - touched).days, row["rotting_days"])
        )
    return result
