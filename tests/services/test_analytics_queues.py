"""staleOpportunities, upcomingRenewals and followUpQueue on the hand-computed portfolio
(tests/services/portfolio.py; NOW = 2026-03-15 12:00 UTC).

Stale: D5 (Needs analysis, 21 d) untouched since 01-10: 64 days; D8 (Proposal, 21 d) since
01-15: 59 days; D2 (Negotiation, 14 d) since 02-20: 23 days. Not stale: D1 (activity on
03-05, 10 d), D4 (Qualification since 03-01: exactly 14 d, not more), D7 (5 d).
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from models import Activity
from models.enums import ActivityKind, LeadStatus
from services.analytics.follow_ups import FollowUpKind, follow_up_queue
from services.analytics.renewals import upcoming_renewals
from services.analytics.stale import stale_opportunities
from services.errors import DomainError
from tests.factories import make_lead
from tests.services.portfolio import NOW, TODAY, at, build_portfolio


async def stale(p, who: str) -> list[tuple[str, int, int]]:
    names = {d.pk: n for n, d in p.deals.items()}
    return [
        (names[x.opportunity_id], x.days_idle, x.rotting_days)
        for x in await stale_opportunities(visibility=p.sees(who), now=NOW)
    ]


async def test_stale_opportunities_longest_untouched_first_by_viewer():
    p = await build_portfolio()
    assert await stale(p, "admin") == [("D5", 64, 21), ("D8", 59, 21), ("D2", 23, 14)]
    assert await stale(p, "carol") == [("D5", 64, 21), ("D2", 23, 14)]
    assert await stale(p, "alice") == [("D2", 23, 14)]
    assert await stale(p, "walt") == [("D8", 59, 21)]


async def test_an_activity_on_a_deal_makes_it_fresh_again():
    p = await build_portfolio()
    await Activity.create(kind=ActivityKind.CALL, subject="Call", account=p.acme,
                          opportunity=p.deals["D2"], occurred_at=at(3, 14))  # fmt: skip
    # An activity in the future does not count.
    await Activity.create(kind=ActivityKind.MEETING, subject="Meet", account=p.beta,
                          opportunity=p.deals["D5"], occurred_at=at(3, 20))  # fmt: skip
    assert await stale(p, "carol") == [("D5", 64, 21)]


async def test_upcoming_renewals_soonest_first_by_viewer():
    p = await build_portfolio()

    async def renewals(who: str, days: int) -> list[tuple[str, date, int]]:
        found = await upcoming_renewals(visibility=p.sees(who), today=TODAY, within_days=days)
        return [(r.account.name, r.renewal_date, r.days_until) for r in found]

    beta = ("Beta", date(2026, 3, 25), 10)
    acme = ("Acme", date(2026, 4, 10), 26)
    assert await renewals("admin", 30) == [beta, acme]
    assert await renewals("admin", 26) == [beta, acme]
    assert await renewals("admin", 25) == [beta]
    assert await renewals("alice", 90) == [acme]
    assert await renewals("carol", 90) == [beta, acme]
    assert await renewals("walt", 90) == []  # Westco's renewal has passed
    with pytest.raises(DomainError):
        await renewals("admin", -1)


async def test_follow_up_queue_merges_leads_and_tasks_most_urgent_first():
    p = await build_portfolio()
    due_lead = await make_lead(owner_id=p.alice.pk, status=LeadStatus.CONTACTED,
                               next_follow_up_at=at(3, 12))  # fmt: skip
    today_lead = await make_lead(owner_id=p.alice.pk, next_follow_up_at=at(3, 15, 18))
    await make_lead(owner_id=p.alice.pk, next_follow_up_at=at(3, 16, 9))  # tomorrow
    await make_lead(owner_id=p.alice.pk, status=LeadStatus.CONVERTED, next_follow_up_at=at(3, 1))
    await make_lead(owner_id=p.bob.pk, next_follow_up_at=at(3, 1))  # bob's
    [overdue_task] = await Activity.filter(owner=p.alice, kind="TASK", completed_at=None)

    queue = await follow_up_queue(visibility=p.sees("alice"), now=NOW)
    assert [(i.kind, i.record_id, i.due_at, i.overdue) for i in queue] == [
        (FollowUpKind.TASK, overdue_task.pk, at(3, 10), True),
        (FollowUpKind.LEAD, due_lead.pk, at(3, 12), True),
        (FollowUpKind.LEAD, today_lead.pk, at(3, 15, 18), False),
    ]
    ahead = await follow_up_queue(visibility=p.sees("alice"), now=NOW, within_days=1)
    assert len(ahead) == 4
    assert await follow_up_queue(visibility=p.sees("alice"), now=NOW, limit=1) == queue[:1]
    # Items are the caller's own: carol, bob's manager, does not get bob's lead.
    assert await follow_up_queue(visibility=p.sees("carol"), now=NOW) == []
    assert [i.kind for i in await follow_up_queue(visibility=p.sees("bob"), now=NOW)] == [
        FollowUpKind.LEAD
    ]


async def test_follow_up_queue_is_empty_without_anything_due():
    p = await build_portfolio()
    later = datetime(2025, 1, 1, tzinfo=UTC)
    assert await follow_up_queue(visibility=p.sees("alice"), now=later) == []
    assert await follow_up_queue(visibility=p.sees("walt"), now=NOW + timedelta(days=1)) == []


async def test_churned_accounts_are_neither_renewals_nor_at_risk():
    from models import Account
    from models.enums import AccountStatus
    from services.analytics.health import accounts_at_risk

    p = await build_portfolio()
    await Account.filter(pk=p.beta.pk).update(status=AccountStatus.CHURNED)
    found = await upcoming_renewals(visibility=p.sees("carol"), today=TODAY, within_days=90)
    assert [r.account.name for r in found] == ["Acme"]
    assert await accounts_at_risk(visibility=p.sees("carol"), now=NOW) == []
