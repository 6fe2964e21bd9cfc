"""Targets (quotas) in the graph; attainment is computed elsewhere."""

import datetime
from decimal import Decimal

import strawberry
from strawberry.relay import GlobalID
from tortoise.expressions import Q

import models
from resolvers.core.listing import conditions, pks
from schema.base import Info, RecordNode, field, load
from schema.enums import TargetMetric
from schema.filters import values
from schema.listing import Listing, order_input
from schema.people import Team, User
from services.analytics.rules import target_figure


@strawberry.type(description="What one user or one team is to reach over a period, by a metric.")
class Target(RecordNode):
    model = models.Target
    period_start: datetime.date = strawberry.field(description="First day of the period.")
    period_end: datetime.date = strawberry.field(description="Last day of the period.")
    metric: TargetMetric = strawberry.field(description="What the target measures.")
    amount: strawberry.Private[Decimal]
    currency: str | None = strawberry.field(
        description="ISO 4217 code of a REVENUE_WON target; null for counts."
    )
    user_id: strawberry.Private[int | None]
    team_id: strawberry.Private[int | None]

    @field(
        name="amount",
        description="The target: revenue in `currency` for REVENUE_WON (to the cent), else a "
        "count (a whole number).",
    )
    def shown_amount(self) -> Decimal:
        return target_figure(self.metric, self.amount)

    @field(description="The user the target is for; null for a team's target.")
    async def user(self, info: Info) -> User | None:
        return await load(info, User, self.user_id)

    @field(description="The team the target is for; null for a user's target.")
    async def team(self, info: Info) -> Team | None:
        return await load(info, Team, self.team_id)


@strawberry.input(description="Narrows a list of targets.")
class TargetFilter:
    user_ids: list[GlobalID] | None = None
    team_ids: list[GlobalID] | None = None
    metrics: list[TargetMetric] | None = strawberry.field(
        default=None, description="Only targets by these metrics."
    )
    active_on: datetime.date | None = strawberry.field(
        default=None, description="Only targets whose period includes this day."
    )


def target_condition(f: TargetFilter | None) -> Q:
    if f is None:
        return Q()
    return conditions(
        user_id__in=pks(f.user_ids, "User"),
        team_id__in=pks(f.team_ids, "Team"),
        metric__in=values(f.metrics),
        period_start__lte=f.active_on,
        period_end__gte=f.active_on,
    )


TARGET_COLUMNS = {"PERIOD_START": "period_start", "CREATED_AT": "created_at"}
TARGETS = Listing(
    Target, TargetFilter, target_condition, TARGET_COLUMNS, ("-period_start",), archivable=False
)
TargetOrder = order_input("Target", TARGET_COLUMNS)
