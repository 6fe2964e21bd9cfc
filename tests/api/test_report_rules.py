"""The rules every report shares (services/analytics/rules.py), over HTTP, on records small
enough to compute every figure by hand.

Time is frozen at NOW = 2026-03-15 12:00 UTC; the period is Q1 2026. Ada (account manager)
and Sam (sales manager) are team North; every account is Ada's.

=======  =====  ========  ==========  =======================================================
account  cur.   ARR       renews      status
=======  =====  ========  ==========  =======================================================
Alpha    USD    100000.00 2026-04-01  ACTIVE (renews in 17 days)
Churnco  USD     30000.00 2026-03-20  CHURNED
Gone     USD     50000.00 2026-03-30  ACTIVE, archived on 03-10
Euro     EUR     20000.00 2026-05-01  ACTIVE (renews in 47 days)
=======  =====  ========  ==========  =======================================================

====  =======  =========================  ========  ===  ==================================
deal  account  stage (probability)        amount    cur  expected close / closed, entered
====  =======  =========================  ========  ===  ==================================
A1    Alpha    Proposal (60)              10000.10  USD  exp. 03-20, in 03-01
A2    Alpha    Needs analysis (45 [o])    10000.10  USD  exp. 03-25, in 03-01
A3    Alpha    Prospecting (10)               0.00  USD  exp. 03-31, in 03-10
A4    Alpha    Negotiation (80) [r]        8000.00  USD  exp. 03-28, in 02-15
A5    Alpha    Closed won                  5000.00  USD  created 01-10, closed 02-10
C1    Churnco  Proposal (60)               2000.00  USD  exp. 03-30, in 03-01
G1    Gone     Negotiation (80)            7000.00  USD  exp. 03-20, in 02-01
G2    Gone     Closed won                  3000.00  USD  closed 03-01
E1    Euro     Closed won                  4000.00  EUR  created 02-03, closed 03-05
E2    Euro     Proposal (60)               1000.00  EUR  exp. 03-31, in 03-10
====  =======  =========================  ========  ===  ==================================

[o] probability overridden from the stage's 40. [r] reopened: its history is 01-05 created in
Proposal; 02-01 Proposal -> Closed won (27 days in Proposal); 02-15 Closed won -> Negotiation
(14 days in Closed won).

The rules: Gone is archived, so G1 and G2 are in no report. Churnco is churned: it stays in
the portfolio and its deal C1 counts, but its ARR and renewal do not. A4 was won and
reopened: it is open (no ``closedAt``), and its 14 days in Closed won are no open stage's.

Hand computations (cents x probability, divided by 10,000 once, rounded half up):

- A2's weighted amount: 10000.10 x 45 / 100 = 4500.045 -> 4500.05 (half even would give
  4500.04), on the deal and in the pipeline summary alike.
- Open USD deals: A1, A2, A3, A4, C1 = 10000.10 + 10000.10 + 0 + 8000 + 2000 = 30000.20;
  weighted (1000010 x 60 + 1000010 x 45 + 0 + 800000 x 80 + 200000 x 60) / 10000
  = 181001050 / 10000 = 18100.105 -> 18100.11. Open EUR: E2 1000.00, weighted 600.00.
- Won in Q1: USD A5 5000.00; EUR E1 4000.00 (G2 is on the archived account).
- Forecast Q1 (every open deal closes in Q1): USD pipeline 30000.20, commit A4 8000.00,
  best case A1 + A2 + C1 = 22000.20, weighted total 5000 + 18100.105 = 23100.11, 1 won and
  5 open; EUR pipeline 1000.00, best case 1000.00, weighted total 4000 + 600 = 4600.00.
- Pipeline summary, in stage order: Prospecting USD 1 deal 0.00/0.00; Needs analysis USD 1,
  10000.10/4500.05; Proposal EUR 1, 1000.00/600.00; Proposal USD A1 + C1 2, 12000.10,
  (60000600 + 12000000) / 10000 = 7200.06; Negotiation USD 1, 8000.00/6400.00; Closed won
  EUR 1, 4000.00/4000.00; Closed won USD 1, 5000.00/5000.00. The open lines add up to the
  open pipeline above: 0 + 10000.10 + 12000.10 + 8000 = 30000.20 USD, 1000.00 EUR.
- Portfolio: 3 accounts (Alpha, Churnco, Euro); recurring EUR 20000.00, USD 100000.00;
  renewals in 90 days 2 (Alpha, Euro), as ``upcomingRenewals(withinDays: 90)`` lists.
- salesMetrics Q1: won A5 and E1, none lost: win rate 100.0; average size USD 5000.00, EUR
  4000.00; cycle (31 + 30) / 2 = 30.5 days. Stages: Proposal entered by A4 (01-05), which
  later moved to Closed won (further on): 1 entered, 1 advanced, 100.0 %, 1 exit of 27 days;
  Negotiation entered by A4 (02-15): 1, 0, 0.0 %, no exit. Closed won is not listed.
- Stale: A4 (Negotiation rots after 14 days; 28 days since 02-15). G1 would be, but is on
  the archived account.
- Targets Q1: Ada REVENUE_WON 10000 USD: A5 5000 = 50.0 %; team North REVENUE_WON 20000
  USD: 5000 = 25.0 %; Ada DEALS_WON 4: A5 and E1 = 2, 50.0 %; Ada ACTIVITIES_COMPLETED 3:
  the call (03-01, no completedAt), the meeting (03-02) and the task completed on 03-04 = 3,
  100.0 % (the note of 03-03, the open task and the email logged for 03-20 do not count).
"""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from ids import to_global_id
from models import Activity, Opportunity, OpportunityStageChange, Target
from models.enums import AccountStatus, ActivityKind, Role, TargetMetric, TeamKind
from services.auth import issue_access_token
from tests.factories import make_account, make_client, make_team, make_user, stage

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
Q1 = {"start": "2026-01-01", "end": "2026-03-31"}
DAY = 86_400


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time(set_clock):
    set_clock(NOW)


