"""Figures the analytics services compute for one record, as fields of its type: an
account's health and satisfaction, the signed-in user's portfolio (a plan's progress is
declared with the plan, in ``schema.planning``).

Below the types that carry them, so a target's user and team are referenced upward."""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

import models
from ids import to_global_id
from resolvers.core.analytics import health_loader, satisfaction_loader
from resolvers.core.errors import bad_input
from schema.base import Above, Info, field, load
from schema.enums import HealthStatus, TargetMetric
from services import clock
from services.analytics import attainment as attainment_service
from services.analytics import health as health_service
from services.analytics import portfolio as portfolio_service
from services.analytics.period import Period, PeriodUnit
from services.analytics.satisfaction import Trend
from services.errors import DomainError

if TYPE_CHECKING:
    from schema.people import Team, User

TEAM: "Above[Team]" = Above(models.Team)
USER: "Above[User]" = Above(models.User)


@strawberry.input(
    description="A range of whole UTC days, both ends included: give `start` and `end`, or "
    "a `unit` (the month, quarter or year containing `containing`, by default today)."
)
class PeriodInput:
    start: date | None = strawberry.field(default=None, description="First day of the period.")
    end: date | None = strawberry.field(default=None, description="Last day of the period.")
    unit: PeriodUnit | None = strawberry.field(
        default=None, description="A calendar period instead of start and end."
    )
    containing: date | None = strawberry.field(
        default=None, description="A day in the calendar period; today by default."
    )


def to_period(given: PeriodInput | None, default: PeriodUnit = PeriodUnit.QUARTER) -> Period:
    today = clock.now().date()
    if given is None:
        return Period.containing(today, default)
    dates = (given.start, given.end)
    if given.unit is not None:
        if any(d is not None for d in dates):
            raise bad_input("give either start and end, or unit, not both")
        return Period.containing(given.containing or today, given.unit)
    if given.start is None or given.end is None:
        raise bad_input("a period needs both start and end (or a unit)")
    try:
        return Period(given.start, given.end)
    except DomainError as exc:
        raise bad_input(exc.problems[0].message) from None


@strawberry.type(description="An amount of money in one currency.")
class Money:
    amount: Decimal = strawberry.field(description="Exact amount, as a string.")
    currency: str = strawberry.field(description="ISO 4217 code.")


def moneys(items: list[Any]) -> list[Money]:
    return [Money(amount=m.amount, currency=m.currency) for m in items]


@strawberry.type(description="A target against what its user or team achieved.")
class TargetAttainment:
    metric: TargetMetric = strawberry.field(description="What the target measures.")
    period_start: date = strawberry.field(description="First day of the target's period.")
    period_end: date = strawberry.field(description="Last day of the target's period.")
    currency: str | None = strawberry.field(description="Currency of a revenue target.")
    target: Decimal = strawberry.field(description="The amount or count to reach.")
    achieved: Decimal = strawberry.field(description="What was achieved in the period.")
    percentage: Decimal | None = strawberry.field(
        description="achieved / target x 100, one decimal; null for a target of 0."
    )
    target_pk: strawberry.Private[int]
    user_id: strawberry.Private[int | None]
    team_id: strawberry.Private[int | None]

    @field(description="The target's global id.")
    def target_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Target", self.target_pk))

    @field(description="The user the target is for, if a user's.")
    async def user(self, info: Info) -> Annotated["User", strawberry.lazy("schema.people")] | None:
        return await load(info, USER, self.user_id)

    @field(description="The team the target is for, if a team's.")
    async def team(self, info: Info) -> Annotated["Team", strawberry.lazy("schema.people")] | None:
        return await load(info, TEAM, self.team_id)

    @classmethod
    def of(cls, a: attainment_service.Attainment) -> "TargetAttainment":
        return cls(
            metric=a.metric,
            period_start=a.period.start,
            period_end=a.period.end,
            currency=a.currency,
            target=a.target,
            achieved=a.achieved,
            percentage=a.percentage,
            target_pk=a.target_id,
            user_id=a.user_id,
            team_id=a.team_id,
        )


@strawberry.type(description="One part of an account's health score, with why.")
class HealthComponent:
    name: str = strawberry.field(
        description="satisfaction, activity, requests, tasks, renewal, stale_deals or plan."
    )
    score: int = strawberry.field(description="0..100.")
    weight: int = strawberry.field(
        description="Its share of the health score (weights add to 100)."
    )
    reason: str = strawberry.field(description="Why, in an account manager's words.")


