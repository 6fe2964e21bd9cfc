"""The demo data set: exact, consistent with the business rules, current, and repeatable.

The data is seeded once for the module (the tests only read it) and once more by the last
test, which checks that the same seed gives the same data.
"""

import hashlib
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest

from demo.seeder import (
    ACCOUNT_MANAGER_EMAIL,
    ADMIN_EMAIL,
    DemoSummary,
    database_is_empty,
    seed_demo,
)
from models import (
    Account,
    AccountPlan,
    Activity,
    Client,
    Contact,
    CoordinationRequest,
    Lead,
    Opportunity,
    OpportunityLineItem,
    OpportunityStageChange,
    Pipeline,
    PlanObjective,
    PlanObjectiveOpportunity,
    SatisfactionResponse,
    Stage,
    Target,
    Team,
    User,
)
from models.enums import (
    AccountStatus,
    ActivityKind,
    LeadStatus,
    Role,
    StageCategory,
    TeamKind,
)
from tests.database import empty_all_tables

TODAY = datetime.now(UTC).date()
ANCHOR = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC)

EXPECTED = DemoSummary(
    teams=7,
    users=20,
    products=12,
    competitors=6,
    clients=44,
    contacts=130,
    accounts=65,
    account_team_members=146,
    leads=40,
    converted_leads=5,
    opportunities=403,
    stage_changes=1266,
    line_items=397,
    opportunity_competitors=191,
    activities=3414,
    tasks=512,
    account_plans=42,
    plan_objectives=105,
    plan_actions=153,
    satisfaction_responses=432,
    coordination_requests=62,
    coordination_comments=96,
    targets=36,
)


@pytest.fixture(autouse=True)
async def clean_database() -> AsyncIterator[None]:
    """Replaces the suite's per-test cleanup: this module's tests share one seeded database."""
    yield


@pytest.fixture(scope="module")
async def seeded(database_url: str) -> AsyncIterator[DemoSummary]:
    await empty_all_tables()
    assert await database_is_empty()
    yield await seed_demo(today=TODAY)
    await empty_all_tables()


