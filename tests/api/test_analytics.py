"""The analytics queries over HTTP, on the hand-computed portfolio of
tests/services/portfolio.py (whose docstring and the service tests hold the hand
computations); time is frozen at 2026-03-15 12:00 UTC."""

from decimal import Decimal

import pytest

from ids import to_global_id
from services.auth import issue_access_token
from tests.database import count_statements
from tests.factories import make_plan
from tests.services.portfolio import NOW, build_portfolio

Q1 = {"start": "2026-01-01", "end": "2026-03-31"}


@pytest.fixture(autouse=True)
def frozen_time(set_clock):
    set_clock(NOW)


@pytest.fixture
async def p():
    return await build_portfolio()


def token(user) -> str:
    return issue_access_token(user)


PIPELINE = "{ pipelineSummary { stage { name } currency count totalAmount weightedAmount } }"


async def test_pipeline_summary_for_an_account_manager(gql, p):
    data = await gql(PIPELINE, token=token(p.alice))
    assert data["pipelineSummary"] == [
        {"stage": {"name": "Qualification"}, "currency": "EUR", "count": 1,
         "totalAmount": "3000.50", "weightedAmount": "600.10"},
        {"stage": {"name": "Proposal"}, "currency": "USD", "count": 1,
         "totalAmount": "10000.00", "weightedAmount": "6000.00"},
        {"stage": {"name": "Negotiation"}, "currency": "USD", "count": 1,
         "totalAmount": "20000.00", "weightedAmount": "16000.00"},
        {"stage": {"name": "Closed won"}, "currency": "USD", "count": 1,
         "totalAmount": "5000.00", "weightedAmount": "5000.00"},
    ]  # fmt: skip


async def test_pipeline_summary_filter_open_deals_of_one_owner(gql, p):
    query = """query($f: OpportunityFilter) { pipelineSummary(filter: $f) {
        stage { name } currency count totalAmount weightedAmount } }"""
    f = {"status": "OPEN", "ownerIds": [to_global_id("User", p.bob.pk)]}
    data = await gql(query, {"f": f}, token=token(p.carol))
    assert data["pipelineSummary"] == [
        {"stage": {"name": "Prospecting"}, "currency": "USD", "count": 1,
         "totalAmount": "1000.05", "weightedAmount": "100.01"},
        {"stage": {"name": "Needs analysis"}, "currency": "USD", "count": 1,
         "totalAmount": "7000.00", "weightedAmount": "3150.00"},
    ]  # fmt: skip
    # walt (team West) sees none of bob's deals.
    assert (await gql(query, {"f": f}, token=token(p.walt)))["pipelineSummary"] == []


FORECAST = """query($period: PeriodInput, $owners: [ID!], $team: ID) {
  forecast(period: $period, ownerIds: $owners, teamId: $team) {
    currency won commit bestCase pipeline weightedTotal wonCount openCount } }"""


async def test_forecast_by_role_and_calendar_quarter(gql, p):
    eur_alice = {"currency": "EUR", "won": "0.00", "commit": "3000.50", "bestCase": "0.00",
                 "pipeline": "3000.50", "weightedTotal": "600.10", "wonCount": 0, "openCount": 1}  # fmt: skip
    usd_team = {"currency": "USD", "won": "5000.00", "commit": "20000.00",
                "bestCase": "17000.00", "pipeline": "37000.00", "weightedTotal": "30150.00",
                "wonCount": 1, "openCount": 3}  # fmt: skip
    quarter = {"unit": "QUARTER", "containing": "2026-02-01"}
    admin = await gql(FORECAST, {"period": quarter})
    assert admin["forecast"] == [
        {"currency": "EUR", "won": "6000.00", "commit": "3000.50", "bestCase": "9000.00",
         "pipeline": "12000.50", "weightedTotal": "12000.10", "wonCount": 1, "openCount": 2},
        usd_team,
    ]  # fmt: skip
    carol = await gql(FORECAST, {"period": Q1}, token=token(p.carol))
    assert carol["forecast"] == [eur_alice, usd_team]
    # No period: the current quarter of "now", Q1 2026 here.
    alice = await gql(FORECAST, token=token(p.alice))
    assert alice["forecast"] == [
        eur_alice,
        {"currency": "USD", "won": "5000.00", "commit": "20000.00", "bestCase": "10000.00",
         "pipeline": "30000.00", "weightedTotal": "27000.00", "wonCount": 1, "openCount": 2},
    ]  # fmt: skip
    west = await gql(FORECAST, {"period": Q1, "team": to_global_id("Team", p.west.pk)},
                     token=token(p.carol))  # fmt: skip
    assert west["forecast"] == []


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"period": {"start": "2026-03-31", "end": "2026-01-01"}},
         "the period ends (2026-01-01) before it starts (2026-03-31); give an end on or after "
         "the start"),
        ({"period": {"start": "2026-01-01"}}, "a period needs both start and end (or a unit)"),
        ({"period": {"start": "2026-01-01", "end": "2026-01-31", "unit": "MONTH"}},
         "give either start and end, or unit, not both"),
        ({"owners": [], "team": "VGVhbTox"}, "give ownerIds or teamId, not both"),
        ({"team": to_global_id("User", 1)}, f"'{to_global_id('User', 1)}' is not a valid Team id"),
    ],
)  # fmt: skip
async def test_forecast_refuses_bad_arguments_with_a_clear_message(gql, p, variables, message):
    body = await gql(FORECAST, variables, errors=True)
    assert body["data"] is None
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        (message, "BAD_USER_INPUT")
    ]