@strawberry.type(description="How an account is doing: a score, a band and its components.")
class AccountHealth:
    score: int = strawberry.field(description="The weighted mean of the components, 0..100.")
    status: HealthStatus = strawberry.field(description="The score's band.")
    components: list[HealthComponent] = strawberry.field(description="What the score is made of.")

    @classmethod
    def of(cls, h: health_service.AccountHealth) -> "AccountHealth":
        return cls(
            score=h.score,
            status=h.status,
            components=[HealthComponent(name=c.name, score=c.score, weight=c.weight,
                                        reason=c.reason) for c in h.components],
        )  # fmt: skip


async def resolve_account_health(info: Info, account_id: int) -> AccountHealth | None:
    """``Account.health``, batched over the accounts of the request."""
    found = await health_loader(info.context).load(account_id)
    return AccountHealth.of(found) if found is not None else None


@strawberry.type(description="The accounts the viewer looks after, in a few figures.")
class Portfolio:
    accounts: int = strawberry.field(description="Accounts in the portfolio (not archived).")
    total_recurring_value: list[Money] = strawberry.field(
        description="Annual recurring value, per currency."
    )
    open_pipeline: list[Money] = strawberry.field(description="Open deals' amounts, per currency.")
    weighted_pipeline: list[Money] = strawberry.field(
        description="Open deals' amount x probability / 100, per currency."
    )
    renewals_in_90_days: int = strawberry.field(
        description="Accounts renewing between today and 90 days from now."
    )
    accounts_at_risk: int = strawberry.field(description="Accounts whose health is AT_RISK.")
    attainment: list[TargetAttainment] = strawberry.field(
        description="The viewer's and their team's targets in the period."
    )


async def resolve_portfolio(info: Info, period: PeriodInput | None) -> Portfolio:
    x = await portfolio_service.portfolio(
        visibility=info.context.visibility, now=clock.now(), period=to_period(period)
    )
    return Portfolio(
        accounts=x.accounts,
        total_recurring_value=moneys(x.total_recurring_value),
        open_pipeline=moneys(x.open_pipeline),
        weighted_pipeline=moneys(x.weighted_pipeline),
        renewals_in_90_days=x.renewals_in_90_days,
        accounts_at_risk=x.accounts_at_risk,
        attainment=[TargetAttainment.of(a) for a in x.attainment],
    )


@strawberry.type(description="NPS and CSAT of the responses received in one period.")
class SatisfactionScores:
    nps: Decimal | None = strawberry.field(
        description="% promoters (9-10) - % detractors (0-6), one decimal; null without answers."
    )
    csat: Decimal | None = strawberry.field(
        description="% of CSAT answers that are 4 or 5, one decimal; null without answers."
    )
    average_csat: Decimal | None = strawberry.field(description="Mean CSAT score, 1..5.")
    nps_responses: int = strawberry.field(description="How many NPS answers.")
    csat_responses: int = strawberry.field(description="How many CSAT answers.")


@strawberry.type(description="An account's satisfaction over a period and its trend.")
class AccountSatisfaction:
    period: SatisfactionScores = strawberry.field(description="In the period.")
    previous: SatisfactionScores = strawberry.field(
        description="In the period of the same length just before."
    )
    nps_change: Decimal | None = strawberry.field(description="NPS now minus NPS before.")
    csat_change: Decimal | None = strawberry.field(description="CSAT now minus CSAT before.")
    trend: Trend | None = strawberry.field(
        description="By the NPS change, or the CSAT change without NPS; null if not comparable."
    )


async def resolve_account_satisfaction(
    info: Info, account_id: int, period: PeriodInput | None
) -> AccountSatisfaction | None:
    """``Account.satisfaction(period)``, batched over the accounts of the request."""
    found = await satisfaction_loader(info.context).load((account_id, to_period(period)))
    if found is None:
        return None
    return AccountSatisfaction(
        period=SatisfactionScores(**vars(found.period)),
        previous=SatisfactionScores(**vars(found.previous)),
        nps_change=found.nps_change,
        csat_change=found.csat_change,
        trend=found.trend,
    )
