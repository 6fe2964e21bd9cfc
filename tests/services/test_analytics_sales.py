"""salesMetrics on the hand-computed portfolio (tests/services/portfolio.py) plus a stage
history written here:

deal  created  history (changed at: from -> to, time in the stage left)
D3    01-05    01-05 -> Prospecting; 01-20 Prospecting -> Proposal (15 d);
               02-10 Proposal -> Closed won (21 d)
D6    01-06    01-06 -> Prospecting; 01-20 Prospecting -> Closed lost (14 d)
D9    01-20    01-20 -> Prospecting; 02-01 Prospecting -> Proposal (12 d);
               03-01 Proposal -> Closed won (28 d)
D1    01-10    01-10 -> Prospecting; 02-01 Prospecting -> Proposal (22 d)

Q1, everyone (admin): closed D3 won (USD 5000, 36 d cycle), D6 lost, D9 won (EUR 6000,
40 d): win rate 2/3 = 66.7 %, average cycle (36 + 40) / 2 = 38.0 d. Prospecting entered by
D3, D6, D9, D1, advanced by D3, D9, D1 (D6 was lost): 75.0 %; days in it (15 + 14 + 12 + 22)
/ 4 = 15.75 -> 15.8. Proposal entered by D3, D9, D1, advanced by D3, D9: 66.7 %; days in it
(21 + 28) / 2 = 24.5.
"""

import uuid
from datetime import date
from decimal import Decimal

from models import Opportunity, OpportunityStageChange
from services.analytics.period import Period
from services.analytics.portfolio import Money
from services.analytics.sales import sales_metrics
from tests.factories import stage
from tests.services.portfolio import Q1, at, build_portfolio

DAY = 86_400


async def with_history():
    p = await build_portfolio()
    prospecting = await stage("New business", "Prospecting")
    proposal = await stage("New business", "Proposal")
    won = await stage("New business", "Closed won")
    lost = await stage("New business", "Closed lost")
    history = {
        "D3": (at(1, 5), [(at(1, 20), prospecting, proposal, 15), (at(2, 10), proposal, won, 21)]),
        "D6": (at(1, 6), [(at(1, 20), prospecting, lost, 14)]),
        "D9": (at(1, 20), [(at(2, 1), prospecting, proposal, 12), (at(3, 1), proposal, won, 28)]),
        "D1": (at(1, 10), [(at(2, 1), prospecting, proposal, 22)]),
    }
    for name, (created, moves) in history.items():
        deal = p.deals[name]
        await Opportunity.filter(pk=deal.pk).update(created_at=created)
        entries = [(created, None, prospecting, None), *moves]
        for when, source, target, in_days in entries:
            await OpportunityStageChange.create(
                opportunity=deal, from_stage=source, to_stage=target, changed_at=when,
                amount=deal.amount, currency=deal.currency, event_id=uuid.uuid4(),
                seconds_in_previous_stage=in_days * DAY if in_days is not None else None,
            )  # fmt: skip
    return p


async def figures(p, who: str, period=Q1, **kw):
    names = {
        s.pk: s.name for s in [await stage("New business", n) for n in ("Prospecting", "Proposal")]
    }
    m = await sales_metrics(visibility=p.sees(who), period=period, **kw)
    return (
        m.won_count,
        m.lost_count,
        m.win_rate,
        m.average_deal_size,
        m.average_sales_cycle_days,
        [
            (names[s.stage_id], s.entered, s.advanced, s.conversion_rate, s.average_days_in_stage)
            for s in m.stages
        ],
    )


async def test_sales_metrics_of_the_quarter():
    p = await with_history()
    assert await figures(p, "admin") == (
        2,
        1,
        Decimal("66.7"),
        [Money(Decimal("6000.00"), "EUR"), Money(Decimal("5000.00"), "USD")],
        Decimal("38.0"),
        [
            ("Prospecting", 4, 3, Decimal("75.0"), Decimal("15.8")),
            ("Proposal", 3, 2, Decimal("66.7"), Decimal("24.5")),
        ],
    )


async def test_sales_metrics_differ_by_viewer():
    """alice: D3 won, D1; carol (East): D3, D6, D1; walt: D9."""
    p = await with_history()
    assert await figures(p, "alice") == (
        1, 0, Decimal("100.0"), [Money(Decimal("5000.00"), "USD")], Decimal("36.0"),
        [("Prospecting", 2, 2, Decimal("100.0"), Decimal("18.5")),
         ("Proposal", 2, 1, Decimal("50.0"), Decimal("21.0"))],
    )  # fmt: skip
    assert await figures(p, "carol") == (
        1, 1, Decimal("50.0"), [Money(Decimal("5000.00"), "USD")], Decimal("36.0"),
        [("Prospecting", 3, 2, Decimal("66.7"), Decimal("17.0")),
         ("Proposal", 2, 1, Decimal("50.0"), Decimal("21.0"))],
    )  # fmt: skip
    assert await figures(p, "walt") == (
        1, 0, Decimal("100.0"), [Money(Decimal("6000.00"), "EUR")], Decimal("40.0"),
        [("Prospecting", 1, 1, Decimal("100.0"), Decimal("12.0")),
         ("Proposal", 1, 1, Decimal("100.0"), Decimal("28.0"))],
    )  # fmt: skip
    assert await figures(p, "carol", owner_ids=[p.bob.pk]) == (
        0, 1, Decimal("0.0"), [], None, [("Prospecting", 1, 0, Decimal("0.0"), Decimal("14.0"))],
    )  # fmt: skip


async def test_sales_metrics_of_an_empty_period():
    p = await with_history()
    empty = Period(date(2025, 1, 1), date(2025, 12, 31))
    assert await figures(p, "admin", empty) == (0, 0, None, [], None, [])


async def test_deals_without_history_still_count_as_closed():
    p = await build_portfolio()
    m = await sales_metrics(visibility=p.sees("admin"), period=Q1)
    assert (m.won_count, m.lost_count, m.win_rate, m.stages) == (2, 1, Decimal("66.7"), [])
