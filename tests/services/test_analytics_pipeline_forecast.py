"""pipelineSummary and forecast on the hand-computed portfolio (tests/services/portfolio.py)."""

from datetime import date
from decimal import Decimal

from tortoise.expressions import Q

from models import Opportunity, Stage
from services.analytics.forecast import ForecastLine, forecast
from services.analytics.period import Period
from services.analytics.pipeline import pipeline_summary
from services.opportunities import move_opportunity_stage
from services.visibility import Visibility
from tests.factories import make_user
from tests.services.portfolio import Q1, at, build_portfolio, deal


def D(value: str) -> Decimal:
    return Decimal(value)


async def summary(p, who: str, condition=None) -> list[tuple]:
    names = {s.pk: s.name for s in await Stage.all()}
    lines = await pipeline_summary(visibility=p.sees(who), condition=condition)
    return [
        (names[x.stage_id], x.currency, x.count, x.total_amount, x.weighted_amount) for x in lines
    ]


async def test_pipeline_summary_is_one_line_per_stage_and_currency_with_exact_amounts():
    """weighted = amount x probability / 100, added in cents and rounded once:
    D7 1000.05 x 10% = 100.005 -> 100.01; D4 3000.50 x 20% = 600.10; D5 7000 x 45% = 3150;
    D1 10000 x 60% = 6000; D8 9000 x 60% = 5400; D2 20000 x 80% = 16000; won deals 100%,
    lost 0%."""
    p = await build_portfolio()
    assert await summary(p, "admin") == [
        ("Prospecting", "USD", 1, D("1000.05"), D("100.01")),
        ("Qualification", "EUR", 1, D("3000.50"), D("600.10")),
        ("Needs analysis", "USD", 1, D("7000.00"), D("3150.00")),
        ("Proposal", "EUR", 1, D("9000.00"), D("5400.00")),
        ("Proposal", "USD", 1, D("10000.00"), D("6000.00")),
        ("Negotiation", "USD", 1, D("20000.00"), D("16000.00")),
        ("Closed won", "EUR", 1, D("6000.00"), D("6000.00")),
        ("Closed won", "USD", 1, D("5000.00"), D("5000.00")),
        ("Closed lost", "USD", 1, D("4000.00"), D("0.00")),
    ]


async def test_pipeline_summary_differs_by_viewer_and_never_leaks_other_teams():
    """alice sees Acme (D1-D4); carol, East's manager, Acme and Beta (D1-D7); walt Westco."""
    p = await build_portfolio()
    assert await summary(p, "alice") == [
        ("Qualification", "EUR", 1, D("3000.50"), D("600.10")),
        ("Proposal", "USD", 1, D("10000.00"), D("6000.00")),
        ("Negotiation", "USD", 1, D("20000.00"), D("16000.00")),
        ("Closed won", "USD", 1, D("5000.00"), D("5000.00")),
    ]
    assert await summary(p, "carol") == [
        ("Prospecting", "USD", 1, D("1000.05"), D("100.01")),
        ("Qualification", "EUR", 1, D("3000.50"), D("600.10")),
        ("Needs analysis", "USD", 1, D("7000.00"), D("3150.00")),
        ("Proposal", "USD", 1, D("10000.00"), D("6000.00")),
        ("Negotiation", "USD", 1, D("20000.00"), D("16000.00")),
        ("Closed won", "USD", 1, D("5000.00"), D("5000.00")),
        ("Closed lost", "USD", 1, D("4000.00"), D("0.00")),
    ]
    assert await summary(p, "walt") == [
        ("Proposal", "EUR", 1, D("9000.00"), D("5400.00")),
        ("Closed won", "EUR", 1, D("6000.00"), D("6000.00")),
    ]


async def test_pipeline_summary_applies_the_filter_and_adds_same_stage_deals():
    p = await build_portfolio()
    await deal("D10", p.acme, p.alice, "Proposal", "0.99", "USD")
    assert await summary(p, "admin", Q(stage__category="OPEN", currency="USD")) == [
        ("Prospecting", "USD", 1, D("1000.05"), D("100.01")),
        ("Needs analysis", "USD", 1, D("7000.00"), D("3150.00")),
        # 10000.00 + 0.99; weighted 6000 + 0.594 = 6000.594 -> 6000.59
        ("Proposal", "USD", 2, D("10000.99"), D("6000.59")),
        ("Negotiation", "USD", 1, D("20000.00"), D("16000.00")),
    ]


async def test_pipeline_summary_is_empty_for_a_viewer_without_accounts():
    await build_portfolio()
    nobody = await make_user()
    assert await pipeline_summary(visibility=Visibility(nobody)) == []


def line(currency, won, commit, best, pipeline, weighted, won_count, open_count):
    return ForecastLine(
        currency, D(won), D(commit), D(best), D(pipeline), D(weighted), won_count, open_count
    )


async def test_forecast_of_the_quarter_by_currency():
    """Q1 2026. USD: won D3 5000; open expected in Q1: D1 (60%, best case), D2 (80%,
    commit), D5 (45%, best case); D7 closes in May. commit 20000, best case 17000,
    pipeline 37000, weighted 5000 + 6000 + 16000 + 3150 = 30150.
    EUR: won D9 6000; D4 (20% but committed) 3000.50, D8 (60%, best case) 9000; pipeline
    12000.50; weighted 6000 + 600.10 + 5400 = 12000.10."""
    p = await build_portfolio()
    assert await forecast(visibility=p.sees("admin"), period=Q1) == [
        line("EUR", "6000.00", "3000.50", "9000.00", "12000.50", "12000.10", 1, 2),
        line("USD", "5000.00", "20000.00", "17000.00", "37000.00", "30150.00", 1, 3),
    ]