ATTAINMENT = """query($period: PeriodInput) { targetAttainment(period: $period) {
    targetId metric periodStart periodEnd currency target achieved percentage
    user { name } team { name } } }"""


async def test_target_attainment_of_a_sales_manager(gql, p):
    data = await gql(ATTAINMENT, {"period": Q1}, token=token(p.carol))
    q1 = {"periodStart": "2026-01-01", "periodEnd": "2026-03-31"}
    t = {name: to_global_id("Target", x.pk) for name, x in p.targets.items()}
    assert data["targetAttainment"] == [
        {"targetId": t["T4"], "metric": "ACTIVITIES_COMPLETED", **q1, "currency": None,
         "target": "0", "achieved": "2", "percentage": None,
         "user": {"name": "Alice"}, "team": None},
        {"targetId": t["T1"], "metric": "REVENUE_WON", **q1, "currency": "USD",
         "target": "10000.00", "achieved": "5000.00", "percentage": "50.0",
         "user": {"name": "Alice"}, "team": None},
        {"targetId": t["T3"], "metric": "DEALS_WON", **q1, "currency": None,
         "target": "2", "achieved": "0", "percentage": "0.0",
         "user": {"name": "Bob"}, "team": None},
        {"targetId": t["T2"], "metric": "REVENUE_WON", **q1, "currency": "USD",
         "target": "40000.00", "achieved": "5000.00", "percentage": "12.5",
         "user": None, "team": {"name": "East"}},
    ]  # fmt: skip


HEALTH = """query($first: Int!) { accounts(first: $first, orderBy: [{field: NAME}]) {
  nodes { name health { score status components { name score weight reason } } } } }"""


async def test_account_health_on_a_page_of_accounts(gql, p):
    data = await gql(HEALTH, {"first": 10}, token=token(p.carol))
    [acme, beta] = data["accounts"]["nodes"]
    assert (acme["name"], acme["health"]["score"], acme["health"]["status"]) == (
        "Acme",
        66,
        "NEEDS_ATTENTION",
    )
    assert acme["health"]["components"][0] == {
        "name": "satisfaction", "score": 83, "weight": 25,
        "reason": "latest NPS 9/10, latest CSAT 4/5",
    }  # fmt: skip
    assert (beta["name"], beta["health"]["score"], beta["health"]["status"]) == (
        "Beta",
        35,
        "AT_RISK",
    )
    assert [c["reason"] for c in beta["health"]["components"]] == [
        "latest NPS 0/10",
        "last activity 104 days ago",
        "no open coordination requests",
        "no overdue tasks",
        "renewal in 10 days",
        "1 of 2 open deals stale",
        "no active account plan",
    ]


async def test_health_costs_the_same_statements_for_one_account_or_a_page(gql, p):
    with count_statements() as one:
        await gql(HEALTH, {"first": 1})
    with count_statements() as three:
        data = await gql(HEALTH, {"first": 10})
    assert len(data["accounts"]["nodes"]) == 3
    # the viewer, the page of accounts; health: the facts (1) and the active plans'
    # progress (plans, per objective, per plan, objectives: 4).
    assert one.count == three.count == 7