async def deal(name: str, account: Any, owner: Any, stage_name: str, amount: str,
               currency: str, **values: Any) -> Opportunity:  # fmt: skip
    st = await stage("New business", stage_name)
    values.setdefault("probability", st.probability)
    values.setdefault("stage_entered_at", values.get("closed_at") or at(1, 5))
    return await Opportunity.create(
        name=name, account=account, owner=owner, pipeline_id=st.pipeline_id, stage=st,
        amount=Decimal(amount), currency=currency, **values,
    )  # fmt: skip


@pytest.fixture
async def records() -> dict[str, Any]:
    north = await make_team(name="North", kind=TeamKind.SALES)
    ada = await make_user(name="Ada", team=north)
    sam = await make_user(name="Sam", team=north, role=Role.SALES_MANAGER)

    async def account(name: str, currency: str, arr: str, renews: date, **values: Any):
        client = await make_client(name=f"{name} client")
        return await make_account(
            name=name, client_id=client.pk, owner_id=ada.pk, currency=currency,
            annual_recurring_value=Decimal(arr), renewal_date=renews, **values,
        )  # fmt: skip

    alpha = await account("Alpha", "USD", "100000.00", date(2026, 4, 1))
    churnco = await account(
        "Churnco", "USD", "30000.00", date(2026, 3, 20), status=AccountStatus.CHURNED
    )
    gone = await account("Gone", "USD", "50000.00", date(2026, 3, 30), archived_at=at(3, 10))
    euro = await account("Euro", "EUR", "20000.00", date(2026, 5, 1))
    d = {
        "A1": await deal("A1", alpha, ada, "Proposal", "10000.10", "USD",
                         expected_close_date=date(2026, 3, 20), stage_entered_at=at(3, 1)),
        "A2": await deal("A2", alpha, ada, "Needs analysis", "10000.10", "USD", probability=45,
                         expected_close_date=date(2026, 3, 25), stage_entered_at=at(3, 1)),
        "A3": await deal("A3", alpha, ada, "Prospecting", "0.00", "USD",
                         expected_close_date=date(2026, 3, 31), stage_entered_at=at(3, 10)),
        "A4": await deal("A4", alpha, ada, "Negotiation", "8000.00", "USD",
                         expected_close_date=date(2026, 3, 28), stage_entered_at=at(2, 15)),
        "A5": await deal("A5", alpha, ada, "Closed won", "5000.00", "USD",
                         closed_at=at(2, 10)),
        "C1": await deal("C1", churnco, ada, "Proposal", "2000.00", "USD",
                         expected_close_date=date(2026, 3, 30), stage_entered_at=at(3, 1)),
        "G1": await deal("G1", gone, ada, "Negotiation", "7000.00", "USD",
                         expected_close_date=date(2026, 3, 20), stage_entered_at=at(2, 1)),
        "G2": await deal("G2", gone, ada, "Closed won", "3000.00", "USD", closed_at=at(3, 1)),
        "E1": await deal("E1", euro, ada, "Closed won", "4000.00", "EUR", closed_at=at(3, 5)),
        "E2": await deal("E2", euro, ada, "Proposal", "1000.00", "EUR",
                         expected_close_date=date(2026, 3, 31), stage_entered_at=at(3, 10)),
    }  # fmt: skip
    await Opportunity.filter(pk=d["A5"].pk).update(created_at=at(1, 10))
    await Opportunity.filter(pk=d["E1"].pk).update(created_at=at(2, 3))
    proposal = await stage("New business", "Proposal")
    won = await stage("New business", "Closed won")
    negotiation = await stage("New business", "Negotiation")
    for when, source, target, days in (
        (at(1, 5), None, proposal, None),
        (at(2, 1), proposal, won, 27),
        (at(2, 15), won, negotiation, 14),
    ):
        await OpportunityStageChange.create(
            opportunity=d["A4"], from_stage=source, to_stage=target, changed_at=when,
            amount=Decimal("8000.00"), currency="USD", event_id=uuid.uuid4(),
            seconds_in_previous_stage=days * DAY if days is not None else None,
        )  # fmt: skip

    activities: tuple[tuple[ActivityKind, datetime, dict[str, Any]], ...] = (
        (ActivityKind.CALL, at(3, 1), {}),
        (ActivityKind.MEETING, at(3, 2), {}),
        (ActivityKind.NOTE, at(3, 3), {}),
        (ActivityKind.TASK, at(3, 1), {"due_at": at(3, 4), "completed_at": at(3, 4)}),
        (ActivityKind.TASK, at(3, 1), {"due_at": at(3, 30)}),
        (ActivityKind.EMAIL, at(3, 20), {}),
    )
    for kind, when, extra in activities:
        await Activity.create(
            kind=kind, subject="Work", account=alpha, owner=ada, occurred_at=when, **extra
        )
    q1: dict[str, Any] = {"period_start": date(2026, 1, 1), "period_end": date(2026, 3, 31)}
    for owner, metric, amount, currency in (
        ({"user": ada}, TargetMetric.REVENUE_WON, "10000.00", "USD"),
        ({"team": north}, TargetMetric.REVENUE_WON, "20000.00", "USD"),
        ({"user": ada}, TargetMetric.DEALS_WON, "4", None),
        ({"user": ada}, TargetMetric.ACTIVITIES_COMPLETED, "3", None),
    ):
        await Target.create(metric=metric, amount=Decimal(amount), currency=currency,
                            **owner, **q1)  # fmt: skip
    return {"ada": ada, "sam": sam, "deals": d}


