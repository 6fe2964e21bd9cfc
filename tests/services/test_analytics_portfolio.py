"""viewer.portfolio on the hand-computed portfolio (tests/services/portfolio.py).

Open deals: USD D1 10000 @60, D2 20000 @80, D5 7000 @45, D7 1000.05 @10; EUR D4 3000.50 @20,
D8 9000 @60. Weighted USD = (1000000x60 + 2000000x80 + 700000x45 + 100005x10) cents% / 10000
= 25250.005 -> 25250.01; EUR = 600.10 + 5400 = 6000.10.
Renewals within 90 days of 2026-03-15: Acme (04-10) and Beta (03-25); Westco's has passed.
"""

from decimal import Decimal

from services.analytics.portfolio import Money, portfolio
from tests.services.portfolio import NOW, build_portfolio


def m(amount: str, currency: str) -> Money:
    return Money(Decimal(amount), currency)


async def figures(p, who: str) -> tuple:
    x = await portfolio(visibility=p.sees(who), now=NOW)
    names = {t.pk: n for n, t in p.targets.items()}
    return (
        x.accounts,
        x.total_recurring_value,
        x.open_pipeline,
        x.weighted_pipeline,
        x.renewals_in_90_days,
        x.accounts_at_risk,
        [names[a.target_id] for a in x.attainment],
    )


async def test_portfolio_of_each_viewer():
    p = await build_portfolio()
    assert await figures(p, "admin") == (
        3,
        [m("80000.00", "EUR"), m("170000.00", "USD")],
        [m("12000.50", "EUR"), m("38000.05", "USD")],
        [m("6000.10", "EUR"), m("25250.01", "USD")],
        2,
        2,
        [],
    )
    assert await figures(p, "alice") == (
        1,
        [m("120000.00", "USD")],
        [m("3000.50", "EUR"), m("30000.00", "USD")],
        [m("600.10", "EUR"), m("22000.00", "USD")],
        1,
        0,
        ["T4", "T1", "T2"],
    )
    assert await figures(p, "carol") == (
        2,
        [m("170000.00", "USD")],
        [m("3000.50", "EUR"), m("38000.05", "USD")],
        [m("600.10", "EUR"), m("25250.01", "USD")],
        2,
        1,
        ["T2"],
    )
    assert await figures(p, "walt") == (
        1,
        [m("80000.00", "EUR")],
        [m("9000.00", "EUR")],
        [m("5400.00", "EUR")],
        0,
        1,
        ["T5"],
    )