async def test_accounts_at_risk_by_role(gql, p):
    query = "{ accountsAtRisk { name health { score status } } }"
    assert (await gql(query))["accountsAtRisk"] == [
        {"name": "Westco", "health": {"score": 33, "status": "AT_RISK"}},
        {"name": "Beta", "health": {"score": 35, "status": "AT_RISK"}},
    ]
    assert (await gql(query, token=token(p.carol)))["accountsAtRisk"] == [
        {"name": "Beta", "health": {"score": 35, "status": "AT_RISK"}}
    ]
    assert (await gql(query, token=token(p.alice)))["accountsAtRisk"] == []


PORTFOLIO = """{ viewer { portfolio {
  accounts totalRecurringValue { amount currency } openPipeline { amount currency }
  weightedPipeline { amount currency } renewalsIn90Days accountsAtRisk
  attainment { metric achieved percentage } } } }"""


async def test_viewer_portfolio(gql, p):
    data = await gql(PORTFOLIO, token=token(p.carol))
    assert data["viewer"]["portfolio"] == {
        "accounts": 2,
        "totalRecurringValue": [{"amount": "170000.00", "currency": "USD"}],
        "openPipeline": [{"amount": "3000.50", "currency": "EUR"},
                         {"amount": "38000.05", "currency": "USD"}],
        "weightedPipeline": [{"amount": "600.10", "currency": "EUR"},
                             {"amount": "25250.01", "currency": "USD"}],
        "renewalsIn90Days": 2,
        "accountsAtRisk": 1,
        "attainment": [{"metric": "REVENUE_WON", "achieved": "5000.00", "percentage": "12.5"}],
    }  # fmt: skip


async def test_portfolio_of_another_user_is_null(gql, p):
    query = "query($id: ID!) { node(id: $id) { ... on User { portfolio { accounts } } } }"
    data = await gql(query, {"id": to_global_id("User", p.alice.pk)}, token=token(p.carol))
    assert data["node"] == {"portfolio": None}


PLAN = """query($ids: [ID!]!) { planProgress(planIds: $ids) {
  planId revenueTarget currency attainment amounts { currency openAmount weightedAmount
  wonAmount openCount wonCount } objectives { objectiveId amounts { currency wonAmount } } } }"""


async def test_plan_progress(gql, p):
    ids = [to_global_id("AccountPlan", p.plan.pk)]
    data = await gql(PLAN, {"ids": ids}, token=token(p.alice))
    [plan] = data["planProgress"]
    assert plan["planId"] == ids[0]
    assert (plan["revenueTarget"], plan["currency"], plan["attainment"]) == (
        "100000.00",
        "USD",
        "5.0",
    )
    assert plan["amounts"] == [
        {"currency": "EUR", "openAmount": "3000.50", "weightedAmount": "600.10",
         "wonAmount": "0.00", "openCount": 1, "wonCount": 0},
        {"currency": "USD", "openAmount": "30000.00", "weightedAmount": "22000.00",
         "wonAmount": "5000.00", "openCount": 2, "wonCount": 1},
    ]  # fmt: skip
    assert [o["amounts"] for o in plan["objectives"]] == [
        [{"currency": "USD", "wonAmount": "5000.00"}],
        [{"currency": "EUR", "wonAmount": "0.00"}, {"currency": "USD", "wonAmount": "0.00"}],
    ]
    assert (await gql(PLAN, {"ids": ids}, token=token(p.walt)))["planProgress"] == []


async def test_stale_opportunities_by_role(gql, p):
    query = "{ staleOpportunities { opportunity { name } daysIdle rottingDays lastTouchAt } }"
    assert (await gql(query, token=token(p.carol)))["staleOpportunities"] == [
        {"opportunity": {"name": "D5"}, "daysIdle": 64, "rottingDays": 21,
         "lastTouchAt": "2026-01-10T12:00:00.000000Z"},
        {"opportunity": {"name": "D2"}, "daysIdle": 23, "rottingDays": 14,
         "lastTouchAt": "2026-02-20T12:00:00.000000Z"},
    ]  # fmt: skip
    walt = await gql(query, token=token(p.walt))
    assert [x["opportunity"]["name"] for x in walt["staleOpportunities"]] == ["D8"]