REPORTS = """query($q1: PeriodInput) {
  viewer { portfolio(period: $q1) {
    accounts totalRecurringValue { amount currency } openPipeline { amount currency }
    weightedPipeline { amount currency } renewalsIn90Days
    attainment { metric user { name } team { name } target achieved percentage } } }
  pipelineSummary { stage { name } currency count totalAmount weightedAmount }
  forecast(period: $q1) {
    currency won commit bestCase pipeline weightedTotal wonCount openCount }
  salesMetrics(period: $q1) {
    wonCount lostCount winRate averageDealSize { amount currency } averageSalesCycleDays
    stages { stage { name } entered advanced conversionRate exits averageDaysInStage } }
  upcomingRenewals(withinDays: 90) { account { name } daysUntil }
  staleOpportunities { opportunity { name } daysIdle }
  openDeals: opportunities(filter: {status: OPEN}, first: 100) {
    totalCount nodes { name amount currency weightedAmount } }
  wonDeals: opportunities(filter: {status: WON}, first: 100) { totalCount nodes { name } }
}"""


async def reports(gql, user) -> dict[str, Any]:
    return await gql(REPORTS, {"q1": Q1}, token=issue_access_token(user))


def usd(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "USD"}


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


async def test_a_deals_weighted_amount_rounds_as_the_pipeline_summary_does(gql, records):
    data = await reports(gql, records["ada"])
    a2 = next(x for x in data["openDeals"]["nodes"] if x["name"] == "A2")
    assert a2["weightedAmount"] == "4500.05"
    line = next(x for x in data["pipelineSummary"] if x["stage"]["name"] == "Needs analysis")
    assert line == {"stage": {"name": "Needs analysis"}, "currency": "USD", "count": 1,
                    "totalAmount": "10000.10", "weightedAmount": "4500.05"}  # fmt: skip


