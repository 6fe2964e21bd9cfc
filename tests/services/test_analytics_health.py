"""Account health, accounts at risk, plan progress and the health refresh, on the
hand-computed portfolio (tests/services/portfolio.py; NOW = 2026-03-15 12:00 UTC).

Acme (alice):
  satisfaction  latest NPS 9 -> 90, latest CSAT 4 -> (4-1) x 25 = 75; mean 82.5 -> 83
  activity      X1 on 03-05 10:00: 10 days ago -> 100
  requests      open (due 03-10, overdue) + in progress (due 04-01): 100 - 30 - 10 = 60
  tasks         X2 due 03-10, not done: 100 - 25 = 75
  renewal       2026-04-10, in 26 days -> 30
  stale_deals   D1 touched 03-05 (10 d < 21), D2 in Negotiation since 02-20 (23 d > 14),
                D4 in Qualification since 03-01 (exactly 14 d, not more): 1 of 3 -> 50
  plan          won D3 5000 + weighted D1 6000 + D2 16000 (D1 once, D4 is EUR)
                = 27000 of 100000 -> 27
  score = (83x25 + 100x20 + 60x10 + 75x10 + 30x15 + 50x10 + 27x10) / 100 = 66.45 -> 66
Beta (bob):
  satisfaction  latest NPS 0 (after an 8) -> 0
  activity      2025-12-01, 104 days ago -> 0
  requests 100, tasks 100; renewal 2026-03-25, in 10 days -> 30
  stale_deals   D5 64 d in Needs analysis (> 21), D7 5 d: 1 of 2 -> 50; plan none -> 50
  score = (0 + 0 + 1000 + 1000 + 450 + 500 + 500) / 100 = 34.5 -> 35 (half up)
Westco (walt):
  satisfaction  CSAT 2 -> 25; activity none -> 0; requests 1 open, overdue -> 70; tasks 100
  renewal       2026-03-05, passed 10 days ago -> 0; stale D8 59 d (> 21): 1 of 1 -> 50
  plan          only a draft -> 50
  score = (625 + 0 + 700 + 1000 + 0 + 500 + 500) / 100 = 33.25 -> 33
"""

from datetime import timedelta
from decimal import Decimal

from models import Account, Activity, OutboxEvent
from models.enums import ActivityKind, HealthStatus
from services.analytics.health import (
    AccountHealth,
    HealthComponent,
    account_health,
    accounts_at_risk,
    refresh_account_health,
    status_for,
)
from services.analytics.plans import DealProgress, plan_progress
from tests.services.portfolio import NOW, at, build_portfolio

ACME = AccountHealth(
    0,
    66,
    HealthStatus.NEEDS_ATTENTION,
    [
        HealthComponent("satisfaction", 83, 25, "latest NPS 9/10, latest CSAT 4/5"),
        HealthComponent("activity", 100, 20, "last activity 10 days ago"),
        HealthComponent("requests", 60, 10, "2 open coordination requests, 1 overdue"),
        HealthComponent("tasks", 75, 10, "1 overdue task"),
        HealthComponent("renewal", 30, 15, "renewal in 26 days"),
        HealthComponent("stale_deals", 50, 10, "1 of 3 open deals stale"),
        HealthComponent(
            "plan",
            27,
            10,
            "won 5000.00 USD and 22000.00 USD weighted open of a 100000.00 USD target (27%)",
        ),
    ],
)
BETA = AccountHealth(
    0,
    35,
    HealthStatus.AT_RISK,
    [
        HealthComponent("satisfaction", 0, 25, "latest NPS 0/10"),
        HealthComponent("activity", 0, 20, "last activity 104 days ago"),
        HealthComponent("requests", 100, 10, "no open coordination requests"),
        HealthComponent("tasks", 100, 10, "no overdue tasks"),
        HealthComponent("renewal", 30, 15, "renewal in 10 days"),
        HealthComponent("stale_deals", 50, 10, "1 of 2 open deals stale"),
        HealthComponent("plan", 50, 10, "no active account plan"),
    ],
)
WESTCO = AccountHealth(
    0,
    33,
    HealthStatus.AT_RISK,
    [
        HealthComponent("satisfaction", 25, 25, "latest CSAT 2/5"),
        HealthComponent("activity", 0, 20, "no activity recorded"),
        HealthComponent("requests", 70, 10, "1 open coordination request, 1 overdue"),
        HealthComponent("tasks", 100, 10, "no overdue tasks"),
        HealthComponent("renewal", 0, 15, "renewal date passed 10 days ago"),
        HealthComponent("stale_deals", 50, 10, "1 of 1 open deal stale"),
        HealthComponent("plan", 50, 10, "no active account plan"),
    ],
)


def of(expected: AccountHealth, account: Account) -> AccountHealth:
    return AccountHealth(account.pk, expected.score, expected.status, expected.components)


async def test_health_of_each_account_with_its_components_and_reasons():
    p = await build_portfolio()
    ids = [p.acme.pk, p.beta.pk, p.westco.pk]
    assert await account_health(visibility=p.sees("admin"), account_ids=ids, now=NOW) == {
        p.acme.pk: of(ACME, p.acme),
        p.beta.pk: of(BETA, p.beta),
        p.westco.pk: of(WESTCO, p.westco),
    }


async def test_health_is_only_given_for_accounts_the_viewer_sees():
    p = await build_portfolio()
    ids = [p.acme.pk, p.beta.pk, p.westco.pk]
    assert list(await account_health(visibility=p.sees("alice"), account_ids=ids, now=NOW)) == [
        p.acme.pk
    ]
    assert list(await account_health(visibility=p.sees("walt"), account_ids=ids, now=NOW)) == [
        p.westco.pk
    ]