async def test_upcoming_renewals_by_role_and_window(gql, p):
    query = """query($d: Int!) { upcomingRenewals(withinDays: $d) {
        account { name } renewalDate daysUntil } }"""
    assert (await gql(query, {"d": 30}))["upcomingRenewals"] == [
        {"account": {"name": "Beta"}, "renewalDate": "2026-03-25", "daysUntil": 10},
        {"account": {"name": "Acme"}, "renewalDate": "2026-04-10", "daysUntil": 26},
    ]
    alice = await gql(query, {"d": 30}, token=token(p.alice))
    assert alice["upcomingRenewals"] == [
        {"account": {"name": "Acme"}, "renewalDate": "2026-04-10", "daysUntil": 26}
    ]
    body = await gql(query, {"d": -1}, errors=True)
    assert [e["message"] for e in body["errors"]] == ["withinDays must be between 0 and 3660"]


async def test_follow_up_queue_of_the_caller(gql, p):
    query = """{ followUpQueue { kind dueAt overdue lead { personName } task { subject } } }"""
    data = await gql(query, token=token(p.alice))
    assert data["followUpQueue"] == [
        {"kind": "TASK", "dueAt": "2026-03-10T12:00:00.000000Z", "overdue": True, "lead": None,
         "task": {"subject": "Call"}},
    ]  # fmt: skip
    assert (await gql(query, token=token(p.carol)))["followUpQueue"] == []


async def test_sales_metrics_over_http(gql, p):
    """Without stage history (see tests/services/test_analytics_sales.py for it): Q1 closed
    D3 won, D6 lost (carol's team)."""
    query = """query($period: PeriodInput, $owners: [ID!]) {
      salesMetrics(period: $period, ownerIds: $owners) {
        wonCount lostCount winRate averageDealSize { amount currency } stages { entered } } }"""
    data = await gql(query, {"period": Q1}, token=token(p.carol))
    assert data["salesMetrics"] == {
        "wonCount": 1, "lostCount": 1, "winRate": "50.0",
        "averageDealSize": [{"amount": "5000.00", "currency": "USD"}], "stages": [],
    }  # fmt: skip
    bob = await gql(query, {"period": Q1, "owners": [to_global_id("User", p.bob.pk)]},
                    token=token(p.carol))  # fmt: skip
    assert bob["salesMetrics"]["winRate"] == "0.0"
    walt = await gql(query, {"period": Q1}, token=token(p.walt))
    assert walt["salesMetrics"]["averageDealSize"] == [{"amount": "6000.00", "currency": "EUR"}]


async def test_account_satisfaction_of_a_page_of_accounts(gql, p):
    query = """query($period: PeriodInput) { accounts(first: 10, orderBy: [{field: NAME}]) {
      nodes { name satisfaction(period: $period) {
        period { nps csat averageCsat npsResponses csatResponses } npsChange trend } } } }"""
    with count_statements() as counter:
        data = await gql(query, {"period": Q1})
    assert [(n["name"], n["satisfaction"]) for n in data["accounts"]["nodes"]] == [
        ("Acme", {"period": {"nps": "0.0", "csat": "100.0", "averageCsat": "4.00",
                             "npsResponses": 2, "csatResponses": 1},
                  "npsChange": None, "trend": None}),
        ("Beta", {"period": {"nps": "-50.0", "csat": None, "averageCsat": None,
                             "npsResponses": 2, "csatResponses": 0},
                  "npsChange": None, "trend": None}),
        ("Westco", {"period": {"nps": None, "csat": "0.0", "averageCsat": "2.00",
                               "npsResponses": 0, "csatResponses": 1},
                    "npsChange": None, "trend": None}),
    ]  # fmt: skip
    # the viewer, the page, one statement for the satisfaction of all three.
    assert counter.count == 3


async def test_growth_opportunities_not_found_for_an_unseen_account(gql, p):
    query = """query($id: ID!) { growthOpportunities(accountId: $id) {
        product { name } accountsBought similarAccounts share } }"""
    data = await gql(query, {"id": to_global_id("Account", p.beta.pk)})
    assert data["growthOpportunities"] == []  # nothing was bought by anyone
    body = await gql(query, {"id": to_global_id("Account", p.beta.pk)}, errors=True,
                     token=token(p.alice))  # fmt: skip
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        ("No account with that id", "NOT_FOUND")
    ]


