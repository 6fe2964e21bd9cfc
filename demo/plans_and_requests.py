"""Demo data for the account manager's day: plans, satisfaction, coordination requests, targets.

Seeded after the rest of the demo from its rows, with a random generator of its own (so the
rest of the demo stays exactly as it was): account plans with objectives linked to the
accounts' deals and actions; NPS and CSAT responses over two years, falling on accounts at
risk; requests to every internal team in every status, some overdue, with comments; targets
for every account manager and sales team for the current quarter and year, in the base
currency; and a forecast commitment on some of the likelier open deals.

Rows are bulk-inserted: like the rest of the demo, they have no audit entries or events.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from demo.rows import CENT, insert_with_keys
from demo.vocabulary import ACTIONS, COMMENTS_NPS, OBJECTIVES, REQUEST_COMMENTS, REQUESTS
from models import (
    Account,
    AccountPlan,
    Contact,
    CoordinationComment,
    CoordinationRequest,
    Opportunity,
    PlanAction,
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
    AccountTier,
    ObjectiveStatus,
    PlanStatus,
    RequestPriority,
    RequestStatus,
    Role,
    SatisfactionKind,
    StageCategory,
    TargetMetric,
    TeamKind,
)
from settings import get_settings


@dataclass(frozen=True)
class PlansAndRequestsCounts:
    account_plans: int
    plan_objectives: int
    plan_actions: int
    satisfaction_responses: int
    coordination_requests: int
    coordination_comments: int
    targets: int


def quarter_of(day: date) -> tuple[date, date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    following = date(day.year + (first_month == 10), (first_month + 3 - 1) % 12 + 1, 1)
    return start, following - timedelta(days=1)


class PlansAndRequestsSeeder:
    """Builds the rows from the seeded accounts, contacts, deals, users and teams."""

    def __init__(self, seed: int, today: date) -> None:
        # The generator's name predates this module's; it stays so that the data does too.
        self.rng = random.Random(f"account-work-{seed}")
        self.today = today
        self.anchor = datetime.combine(today, time(), tzinfo=UTC)

    def at(self, days_ago: int) -> datetime:
        """A moment in working hours ``days_ago`` days before today."""
        return self.anchor - timedelta(
            days=days_ago, hours=-self.rng.randint(8, 17), minutes=-self.rng.randint(0, 59)
        )

    def category(self, deal: Opportunity) -> StageCategory:
        """The category of the deal's stage."""
        return self.categories[deal.stage_id]

    async def seed(self) -> None:
        self.users = await User.all().order_by("id")
        self.teams = await Team.all().order_by("id")
        self.accounts = await Account.filter(archived_at=None).order_by("id")
        self.contacts: dict[int, list[Contact]] = {}
        for contact in await Contact.all().order_by("id"):
            self.contacts.setdefault(contact.client_id, []).append(contact)
        self.categories = {s.pk: s.category for s in await Stage.all()}
        self.deals: dict[int, list[Opportunity]] = {}
        for deal in await Opportunity.all().order_by("id"):
            self.deals.setdefault(deal.account_id, []).append(deal)
        self.members = {
            team.pk: [
                u
                for u in self.users
                if u.team_id == team.pk and u.is_active and u.role == Role.TEAM_MEMBER
            ]
            for team in self.teams
        }
        await self.make_targets()
        await self.make_plans()
        await self.make_satisfaction()
        await self.make_requests()
        await self.commit_likely_deals()

    def live(self) -> list[Account]:
        return [
            a
            for a in self.accounts
            if a.status in (AccountStatus.ACTIVE, AccountStatus.AT_RISK, AccountStatus.ONBOARDING)
        ]

    # ---- targets ---------------------------------------------------------------------------

    async def make_targets(self) -> None:
        rng, currency = self.rng, get_settings().base_currency
        quarter = quarter_of(self.today)
        year = (date(self.today.year, 1, 1), date(self.today.year, 12, 31))
        rows = []
        team_quarterly: dict[int | None, Decimal] = {}
        for user in [u for u in self.users if u.role == Role.ACCOUNT_MANAGER]:
            won = self.won_last_year(user, currency)
            # A stretch on last year's pace, so that attainment varies around 100%.
            quarterly = max(
                Decimal(100_000),
                round(
                    sum((d.amount or Decimal(0) for d in won), Decimal(0))
                    / 4
                    * Decimal(str(round(rng.uniform(0.9, 1.4), 2))),
                    -4,
                ),
            )
            team_quarterly[user.team_id] = team_quarterly.get(user.team_id, Decimal(0)) + quarterly
            rows += [
                Target(
                    user_id=user.pk,
                    period_start=quarter[0],
                    period_end=quarter[1],
                    metric=TargetMetric.REVENUE_WON,
                    amount=quarterly,
                    currency=currency,
                ),
                Target(
                    user_id=user.pk,
                    period_start=year[0],
                    period_end=year[1],
                    metric=TargetMetric.REVENUE_WON,
                    amount=quarterly * 4,
                    currency=currency,
                ),
                Target(
                    user_id=user.pk,
                    period_start=quarter[0],
                    period_end=quarter[1],
                    metric=TargetMetric.DEALS_WON,
                    amount=Decimal(max(2, round(len(won) / 4 * rng.uniform(0.9, 1.4)))),
                ),
                Target(
                    user_id=user.pk,
                    period_start=quarter[0],
                    period_end=quarter[1],
                    metric=TargetMetric.ACTIVITIES_COMPLETED,
                    amount=Decimal(rng.randrange(15, 45, 5)),
                ),
            ]
        for team in [t for t in self.teams if t.kind == TeamKind.SALES]:
            quarterly = team_quarterly.get(team.pk) or Decimal(1_000_000)
            rows += [
                Target(
                    team_id=team.pk,
                    period_start=quarter[0],
                    period_end=quarter[1],
                    metric=TargetMetric.REVENUE_WON,
                    amount=quarterly,
                    currency=currency,
                ),
                Target(
                    team_id=team.pk,
                    period_start=year[0],
                    period_end=year[1],
                    metric=TargetMetric.REVENUE_WON,
                    amount=quarterly * 4,
                    currency=currency,
                ),
            ]
        await Target.bulk_create(rows)

    def won_last_year(self, user: User, currency: str) -> list[Opportunity]:
        """The user's deals won in the base currency over the year before today."""
        since = self.anchor - timedelta(days=365)
        return [
            deal
            for deals in self.deals.values()
            for deal in deals
            if deal.owner_id == user.pk
            and self.category(deal) == StageCategory.WON
            and deal.currency == currency
            and deal.closed_at is not None
            and deal.closed_at >= since
        ]

    # ---- plans -----------------------------------------------------------------------------

    async def make_plans(self) -> None:
        """This year's plan for key and strategic accounts (and a few others), last year's,
        completed, for strategic accounts older than a year.

        Periods are calendar years, but every choice that decides how many rows there are
        is made relative to today, so the counts do not depend on the day of the year.
        """
        rng = self.rng
        year = (date(self.today.year, 1, 1), date(self.today.year, 12, 31))
        last_year = (date(self.today.year - 1, 1, 1), date(self.today.year - 1, 12, 31))
        planned = [
            a
            for a in self.live()
            if a.tier in (AccountTier.STRATEGIC, AccountTier.KEY) or rng.random() < 0.2
        ]
        plans: list[tuple[AccountPlan, Account]] = []
        for account in planned:
            target = self.plan_target(account, rng.choice(["0.9", "1.1", "1.3", "1.6"]))
            status = PlanStatus.ACTIVE if rng.random() < 0.85 else PlanStatus.DRAFT
            plans.append((self.plan(account, year, status, target), account))
            if account.tier == AccountTier.STRATEGIC and self.age(account) > 400:
                completed = self.plan(account, last_year, PlanStatus.COMPLETED, target * 8 / 10)
                plans.append((completed, account))
        await insert_with_keys(AccountPlan, [p for p, _ in plans])
        objectives: list[tuple[PlanObjective, AccountPlan, Account]] = []
        for plan, account in plans:
            for position, (title, measure) in enumerate(rng.sample(OBJECTIVES, rng.randint(2, 3))):
                objectives.append(
                    (self.objective(plan, account, position, title, measure), plan, account)
                )
        await insert_with_keys(PlanObjective, [o for o, _, _ in objectives])
        links, actions = [], []
        for objective, plan, account in objectives:
            past = plan.status == PlanStatus.COMPLETED
            for deal in self.deals_towards(account, rng.randint(1, 2), past=past):
                links.append(
                    PlanObjectiveOpportunity(objective_id=objective.pk, opportunity_id=deal.pk)
                )
            for title in rng.sample(ACTIONS, rng.randint(1, 2)):
                offset = -rng.randint(330, 600) if past else rng.randint(-150, 120)
                done = offset < 0 and rng.random() < 0.8
                due = min(
                    max(self.today + timedelta(days=offset), plan.period_start), plan.period_end
                )
                actions.append(
                    PlanAction(
                        plan_id=plan.pk,
                        objective_id=objective.pk,
                        title=title,
                        owner_id=account.owner_id,
                        due_date=due,
                        completed_at=self.at(-offset) if done else None,
                    )
                )
        await PlanObjectiveOpportunity.bulk_create(links)
        await PlanAction.bulk_create(actions)

    def plan_target(self, account: Account, stretch: str) -> Decimal:
        """A revenue target in reach of the account's deals this year (won and still open),
        stretched; accounts at risk are further behind their plans."""
        if account.status == AccountStatus.AT_RISK:
            stretch = str(Decimal(stretch) * 2)
        in_reach = sum(
            (
                d.amount or Decimal(0)
                for d in self.deals.get(account.pk, [])
                if d.currency == account.currency
                and (
                    self.category(d) == StageCategory.OPEN
                    or (
                        self.category(d) == StageCategory.WON
                        and d.closed_at is not None
                        and (self.anchor - d.closed_at).days < 365
                    )
                )
            ),
            Decimal(0),
        )
        return max(in_reach * Decimal(stretch), Decimal(25_000)).quantize(Decimal(1000))

    def age(self, account: Account) -> int:
        return (self.anchor - account.created_at).days

    def deals_towards(self, account: Account, count: int, *, past: bool) -> list[Opportunity]:
        """Up to ``count`` of the account's deals: for this year's plan, open ones and those won
        in the last year; for last year's, those won the year before."""
        window = (365, 730) if past else (0, 365)
        candidates = [
            d
            for d in self.deals.get(account.pk, [])
            if (not past and self.category(d) == StageCategory.OPEN)
            or (
                self.category(d) == StageCategory.WON
                and d.closed_at is not None
                and window[0] <= (self.anchor - d.closed_at).days < window[1]
            )
        ]
        return self.rng.sample(candidates, min(len(candidates), count))

    def plan(
        self, account: Account, period: tuple[date, date], status: PlanStatus, target: Decimal
    ) -> AccountPlan:
        days_before = max((self.today - period[0]).days, 0) + self.rng.randint(5, 25)
        return AccountPlan(
            account_id=account.pk,
            name=f"{account.name}: {period[0].year} account plan",
            owner_id=account.owner_id,
            period_start=period[0],
            period_end=period[1],
            status=status,
            revenue_target=target.quantize(CENT),
            currency=account.currency,
            summary="Grow the footprint, secure the renewal and keep the sponsor close.",
            created_at=self.at(days_before),
        )

    def objective(
        self, plan: AccountPlan, account: Account, position: int, title: str, measure: str
    ) -> PlanObjective:
        rng = self.rng
        due = plan.period_start + timedelta(days=rng.randint(60, 360))
        if plan.status == PlanStatus.COMPLETED:
            status = rng.choice(
                [ObjectiveStatus.ACHIEVED, ObjectiveStatus.ACHIEVED, ObjectiveStatus.MISSED]
            )
        elif account.status == AccountStatus.AT_RISK:
            status = rng.choice([ObjectiveStatus.AT_RISK, ObjectiveStatus.NOT_STARTED])
        else:
            status = rng.choice(
                [ObjectiveStatus.ON_TRACK, ObjectiveStatus.NOT_STARTED, ObjectiveStatus.ACHIEVED]
            )
        return PlanObjective(
            plan_id=plan.pk,
            title=title,
            owner_id=account.owner_id,
            due_date=due,
            status=status,
            measure=measure,
            position=position,
        )

    # ---- satisfaction ----------------------------------------------------------------------

    async def make_satisfaction(self) -> None:
        """NPS every quarter for two years and CSAT every two months for a year; accounts at
        risk trend down, a few healthy ones trend up, the rest hover."""
        rng, rows = self.rng, []
        for account in self.live():
            if account.status == AccountStatus.ONBOARDING:
                continue
            contacts = self.contacts.get(account.client_id, [])
            trend = -1 if account.status == AccountStatus.AT_RISK else rng.choice([0, 0, 0, 1])
            start = 6 if trend < 0 else rng.randint(6, 8) if trend == 0 else 5
            age = (self.anchor - account.created_at).days
            for quarter in range(8):
                days_ago = 700 - quarter * 90 + rng.randint(0, 20)
                if days_ago >= age:
                    continue
                drift = trend * quarter * 0.6 + rng.uniform(-1, 1)
                score = max(0, min(10, round(start + drift)))
                band = "high" if score >= 9 else "mid" if score >= 7 else "low"
                rows.append(
                    self.response(account, contacts, SatisfactionKind.NPS, score, days_ago, band)
                )
            for visit in range(6):
                days_ago = 350 - visit * 60 + rng.randint(0, 10)
                if days_ago >= age:
                    continue
                drift = trend * visit * 0.35 + rng.uniform(-0.6, 0.6)
                score = max(1, min(5, round((3 if trend < 0 else 3.5 if trend > 0 else 4) + drift)))
                rows.append(
                    self.response(account, contacts, SatisfactionKind.CSAT, score, days_ago, None)
                )
        await SatisfactionResponse.bulk_create(rows)

    def response(
        self,
        account: Account,
        contacts: Sequence[Contact],
        kind: SatisfactionKind,
        score: int,
        days_ago: int,
        band: str | None,
    ) -> SatisfactionResponse:
        received = self.at(days_ago)
        return SatisfactionResponse(
            account_id=account.pk,
            contact_id=self.rng.choice(contacts).pk if contacts else None,
            kind=kind,
            score=score,
            comment=self.rng.choice(COMMENTS_NPS[band]) if band else None,
            received_at=received,
            recorded_by_id=account.owner_id,
            created_at=received,
        )

    # ---- coordination requests -------------------------------------------------------------

    async def make_requests(self) -> None:
        rng = self.rng
        internal = [t for t in self.teams if t.kind != TeamKind.SALES and self.members.get(t.pk)]
        accounts = self.live()
        # Every status, weighted towards work in flight; OPEN and IN_PROGRESS ones may be late.
        statuses = [RequestStatus.OPEN] * 18 + [RequestStatus.IN_PROGRESS] * 16
        statuses += [RequestStatus.DONE] * 22 + [RequestStatus.DECLINED] * 6
        rows: list[tuple[CoordinationRequest, list[int]]] = []
        for index, status in enumerate(statuses):
            team = internal[index % len(internal)]
            account = accounts[rng.randrange(len(accounts))]
            created_days = rng.randint(3, 120)
            unresolved = status in (RequestStatus.OPEN, RequestStatus.IN_PROGRESS)
            overdue = unresolved and index % 3 == 0
            if overdue:
                due: date | None = self.today - timedelta(days=rng.randint(1, 20))
            elif rng.random() < 0.1:
                due = None
            elif unresolved:
                due = self.today + timedelta(days=rng.randint(1, 30))
            else:
                due = self.today - timedelta(days=rng.randint(0, created_days))
            members = self.members[team.pk]
            assignee = (
                None if status == RequestStatus.OPEN and rng.random() < 0.6 else rng.choice(members)
            )
            deals = [
                d for d in self.deals.get(account.pk, []) if self.category(d) == StageCategory.OPEN
            ]
            created = self.at(created_days)
            resolved = None
            if status in (RequestStatus.DONE, RequestStatus.DECLINED):
                resolved = self.at(rng.randint(1, max(1, created_days - 1)))
            title = rng.choice(REQUESTS[team.kind])
            request = CoordinationRequest(
                team_id=team.pk,
                account_id=account.pk,
                opportunity_id=rng.choice(deals).pk if deals and rng.random() < 0.5 else None,
                title=title,
                description=f"{title} for {account.name}.",
                priority=rng.choice(list(RequestPriority)),
                status=status,
                requester_id=account.owner_id,
                assignee_id=assignee.pk if assignee else None,
                due_date=due,
                resolved_at=resolved,
                created_at=created,
            )
            authors = [account.owner_id] + [m.pk for m in members]
            rows.append((request, authors))
        await insert_with_keys(CoordinationRequest, [r for r, _ in rows])
        comments = []
        for request, authors in rows:
            for n in range(rng.randint(0, 3)):
                comments.append(
                    CoordinationComment(
                        request_id=request.pk,
                        author_id=authors[0] if n % 2 == 0 else rng.choice(authors[1:]),
                        body=rng.choice(REQUEST_COMMENTS),
                        created_at=request.created_at + timedelta(hours=6 * (n + 1)),
                    )
                )
        await CoordinationComment.bulk_create(comments)

    async def commit_likely_deals(self) -> None:
        """Owners commit some open deals of 40% and more to the forecast."""
        likely = [
            d.pk
            for deals in self.deals.values()
            for d in deals
            if self.category(d) == StageCategory.OPEN and d.probability >= 40
        ]
        chosen = [pk for pk in likely if self.rng.random() < 0.35]
        await Opportunity.filter(id__in=chosen).update(forecast_commit=True)


async def seed_plans_and_requests(*, seed: int, today: date) -> None:
    """Add the plans, satisfaction responses, coordination requests and targets to a seeded
    database."""
    await PlansAndRequestsSeeder(seed, today).seed()


async def count_plans_and_requests() -> PlansAndRequestsCounts:
    return PlansAndRequestsCounts(
        account_plans=await AccountPlan.all().count(),
        plan_objectives=await PlanObjective.all().count(),
        plan_actions=await PlanAction.all().count(),
        satisfaction_responses=await SatisfactionResponse.all().count(),
        coordination_requests=await CoordinationRequest.all().count(),
        coordination_comments=await CoordinationComment.all().count(),
        targets=await Target.all().count(),
    )
