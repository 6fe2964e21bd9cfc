"""targetAttainment on the hand-computed portfolio (tests/services/portfolio.py)."""

from datetime import date
from decimal import Decimal

from models.enums import TargetMetric
from services.analytics.attainment import target_attainment
from services.analytics.period import Period
from tests.services.portfolio import Q1, build_portfolio


async def figures(p, who: str, period: Period = Q1, **kw) -> dict[str, tuple]:
    names = {t.pk: name for name, t in p.targets.items()}
    rows = await target_attainment(visibility=p.sees(who), period=period, **kw)
    return {names[r.target_id]: (r.target, r.achieved, r.percentage) for r in rows}


async def test_attainment_of_each_target_by_its_metric():
    """Q1 2026:
    T1 alice REVENUE_WON 10000 USD: D3 5000 won 02-10 -> 5000 = 50.0 %.
    T2 team East REVENUE_WON 40000 USD: alice's D3 5000 (bob's D6 was lost) -> 12.5 %.
    T3 bob DEALS_WON 2: none -> 0.0 %.
    T4 alice ACTIVITIES_COMPLETED 0: X1 (03-05) and X3 (02-15) -> 2, no percentage.
    T5 walt REVENUE_WON 20000 EUR: D9 6000 -> 30.0 %.
    T6 (alice, Q2) does not overlap Q1."""
    p = await build_portfolio()
    assert await figures(p, "admin") == {
        "T1": (Decimal("10000.00"), Decimal("5000.00"), Decimal("50.0")),
        "T2": (Decimal("40000.00"), Decimal("5000.00"), Decimal("12.5")),
        "T3": (Decimal("2.00"), Decimal("0.00"), Decimal("0.0")),
        "T4": (Decimal("0.00"), Decimal("2.00"), None),
        "T5": (Decimal("20000.00"), Decimal("6000.00"), Decimal("30.0")),
    }


async def test_attainment_lists_what_each_viewer_may_see():
    p = await build_portfolio()
    assert list(await figures(p, "alice")) == ["T4", "T1", "T2"]  # own first, then the team's
    assert sorted(await figures(p, "carol")) == ["T1", "T2", "T3", "T4"]
    assert list(await figures(p, "walt")) == ["T5"]


async def test_attainment_for_given_users_includes_their_teams_targets():
    p = await build_portfolio()
    assert sorted(await figures(p, "carol", user_ids=[p.bob.pk])) == ["T2", "T3"]


async def test_revenue_in_another_currency_does_not_count():
    p = await build_portfolio()
    from tests.services.portfolio import deal

    await deal("D11", p.acme, p.alice, "Closed won", "999.00", "EUR",
               closed_at=p.deals["D3"].closed_at)  # fmt: skip
    figures_ = await figures(p, "alice")
    assert figures_["T1"] == (Decimal("10000.00"), Decimal("5000.00"), Decimal("50.0"))


async def test_empty_period_has_no_targets_and_q2_target_has_nothing_achieved():
    p = await build_portfolio()
    assert await figures(p, "admin", Period(date(2025, 1, 1), date(2025, 3, 31))) == {}
    q2 = await target_attainment(
        visibility=p.sees("alice"), period=Period(date(2026, 4, 1), date(2026, 6, 30))
    )
    assert [(r.metric, r.target, r.achieved, r.percentage) for r in q2] == [
        (TargetMetric.REVENUE_WON, Decimal("30000.00"), Decimal("0.00"), Decimal("0.0"))
    ]
