"""The demo data set: a realistic, deterministic account-management back office.

``seed_demo`` fills an empty, migrated database with teams and users, the standard
pipelines, products, competitors, clients with contacts and accounts, a few hundred deals
with their full stage history, leads and a few thousand activities, so that every query of
the API has something meaningful to show.

Everything comes from ``random.Random(seed)`` and every date is computed from one anchor,
today at 00:00 UTC: the same seed on the same day gives the same rows, and on any day the data
looks current (renewals coming up, tasks due this week, deals closing next month). Nothing
generated is later than the anchor except what is meant to lie ahead (close dates, renewals,
due dates, scheduled meetings).

The bulk of the rows is written with ``bulk_create`` in one transaction, so they have no audit
entries or outbox events. A few leads are then converted through ``services.leads.convert_lead``,
which records its changes the ordinary way (audit log and events included). Account plans,
satisfaction responses, coordination requests and targets come last, from
``demo.plans_and_requests``. The names, companies and words the rows are made of are in
``demo.vocabulary``.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from tortoise.transactions import in_transaction

from demo.plans_and_requests import count_plans_and_requests, seed_plans_and_requests
from demo.rows import CENT, insert_with_keys
from demo.vocabulary import (
    ACCOUNT_SUBJECTS,
    ACCOUNT_SUFFIXES,
    ADD_ONS,
    BODIES,
    COMPETITOR_NOTES,
    COMPETITORS,
    CONTACT_SUBJECTS,
    COUNTRIES,
    CURRENCY_OF,
    DEAL_SUBJECTS,
    DEPARTMENTS,
    DISQUALIFY_REASONS,
    EXPANSION,
    EXPANSION_ITEMS,
    FIRST_NAMES,
    FX,
    INDUSTRIES,
    LAST_NAMES,
    LEAD_SUBJECTS,
    LOST_REASONS,
    NEW_BUSINESS,
    NEXT_STEPS,
    OUTCOMES,
    PHONE_AREAS,
    PIPELINE_TYPES,
    PREFIXES,
    PRODUCTS,
    RENEWAL,
    RISK_NOTES,
    SERVICES,
    SIZE_BANDS,
    TAGS,
    TASK_OUTCOMES,
    TEAMS,
    TITLES,
    USERS,
)
from models import (
    Account,
    AccountTeamMember,
    Activity,
    Client,
    Competitor,
    Contact,
    Lead,
    Opportunity,
    OpportunityCompetitor,
    OpportunityLineItem,
    OpportunityStageChange,
    Pipeline,
    Product,
    Stage,
    Team,
    User,
)
from models.enums import (
    AccountStatus,
    AccountTier,
    ActivityKind,
    BuyingRole,
    ClientStatus,
    CompetitorStatus,
    LeadSource,
    LeadStatus,
    Role,
    SizeBand,
    StageCategory,
    TeamKind,
)
from services import clock
from services.auth import ALL_SCOPES, create_api_key, hash_password
from services.leads import convert_lead
from services.pipelines import ensure_default_pipelines

DEMO_DOMAIN = "demo.accountgraph.example"
# The demo users' password; the demo is for trying the API, never for production data.
DEMO_PASSWORD = "try-accountgraph"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
ACCOUNT_MANAGER_EMAIL = f"am@{DEMO_DOMAIN}"
# A member of the Delivery team, to see what internal teams see: their coordination queue.
TEAM_MEMBER_EMAIL = f"lena.fischer@{DEMO_DOMAIN}"

CLIENTS = 40
ACCOUNTS = 60
OPPORTUNITIES = 400
HISTORY_DAYS = 730  # stage histories and activities reach back two years

OPEN, WON, LOST = StageCategory.OPEN, StageCategory.WON, StageCategory.LOST
CALL, EMAIL, MEETING, NOTE, TASK = (
    ActivityKind.CALL,
    ActivityKind.EMAIL,
    ActivityKind.MEETING,
    ActivityKind.NOTE,
    ActivityKind.TASK,
)

T = TypeVar("T")


@dataclass(frozen=True)
class DemoSummary:
    """What ``seed_demo`` created, and whom to sign in as."""

    teams: int
    users: int
    products: int
    competitors: int
    clients: int
    contacts: int
    accounts: int
    account_team_members: int
    leads: int
    converted_leads: int
    opportunities: int
    stage_changes: int
    line_items: int
    opportunity_competitors: int
    activities: int
    tasks: int
    account_plans: int
    plan_objectives: int
    plan_actions: int
    satisfaction_responses: int
    coordination_requests: int
    coordination_comments: int
    targets: int
    admin_email: str = ADMIN_EMAIL
    account_manager_email: str = ACCOUNT_MANAGER_EMAIL
    team_member_email: str = TEAM_MEMBER_EMAIL
    password: str = DEMO_PASSWORD
    admin_api_key: str = ""

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if isinstance(v, int)}

    def describe(self) -> str:
        width = max(len(name) for name in self.counts())
        lines = ["Demo data loaded:"]
        lines += [
            f"  {name.replace('_', ' '):<{width}}  {count:>6,}"
            for name, count in self.counts().items()
        ]
        lines.append("Sign in (login mutation) as any of these, with the password below:")
        lines.append(f"  administrator:   {self.admin_email}")
        lines.append(f"  account manager: {self.account_manager_email}")
        lines.append(f"  team member:     {self.team_member_email}")
        lines.append(f"  password:        {self.password}")
        if self.admin_api_key:
            lines.append("Or send this administrator API key as 'Authorization: Bearer <key>':")
            lines.append(f"  {self.admin_api_key}")
        return "\n".join(lines)


async def database_is_empty() -> bool:
    """True when nobody uses this database yet (it has no users)."""
    return not await User.exists()


async def seed_demo(*, seed: int = 42, today: date | None = None) -> DemoSummary:
    """Fill an empty, migrated database with the demo data set.

    ``today`` (default: the current UTC date) is the day the data is built around; the same
    ``seed`` and ``today`` always give the same data.
    """
    if not await database_is_empty():
        raise RuntimeError("the database already has users; demo data goes into an empty one")
    await ensure_default_pipelines()
    seeder = _Seeder(seed, today or clock.today())
    await seeder.load_reference_data()
    async with in_transaction():
        await seeder.write_bulk()
    await seeder.convert_leads()
    async with in_transaction():
        await seed_plans_and_requests(seed=seed, today=seeder.today)
    return replace(await seeder.summary(), admin_api_key=await _demo_credentials())


async def _demo_credentials() -> str:
    """Give the demo administrator, account manager and team member the demo password, and the
    administrator an API key; returns the key (shown once)."""
    password_hash = hash_password(DEMO_PASSWORD)
    await User.filter(email__in=[ADMIN_EMAIL, ACCOUNT_MANAGER_EMAIL, TEAM_MEMBER_EMAIL]).update(
        password_hash=password_hash
    )
    admin = await User.get(email=ADMIN_EMAIL)
    _, key = await create_api_key(
        user_id=admin.pk, name="Demo administrator key", scopes=ALL_SCOPES
    )
    return key


# --------------------------------------------------------------------------------------------
# Building blocks


# A line of an order: product, quantity, unit price, discount %.
OrderLine = tuple[Product, Decimal, Decimal, Decimal]


def _money(value: Decimal | float | int | str) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def _rounded(value: float, step: int) -> Decimal:
    return _money(max(step, round(value / step) * step))


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


@dataclass
class _Pipe:
    pipeline: Pipeline
    open: list[Stage]
    won: Stage
    lost: Stage

    @property
    def name(self) -> str:
        return self.pipeline.name

    @property
    def stages(self) -> list[Stage]:
        return [*self.open, self.won, self.lost]


@dataclass
class _AccountPlan:
    account: Account
    client: Client
    contacts: list[Contact]
    start_days: int  # days before the anchor the relationship began
    end_days: int = 1  # the last day of activity (later for churned accounts)
    team: list[User] = field(default_factory=list)
    has_open_renewal: bool = False


@dataclass
class _Deal:
    opportunity: Opportunity
    plan: _AccountPlan
    pipe: _Pipe
    path: list[Stage]  # the stages it entered, in order; the last is the current one
    times: list[datetime]  # when it entered each
    items: list[tuple[Product, Decimal, Decimal, Decimal]]
    rivals: list[tuple[Competitor, CompetitorStatus, str | None]] = field(default_factory=list)
    stale: bool = False  # open, and nothing has happened since it entered its stage


class _Seeder:
    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.anchor = datetime.combine(today, time(), tzinfo=UTC)
        self.latest = self.anchor - timedelta(minutes=1)  # the last moment "in the past"
        self.teams: list[Team] = []
        self.users: list[User] = []
        self.by_key: dict[str, User] = {}
        self.products: list[Product] = []
        self.product_by_sku: dict[str, Product] = {}
        self.competitors: list[Competitor] = []
        self.clients: list[Client] = []
        self.contacts: list[Contact] = []
        self.accounts: list[_AccountPlan] = []
        self.team_members: list[AccountTeamMember] = []
        self.deals: list[_Deal] = []
        self.stage_changes: list[OpportunityStageChange] = []
        self.line_items: list[OpportunityLineItem] = []
        self.deal_competitors: list[OpportunityCompetitor] = []
        self.leads: list[Lead] = []
        self.to_convert: list[tuple[Lead, Client | None, bool]] = []
        self.activities: list[Activity] = []

    # ---- time ------------------------------------------------------------------------------

    def day_at(self, days_ago: int) -> datetime:
        """A moment in working hours ``days_ago`` days before today (negative: ahead)."""
        return self.anchor + timedelta(
            days=-days_ago,
            hours=self.rng.randint(8, 17),
            minutes=self.rng.randint(0, 59),
            seconds=self.rng.randint(0, 59),
        )

    def between(self, start: datetime, end: datetime) -> datetime:
        """A moment from ``start`` to ``end``, in working hours when the span allows it."""
        seconds = int((end - start).total_seconds())
        moment = start + timedelta(seconds=self.rng.randint(0, max(seconds, 0)))
        working = moment.replace(hour=self.rng.randint(8, 17))
        return working if start <= working <= end else moment

    def days_ago(self, moment: datetime) -> int:
        return (self.anchor - moment).days

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def pick(self, weighted: Sequence[tuple[T, int]]) -> T:
        return self.rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]

    # ---- reference data --------------------------------------------------------------------

    async def load_reference_data(self) -> None:
        self.pipes: dict[str, _Pipe] = {}
        for name in PIPELINE_TYPES:
            pipeline = await Pipeline.get(name=name)
            stages = await Stage.filter(pipeline_id=pipeline.pk).order_by("position")
            self.pipes[name] = _Pipe(
                pipeline,
                [s for s in stages if s.category == OPEN],
                next(s for s in stages if s.category == WON),
                next(s for s in stages if s.category == LOST),
            )

    # ---- the bulk of it --------------------------------------------------------------------

    async def write_bulk(self) -> None:
        await self.make_people()
        await self.make_catalogue()
        await self.make_clients()
        await self.make_accounts()
        await self.make_deals()
        await self.make_leads()
        self.make_activities()
        await insert_with_keys(Activity, self.activities)

    async def make_people(self) -> None:
        founded = self.anchor - timedelta(days=1000)
        self.teams = [Team(name=name, kind=kind, created_at=founded) for name, kind in TEAMS]
        await insert_with_keys(Team, self.teams)
        team_by_name = {team.name: team for team in self.teams}
        for phase in (False, True):  # managers first, so reports can point at them
            batch = []
            for name, key, role, team, manager, active in USERS:
                if (manager is not None) != phase:
                    continue
                user = User(
                    email=f"{key}@{DEMO_DOMAIN}",
                    name=name,
                    role=role,
                    team_id=team_by_name[team].pk if team else None,
                    manager_id=self.by_key[manager].pk if manager else None,
                    is_active=active,
                    created_at=founded + timedelta(days=len(self.by_key) * 9),
                )
                self.by_key[key] = user
                batch.append(user)
            await insert_with_keys(User, batch)
        self.users = [self.by_key[key] for _, key, *_ in USERS]
        self.am = self.by_key["am"]
        self.sales_teams = {
            team.pk: [
                u
                for u in self.users
                if u.team_id == team.pk and u.role in (Role.ACCOUNT_MANAGER, Role.SALES_MANAGER)
            ]
            for team in self.teams
            if team.kind == TeamKind.SALES
        }
        self.account_managers = [u for u in self.users if u.role == Role.ACCOUNT_MANAGER]
        self.specialists = {
            team.kind: [u for u in self.users if u.team_id == team.pk and u.is_active]
            for team in self.teams
            if team.kind != TeamKind.SALES
        }

    async def make_catalogue(self) -> None:
        launched = self.anchor - timedelta(days=950)
        self.products = [
            Product(
                sku=sku,
                name=name,
                category=category,
                list_price=_money(price),
                currency="USD",
                is_active=active,
                created_at=launched,
            )
            for sku, name, category, price, active in PRODUCTS
        ]
        await insert_with_keys(Product, self.products)
        self.product_by_sku = {p.sku: p for p in self.products}
        self.competitors = [
            Competitor(
                name=name,
                website=site,
                strengths=strengths,
                weaknesses=weaknesses,
                created_at=launched,
            )
            for name, site, strengths, weaknesses in COMPETITORS
        ]
        await insert_with_keys(Competitor, self.competitors)

    # ---- clients, contacts, accounts -------------------------------------------------------

    def person(self, used: set[str]) -> tuple[str, str]:
        while True:
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            if f"{first} {last}" not in used:
                used.add(f"{first} {last}")
                return first, last

    def phone(self, country: str | None) -> str | None:
        if country in ("US", "CA"):
            return f"+1 {self.rng.choice(PHONE_AREAS)} 555 01{self.rng.randint(0, 99):02d}"
        if country == "GB":
            return f"+44 20 7946 0{self.rng.randint(0, 999):03d}"
        return None

    async def make_clients(self) -> None:
        rng = self.rng
        statuses = (
            [ClientStatus.CHURNED] * 4
            + [ClientStatus.PROSPECT] * 6
            + [ClientStatus.ACTIVE] * (CLIENTS - 10)
        )
        rng.shuffle(statuses)
        countries = [country for country, count in COUNTRIES for _ in range(count)]
        rng.shuffle(countries)
        self.used_names: set[str] = set()
        for prefix, status, country in zip(
            rng.sample(PREFIXES, CLIENTS), statuses, countries, strict=True
        ):
            industry = rng.choice(list(INDUSTRIES))
            name = f"{prefix} {rng.choice(INDUSTRIES[industry])}"
            self.used_names.add(name)
            started = (
                rng.randint(45, 200)
                if status == ClientStatus.PROSPECT
                else rng.randint(300, HISTORY_DAYS - 10)
            )
            self.clients.append(
                Client(
                    name=name,
                    domain=f"{_slug(name)}.example",
                    industry=industry,
                    size_band=self.pick(SIZE_BANDS),
                    country=country,
                    status=status,
                    tags=sorted(rng.sample(TAGS, rng.choice([0, 1, 1, 2, 2, 3]))),
                    created_at=self.day_at(started + rng.randint(5, 30)),
                )
            )
        await insert_with_keys(Client, self.clients)
        by_client: dict[int, list[Contact]] = {}
        for client in self.clients:
            big = client.size_band in (SizeBand.ENTERPRISE, SizeBand.LARGE)
            count = rng.randint(3, 4) if big else rng.randint(2, 3)
            others = [BuyingRole.INFLUENCER, BuyingRole.USER, BuyingRole.BLOCKER]
            roles = [BuyingRole.DECISION_MAKER, BuyingRole.CHAMPION, *rng.sample(others, count - 2)]
            used: set[str] = set()
            for index, role in enumerate(roles):
                first, last = self.person(used)
                contact = Contact(
                    client_id=client.pk,
                    name=f"{first} {last}",
                    title=rng.choice(TITLES[role]),
                    email=f"{first}.{_slug(last)}@{client.domain}".lower(),
                    phone=self.phone(client.country),
                    buying_role=role,
                    is_primary=index == 0,
                    created_at=client.created_at + timedelta(days=index * 3),
                )
                self.contacts.append(contact)
                by_client.setdefault(client.pk, []).append(contact)
        await insert_with_keys(Contact, self.contacts)
        self.client_contacts = by_client

    def tier_for(self, client: Client) -> AccountTier:
        weights = {
            SizeBand.ENTERPRISE: [(AccountTier.STRATEGIC, 6), (AccountTier.KEY, 4)],
            SizeBand.LARGE: [
                (AccountTier.STRATEGIC, 1),
                (AccountTier.KEY, 7),
                (AccountTier.STANDARD, 2),
            ],
            SizeBand.MEDIUM: [(AccountTier.KEY, 3), (AccountTier.STANDARD, 7)],
        }
        return self.pick(weights.get(client.size_band, [(AccountTier.STANDARD, 1)]))

    async def make_accounts(self) -> None:
        rng = self.rng
        doubles = set(rng.sample(range(CLIENTS), ACCOUNTS - CLIENTS))
        # Managers own a few accounts themselves; account managers own the rest.
        rotations = []
        for sales_team in self.teams[:2]:
            members = self.sales_teams[sales_team.pk]
            managers = [u for u in members if u.role == Role.SALES_MANAGER]
            managed = [u for u in members if u.role == Role.ACCOUNT_MANAGER]
            rotations.append(managed * 2 + managers)
        enterprise, commercial = rotations
        turn = {id(enterprise): 0, id(commercial): 0}
        for index, client in enumerate(self.clients):
            suffixes = rng.sample(ACCOUNT_SUFFIXES, 2)
            for number in range(2 if index in doubles else 1):
                tier = self.tier_for(client)
                team = commercial if tier == AccountTier.STANDARD else enterprise
                owner = team[turn[id(team)] % len(team)]
                turn[id(team)] += 1
                status, start, end, arr, renewal = self.account_terms(client, tier, number)
                name = client.name if number == 0 else f"{client.name} {suffixes[number - 1]}"
                account = Account(
                    client_id=client.pk,
                    name=name,
                    owner_id=owner.pk,
                    tier=tier,
                    status=status,
                    annual_recurring_value=arr,
                    currency=CURRENCY_OF.get(client.country or "", "USD"),
                    renewal_date=renewal,
                    created_at=max(self.day_at(start + rng.randint(1, 5)), client.created_at),
                )
                plan = _AccountPlan(account, client, self.client_contacts[client.pk], start, end)
                self.accounts.append(plan)
        self.feature_the_demo_account_manager()
        await insert_with_keys(Account, [plan.account for plan in self.accounts])
        self.make_account_teams()
        await insert_with_keys(AccountTeamMember, self.team_members)

    def account_terms(
        self, client: Client, tier: AccountTier, number: int
    ) -> tuple[AccountStatus, int, int, Decimal, date | None]:
        """Status, start (days ago), last active day (days ago), ARR and renewal date."""
        rng = self.rng
        base = {
            AccountTier.STRATEGIC: (250_000, 1_200_000),
            AccountTier.KEY: (80_000, 300_000),
            AccountTier.STANDARD: (12_000, 90_000),
        }[tier]
        arr = _rounded(rng.uniform(*base), 500)
        started = self.days_ago(client.created_at) - rng.randint(3, 20)
        if client.status == ClientStatus.PROSPECT:
            return AccountStatus.ONBOARDING, started, 1, _money(0), None
        if client.status == ClientStatus.CHURNED:
            churned = rng.randint(40, min(300, started - 120))
            return (
                AccountStatus.CHURNED,
                started,
                churned,
                _money(0),
                self.today - timedelta(days=churned),
            )
        status = self.pick(
            [(AccountStatus.ACTIVE, 80), (AccountStatus.AT_RISK, 20)]
            if number == 0
            else [
                (AccountStatus.ACTIVE, 55),
                (AccountStatus.AT_RISK, 15),
                (AccountStatus.ONBOARDING, 15),
            ]
        )
        if status == AccountStatus.ONBOARDING:
            started = rng.randint(60, 200)
            return status, started, 1, arr, self.today + timedelta(days=365 - started)
        renewal = self.today + timedelta(
            days=self.pick(
                [(rng.randint(-45, -1), 1), (rng.randint(0, 90), 3), (rng.randint(91, 365), 6)]
            )
        )
        return status, started, 1, arr, renewal

    def feature_the_demo_account_manager(self) -> None:
        """The demo account manager's portfolio shows every kind of attention an account needs."""
        mine = [p for p in self.accounts if p.account.owner_id == self.am.pk]
        live = [
            p for p in mine if p.account.status in (AccountStatus.ACTIVE, AccountStatus.AT_RISK)
        ]
        if live and not any(p.account.status == AccountStatus.AT_RISK for p in live):
            live[-1].account.status = AccountStatus.AT_RISK
        soon = self.today + timedelta(days=90)
        if live and not any(self.today <= (p.account.renewal_date or soon) < soon for p in live):
            live[0].account.renewal_date = self.today + timedelta(days=self.rng.randint(20, 80))

    def make_account_teams(self) -> None:
        rng = self.rng
        for plan in self.accounts:
            account = plan.account
            owner = next(u for u in self.users if u.pk == account.owner_id)
            colleagues = [
                u
                for u in self.sales_teams[owner.team_id]
                if u.pk != owner.pk and u.role == Role.ACCOUNT_MANAGER
            ]
            candidates: list[tuple[User, str]] = [
                (rng.choice(self.specialists[TeamKind.DELIVERY]), "Delivery lead"),
                (rng.choice(self.specialists[TeamKind.SUPPORT]), "Support lead"),
                (rng.choice(colleagues), "Backup account manager"),
            ]
            count = {AccountTier.STRATEGIC: 3, AccountTier.KEY: 2}.get(account.tier, 1)
            chosen = rng.sample(candidates, count)
            if account.tier == AccountTier.STRATEGIC:
                manager = next((u for u in self.users if u.pk == owner.manager_id), None)
                if manager is not None:
                    chosen.append((manager, "Executive sponsor"))
                chosen.append((self.specialists[TeamKind.LEGAL][0], "Legal counsel"))
            if rng.random() < 0.15:
                chosen.append((self.specialists[TeamKind.FINANCE][0], "Billing contact"))
            seen: set[int] = set()
            for user, role in chosen:
                if user.pk in seen:
                    continue
                seen.add(user.pk)
                plan.team.append(user)
                self.team_members.append(
                    AccountTeamMember(
                        account_id=account.pk,
                        user_id=user.pk,
                        role=role,
                        created_at=account.created_at,
                    )
                )

    # ---- opportunities ---------------------------------------------------------------------

    async def make_deals(self) -> None:
        rng = self.rng
        for plan in self.accounts:  # every customer account began with a won deal
            if plan.client.status == ClientStatus.PROSPECT:
                continue
            self.plan_deal(
                plan, self.pipes[NEW_BUSINESS], self.pipes[NEW_BUSINESS].won, origin=True
            )
            if plan.account.status == AccountStatus.CHURNED:
                self.plan_deal(plan, self.pipes[RENEWAL], self.pipes[RENEWAL].lost, churn=True)
        targets = [(pipe, stage) for pipe in self.pipes.values() for stage in pipe.stages]
        while len(self.deals) + len(targets) < OPPORTUNITIES:
            pipe = self.pipes[self.pick([(NEW_BUSINESS, 45), (EXPANSION, 30), (RENEWAL, 25)])]
            category = self.pick([(OPEN, 38), (WON, 37), (LOST, 25)])
            if category == OPEN:
                count = len(pipe.open)
                stage = self.pick([(s, 2 * count - i) for i, s in enumerate(pipe.open)])
            else:
                stage = pipe.won if category == WON else pipe.lost
            targets.append((pipe, stage))
        rng.shuffle(targets)
        for pipe, stage in targets:
            self.plan_deal(self.account_for(pipe, stage), pipe, stage)
        await insert_with_keys(Opportunity, [deal.opportunity for deal in self.deals])
        for deal in self.deals:
            self.write_history(deal)
            self.write_details(deal)
        await insert_with_keys(OpportunityStageChange, self.stage_changes)
        await insert_with_keys(OpportunityLineItem, self.line_items)
        await insert_with_keys(OpportunityCompetitor, self.deal_competitors)

    def account_for(self, pipe: _Pipe, stage: Stage) -> _AccountPlan:
        weight = {AccountTier.STRATEGIC: 5, AccountTier.KEY: 3, AccountTier.STANDARD: 1}
        if pipe.name == NEW_BUSINESS:
            eligible = [
                (p, weight[p.account.tier] * (4 if p.client.status == ClientStatus.PROSPECT else 1))
                for p in self.accounts
                if p.account.status != AccountStatus.CHURNED
            ]
        else:
            statuses = [AccountStatus.ACTIVE, AccountStatus.AT_RISK]
            if pipe.name == EXPANSION:
                statuses.append(AccountStatus.ONBOARDING)
            eligible = [
                (p, weight[p.account.tier])
                for p in self.accounts
                if p.account.status in statuses and p.client.status == ClientStatus.ACTIVE
            ]
        plan = self.pick(eligible)
        if pipe.name == RENEWAL and stage.category == OPEN:
            for _ in range(20):  # one open renewal per account where possible
                if not plan.has_open_renewal:
                    break
                plan = self.pick(eligible)
            plan.has_open_renewal = True
        return plan

    def path_to(self, pipe: _Pipe, target: Stage) -> list[Stage]:
        """The stages a deal passed through on its way to ``target``, always forward."""
        rng, opens = self.rng, pipe.open
        if target.category == OPEN:
            last = opens.index(target)
        elif target.category == WON:
            last = len(opens) - 1 if rng.random() < 0.85 else max(0, len(opens) - 2)
        else:
            last = rng.randint(0, len(opens) - 1)
        first = 0 if rng.random() < 0.75 else rng.randint(0, last)
        path = [
            s
            for i, s in enumerate(opens[first : last + 1], first)
            if i in (first, last) or rng.random() < 0.85
        ]
        return path if target.category == OPEN else [*path, target]

    def timeline(
        self, moves: int, last_days_ago: int, earliest_days_ago: int, gap: tuple[int, int]
    ) -> list[datetime]:
        """``moves`` moments on distinct days, the last ``last_days_ago`` days back, the first
        no earlier than ``earliest_days_ago`` days back."""
        gaps = [self.rng.randint(*gap) for _ in range(moves - 1)]
        room = earliest_days_ago - last_days_ago
        if sum(gaps) > room:
            total = sum(gaps)
            gaps = [max(1, g * room // total) for g in gaps]
            while sum(gaps) > room:
                gaps[gaps.index(max(gaps))] -= 1
        offsets = [last_days_ago]
        for g in reversed(gaps):
            offsets.append(offsets[-1] + g)
        return [self.day_at(offset) for offset in reversed(offsets)]

    def plan_deal(
        self,
        plan: _AccountPlan,
        pipe: _Pipe,
        target: Stage,
        *,
        origin: bool = False,
        churn: bool = False,
    ) -> None:
        rng = self.rng
        path = self.path_to(pipe, target)
        window = max(min(plan.start_days - 1, HISTORY_DAYS - 1), len(path) + 1)
        floor = plan.end_days  # nothing happens on a churned account after it churned
        if origin:  # the deal that made the client a customer, early in the relationship
            last = max(floor, plan.start_days - rng.randint(30, 120))
        elif churn:
            last = plan.end_days
        elif target.category == OPEN:
            stuck = self.pick(
                [(rng.randint(1, 20), 6), (rng.randint(21, 45), 3), (rng.randint(46, 120), 1)]
            )
            last = stuck
        elif pipe.name == RENEWAL and plan.account.renewal_date is not None:
            years = rng.randint(1, 2)  # an earlier year's renewal
            last = (self.today - plan.account.renewal_date).days + 365 * years
        else:
            last = rng.randint(floor, window)
        last = max(1, floor, min(last, window - len(path) + 1))
        gaps = {NEW_BUSINESS: (5, 40), EXPANSION: (4, 30), RENEWAL: (7, 45)}[pipe.name]
        times = self.timeline(len(path), last, window, gaps)
        opportunity, items = self.opportunity_for(plan, pipe, path, times)
        deal = _Deal(
            opportunity,
            plan,
            pipe,
            path,
            times,
            items,
            stale=target.category == OPEN and rng.random() < 0.25,
        )
        self.plan_rivals(deal)
        self.deals.append(deal)

    def opportunity_for(
        self, plan: _AccountPlan, pipe: _Pipe, path: list[Stage], times: list[datetime]
    ) -> tuple[Opportunity, list[OrderLine]]:
        rng = self.rng
        account, stage = plan.account, path[-1]
        currency = account.currency
        items = self.items_for(pipe.name, account.tier, currency)
        with_items = rng.random() < 0.65 and not (
            pipe.name == RENEWAL and account.annual_recurring_value > 0
        )
        if with_items:
            amount: Decimal | None = sum(
                (_money(q * p * (100 - d) / 100) for _, q, p, d in items), Decimal(0)
            )
        elif pipe.name == RENEWAL and account.annual_recurring_value > 0:
            amount = _rounded(float(account.annual_recurring_value) * rng.uniform(0.95, 1.12), 100)
        else:
            total = sum(float(q * p) for _, q, p, _ in items)
            amount = _rounded(total, 500)
        if stage == pipe.open[0] and pipe.name != RENEWAL and rng.random() < 0.3:
            amount, with_items = None, False  # too early to put a number on it
        probability = stage.probability
        if stage.category == OPEN and rng.random() < 0.12:
            probability = min(99, max(1, probability + rng.choice([-10, -5, 5, 10, 15])))
        closed_at = times[-1] if stage.category != OPEN else None
        close_date: date | None
        if closed_at is not None:
            close_date = (closed_at - timedelta(days=rng.randint(-10, 20))).date()
        elif pipe.name == RENEWAL and (plan.account.renewal_date or self.today) > self.today:
            close_date = plan.account.renewal_date
        else:
            progress = pipe.open.index(stage) / len(pipe.open)
            close_date = self.today + timedelta(days=rng.randint(7, 30 + int(150 * (1 - progress))))
        name = self.deal_name(pipe.name, account, items, close_date)
        opportunity = Opportunity(
            account_id=account.pk,
            name=name,
            owner_id=account.owner_id,
            pipeline_id=pipe.pipeline.pk,
            stage_id=stage.pk,
            amount=amount,
            currency=currency,
            probability=probability,
            expected_close_date=close_date,
            type=PIPELINE_TYPES[pipe.name],
            next_step=rng.choice(NEXT_STEPS) if stage.category == OPEN else None,
            lost_reason=None,
            closed_at=closed_at,
            stage_entered_at=times[-1],
            created_at=times[0],
        )
        if stage.category == LOST:
            opportunity.lost_reason = rng.choice(LOST_REASONS[pipe.name])
        return opportunity, items if with_items else []

    def items_for(self, pipeline: str, tier: AccountTier, currency: str) -> list[OrderLine]:
        """(product, quantity, unit price, discount %) lines of a plausible order."""
        rng, sku = self.rng, self.product_by_sku
        seats = {
            AccountTier.STRATEGIC: (200, 900),
            AccountTier.KEY: (80, 300),
            AccountTier.STANDARD: (10, 80),
        }[tier]
        platform = sku["AG-PLT-STD" if tier == AccountTier.STANDARD else "AG-PLT-ENT"]
        if pipeline == NEW_BUSINESS:
            lines = [(platform, rng.randint(*seats) // 5 * 5 or 5)]
            lines += [(sku[s], 1) for s in rng.sample(ADD_ONS + SERVICES, rng.randint(0, 2))]
        elif pipeline == EXPANSION:
            picks = rng.sample(EXPANSION_ITEMS, rng.randint(1, 2))
            lines = [(sku[s], rng.randint(2, 5) if s == "AG-SRV-TRN" else 1) for s in picks]
            if rng.random() < 0.5:
                lines.insert(0, (platform, rng.randint(2, 30) * 5))
        else:
            lines = [(platform, rng.randint(*seats) // 5 * 5 or 5)]
            if rng.random() < 0.5:
                lines.append((sku["AG-SUP-PREM"], 1))
        discount = self.pick(
            [
                (Decimal(0), 5),
                (Decimal(5), 2),
                (Decimal(10), 2),
                (Decimal("12.50"), 1),
                (Decimal(15), 1),
                (Decimal(20), 1),
            ]
        )
        return [
            (
                product,
                _money(quantity),
                _money(product.list_price * FX[currency]),
                _money(discount if product.category == "Platform" else 0),
            )
            for product, quantity in lines
        ]

    def deal_name(
        self, pipeline: str, account: Account, items: list[OrderLine], close_date: date | None
    ) -> str:
        rng = self.rng
        if pipeline == NEW_BUSINESS:
            return rng.choice(
                [
                    f"{account.name}: platform rollout",
                    f"{account.name}: {rng.choice(DEPARTMENTS)} team pilot",
                    f"{account.name}: {items[0][0].name.split(' (')[0]} deployment",
                ]
            )
        if pipeline == EXPANSION:
            product = items[-1][0].name.split(" (")[0]
            return rng.choice(
                [
                    f"{account.name}: {product} add-on",
                    f"{account.name}: {rng.choice(DEPARTMENTS)} expansion",
                    f"{account.name}: additional seats",
                ]
            )
        year = (close_date or self.today).year
        return f"{account.name}: renewal {year}"

    def write_history(self, deal: _Deal) -> None:
        opportunity, path = deal.opportunity, deal.path
        owner = opportunity.owner_id
        manager = next((u.manager_id for u in self.users if u.pk == owner), None) or owner
        amount = opportunity.amount
        first_amount = amount
        if amount is not None and self.rng.random() < 0.4:
            first_amount = _rounded(float(amount) * self.rng.uniform(0.7, 1.3), 500)
        previous: datetime | None = None
        for index, (stage, at) in enumerate(zip(path, deal.times, strict=True)):
            closing = stage.category != OPEN
            self.stage_changes.append(
                OpportunityStageChange(
                    opportunity_id=opportunity.pk,
                    from_stage_id=path[index - 1].pk if index else None,
                    to_stage_id=stage.pk,
                    changed_by_id=manager if closing and self.rng.random() < 0.2 else owner,
                    changed_at=at,
                    amount=first_amount if index == 0 else amount,
                    currency=opportunity.currency,
                    seconds_in_previous_stage=(
                        int((at - previous).total_seconds()) if previous else None
                    ),
                    event_id=self.uuid(),
                    created_at=at,
                )
            )
            previous = at

    def plan_rivals(self, deal: _Deal) -> None:
        """Competitors on some deals; a deal lost to one of them says so in its lost reason."""
        rng, stage = self.rng, deal.path[-1]
        if rng.random() >= (0.1 if deal.pipe.name == RENEWAL else 0.35):
            return
        for index, rival in enumerate(rng.sample(self.competitors, rng.randint(1, 2))):
            if stage.category == WON:
                status = CompetitorStatus.WON_AGAINST
            elif stage.category == LOST and index == 0:
                status = CompetitorStatus.LOST_TO
                deal.opportunity.lost_reason = f"Chose {rival.name}"
            elif stage.category == LOST:
                status = CompetitorStatus.ELIMINATED
            else:
                status = self.pick(
                    [
                        (CompetitorStatus.ACTIVE, 6),
                        (CompetitorStatus.PREFERRED, 2),
                        (CompetitorStatus.ELIMINATED, 2),
                    ]
                )
            deal.rivals.append((rival, status, rng.choice(COMPETITOR_NOTES)))

    def write_details(self, deal: _Deal) -> None:
        opportunity = deal.opportunity
        for product, quantity, price, discount in deal.items:
            self.line_items.append(
                OpportunityLineItem(
                    opportunity_id=opportunity.pk,
                    product_id=product.pk,
                    quantity=quantity,
                    unit_price=price,
                    discount_percent=discount,
                    created_at=deal.times[0],
                )
            )
        for rival, status, notes in deal.rivals:
            self.deal_competitors.append(
                OpportunityCompetitor(
                    opportunity_id=opportunity.pk,
                    competitor_id=rival.pk,
                    status=status,
                    notes=notes,
                    created_at=self.between(deal.times[0], deal.times[-1]),
                )
            )

    # ---- leads -----------------------------------------------------------------------------

    async def make_leads(self) -> None:
        rng = self.rng
        statuses = (
            [LeadStatus.NEW] * 9
            + [LeadStatus.CONTACTED] * 10
            + [LeadStatus.QUALIFIED] * 14
            + [LeadStatus.DISQUALIFIED] * 7
        )
        rng.shuffle(statuses)
        owners = [(u, 3 if u.pk == self.am.pk else 1) for u in self.account_managers]
        qualified = 0
        am_leads = 0
        for status in statuses:
            while True:
                industry = rng.choice(list(INDUSTRIES))
                company = f"{rng.choice(PREFIXES)} {rng.choice(INDUSTRIES[industry])}"
                if company not in self.used_names:
                    self.used_names.add(company)
                    break
            first, last = self.person(set())
            domain = f"{_slug(company)}.example"
            owner = None if status == LeadStatus.NEW and rng.random() < 0.35 else self.pick(owners)
            age = {
                LeadStatus.NEW: (1, 20),
                LeadStatus.CONTACTED: (5, 60),
                LeadStatus.QUALIFIED: (10, 120),
                LeadStatus.DISQUALIFIED: (20, 300),
            }[status]
            score = {
                LeadStatus.NEW: (5, 40),
                LeadStatus.CONTACTED: (20, 60),
                LeadStatus.QUALIFIED: (55, 95),
                LeadStatus.DISQUALIFIED: (0, 25),
            }[status]
            follow_up = None
            convert = status == LeadStatus.QUALIFIED and owner is not None and qualified < 5
            if status != LeadStatus.DISQUALIFIED and not convert:
                if owner is not None and owner.pk == self.am.pk and am_leads < 2:
                    offset = 2 if am_leads == 0 else -2  # one overdue, one coming up
                    am_leads += 1
                else:
                    offset = rng.randint(-14, 5)
                follow_up = self.day_at(offset)
            lead = Lead(
                person_name=f"{first} {last}",
                company_name=company,
                company_domain=domain if convert or rng.random() < 0.75 else None,
                email=f"{first}.{_slug(last)}@{domain}".lower() if rng.random() < 0.9 else None,
                phone=self.phone("US") if rng.random() < 0.6 else None,
                source=self.pick(
                    [
                        (LeadSource.WEBSITE, 6),
                        (LeadSource.REFERRAL, 3),
                        (LeadSource.EVENT, 3),
                        (LeadSource.OUTBOUND, 4),
                        (LeadSource.PARTNER, 2),
                        (LeadSource.INBOUND_CALL, 1),
                        (LeadSource.OTHER, 1),
                    ]
                ),
                status=status,
                owner_id=owner.pk if owner else None,
                score=rng.randint(*score),
                next_follow_up_at=follow_up,
                created_at=self.day_at(rng.randint(*age)),
            )
            self.leads.append(lead)
            if convert:
                qualified += 1
                existing = None
                if qualified == 1:  # a new business unit of an existing client
                    existing = next(c for c in self.clients if c.status == ClientStatus.ACTIVE)
                    lead.company_name, lead.company_domain = existing.name, existing.domain
                    lead.email = f"{first}.{_slug(last)}@{existing.domain}".lower()
                self.to_convert.append((lead, existing, qualified <= 3))
        await insert_with_keys(Lead, self.leads)

    async def convert_leads(self) -> None:
        """Convert a few qualified leads the way a user would, through the domain service."""
        for lead, existing, with_deal in self.to_convert:
            deal = None
            if with_deal:
                deal = {
                    "name": f"{lead.company_name}: platform pilot",
                    "amount": _rounded(self.rng.uniform(15_000, 80_000), 500),
                    "pipeline_id": self.pipes[NEW_BUSINESS].pipeline.pk,
                    "expected_close_date": self.today + timedelta(days=self.rng.randint(30, 90)),
                    "next_step": "Kick-off call with the champion",
                }
            await convert_lead(
                lead_id=lead.pk,
                actor_id=lead.owner_id,
                account_name=f"{existing.name} Innovation Lab" if existing else None,
                opportunity=deal,
            )

    # ---- activities ------------------------------------------------------------------------

    def activity(
        self,
        kind: ActivityKind,
        subject: str,
        at: datetime,
        owner: int | None,
        *,
        end: datetime | None = None,
        closed: bool = False,
        **links: Any,
    ) -> Activity:
        """One activity; a task gets a due date and, depending on it, a completion."""
        rng = self.rng
        end = end or self.latest
        due = completed = outcome = None
        if kind == TASK:
            due = at + timedelta(days=rng.randint(1, 10))
            if closed or (due < self.anchor and rng.random() < 0.85):
                completed = self.between(at, min(due + timedelta(days=2), end))
                outcome = rng.choice(TASK_OUTCOMES)
        elif kind in (CALL, MEETING) and at < self.anchor:
            outcome = rng.choice(OUTCOMES[kind])
        row = Activity(
            kind=kind,
            subject=subject[:300],
            body=rng.choice(BODIES[kind]) if kind in BODIES else None,
            occurred_at=at,
            due_at=due,
            completed_at=completed,
            outcome=outcome,
            owner_id=owner,
            created_at=at if at < self.anchor else self.day_at(rng.randint(1, 7)),
            **links,
        )
        self.activities.append(row)
        return row

    def kind(self) -> ActivityKind:
        return self.pick([(EMAIL, 30), (CALL, 25), (MEETING, 18), (NOTE, 12), (TASK, 15)])

    def make_activities(self) -> None:
        rng = self.rng
        managers = {u.pk: u for u in self.users}
        for deal in self.deals:
            opportunity, plan = deal.opportunity, deal.plan
            closed = opportunity.closed_at is not None
            start = deal.times[0]
            end = opportunity.closed_at or (deal.times[-1] if deal.stale else self.latest)
            end = min(end, self.quiet_since(plan))
            if end <= start:  # opened after the account went quiet: nobody has worked it
                continue
            span = max(1, (end - start).days)
            owner = managers[opportunity.owner_id]
            words = {
                "deal": opportunity.name.split(": ")[-1],
                "company": plan.client.name,
                "manager": managers.get(owner.manager_id or 0, owner).name,
            }
            for _ in range(min(16, max(2, span // 10 + rng.randint(1, 3)))):
                kind = self.kind()
                contact = rng.choice(plan.contacts)
                subject = rng.choice(DEAL_SUBJECTS[kind]).format(contact=contact.name, **words)
                self.activity(
                    kind,
                    subject,
                    self.between(start, end),
                    owner.pk,
                    end=end,
                    closed=closed,
                    opportunity_id=opportunity.pk,
                    account_id=plan.account.pk,
                    client_id=plan.client.pk,
                    contact_id=contact.pk if kind in (CALL, EMAIL, MEETING) else None,
                )
            if not closed and not deal.stale and not self.gone_quiet(plan) and rng.random() < 0.25:
                contact = rng.choice(plan.contacts)
                subject = rng.choice(DEAL_SUBJECTS[MEETING]).format(contact=contact.name, **words)
                self.activity(
                    MEETING,
                    subject,
                    self.day_at(-rng.randint(1, 14)),
                    owner.pk,
                    opportunity_id=opportunity.pk,
                    account_id=plan.account.pk,
                    client_id=plan.client.pk,
                    contact_id=contact.pk,
                )
        self.make_account_activities()
        self.make_contact_and_lead_activities()
        self.make_follow_up_tasks()

    def gone_quiet(self, plan: _AccountPlan) -> bool:
        return plan.account.status == AccountStatus.AT_RISK

    def quiet_since(self, plan: _AccountPlan) -> datetime:
        """When an account at risk went quiet: nobody has been in touch for eight to twelve
        weeks (derived from its id, so the random stream stays as it was)."""
        if not self.gone_quiet(plan):
            return self.latest
        return self.day_at(55 + plan.account.pk % 30)

    def make_account_activities(self) -> None:
        rng = self.rng
        for plan in self.accounts:
            account = plan.account
            start = account.created_at
            end = self.latest if plan.end_days <= 1 else self.day_at(plan.end_days)
            end = min(end, self.quiet_since(plan))
            if end <= start:
                continue
            count = {
                AccountTier.STRATEGIC: (18, 26),
                AccountTier.KEY: (12, 18),
                AccountTier.STANDARD: (6, 12),
            }[account.tier]
            people = [account.owner_id] * 3 + [u.pk for u in plan.team]
            churned = account.status == AccountStatus.CHURNED
            for _ in range(rng.randint(*count)):
                kind = self.kind()
                contact = rng.choice(plan.contacts)
                subject = rng.choice(ACCOUNT_SUBJECTS[kind]).format(
                    contact=contact.name, company=plan.client.name, pct=rng.randint(8, 35)
                )
                self.activity(
                    kind,
                    subject,
                    self.between(start, end),
                    rng.choice(people),
                    end=end,
                    closed=churned,
                    account_id=account.pk,
                    client_id=plan.client.pk,
                    contact_id=contact.pk if kind != NOTE else None,
                )
            if account.status == AccountStatus.AT_RISK:
                quiet = self.days_ago(self.quiet_since(plan))
                for days_ago in sorted(rng.sample(range(quiet, quiet + 43), 3), reverse=True):
                    subject = rng.choice(RISK_NOTES).format(
                        contact=plan.contacts[-1].name,
                        company=plan.client.name,
                        competitor=rng.choice(self.competitors).name,
                        pct=rng.randint(20, 45),
                    )
                    self.activity(
                        NOTE,
                        subject,
                        self.day_at(days_ago),
                        account.owner_id,
                        account_id=account.pk,
                        client_id=plan.client.pk,
                    )

    def make_contact_and_lead_activities(self) -> None:
        rng = self.rng
        owner_of: dict[int, int] = {}
        for plan in self.accounts:
            owner_of.setdefault(plan.client.pk, plan.account.owner_id)
        for contact in self.contacts:
            for _ in range(rng.randint(0, 2)):
                kind = rng.choice(list(CONTACT_SUBJECTS))
                subject = rng.choice(CONTACT_SUBJECTS[kind]).format(contact=contact.name)
                at = self.between(contact.created_at, self.latest)
                self.activity(
                    kind,
                    subject,
                    at,
                    owner_of.get(contact.client_id),
                    contact_id=contact.pk,
                    client_id=contact.client_id,
                )
        for lead in self.leads:
            words = {"person": lead.person_name, "company": lead.company_name}
            if lead.status == LeadStatus.NEW:
                if rng.random() < 0.6:
                    self.activity(
                        NOTE,
                        "Inbound enquiry from {person}".format(**words),
                        self.between(lead.created_at, self.latest),
                        lead.owner_id,
                        lead_id=lead.pk,
                    )
                continue
            for _ in range(rng.randint(1, 5)):
                kind = self.pick([(CALL, 3), (EMAIL, 4), (MEETING, 1), (NOTE, 1)])
                subject = rng.choice(LEAD_SUBJECTS[kind]).format(**words)
                self.activity(
                    kind,
                    subject,
                    self.between(lead.created_at, self.latest),
                    lead.owner_id,
                    lead_id=lead.pk,
                )
            if lead.status == LeadStatus.DISQUALIFIED:
                self.activity(
                    NOTE,
                    f"Disqualified: {rng.choice(DISQUALIFY_REASONS)}",
                    self.between(lead.created_at, self.latest),
                    lead.owner_id,
                    lead_id=lead.pk,
                )
            elif lead.next_follow_up_at is not None and lead.owner_id is not None:
                due = lead.next_follow_up_at
                set_at = min(
                    self.between(lead.created_at, min(due, self.latest)), due - timedelta(hours=1)
                )
                task = self.activity(
                    TASK,
                    "Follow up with {person}".format(**words),
                    set_at,
                    lead.owner_id,
                    lead_id=lead.pk,
                )
                task.due_at, task.completed_at, task.outcome = due, None, None

    def make_follow_up_tasks(self) -> None:
        """Every account manager has tasks overdue and tasks due this week or next."""
        rng = self.rng
        open_deals: dict[int, list[_Deal]] = {}
        for deal in self.deals:
            if deal.opportunity.closed_at is None and not self.gone_quiet(deal.plan):
                open_deals.setdefault(deal.opportunity.owner_id, []).append(deal)
        for user in [u for u in self.users if u.role in (Role.ACCOUNT_MANAGER, Role.SALES_MANAGER)]:
            deals = open_deals.get(user.pk, [])
            # negative: overdue by that many days; 0: due today; positive: due in that many
            for due_in in [
                -rng.randint(1, 6),
                -rng.randint(1, 3),
                0,
                rng.randint(1, 5),
                rng.randint(3, 12),
            ]:
                if not deals:
                    break
                deal = rng.choice(deals)
                contact = rng.choice(deal.plan.contacts)
                subject = rng.choice(DEAL_SUBJECTS[TASK]).format(
                    contact=contact.name,
                    deal=deal.opportunity.name.split(": ")[-1],
                    manager=user.name,
                )
                set_at = self.day_at(rng.randint(abs(min(due_in, 0)) + 2, 20))
                task = self.activity(
                    TASK,
                    subject,
                    set_at,
                    user.pk,
                    opportunity_id=deal.opportunity.pk,
                    account_id=deal.plan.account.pk,
                    client_id=deal.plan.client.pk,
                    contact_id=contact.pk,
                )
                task.due_at = self.day_at(-due_in)
                task.completed_at = task.outcome = None

    # ---- summary ---------------------------------------------------------------------------

    async def summary(self) -> DemoSummary:
        """Rows now in the database (it was empty: what the demo created)."""
        return DemoSummary(
            teams=await Team.all().count(),
            users=await User.all().count(),
            products=await Product.all().count(),
            competitors=await Competitor.all().count(),
            clients=await Client.all().count(),
            contacts=await Contact.all().count(),
            accounts=await Account.all().count(),
            account_team_members=await AccountTeamMember.all().count(),
            leads=await Lead.all().count(),
            converted_leads=await Lead.filter(status=LeadStatus.CONVERTED).count(),
            opportunities=await Opportunity.all().count(),
            stage_changes=await OpportunityStageChange.all().count(),
            line_items=await OpportunityLineItem.all().count(),
            opportunity_competitors=await OpportunityCompetitor.all().count(),
            activities=await Activity.all().count(),
            tasks=await Activity.filter(kind=TASK).count(),
            **asdict(await count_plans_and_requests()),
        )