async def test_forecast_differs_by_viewer_and_by_owner_or_team():
    p = await build_portfolio()
    alice = [
        line("EUR", "0.00", "3000.50", "0.00", "3000.50", "600.10", 0, 1),
        line("USD", "5000.00", "20000.00", "10000.00", "30000.00", "27000.00", 1, 2),
    ]
    assert await forecast(visibility=p.sees("alice"), period=Q1) == alice
    assert await forecast(visibility=p.sees("carol"), period=Q1) == [
        line("EUR", "0.00", "3000.50", "0.00", "3000.50", "600.10", 0, 1),
        line("USD", "5000.00", "20000.00", "17000.00", "37000.00", "30150.00", 1, 3),
    ]
    assert await forecast(visibility=p.sees("walt"), period=Q1) == [
        line("EUR", "6000.00", "0.00", "9000.00", "9000.00", "11400.00", 1, 1),
    ]
    # bob's deals only: D5 (best case 7000, weighted 3150); D6 was lost.
    assert await forecast(visibility=p.sees("carol"), period=Q1, owner_ids=[p.bob.pk]) == [
        line("USD", "0.00", "0.00", "7000.00", "7000.00", "3150.00", 0, 1),
    ]
    # Team West as seen by carol (East): nothing of theirs is visible to her.
    assert await forecast(visibility=p.sees("carol"), period=Q1, team_id=p.west.pk) == []
    assert await forecast(visibility=p.sees("admin"), period=Q1, team_id=p.west.pk) == [
        line("EUR", "6000.00", "0.00", "9000.00", "9000.00", "11400.00", 1, 1),
    ]


async def test_forecast_of_an_empty_period_is_empty():
    p = await build_portfolio()
    period = Period(date(2025, 1, 1), date(2025, 12, 31))
    assert await forecast(visibility=p.sees("admin"), period=period) == []


async def test_a_won_deal_reopened_leaves_won_and_counts_as_open_again():
    p = await build_portfolio()
    won = await deal("D10", p.beta, p.bob, "Closed won", "2500.00", "USD", closed_at=at(3, 2),
                     expected_close_date=date(2026, 3, 28))  # fmt: skip
    before = await forecast(visibility=p.sees("admin"), period=Q1)
    assert before[1] == line("USD", "7500.00", "20000.00", "17000.00", "37000.00",
                             "32650.00", 2, 3)  # fmt: skip
    proposal = await Stage.get(pipeline_id=won.pipeline_id, name="Proposal")
    await move_opportunity_stage(opportunity_id=won.pk, stage_id=proposal.pk, actor_id=None)
    reopened = await Opportunity.get(pk=won.pk)
    assert (reopened.closed_at, reopened.probability) == (None, 60)
    # Now open at 60% expected 03-28: best case and pipeline +2500, weighted +1500.
    after = await forecast(visibility=p.sees("admin"), period=Q1)
    assert after[1] == line("USD", "5000.00", "20000.00", "19500.00", "39500.00",
                            "31650.00", 1, 4)  # fmt: skip


async def test_forecast_of_a_single_currency_has_one_line():
    p = await build_portfolio()
    assert [x.currency for x in await forecast(visibility=p.sees("walt"), period=Q1)] == ["EUR"]


async def test_archived_deals_are_left_out_of_the_pipeline_and_the_forecast():
    p = await build_portfolio()
    await Opportunity.filter(pk__in=[p.deals["D7"].pk, p.deals["D8"].pk]).update(
        archived_at=at(3, 1)
    )
    lines = await summary(p, "admin")
    assert ("Prospecting", "USD", 1, D("1000.05"), D("100.01")) not in lines
    assert ("Proposal", "EUR", 1, D("9000.00"), D("5400.00")) not in lines
    assert len(lines) == 7
    # EUR without D8: best case 0, pipeline 3000.50, weighted 6000 + 600.10.
    assert (await forecast(visibility=p.sees("admin"), period=Q1))[0] == line(
        "EUR", "6000.00", "3000.50", "0.00", "3000.50", "6600.10", 1, 1
    )


async def test_money_is_added_exactly_where_floats_would_not_be():
    """Amounts whose float sum is off (0.1 + 0.2 ...) and one near the largest a float holds
    to the cent: totals equal Python's Decimal sum on both databases."""
    p = await build_portfolio()
    amounts = ["0.10", "0.20", "0.30", "0.07", "0.01", "1.15", "9999999999999.99", "33.33"]
    for n, amount in enumerate(amounts):
        await deal(f"X{n}", p.westco, p.walt, "Negotiation", amount, "CHF")
    [line_] = await pipeline_summary(visibility=p.sees("admin"), condition=Q(currency="CHF"))
    total = sum((D(a) for a in amounts), D("0"))
    assert (line_.count, line_.total_amount) == (8, total) == (8, D("10000000000035.15"))
    # 80 % of each, added exactly, then rounded once: 8000000000028.12
    assert line_.weighted_amount == (total * 80 / 100).quantize(D("0.01")) == D("8000000000028.12")