async def test_growth_opportunities_of_an_account(gql, p):
    from tests.services.test_analytics_growth import add_products

    await add_products(p)
    query = """query($id: ID!) { growthOpportunities(accountId: $id) {
        product { name } accountsBought similarAccounts share } }"""
    data = await gql(query, {"id": to_global_id("Account", p.beta.pk)}, token=token(p.carol))
    assert data["growthOpportunities"] == [
        {"product": {"name": "Platform"}, "accountsBought": 1, "similarAccounts": 1,
         "share": "100.0"},
    ]  # fmt: skip


async def test_plan_progress_resolver_for_the_account_plan_type(p):
    """``resolve_plan_progress`` is what the AccountPlan type's ``progress`` field calls."""
    from types import SimpleNamespace

    from resolvers.core.context import Context
    from schema.planning import resolve_plan_progress

    alice = SimpleNamespace(context=Context(viewer=p.alice))
    progress = await resolve_plan_progress(alice, p.plan.pk)  # type: ignore[arg-type]
    assert progress is not None
    assert (progress.plan_id(), progress.attainment) == (
        to_global_id("AccountPlan", p.plan.pk), Decimal("5.0"),
    )  # fmt: skip
    walt = SimpleNamespace(context=Context(viewer=p.walt))
    assert await resolve_plan_progress(walt, p.plan.pk) is None  # type: ignore[arg-type]


EVERYTHING = """{ pipelineSummary { count } forecast { currency } salesMetrics { wonCount }
  staleOpportunities { daysIdle } accountsAtRisk { name } upcomingRenewals { daysUntil }
  followUpQueue { kind } targetAttainment { achieved }
  viewer { portfolio { accounts openPipeline { amount } accountsAtRisk attainment { achieved } } } }"""


async def test_a_team_member_sees_no_sales_figures(gql, p):
    from models.enums import Role
    from tests.factories import make_user

    member = await make_user(role=Role.TEAM_MEMBER, team=p.east)
    data = await gql(EVERYTHING, token=token(member))
    assert data == {
        "pipelineSummary": [], "forecast": [], "salesMetrics": {"wonCount": 0},
        "staleOpportunities": [], "accountsAtRisk": [], "upcomingRenewals": [],
        "followUpQueue": [], "targetAttainment": [],
        "viewer": {"portfolio": {"accounts": 0, "openPipeline": [], "accountsAtRisk": 0,
                                 "attainment": []}},
    }  # fmt: skip


async def test_a_read_only_user_sees_what_their_team_sees(gql, p):
    from models.enums import Role
    from tests.factories import make_user

    viewer = await make_user(role=Role.VIEWER, team=p.east)
    mine = await gql(EVERYTHING, token=token(viewer))
    carols = await gql(EVERYTHING, token=token(p.carol))
    assert mine == carols


async def test_anonymous_callers_get_no_analytics(gql, p):
    body = await gql("{ forecast { currency } }", token=None, errors=True)
    assert "data" not in body  # refused before anything ran
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


PLAN_ON_ACCOUNT = """query($id: ID!) { accountPlan(id: $id) { name progress {
  revenueTarget attainment amounts { currency wonAmount openCount } } } }"""


async def test_an_account_plan_carries_its_progress(gql, p):
    gid = to_global_id("AccountPlan", p.plan.pk)
    data = await gql(PLAN_ON_ACCOUNT, {"id": gid}, token=token(p.alice))
    assert data["accountPlan"]["progress"] == {
        "revenueTarget": "100000.00",
        "attainment": "5.0",
        "amounts": [
            {"currency": "EUR", "wonAmount": "0.00", "openCount": 1},
            {"currency": "USD", "wonAmount": "5000.00", "openCount": 2},
        ],
    }


async def test_plan_progress_on_a_list_of_plans_is_one_batch(gql, p):
    query = "{ accountPlans { nodes { progress { currency } } } }"
    with count_statements() as one:
        data = await gql(query, token=token(p.alice))
    assert data["accountPlans"]["nodes"] == [{"progress": {"currency": "USD"}}]
    for n in range(3):
        await make_plan(account_id=p.plan.account_id, name=f"Extra {n}")
    with count_statements() as four:
        data = await gql(query, token=token(p.alice))
    assert len(data["accountPlans"]["nodes"]) == 4
    assert four.count == one.count