async def digest() -> str:
    """A fingerprint of the seeded rows (leaving out the times the conversions stamp now)."""
    rows: list[tuple] = []
    rows += await Client.all().order_by("id").values_list("name", "domain", "status", "tags")
    rows += await Contact.all().order_by("id").values_list("client_id", "name", "email")
    rows += (
        await Account.all()
        .order_by("id")
        .values_list("name", "owner_id", "status", "annual_recurring_value", "renewal_date")
    )
    rows += (
        await Opportunity.all()
        .order_by("id")
        .values_list(
            "account_id",
            "name",
            "stage_id",
            "amount",
            "currency",
            "probability",
            "expected_close_date",
            "lost_reason",
        )
    )
    rows += (
        await OpportunityStageChange.filter(changed_at__lt=ANCHOR)
        .order_by("id")
        .values_list("opportunity_id", "from_stage_id", "to_stage_id", "changed_at", "event_id")
    )
    rows += (
        await Lead.all()
        .order_by("id")
        .values_list("person_name", "status", "score", "next_follow_up_at")
    )
    rows += (
        await Activity.all()
        .order_by("id")
        .values_list(
            "kind", "subject", "occurred_at", "due_at", "completed_at", "owner_id", "opportunity_id"
        )
    )
    rows += (
        await CoordinationRequest.all()
        .order_by("id")
        .values_list("team_id", "account_id", "title", "status", "assignee_id", "due_date")
    )
    rows += await SatisfactionResponse.all().order_by("id").values_list("account_id", "score")
    rows += (
        await PlanObjectiveOpportunity.all()
        .order_by("id")
        .values_list("objective_id", "opportunity_id")
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()


async def test_counts_are_exact(seeded: DemoSummary):
    assert seeded.counts() == EXPECTED.counts()
    assert (seeded.admin_email, seeded.account_manager_email) == (
        ADMIN_EMAIL,
        ACCOUNT_MANAGER_EMAIL,
    )
    assert "am@demo.accountgraph.example" in seeded.describe()
    assert not await database_is_empty()
    with pytest.raises(RuntimeError):
        await seed_demo()


async def test_people_and_teams(seeded: DemoSummary):
    users = await User.all()
    roles = Counter(u.role for u in users)
    assert roles[Role.ADMIN] == 1 and roles[Role.SALES_MANAGER] == 2 and roles[Role.VIEWER] == 1
    assert roles[Role.ACCOUNT_MANAGER] == 8 and roles[Role.TEAM_MEMBER] >= 4
    by_email = {u.email: u for u in users}
    assert by_email[ADMIN_EMAIL].role == Role.ADMIN
    am = by_email[ACCOUNT_MANAGER_EMAIL]
    assert am.role == Role.ACCOUNT_MANAGER and am.manager_id is not None and am.is_active
    assert all(u.manager_id for u in users if u.role in (Role.ACCOUNT_MANAGER, Role.VIEWER))
    kinds = Counter(t.kind for t in await Team.all())
    assert kinds[TeamKind.SALES] == 2
    assert {TeamKind.DELIVERY, TeamKind.SUPPORT, TeamKind.LEGAL, TeamKind.FINANCE} <= set(kinds)


async def test_every_stage_of_every_pipeline_has_deals(seeded: DemoSummary):
    stages = await Stage.all()
    assert {p.name for p in await Pipeline.all()} == {"New business", "Expansion", "Renewal"}
    deals = await Opportunity.all()
    per_stage = Counter(deal.stage_id for deal in deals)
    assert [s.name for s in stages if per_stage[s.pk] == 0] == []
    currencies = Counter(deal.currency for deal in deals)
    assert set(currencies) == {"USD", "EUR", "GBP"}
    assert currencies["USD"] > currencies["EUR"] + currencies["GBP"]


async def test_stage_histories_are_consistent(seeded: DemoSummary):
    stages = {s.pk: s for s in await Stage.all()}
    history = defaultdict(list)
    for change in await OpportunityStageChange.all().order_by("changed_at", "id"):
        history[change.opportunity_id].append(change)
    now = datetime.now(UTC)
    two_years_ago = ANCHOR - timedelta(days=730)
    deals = await Opportunity.all()
    assert len(history) == len(deals)
    for deal in deals:
        changes = history[deal.pk]
        assert changes[0].from_stage_id is None
        assert changes[0].seconds_in_previous_stage is None
        for previous, change in pairwise(changes):
            assert change.from_stage_id == previous.to_stage_id
            assert change.changed_at > previous.changed_at
            assert change.seconds_in_previous_stage == int(
                (change.changed_at - previous.changed_at).total_seconds()
            )
            # forward through the pipeline
            assert stages[change.to_stage_id].position > stages[previous.to_stage_id].position
        assert all(stages[c.to_stage_id].pipeline_id == deal.pipeline_id for c in changes)
        assert all(two_years_ago <= c.changed_at <= now for c in changes)
        assert all(c.currency == deal.currency for c in changes)
        last = changes[-1]
        assert last.to_stage_id == deal.stage_id
        assert deal.stage_entered_at == last.changed_at
        stage = stages[deal.stage_id]
        if stage.category == StageCategory.OPEN:
            assert deal.closed_at is None and deal.lost_reason is None
            assert deal.expected_close_date is None or deal.expected_close_date > TODAY
            assert 0 <= deal.probability <= 100
        else:
            assert deal.closed_at == last.changed_at
            assert deal.probability == stage.probability
        if stage.category == StageCategory.WON:
            assert deal.amount is not None and deal.amount > 0
            assert deal.probability == 100 and deal.lost_reason is None
        if stage.category == StageCategory.LOST:
            assert deal.lost_reason and deal.probability == 0


async def test_line_items_add_up_to_the_amount(seeded: DemoSummary):
    items = defaultdict(list)
    for item in await OpportunityLineItem.all():
        items[item.opportunity_id].append(item)
    deals = {d.pk: d for d in await Opportunity.filter(id__in=list(items))}
    for deal_id, lines in items.items():
        total = sum(
            (
                (i.quantity * i.unit_price * (100 - i.discount_percent) / 100).quantize(
                    Decimal("0.01")
                )
                for i in lines
            ),
            Decimal(0),
        )
        assert deals[deal_id].amount == total


async def test_accounts_clients_and_leads_look_current(seeded: DemoSummary):
    accounts = await Account.all()
    statuses = Counter(a.status for a in accounts)
    assert set(statuses) == set(AccountStatus)
    renewals = [a.renewal_date for a in accounts if a.renewal_date]
    assert any(r < TODAY for r in renewals)
    assert any(TODAY <= r < TODAY + timedelta(days=90) for r in renewals)
    assert max(renewals) <= TODAY + timedelta(days=366)
    am = await User.get(email=ACCOUNT_MANAGER_EMAIL)
    mine = [a for a in accounts if a.owner_id == am.pk]
    assert len(mine) >= 5 and any(a.status == AccountStatus.AT_RISK for a in mine)

    domains = [client.domain or "" for client in await Client.all()]
    assert all(d.endswith(".example") for d in domains)
    primaries = Counter(c.client_id for c in await Contact.filter(is_primary=True))
    assert len(primaries) == len(domains) and set(primaries.values()) == {1}

    leads = await Lead.all()
    assert set(Counter(lead.status for lead in leads)) == set(LeadStatus)
    for lead in leads:
        if lead.status == LeadStatus.CONVERTED:
            assert lead.converted_client_id and lead.converted_account_id
            assert lead.converted_contact_id and lead.converted_at
    follow_ups = [lead.next_follow_up_at for lead in leads if lead.owner_id == am.pk]
    assert any(f and f < ANCHOR for f in follow_ups)
    assert any(f and f > ANCHOR for f in follow_ups)


async def test_activities_cover_two_years_and_the_days_ahead(seeded: DemoSummary):
    now = datetime.now(UTC)
    activities = await Activity.all()
    assert len(activities) >= 3000
    assert set(Counter(a.kind for a in activities)) == set(ActivityKind)
    assert min(a.occurred_at for a in activities) >= ANCHOR - timedelta(days=730)
    deals = {d.pk: d for d in await Opportunity.all()}
    accounts = {a.pk: a for a in await Account.all()}
    for a in activities:
        assert a.opportunity_id or a.account_id or a.client_id or a.contact_id or a.lead_id
        assert (a.due_at is not None) == (a.kind == ActivityKind.TASK)
        assert a.completed_at is None or a.occurred_at <= a.completed_at <= now
        assert a.kind == ActivityKind.MEETING or a.occurred_at < now
        if a.opportunity_id:
            assert a.account_id == deals[a.opportunity_id].account_id
        if a.account_id:
            assert a.client_id == accounts[a.account_id].client_id
    am = await User.get(email=ACCOUNT_MANAGER_EMAIL)
    tasks = [a for a in activities if a.kind == ActivityKind.TASK]
    mine = [t.due_at for t in tasks if t.owner_id == am.pk and t.completed_at is None]
    assert any(due and due < now for due in mine)  # overdue
    assert any(due and now < due < now + timedelta(days=14) for due in mine)  # due soon
    assert any(t.completed_at for t in tasks)


async def test_the_same_seed_gives_the_same_data(seeded: DemoSummary):
    before = await digest()
    await empty_all_tables()
    assert await database_is_empty()
    again = await seed_demo(seed=42, today=TODAY)
    assert again.counts() == seeded.counts()
    assert await digest() == before


async def test_demo_users_have_emails_the_api_accepts(seeded):
    from models import User
    from services.validation import email

    for address in await User.all().values_list("email", flat=True):
        assert email(address) == address


async def test_the_printed_demo_logins_and_key_work(seeded: DemoSummary):
    from services import auth

    # Seed afresh: the key printed by this seeding is the one that must work.
    await empty_all_tables()
    seeded = await seed_demo(today=TODAY)
    assert seeded.team_member_email in seeded.describe()
    for email in (seeded.admin_email, seeded.account_manager_email, seeded.team_member_email):
        session = await auth.login(email=email, password=seeded.password, address="127.0.0.1")
        assert session.user.email == email
    principal = await auth.authenticate(seeded.admin_api_key)
    assert (principal.user.email, principal.scopes) == (seeded.admin_email, auth.ALL_SCOPES)
    assert seeded.password in seeded.describe() and seeded.admin_api_key in seeded.describe()


async def test_plans_and_requests_have_something_to_show_for_every_question(seeded: DemoSummary):
    from demo.plans_and_requests import quarter_of
    from demo.seeder import TEAM_MEMBER_EMAIL
    from models.enums import (
        AccountStatus,
        PlanStatus,
        RequestStatus,
        SatisfactionKind,
        TargetMetric,
    )

    # Requests in every status; the demo team member's queue has overdue work.
    requests = await CoordinationRequest.all()
    assert {r.status for r in requests} == set(RequestStatus)
    lena = await User.get(email=TEAM_MEMBER_EMAIL)
    assert lena.role == Role.TEAM_MEMBER
    queue = [
        r
        for r in requests
        if r.team_id == lena.team_id and r.status in (RequestStatus.OPEN, RequestStatus.IN_PROGRESS)
    ]
    assert any(r.due_date and r.due_date < TODAY for r in queue)
    teams = {t.pk: t for t in await Team.all()}
    assert {teams[r.team_id].kind for r in requests} == set(TeamKind) - {
        TeamKind.SALES,
        TeamKind.OTHER,
    }
    for r in requests:
        assert (r.resolved_at is not None) == (
            r.status in (RequestStatus.DONE, RequestStatus.DECLINED)
        )

    # Plans in every status; objectives link only deals of the plan's own account.
    assert {p.status for p in await AccountPlan.all()} == set(PlanStatus)
    plans = {p.pk: p for p in await AccountPlan.all()}
    objectives = {o.pk: o for o in await PlanObjective.all()}
    deals = {d.pk: d for d in await Opportunity.all()}
    links = await PlanObjectiveOpportunity.all()
    assert len(links) > len(objectives) // 2
    for link in links:
        plan = plans[objectives[link.objective_id].plan_id]
        assert deals[link.opportunity_id].account_id == plan.account_id

    # NPS falls on accounts at risk: the latest answer is below the first one.
    at_risk = {a.pk for a in await Account.filter(status=AccountStatus.AT_RISK)}
    nps: dict[int, list[int]] = defaultdict(list)
    for answer in await SatisfactionResponse.filter(kind=SatisfactionKind.NPS).order_by(
        "received_at"
    ):
        assert 0 <= answer.score <= 10
        nps[answer.account_id].append(answer.score)
    falling = [a for a in at_risk if len(nps[a]) >= 3 and nps[a][-1] < nps[a][0]]
    assert len(falling) >= len([a for a in at_risk if len(nps[a]) >= 3]) // 2 > 0
    assert all(1 <= a.score <= 5 for a in await SatisfactionResponse.filter(kind="CSAT"))

    # Every account manager has revenue, deal and activity targets this quarter, and a
    # revenue target for the year, in the base currency.
    quarter = quarter_of(TODAY)
    managers = await User.filter(role=Role.ACCOUNT_MANAGER)
    targets = await Target.all()
    for manager in managers:
        mine = {(t.period_start, t.metric, t.currency) for t in targets if t.user_id == manager.pk}
        assert mine == {
            (quarter[0], TargetMetric.REVENUE_WON, "USD"),
            (quarter[0], TargetMetric.DEALS_WON, None),
            (quarter[0], TargetMetric.ACTIVITIES_COMPLETED, None),
            (TODAY.replace(month=1, day=1), TargetMetric.REVENUE_WON, "USD"),
        }
    assert len([t for t in targets if t.team_id is not None]) == 4
    assert await Opportunity.filter(forecast_commit=True).count() > 0
