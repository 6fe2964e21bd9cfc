"""A portfolio small enough to compute every analytics answer by hand.

Time is frozen at NOW = 2026-03-15 12:00 UTC (TODAY = 2026-03-15); the period asked about is
Q1 2026 (2026-01-01..2026-03-31). Stages are the seeded "New business" ones, with their
default probabilities and rotting thresholds (Prospecting 10%/14 d, Qualification 20%/14 d,
Needs analysis 40%/21 d, Proposal 60%/21 d, Negotiation 80%/14 d, Closed won, Closed lost).

People: team East (alice and bob, account managers; carol, their sales manager), team West
(walt, account manager), and an administrator.

======  =======  =====  ======================  ========  ==========  =====================
deal    account  owner  stage (probability)     amount    currency    close / closed, entered
======  =======  =====  ======================  ========  ==========  =====================
D1      Acme     alice  Proposal (60)           10000.00  USD         exp. 03-20, in 02-01
D2      Acme     alice  Negotiation (80)        20000.00  USD         exp. 03-25, in 02-20
D3      Acme     alice  Closed won (100)         5000.00  USD         closed 02-10
D4      Acme     alice  Qualification (20) [c]   3000.50  EUR         exp. 03-30, in 03-01
D5      Beta     bob    Needs analysis (45 [o])  7000.00  USD         exp. 03-31, in 01-10
D6      Beta     bob    Closed lost (0)          4000.00  USD         closed 01-20
D7      Beta     bob    Prospecting (10)         1000.05  USD         exp. 05-15, in 03-10
D8      Westco   walt   Proposal (60)            9000.00  EUR         exp. 03-10, in 01-15
D9      Westco   walt   Closed won (100)         6000.00  EUR         closed 03-01
======  =======  =====  ======================  ========  ==========  =====================

[c] committed to the forecast by its owner; [o] probability overridden from the stage's 40.
Acme: USD, recurring 120000.00, renews 2026-04-10; Beta: USD, 50000.00, renews 2026-03-25;
Westco: EUR, 80000.00, renewal 2026-03-05 (passed). All three clients are in "Retail".
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from models import (
    Account,
    AccountPlan,
    Activity,
    CoordinationRequest,
    Opportunity,
    PlanObjective,
    PlanObjectiveOpportunity,
    SatisfactionResponse,
    Target,
    Team,
    User,
)
from models.enums import (
    AccountTier,
    ActivityKind,
    PlanStatus,
    RequestStatus,
    Role,
    SatisfactionKind,
    TargetMetric,
    TeamKind,
)
from services.analytics.period import Period
from services.visibility import Visibility
from tests.factories import make_account, make_client, make_team, make_user, stage

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
Q1 = Period(date(2026, 1, 1), date(2026, 3, 31))


def at(month: int, day: int, hour: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@dataclass
class Portfolio:
    admin: User
    alice: User
    bob: User
    carol: User
    walt: User
    east: Team
    west: Team
    acme: Account
    beta: Account
    westco: Account
    deals: dict[str, Opportunity]
    targets: dict[str, Target]
    plan: AccountPlan

    def sees(self, who: str) -> Visibility:
        return Visibility(getattr(self, who))


async def deal(
    name: str, account: Account, owner: User, stage_name: str, amount: str, currency: str,
    **values: Any,
) -> Opportunity:  # fmt: skip
    st = await stage("New business", stage_name)
    values.setdefault("probability", st.probability)
    values.setdefault("stage_entered_at", values.get("closed_at") or at(1, 5))
    return await Opportunity.create(
        name=name, account=account, owner=owner, pipeline_id=st.pipeline_id, stage=st,
        amount=Decimal(amount), currency=currency, **values,
    )  # fmt: skip


async def build_portfolio() -> Portfolio:
    east = await make_team(name="East", kind=TeamKind.SALES)
    west = await make_team(name="West", kind=TeamKind.SALES)
    admin = await make_user(name="Admin", role=Role.ADMIN)
    alice = await make_user(name="Alice", team=east)
    bob = await make_user(name="Bob", team=east)
    carol = await make_user(name="Carol", team=east, role=Role.SALES_MANAGER)
    walt = await make_user(name="Walt", team=west)
    retail = [await make_client(name=n, industry="Retail") for n in ("Acme Inc", "Beta", "W")]
    acme = await make_account(
        name="Acme", client_id=retail[0].pk, owner_id=alice.pk, tier=AccountTier.KEY,
        annual_recurring_value=Decimal("120000.00"), renewal_date=date(2026, 4, 10),
    )  # fmt: skip
    beta = await make_account(
        name="Beta", client_id=retail[1].pk, owner_id=bob.pk,
        annual_recurring_value=Decimal("50000.00"), renewal_date=date(2026, 3, 25),
    )  # fmt: skip
    westco = await make_account(
        name="Westco", client_id=retail[2].pk, owner_id=walt.pk, tier=AccountTier.KEY,
        currency="EUR", annual_recurring_value=Decimal("80000.00"),
        renewal_date=date(2026, 3, 5),
    )  # fmt: skip

    d = {
        "D1": await deal("D1", acme, alice, "Proposal", "10000.00", "USD",
                         expected_close_date=date(2026, 3, 20), stage_entered_at=at(2, 1)),
        "D2": await deal("D2", acme, alice, "Negotiation", "20000.00", "USD",
                         expected_close_date=date(2026, 3, 25), stage_entered_at=at(2, 20)),
        "D3": await deal("D3", acme, alice, "Closed won", "5000.00", "USD",
                         closed_at=at(2, 10)),
        "D4": await deal("D4", acme, alice, "Qualification", "3000.50", "EUR",
                         expected_close_date=date(2026, 3, 30), stage_entered_at=at(3, 1),
                         forecast_commit=True),
        "D5": await deal("D5", beta, bob, "Needs analysis", "7000.00", "USD", probability=45,
                         expected_close_date=date(2026, 3, 31), stage_entered_at=at(1, 10)),
        "D6": await deal("D6", beta, bob, "Closed lost", "4000.00", "USD",
                         closed_at=at(1, 20), lost_reason="Price"),
        "D7": await deal("D7", beta, bob, "Prospecting", "1000.05", "USD",
                         expected_close_date=date(2026, 5, 15), stage_entered_at=at(3, 10)),
        "D8": await deal("D8", westco, walt, "Proposal", "9000.00", "EUR",
                         expected_close_date=date(2026, 3, 10), stage_entered_at=at(1, 15)),
        "D9": await deal("D9", westco, walt, "Closed won", "6000.00", "EUR",
                         closed_at=at(3, 1)),
    }  # fmt: skip

    # Activities. Acme's last is X1 (03-05 10:00, 10 days ago, on D1); X2 is an overdue
    # task; X3 a task completed in February. Beta's only one is from 2025-12-01 (104 days).
    # Westco has none.
    async def activity(**values: Any) -> Activity:
        return await Activity.create(subject=values.pop("subject", "Call"), **values)

    await activity(kind=ActivityKind.CALL, account=acme, opportunity=d["D1"], owner=alice,
                   occurred_at=at(3, 5, 10), completed_at=at(3, 5, 10))  # fmt: skip
    await activity(kind=ActivityKind.TASK, account=acme, owner=alice, occurred_at=at(3, 1),
                   due_at=at(3, 10))  # fmt: skip
    await activity(kind=ActivityKind.TASK, account=acme, owner=alice, occurred_at=at(2, 1),
                   due_at=at(2, 14), completed_at=at(2, 15))  # fmt: skip
    await activity(kind=ActivityKind.EMAIL, account=beta, owner=bob,
                   occurred_at=at(12, 1, year=2025))  # fmt: skip

    # Satisfaction: Acme's latest NPS is 9 (after a 6), its CSAT 4; Beta's latest NPS is 0
    # (after an 8); Westco has a CSAT of 2.
    for account, kind, score, when in (
        (acme, SatisfactionKind.NPS, 6, at(1, 10)),
        (acme, SatisfactionKind.NPS, 9, at(3, 1)),
        (acme, SatisfactionKind.CSAT, 4, at(2, 1)),
        (beta, SatisfactionKind.NPS, 8, at(1, 5)),
        (beta, SatisfactionKind.NPS, 0, at(2, 15)),
        (westco, SatisfactionKind.CSAT, 2, at(3, 1)),
    ):
        await SatisfactionResponse.create(account=account, kind=kind, score=score, received_at=when)

    # Coordination requests: Acme has one open and overdue (due 03-10), one in progress due
    # 04-01 and one done; Westco one open and overdue (due 03-01).
    delivery = await make_team(name="Delivery", kind=TeamKind.DELIVERY)
    for account, status, due in (
        (acme, RequestStatus.OPEN, date(2026, 3, 10)),
        (acme, RequestStatus.IN_PROGRESS, date(2026, 4, 1)),
        (acme, RequestStatus.DONE, date(2026, 2, 1)),
        (westco, RequestStatus.OPEN, date(2026, 3, 1)),
    ):
        await CoordinationRequest.create(
            team=delivery, account=account, title="Help", status=status, due_date=due,
            requester_id=account.owner_id,
        )  # fmt: skip

    # Acme's active 2026 plan: 100000.00 USD; objective O1 tracks D1 and D3, O2 tracks D2,
    # D1 again and the EUR deal D4. Westco's plan is a draft (not active).
    plan = await AccountPlan.create(
        account=acme, name="Grow Acme", owner=alice, period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31), status=PlanStatus.ACTIVE,
        revenue_target=Decimal("100000.00"), currency="USD",
    )  # fmt: skip
    o1 = await PlanObjective.create(plan=plan, title="Land the platform", position=0)
    o2 = await PlanObjective.create(plan=plan, title="Expand to EU", position=1)
    for objective, name in ((o1, "D1"), (o1, "D3"), (o2, "D2"), (o2, "D1"), (o2, "D4")):
        await PlanObjectiveOpportunity.create(objective=objective, opportunity=d[name])
    await AccountPlan.create(
        account=westco, name="Keep Westco", owner=walt, period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31), status=PlanStatus.DRAFT, currency="EUR",
    )  # fmt: skip

    q1: dict[str, Any] = {"period_start": Q1.start, "period_end": Q1.end}
    targets = {
        "T1": await Target.create(user=alice, metric=TargetMetric.REVENUE_WON,
                                  amount=Decimal("10000.00"), currency="USD", **q1),
        "T2": await Target.create(team=east, metric=TargetMetric.REVENUE_WON,
                                  amount=Decimal("40000.00"), currency="USD", **q1),
        "T3": await Target.create(user=bob, metric=TargetMetric.DEALS_WON,
                                  amount=Decimal("2"), **q1),
        "T4": await Target.create(user=alice, metric=TargetMetric.ACTIVITIES_COMPLETED,
                                  amount=Decimal("0"), **q1),
        "T5": await Target.create(user=walt, metric=TargetMetric.REVENUE_WON,
                                  amount=Decimal("20000.00"), currency="EUR", **q1),
        "T6": await Target.create(user=alice, metric=TargetMetric.REVENUE_WON,
                                  amount=Decimal("30000.00"), currency="USD",
                                  period_start=date(2026, 4, 1), period_end=date(2026, 6, 30)),
    }  # fmt: skip
    return Portfolio(
        admin, alice, bob, carol, walt, east, west, acme, beta, westco, d, targets, plan
    )