async def test_every_report_leaves_out_the_deals_of_an_archived_account(gql, records):
    data = await reports(gql, records["ada"])
    assert sorted(x["name"] for x in data["openDeals"]["nodes"]) == [
        "A1", "A2", "A3", "A4", "C1", "E2"
    ]  # fmt: skip
    assert sorted(x["name"] for x in data["wonDeals"]["nodes"]) == ["A5", "E1"]
    assert data["pipelineSummary"] == [
        {"stage": {"name": "Prospecting"}, "currency": "USD", "count": 1,
         "totalAmount": "0.00", "weightedAmount": "0.00"},
        {"stage": {"name": "Needs analysis"}, "currency": "USD", "count": 1,
         "totalAmount": "10000.10", "weightedAmount": "4500.05"},
        {"stage": {"name": "Proposal"}, "currency": "EUR", "count": 1,
         "totalAmount": "1000.00", "weightedAmount": "600.00"},
        {"stage": {"name": "Proposal"}, "currency": "USD", "count": 2,
         "totalAmount": "12000.10", "weightedAmount": "7200.06"},
        {"stage": {"name": "Negotiation"}, "currency": "USD", "count": 1,
         "totalAmount": "8000.00", "weightedAmount": "6400.00"},
        {"stage": {"name": "Closed won"}, "currency": "EUR", "count": 1,
         "totalAmount": "4000.00", "weightedAmount": "4000.00"},
        {"stage": {"name": "Closed won"}, "currency": "USD", "count": 1,
         "totalAmount": "5000.00", "weightedAmount": "5000.00"},
    ]  # fmt: skip
    assert data["forecast"] == [
        {"currency": "EUR", "won": "4000.00", "commit": "0.00", "bestCase": "1000.00",
         "pipeline": "1000.00", "weightedTotal": "4600.00", "wonCount": 1, "openCount": 1},
        {"currency": "USD", "won": "5000.00", "commit": "8000.00", "bestCase": "22000.20",
         "pipeline": "30000.20", "weightedTotal": "23100.11", "wonCount": 1, "openCount": 5},
    ]  # fmt: skip
    assert data["staleOpportunities"] == [{"opportunity": {"name": "A4"}, "daysIdle": 28}]