def test_status_bands():
    assert [status_for(s) for s in (100, 75, 74, 50, 49, 0)] == [
        HealthStatus.HEALTHY,
        HealthStatus.HEALTHY,
        HealthStatus.NEEDS_ATTENTION,
        HealthStatus.NEEDS_ATTENTION,
        HealthStatus.AT_RISK,
        HealthStatus.AT_RISK,
    ]


async def test_a_new_account_without_any_history():
    """satisfaction 50, activity 0, requests 100, tasks 100, renewal 100 (no date), stale
    100 (no open deals), plan 50: (1250 + 0 + 1000 + 1000 + 1500 + 1000 + 500) / 100 = 62.5
    -> 63."""
    p = await build_portfolio()
    from tests.factories import make_account

    fresh = await make_account(owner_id=p.alice.pk)
    health = (await account_health(visibility=p.sees("alice"), account_ids=[fresh.pk], now=NOW))[
        fresh.pk
    ]
    assert (health.score, health.status) == (63, HealthStatus.NEEDS_ATTENTION)
    assert [c.reason for c in health.components] == [
        "no NPS or CSAT response yet",
        "no activity recorded",
        "no open coordination requests",
        "no overdue tasks",
        "no renewal date set",
        "no open deals",
        "no active account plan",
    ]


async def test_accounts_at_risk_differ_by_viewer_lowest_score_first():
    p = await build_portfolio()

    async def at_risk(who: str) -> list[tuple[int, int]]:
        return [
            (h.account_id, h.score) for h in await accounts_at_risk(visibility=p.sees(who), now=NOW)
        ]

    assert await at_risk("admin") == [(p.westco.pk, 33), (p.beta.pk, 35)]
    assert await at_risk("carol") == [(p.beta.pk, 35)]
    assert await at_risk("walt") == [(p.westco.pk, 33)]
    assert await at_risk("alice") == []


async def test_plan_progress_per_objective_and_plan_per_currency():
    """O1: D1 (open 10000 @60 -> 6000) and D3 (won 5000). O2: D2 (open 20000 @80 -> 16000),
    D1 again, D4 (EUR open 3000.50 @20 -> 600.10). The plan counts D1 once."""
    p = await build_portfolio()
    [progress] = await plan_progress(visibility=p.sees("alice"), plan_ids=[p.plan.pk, 999])
    eur = DealProgress("EUR", Decimal("3000.50"), Decimal("600.10"), Decimal("0.00"), 1, 0)
    assert progress.amounts == [
        eur,
        DealProgress("USD", Decimal("30000.00"), Decimal("22000.00"), Decimal("5000.00"), 2, 1),
    ]
    assert [o.amounts for o in progress.objectives] == [
        [DealProgress("USD", Decimal("10000.00"), Decimal("6000.00"), Decimal("5000.00"), 1, 1)],
        [
            eur,
            DealProgress("USD", Decimal("30000.00"), Decimal("22000.00"), Decimal("0.00"), 2, 0),
        ],
    ]
    assert (progress.revenue_target, progress.attainment) == (Decimal("100000.00"), Decimal("5.0"))
    assert await plan_progress(visibility=p.sees("walt"), plan_ids=[p.plan.pk]) == []


async def test_refresh_stores_health_and_emits_an_event_only_when_the_status_changes():
    p = await build_portfolio()
    first = await refresh_account_health(now=NOW)
    assert (first.evaluated, first.changed) == (3, 3)
    stored = {
        a.pk: (a.health_status, a.health_score, a.health_evaluated_at) for a in await Account.all()
    }
    assert stored == {
        p.acme.pk: (HealthStatus.NEEDS_ATTENTION, 66, NOW),
        p.beta.pk: (HealthStatus.AT_RISK, 35, NOW),
        p.westco.pk: (HealthStatus.AT_RISK, 33, NOW),
    }
    events = await OutboxEvent.filter(type="account.health_changed").order_by("aggregate_id")
    assert [(e.aggregate_id, e.data["previous"]) for e in events] == [
        (a.pk, {"healthStatus": None, "healthScore": None}) for a in (p.acme, p.beta, p.westco)
    ]
    assert events[0].data["health"]["score"] == 66
    assert events[0].data["object"]["healthStatus"] == "NEEDS_ATTENTION"

    later = NOW + timedelta(hours=1)
    again = await refresh_account_health(now=later)
    assert (again.evaluated, again.changed) == (3, 0)
    assert await OutboxEvent.filter(type="account.health_changed").count() == 3

    # Bob calls Beta: activity 1 day ago -> 100, score 34.5 + 20 = 54.5 -> 55.
    await Activity.create(kind=ActivityKind.CALL, subject="Call", account=p.beta, owner=p.bob,
                          occurred_at=at(3, 14))  # fmt: skip
    third = await refresh_account_health(now=later)
    assert (third.evaluated, third.changed) == (3, 1)
    [event] = await OutboxEvent.filter(type="account.health_changed", aggregate_id=p.beta.pk,
                                       data__not={}).order_by("-id").limit(1)  # fmt: skip
    assert event.data["previous"] == {"healthStatus": "AT_RISK", "healthScore": 35}
    assert event.data["object"]["healthScore"] == 55
    beta = await Account.get(pk=p.beta.pk)
    assert (beta.health_status, beta.health_score) == (HealthStatus.NEEDS_ATTENTION, 55)
