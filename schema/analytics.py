"""The analytics surface: an account manager's daily questions, answered per currency.

Every answer is computed in the database and held to what the caller may see; the
definitions (what counts as commit, how health is scored) are in ``services/analytics``.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry.relay import GlobalID

from resolvers.core.analytics import health_loader
from resolvers.core.listing import pk, pks
from resolvers.core.pagination import PaginationError
from schema.accounts import Account
from schema.activities import Activity
from schema.base import Info, load, load_required
from schema.catalog import Product
from schema.figures import Money, PeriodInput, PlanProgress, TargetAttainment, moneys, to_period
from schema.filters import OpportunityFilter
from schema.leads import Lead
from schema.opportunities import OPPORTUNITIES, Opportunity, Stage
from services import clock
from services.analytics import attainment as attainment_service
from services.analytics import health as health_service
from services.analytics import plans as plans_service
from services.analytics.follow_ups import FollowUpKind, follow_up_queue
from services.analytics.forecast import forecast as forecast_service
from services.analytics.growth import growth_opportunities
from services.analytics.pipeline import pipeline_summary
from services.analytics.renewals import upcoming_renewals
from services.analytics.sales import sales_metrics
from services.analytics.stale import stale_opportunities
from services.errors import DomainError


def bad_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})


def keys(ids: list[GlobalID] | None, type_name: str) -> list[int] | None:
    try:
        return pks(ids, type_name)
    except PaginationError as exc:
        raise bad_input(str(exc)) from None


def owners_or_team(owner_ids: list[GlobalID] | None, team_id: GlobalID | None) -> dict:
    """``ownerIds | teamId`` as service arguments."""
    if owner_ids is not None and team_id is not None:
        raise bad_input("give ownerIds or teamId, not both")
    team = None
    if team_id is not None:
        team = pk(team_id, "Team")
        if team is None:
            raise bad_input(f"'{team_id}' is not a valid Team id")
    return {"owner_ids": keys(owner_ids, "User"), "team_id": team}


@strawberry.type(description="The deals in one stage and one currency.")
class PipelineStageSummary:
    currency: str = strawberry.field(description="ISO 4217 code of the amounts.")
    count: int = strawberry.field(description="How many deals.")
    total_amount: Decimal = strawberry.field(description="Sum of their amounts.")
    weighted_amount: Decimal = strawberry.field(
        description="Sum of amount x probability / 100, rounded to the cent after adding."
    )
    stage_id: strawberry.Private[int]

    @strawberry.field(description="The stage.")
    async def stage(self, info: Info) -> Stage:
        return await load_required(info, Stage, self.stage_id)


@strawberry.type(
    description="The forecast of one currency. `commit` and `bestCase` are parts of "
    "`pipeline`; `won` is apart."
)
class ForecastLine:
    currency: str = strawberry.field(description="ISO 4217 code of the amounts.")
    won: Decimal = strawberry.field(description="Deals won (closed) in the period.")
    commit: Decimal = strawberry.field(
        description="Open deals expected in the period with probability >= 70 or committed."
    )
    best_case: Decimal = strawberry.field(
        description="Other open deals expected in the period with probability >= 40."
    )
    pipeline: Decimal = strawberry.field(
        description="Every open deal expected to close in the period."
    )
    weighted_total: Decimal = strawberry.field(
        description="Won plus the pipeline's amount x probability / 100."
    )
    won_count: int = strawberry.field(description="How many deals were won.")
    open_count: int = strawberry.field(description="How many open deals are in the pipeline.")


@strawberry.type(description="An open deal left alone longer than its stage allows.")
class StaleOpportunity:
    last_touch_at: datetime = strawberry.field(
        description="Its latest activity, or when it entered its stage if later."
    )
    days_idle: int = strawberry.field(description="Whole days since the last touch.")
    rotting_days: int = strawberry.field(description="The stage's threshold in days.")
    opportunity_id: strawberry.Private[int]

    @strawberry.field(description="The deal.")
    async def opportunity(self, info: Info) -> Opportunity:
        return await load_required(info, Opportunity, self.opportunity_id)


@strawberry.type(description="An account renewing soon.")
class UpcomingRenewal:
    account: Account = strawberry.field(description="The account.")
    renewal_date: date = strawberry.field(description="When it renews.")
    days_until: int = strawberry.field(description="Days from today to the renewal date.")


@strawberry.type(description="Something the caller must follow up on.")
class FollowUp:
    kind: FollowUpKind = strawberry.field(description="A lead or a task.")
    due_at: datetime = strawberry.field(description="When the follow-up or the task is due.")
    overdue: bool = strawberry.field(description="Due before now.")
    record_id: strawberry.Private[int]

    @strawberry.field(description="The lead, for a LEAD item.")
    async def lead(self, info: Info) -> Lead | None:
        return await load(info, Lead, self.record_id) if self.kind == "LEAD" else None

    @strawberry.field(description="The task, for a TASK item.")
    async def task(self, info: Info) -> Activity | None:
        return await load(info, Activity, self.record_id) if self.kind == "TASK" else None


@strawberry.type(description="How deals moved through one stage in the period.")
class StageMetrics:
    entered: int = strawberry.field(description="Deals that entered the stage in the period.")
    advanced: int = strawberry.field(
        description="Of those, deals that later moved further on (not to a lost stage)."
    )
    conversion_rate: Decimal | None = strawberry.field(
        description="advanced / entered in percent, one decimal; null when none entered."
    )
    exits: int = strawberry.field(description="Moves out of the stage in the period.")
    average_days_in_stage: Decimal | None = strawberry.field(
        description="Mean days spent in the stage, over those moves; one decimal."
    )
    stage_id: strawberry.Private[int]

    @strawberry.field(description="The stage.")
    async def stage(self, info: Info) -> Stage:
        return await load_required(info, Stage, self.stage_id)


@strawberry.type(description="How well deals are won over a period.")
class SalesMetrics:
    won_count: int = strawberry.field(description="Deals won (closed in the period).")
    lost_count: int = strawberry.field(description="Deals lost (closed in the period).")
    win_rate: Decimal | None = strawberry.field(
        description="won / (won + lost) in percent, one decimal; null when none closed."
    )
    average_deal_size: list[Money] = strawberry.field(
        description="Mean amount of the deals won, per currency."
    )
    average_sales_cycle_days: Decimal | None = strawberry.field(
        description="Mean days from creation to close of the deals won; one decimal."
    )
    stages: list[StageMetrics] = strawberry.field(
        description="Conversion and time in stage, per open stage, in pipeline order."
    )


@strawberry.type(description="A product similar accounts bought that this account has not.")
class GrowthOpportunity:
    accounts_bought: int = strawberry.field(description="Similar accounts that bought it.")
    similar_accounts: int = strawberry.field(description="Similar accounts in all.")
    share: Decimal | None = strawberry.field(
        description="accountsBought / similarAccounts in percent, one decimal."
    )
    product_id: strawberry.Private[int]

    @strawberry.field(description="The product.")
    async def product(self, info: Info) -> Product:
        return await load_required(info, Product, self.product_id)


# Arguments several questions share.
PeriodArgument = Annotated[
    PeriodInput | None,
    strawberry.argument(description="The period; the current quarter by default."),
]
OwnerIdsArgument = Annotated[
    list[GlobalID] | None,
    strawberry.argument(description="Only deals owned by these users."),
]
TeamIdArgument = Annotated[
    GlobalID | None,
    strawberry.argument(description="Only deals owned by members of this team."),
]


@strawberry.type(description="Analytics: answers computed from what the caller may see.")
class AnalyticsQueries:
    @strawberry.field(
        description="Deals per stage and currency: count, total and weighted amounts."
    )
    async def pipeline_summary(
        self,
        info: Info,
        filter: Annotated[
            OpportunityFilter | None,
            strawberry.argument(description="Which deals; by default every deal not archived."),
        ] = None,
    ) -> list[PipelineStageSummary]:
        condition = OPPORTUNITIES.where(filter)
        lines = await pipeline_summary(visibility=info.context.visibility, condition=condition)
        return [
            PipelineStageSummary(
                currency=x.currency,
                count=x.count,
                total_amount=x.total_amount,
                weighted_amount=x.weighted_amount,
                stage_id=x.stage_id,
            )
            for x in lines
        ]

    @strawberry.field(description="Won, commit, best case and pipeline of a period, per currency.")
    async def forecast(
        self,
        info: Info,
        period: PeriodArgument = None,
        owner_ids: OwnerIdsArgument = None,
        team_id: TeamIdArgument = None,
    ) -> list[ForecastLine]:
        lines = await forecast_service(
            visibility=info.context.visibility,
            period=to_period(period),
            **owners_or_team(owner_ids, team_id),
        )
        return [ForecastLine(**vars(x)) for x in lines]

    @strawberry.field(
        description="Win rate, deal size, sales cycle, stage conversion and time in stage."
    )
    async def sales_metrics(
        self,
        info: Info,
        period: PeriodArgument = None,
        owner_ids: OwnerIdsArgument = None,
        team_id: TeamIdArgument = None,
    ) -> SalesMetrics:
        m = await sales_metrics(
            visibility=info.context.visibility,
            period=to_period(period),
            **owners_or_team(owner_ids, team_id),
        )
        return SalesMetrics(
            won_count=m.won_count,
            lost_count=m.lost_count,
            win_rate=m.win_rate,
            average_deal_size=moneys(m.average_deal_size),
            average_sales_cycle_days=m.average_sales_cycle_days,
            stages=[
                StageMetrics(
                    entered=x.entered,
                    advanced=x.advanced,
                    conversion_rate=x.conversion_rate,
                    exits=x.exits,
                    average_days_in_stage=x.average_days_in_stage,
                    stage_id=x.stage_id,
                )
                for x in m.stages
            ],
        )

    @strawberry.field(description="Each target overlapping the period against what was achieved.")
    async def target_attainment(
        self,
        info: Info,
        period: PeriodArgument = None,
    ) -> list[TargetAttainment]:
        rows = await attainment_service.target_attainment(
            visibility=info.context.visibility, period=to_period(period), now=clock.now()
        )
        return [TargetAttainment.of(a) for a in rows]

    @strawberry.field(description="Active accounts whose health is AT_RISK, lowest score first.")
    async def accounts_at_risk(self, info: Info) -> list[Account]:
        context = info.context
        at_risk = await health_service.accounts_at_risk(
            visibility=context.visibility, now=clock.now()
        )
        loader = health_loader(context)
        for health in at_risk:
            loader.prime(health.account_id, health)
        rows = await context.loaders.record(Account.model).load_many(
            [h.account_id for h in at_risk]
        )
        return [Account.from_row(row) for row in rows if row is not None]

    @strawberry.field(description="Progress of account plans, from the deals linked to them.")
    async def plan_progress(
        self,
        info: Info,
        plan_ids: Annotated[
            list[GlobalID], strawberry.argument(description="AccountPlan global ids.")
        ],
    ) -> list[PlanProgress]:
        if len(plan_ids) > 100:
            raise bad_input("at most 100 plans at once")
        found = await plans_service.plan_progress(
            visibility=info.context.visibility, plan_ids=keys(plan_ids, "AccountPlan") or []
        )
        return [PlanProgress.of(p) for p in found]

    @strawberry.field(
        description="Open deals with no activity or stage move for longer than their stage's "
        "rotting threshold, the longest untouched first."
    )
    async def stale_opportunities(self, info: Info) -> list[StaleOpportunity]:
        found = await stale_opportunities(visibility=info.context.visibility, now=clock.now())
        return [StaleOpportunity(**vars(x)) for x in found]

    @strawberry.field(description="Accounts renewing within the next days, soonest first.")
    async def upcoming_renewals(
        self,
        info: Info,
        within_days: Annotated[
            int, strawberry.argument(description="How many days ahead, 0..3660.")
        ] = 90,
    ) -> list[UpcomingRenewal]:
        try:
            found = await upcoming_renewals(
                visibility=info.context.visibility,
                today=clock.now().date(),
                within_days=within_days,
            )
        except DomainError as exc:
            raise bad_input(exc.problems[0].message) from None
        return [
            UpcomingRenewal(
                account=Account.from_row(r.account),
                renewal_date=r.renewal_date,
                days_until=r.days_until,
            )
            for r in found
        ]

    @strawberry.field(
        description="The caller's leads due for follow-up and tasks due, most overdue first."
    )
    async def follow_up_queue(
        self,
        info: Info,
        within_days: Annotated[
            int, strawberry.argument(description="Include what falls due in the next days.")
        ] = 0,
        first: Annotated[int, strawberry.argument(description="At most this many, 1..500.")] = 50,
    ) -> list[FollowUp]:
        try:
            found = await follow_up_queue(
                visibility=info.context.visibility,
                now=clock.now(),
                within_days=within_days,
                limit=first,
            )
        except DomainError as exc:
            raise bad_input(exc.problems[0].message) from None
        return [FollowUp(**vars(x)) for x in found]

    @strawberry.field(
        description="White space: products similar accounts (same industry or tier) bought "
        "that the account has not, with the share of similar accounts that did."
    )
    async def growth_opportunities(
        self,
        info: Info,
        account_id: Annotated[GlobalID, strawberry.argument(description="The account.")],
    ) -> list[GrowthOpportunity]:
        key = pk(account_id, "Account")
        try:
            if key is None:
                raise DomainError.single("not an account id")
            found = await growth_opportunities(visibility=info.context.visibility, account_id=key)
        except DomainError:
            raise GraphQLError(
                "No account with that id", extensions={"code": "NOT_FOUND"}
            ) from None
        return [GrowthOpportunity(**vars(g)) for g in found]