async def test_churned_accounts_add_no_recurring_value_and_no_renewals(gql, records):
    data = await reports(gql, records["ada"])
    portfolio = data["viewer"]["portfolio"]
    assert (portfolio["accounts"], portfolio["totalRecurringValue"]) == (
        3, [eur("20000.00"), usd("100000.00")]
    )  # fmt: skip
    assert portfolio["renewalsIn90Days"] == 2
    assert data["upcomingRenewals"] == [
        {"account": {"name": "Alpha"}, "daysUntil": 17},
        {"account": {"name": "Euro"}, "daysUntil": 47},
    ]


async def test_sales_metrics_list_open_stages_only_after_a_won_deal_is_reopened(gql, records):
    data = await reports(gql, records["ada"])
    assert data["salesMetrics"] == {
        "wonCount": 2, "lostCount": 0, "winRate": "100.0",
        "averageDealSize": [eur("4000.00"), usd("5000.00")], "averageSalesCycleDays": "30.5",
        "stages": [
            {"stage": {"name": "Proposal"}, "entered": 1, "advanced": 1,
             "conversionRate": "100.0", "exits": 1, "averageDaysInStage": "27.0"},
            {"stage": {"name": "Negotiation"}, "entered": 1, "advanced": 0,
             "conversionRate": "0.0", "exits": 0, "averageDaysInStage": None},
        ],
    }  # fmt: skip


ADA_ATTAINMENT = [
    {"metric": "ACTIVITIES_COMPLETED", "user": {"name": "Ada"}, "team": None,
     "target": "3", "achieved": "3", "percentage": "100.0"},
    {"metric": "DEALS_WON", "user": {"name": "Ada"}, "team": None,
     "target": "4", "achieved": "2", "percentage": "50.0"},
    {"metric": "REVENUE_WON", "user": {"name": "Ada"}, "team": None,
     "target": "10000.00", "achieved": "5000.00", "percentage": "50.0"},
    {"metric": "REVENUE_WON", "user": None, "team": {"name": "North"},
     "target": "20000.00", "achieved": "5000.00", "percentage": "25.0"},
]  # fmt: skip


async def test_portfolio_attainment_has_the_viewers_and_their_teams_targets(gql, records):
    data = await reports(gql, records["ada"])
    assert data["viewer"]["portfolio"]["attainment"] == ADA_ATTAINMENT


async def test_activities_done_count_calls_meetings_and_tasks_as_whole_numbers(gql, records):
    query = """query($q1: PeriodInput) { targetAttainment(period: $q1) {
        metric user { name } team { name } target achieved percentage } }"""
    data = await gql(query, {"q1": Q1}, token=issue_access_token(records["ada"]))
    assert data["targetAttainment"] == ADA_ATTAINMENT
    targets = await gql(
        "{ targets(orderBy: [{field: CREATED_AT}]) { nodes { metric amount currency } } }",
        token=issue_access_token(records["ada"]),
    )
    assert targets["targets"]["nodes"] == [
        {"metric": "REVENUE_WON", "amount": "10000.00", "currency": "USD"},
        {"metric": "REVENUE_WON", "amount": "20000.00", "currency": "USD"},
        {"metric": "DEALS_WON", "amount": "4", "currency": None},
        {"metric": "ACTIVITIES_COMPLETED", "amount": "3", "currency": None},
    ]


def per_currency(lines: list[dict], amount: str) -> dict[str, str]:
    return {line["currency"]: line[amount] for line in lines}


def added(lines: list[dict], amount: str) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for line in lines:
        totals[line["currency"]] = totals.get(line["currency"], Decimal(0)) + Decimal(line[amount])
    return totals


