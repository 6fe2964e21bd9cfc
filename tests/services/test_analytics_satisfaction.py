"""Per-account NPS and CSAT over a period with the trend, on the hand-computed portfolio
(tests/services/portfolio.py).

Q1 2026 (90 days; the period before is 2025-10-03..2025-12-31):
Acme: NPS 6 (detractor) and 9 (promoter): 50 % - 50 % = 0.0; CSAT 4: 100.0 % satisfied.
Beta: NPS 8 (passive) and 0 (detractor): 0 % - 50 % = -50.0. Westco: CSAT 2: 0.0 %.
"""

from decimal import Decimal

from models import SatisfactionResponse
from models.enums import SatisfactionKind
from services.analytics.satisfaction import Scores, Trend, account_satisfaction
from tests.services.portfolio import Q1, at, build_portfolio

NONE = Scores(None, None, None, 0, 0)


async def test_nps_and_csat_of_the_period():
    p = await build_portfolio()
    ids = [p.acme.pk, p.beta.pk, p.westco.pk]
    found = await account_satisfaction(visibility=p.sees("admin"), account_ids=ids, period=Q1)
    assert found[p.acme.pk].period == Scores(
        Decimal("0.0"), Decimal("100.0"), Decimal("4.00"), 2, 1
    )
    assert found[p.beta.pk].period == Scores(Decimal("-50.0"), None, None, 2, 0)
    assert found[p.westco.pk].period == Scores(None, Decimal("0.0"), Decimal("2.00"), 0, 1)
    assert {(s.previous, s.nps_change, s.trend) for s in found.values()} == {(NONE, None, None)}


async def test_trend_against_the_period_before():
    """Q4 2025 responses: Acme NPS 10 (100.0 -> 0.0: -100.0), Beta NPS 0 (-100.0 -> -50.0:
    +50.0), Westco CSAT 5 (100.0 % -> 0.0 %: -100.0, its trend by CSAT)."""
    p = await build_portfolio()
    for account, kind, score in (
        (p.acme, SatisfactionKind.NPS, 10),
        (p.beta, SatisfactionKind.NPS, 0),
        (p.westco, SatisfactionKind.CSAT, 5),
    ):
        await SatisfactionResponse.create(
            account=account, kind=kind, score=score, received_at=at(12, 1, year=2025)
        )
    # Before the previous period: not counted.
    await SatisfactionResponse.create(
        account=p.acme, kind=SatisfactionKind.NPS, score=0, received_at=at(10, 2, year=2025)
    )
    ids = [p.acme.pk, p.beta.pk, p.westco.pk]
    found = await account_satisfaction(visibility=p.sees("admin"), account_ids=ids, period=Q1)
    assert [(found[i].nps_change, found[i].csat_change, found[i].trend) for i in ids] == [
        (Decimal("-100.0"), None, Trend.DECLINING),
        (Decimal("50.0"), None, Trend.IMPROVING),
        (None, Decimal("-100.0"), Trend.DECLINING),
    ]


async def test_satisfaction_only_of_visible_accounts_and_empty_for_none():
    p = await build_portfolio()
    ids = [p.acme.pk, p.beta.pk, p.westco.pk]
    assert list(await account_satisfaction(visibility=p.sees("alice"), account_ids=ids,
                                           period=Q1)) == [p.acme.pk]  # fmt: skip
    from datetime import date

    from services.analytics.period import Period

    empty = Period(date(2024, 1, 1), date(2024, 3, 31))
    found = await account_satisfaction(visibility=p.sees("alice"), account_ids=ids, period=empty)
    assert (found[p.acme.pk].period, found[p.acme.pk].trend) == (NONE, None)
