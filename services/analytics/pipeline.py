"""``pipelineSummary``: deals per stage and currency, with total and weighted amounts."""

from dataclasses import dataclass
from decimal import Decimal

from tortoise.expressions import Q

from services.analytics.rules import REPORTABLE_DEAL, reportable_opportunities
from services.analytics.sql import Statement, cents, money, weighted_money
from services.visibility import Visibility


@dataclass(frozen=True)
class PipelineLine:
    stage_id: int
    currency: str
    count: int
    total_amount: Decimal
    weighted_amount: Decimal


async def pipeline_summary(
    *, visibility: Visibility, condition: Q | None = None
) -> list[PipelineLine]:
    """One line per stage and currency of the deals the viewer sees that match ``condition``.

    ``count`` counts every deal, ``total_amount`` adds their amounts (a deal without an amount
    adds nothing) and ``weighted_amount`` adds amount x probability / 100, rounded once, to the
    cent, after adding. Lines come in pipeline and stage order, then by currency. Without a
    condition, every deal that counts in reports (``rules.REPORTABLE_DEAL``).
    """
    if condition is None:
        condition = REPORTABLE_DEAL
    deals = reportable_opportunities(visibility).filter(condition)
    s = Statement()
    sql = f"""
        SELECT o.stage_id AS stage_id, o.currency AS currency, COUNT(*) AS deals,
               SUM({cents("o.amount")}) AS total_cents,
               SUM({cents("o.amount")} * o.probability) AS weighted
        FROM opportunity o
        JOIN stage st ON st.id = o.stage_id
        JOIN pipeline p ON p.id = st.pipeline_id
        WHERE o.id IN ({s.rows_of(deals.values("id"))})
        GROUP BY o.stage_id, o.currency, p.position, p.id, st.position
        ORDER BY p.position, p.id, st.position, o.currency
    """
    return [
        PipelineLine(
            stage_id=row["stage_id"],
            currency=row["currency"],
            count=row["deals"],
            total_amount=money(row["total_cents"]),
            weighted_amount=weighted_money(row["weighted"]),
        )
        for row in await s.rows(sql)
    ]
