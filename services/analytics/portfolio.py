"""``viewer { portfolio }``: the accounts a viewer looks after, in a few figures.

The portfolio is every account the viewer sees that counts in reports
(``rules.REPORTABLE_ACCOUNT``: an account manager's own and those they are on the team of; a
sales manager's team's; everything for an administrator), churned ones included. Money is
per currency; total recurring value and renewals leave churned accounts out
(``rules.RECURRING_ACCOUNT``); "open pipeline" is every open deal on those accounts that
counts in reports (``rules.REPORTABLE_DEAL``), whatever its expected close date.
``attainment`` is the viewer's own and their team's targets overlapping the period (by
default the calendar quarter of today).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from tortoise.expressions import Subquery

from services.analytics.attainment import Attainment, target_attainment
from services.analytics.health import accounts_at_risk
from services.analytics.period import Period, PeriodUnit
from services.analytics.rules import (
    recurring_accounts,
    reportable_accounts,
    reportable_opportunities,
)
from services.analytics.sql import Statement, cents, money, weighted_money
from services.visibility import Visibility

RENEWAL_WINDOW_DAYS = 90


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Portfolio:
    accounts: int
    total_recurring_value: list[Money]
    open_pipeline: list[Money]
    weighted_pipeline: list[Money]
    renewals_in_90_days: int
    accounts_at_risk: int
    attainment: list[Attainment]


async def portfolio(
    *, visibility: Visibility, now: datetime, period: Period | None = None
) -> Portfolio:
    today = now.date()
    accounts = reportable_accounts(visibility)
    s = Statement()
    renewing = recurring_accounts(visibility).values("id")
    recurring = await s.rows(
        f"""
        SELECT a.currency AS currency, COUNT(*) AS accounts,
               SUM(CASE WHEN a.id IN ({s.rows_of(renewing)})
                        THEN {cents("a.annual_recurring_value")} ELSE 0 END) AS recurring,
               SUM(CASE WHEN a.id IN ({s.rows_of(renewing)}) AND a.renewal_date >= {s.day(today)}
                         AND a.renewal_date <= {s.day(today + timedelta(RENEWAL_WINDOW_DAYS))}
                        THEN 1 ELSE 0 END) AS renewals
        FROM account a
        WHERE a.id IN ({s.rows_of(accounts.values("id"))})
        GROUP BY a.currency
        ORDER BY a.currency
        """
    )
    deals = reportable_opportunities(visibility).filter(
        account_id__in=Subquery(accounts.values("id"))
    )
    s = Statement()
    pipeline = await s.rows(
        f"""
        SELECT o.currency AS currency, SUM(COALESCE({cents("o.amount")}, 0)) AS open_cents,
               SUM(COALESCE({cents("o.amount")}, 0) * o.probability) AS weighted
        FROM opportunity o
        JOIN stage st ON st.id = o.stage_id
        WHERE st.category = 'OPEN' AND o.id IN ({s.rows_of(deals.values("id"))})
        GROUP BY o.currency
        ORDER BY o.currency
        """
    )
    at_risk = await accounts_at_risk(visibility=visibility, now=now)
    viewer = visibility.viewer
    attainment = (
        await target_attainment(
            visibility=visibility,
            period=period or Period.containing(today, PeriodUnit.QUARTER),
            user_ids=[viewer.pk],
            now=now,
        )
        if viewer is not None
        else []
    )
    return Portfolio(
        accounts=sum(int(r["accounts"]) for r in recurring),
        total_recurring_value=[Money(money(r["recurring"]), r["currency"]) for r in recurring],
        open_pipeline=[Money(money(r["open_cents"]), r["currency"]) for r in pipeline],
        weighted_pipeline=[Money(weighted_money(r["weighted"]), r["currency"]) for r in pipeline],
        renewals_in_90_days=sum(int(r["renewals"]) for r in recurring),
        accounts_at_risk=len(at_risk),
        attainment=attainment,
    )