@pytest.mark.parametrize("who", ["ada", "sam"])
async def test_every_report_gives_the_same_figure_for_the_same_records(gql, records, who):
    """Open pipeline, won revenue, renewals, recurring value and counts agree between the
    portfolio, the pipeline summary, the forecast, salesMetrics, the renewal list and the
    deal lists, for the account manager and her sales manager alike."""
    data = await reports(gql, records[who])
    portfolio, forecast = data["viewer"]["portfolio"], data["forecast"]
    open_lines = [x for x in data["pipelineSummary"] if x["stage"]["name"] not in (
        "Closed won", "Closed lost")]  # fmt: skip
    won_lines = [x for x in data["pipelineSummary"] if x["stage"]["name"] == "Closed won"]
    open_pipeline = {"EUR": "1000.00", "USD": "30000.20"}
    assert per_currency(portfolio["openPipeline"], "amount") == open_pipeline
    assert per_currency(forecast, "pipeline") == open_pipeline
    assert {c: str(v) for c, v in added(open_lines, "totalAmount").items()} == open_pipeline
    assert added(data["openDeals"]["nodes"], "amount") == {
        c: Decimal(v) for c, v in open_pipeline.items()
    }
    open_count = sum(x["count"] for x in open_lines)
    assert open_count == data["openDeals"]["totalCount"] == sum(
        x["openCount"] for x in forecast
    ) == 6  # fmt: skip
    assert per_currency(portfolio["weightedPipeline"], "amount") == {
        "EUR": "600.00", "USD": "18100.11"
    }  # fmt: skip
    won = {"EUR": "4000.00", "USD": "5000.00"}
    assert per_currency(forecast, "won") == won
    assert per_currency(won_lines, "totalAmount") == won
    assert sum(x["count"] for x in won_lines) == data["wonDeals"]["totalCount"] == sum(
        x["wonCount"] for x in forecast
    ) == data["salesMetrics"]["wonCount"] == 2  # fmt: skip
    assert portfolio["renewalsIn90Days"] == len(data["upcomingRenewals"]) == 2
    assert per_currency(portfolio["totalRecurringValue"], "amount") == {
        "EUR": "20000.00", "USD": "100000.00"
    }  # fmt: skip


async def test_restoring_an_archived_account_brings_its_deals_back(gql, records):
    gone = records["deals"]["G1"].account_id
    query = """mutation($id: ID!) { restoreAccount(input: {id: $id}) { errors { code } } }"""
    assert (await gql(query, {"id": to_global_id("Account", gone)}))["restoreAccount"] == {
        "errors": []
    }
    data = await reports(gql, records["ada"])
    assert per_currency(data["viewer"]["portfolio"]["openPipeline"], "amount") == {
        "EUR": "1000.00", "USD": "37000.20"
    }  # fmt: skip
    assert per_currency(data["forecast"], "won") == {"EUR": "4000.00", "USD": "8000.00"}


async def test_plan_progress_leaves_out_the_deals_of_an_archived_account(gql, records):
    """One plan on Alpha links A1 (open 10000.10 @60), A4 (open 8000.00 @80) and A5 (won
    5000.00), and also G1 and G2 of the archived account Gone, which count for nothing: open
    18000.10, weighted (1000010 x 60 + 800000 x 80) / 10000 = 12400.06, won 5000.00."""
    from models import AccountPlan, PlanObjective, PlanObjectiveOpportunity

    d = records["deals"]
    plan = await AccountPlan.create(
        account_id=d["A1"].account_id, name="Grow Alpha", owner=records["ada"],
        period_start=date(2026, 1, 1), period_end=date(2026, 12, 31), currency="USD",
    )  # fmt: skip
    objective = await PlanObjective.create(plan=plan, title="Land", position=0)
    for name in ("A1", "A4", "A5", "G1", "G2"):
        await PlanObjectiveOpportunity.create(objective=objective, opportunity=d[name])
    query = """query($ids: [ID!]!) { planProgress(planIds: $ids) {
        amounts { currency openAmount weightedAmount wonAmount openCount wonCount } } }"""
    data = await gql(
        query, {"ids": [to_global_id("AccountPlan", plan.pk)]},
        token=issue_access_token(records["ada"]),
    )  # fmt: skip
    assert data["planProgress"] == [
        {"amounts": [{"currency": "USD", "openAmount": "18000.10", "weightedAmount": "12400.06",
                      "wonAmount": "5000.00", "openCount": 2, "wonCount": 1}]}
    ]  # fmt: skip
