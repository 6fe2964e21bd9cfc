"""The analytics questions asked from the root, each answered from what the caller may see.

The definitions (what counts as commit, how health is scored) are in ``services/analytics``;
the answers' types are in ``schema.analytics``.
"""

from typing import Annotated, Any

import strawberry
from strawberry.relay import GlobalID

from resolvers.core.analytics import health_loader
from resolvers.core.errors import bad_input, not_found
from resolvers.core.listing import pk, pks
from resolvers.core.pagination import PaginationError
from schema.accounts import Account
from schema.analytics import (
    FollowUp,
    ForecastLine,
    GrowthOpportunity,
    OwnerIdsArgument,
    PeriodArgument,
    PipelineStageSummary,
    SalesMetrics,
    StageMetrics,
    StaleOpportunity,
    TeamIdArgument,
    UpcomingRenewal,
)
from schema.base import Info
from schema.figures import TargetAttainment, moneys, to_period
from schema.filters import OpportunityFilter
from schema.opportunities import OPPORTUNITIES
from schema.planning import PlanProgress
from services import clock
from services.analytics import attainment as attainment_service
from services.analytics import health as health_service
from services.analytics import plans as plans_service
from services.analytics.follow_ups import follow_up_queue as follow_up_queue_service
from services.analytics.forecast import forecast as forecast_service
from services.analytics.growth import growth_opportunities as growth_opportunities_service
from services.analytics.pipeline import pipeline_summary as pipeline_summary_service
from services.analytics.renewals import upcoming_renewals as upcoming_renewals_service
from services.analytics.sales import sales_metrics as sales_metrics_service
from services.analytics.stale import stale_opportunities as stale_opportunities_service
from services.errors import DomainError


def keys(ids: list[GlobalID] | None, type_name: str) -> list[int] | None:
    try:
        return pks(ids, type_name)
    except PaginationError as exc:
        raise bad_input(str(exc)) from None


def owners_or_team(owner_ids: list[GlobalID] | None, team_id: GlobalID | None) -> dict[str, Any]:
    """``ownerIds | teamId`` as service arguments."""
    if owner_ids is not None and team_id is not None:
        raise bad_input("give ownerIds or teamId, not both")
    team = None
    if team_id is not None:
        team = pk(team_id, "Team")
        if team is None:
            raise bad_input(f"'{team_id}' is not a valid Team id")
    return {"owner_ids": keys(owner_ids, "User"), "team_id": team}


async def pipeline_summary(
    info: Info,
    filter: Annotated[
        OpportunityFilter | None,
        strawberry.argument(description="Which deals; by default every deal not archived."),
    ] = None,
) -> list[PipelineStageSummary]:
    condition = OPPORTUNITIES.where(filter)
    lines = await pipeline_summary_service(visibility=info.context.visibility, condition=condition)
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


async def forecast(
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


async def sales_metrics(
    info: Info,
    period: PeriodArgument = None,
    owner_ids: OwnerIdsArgument = None,
    team_id: TeamIdArgument = None,
) -> SalesMetrics:
    m = await sales_metrics_service(
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


async def target_attainment(info: Info, period: PeriodArgument = None) -> list[TargetAttainment]:
    rows = await attainment_service.target_attainment(
        visibility=info.context.visibility, period=to_period(period), now=clock.now()
    )
    return [TargetAttainment.of(a) for a in rows]


async def accounts_at_risk(info: Info) -> list[Account]:
    context = info.context
    at_risk = await health_service.accounts_at_risk(visibility=context.visibility, now=clock.now())
    loader = health_loader(context)
    for health in at_risk:
        loader.prime(health.account_id, health)
    rows = await context.loaders.record(Account.model).load_many([h.account_id for h in at_risk])
    return [Account.from_row(row) for row in rows if row is not None]


async def plan_progress(
    info: Info,
    plan_ids: Annotated[list[GlobalID], strawberry.argument(description="AccountPlan global ids.")],
) -> list[PlanProgress]:
    if len(plan_ids) > 100:
        raise bad_input("at most 100 plans at once")
    found = await plans_service.plan_progress(
        visibility=info.context.visibility, plan_ids=keys(plan_ids, "AccountPlan") or []
    )
    return [PlanProgress.of(p) for p in found]


async def stale_opportunities(info: Info) -> list[StaleOpportunity]:
    found = await stale_opportunities_service(visibility=info.context.visibility, now=clock.now())
    return [StaleOpportunity(**vars(x)) for x in found]


async def upcoming_renewals(
    info: Info,
    within_days: Annotated[
        int, strawberry.argument(description="How many days ahead, 0..3660.")
    ] = 90,
) -> list[UpcomingRenewal]:
    try:
        found = await upcoming_renewals_service(
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


async def follow_up_queue(
    info: Info,
    within_days: Annotated[
        int, strawberry.argument(description="Include what falls due in the next days.")
    ] = 0,
    first: Annotated[int, strawberry.argument(description="At most this many, 1..500.")] = 50,
) -> list[FollowUp]:
    try:
        found = await follow_up_queue_service(
            visibility=info.context.visibility,
            now=clock.now(),
            within_days=within_days,
            limit=first,
        )
    except DomainError as exc:
        raise bad_input(exc.problems[0].message) from None
    return [FollowUp(**vars(x)) for x in found]


async def growth_opportunities(
    info: Info,
    account_id: Annotated[GlobalID, strawberry.argument(description="The account.")],
) -> list[GrowthOpportunity]:
    key = pk(account_id, "Account")
    try:
        if key is None:
            raise DomainError.single("not an account id")
        found = await growth_opportunities_service(
            visibility=info.context.visibility, account_id=key
        )
    except DomainError:
        raise not_found("account") from None
    return [GrowthOpportunity(**vars(g)) for g in found]
