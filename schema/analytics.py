"""The analytics answers' types: an account manager's daily questions, answered per currency.

Every answer is computed in the database and held to what the caller may see; the
definitions (what counts as commit, how health is scored) are in ``services/analytics``, the
root fields that ask them in ``resolvers.analytics``.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.relay import GlobalID

from schema.accounts import Account
from schema.activities import Activity
from schema.base import Info, field, load, load_required
from schema.catalog import Product
from schema.figures import Money, PeriodInput
from schema.leads import Lead
from schema.opportunities import Opportunity, Stage
from services.analytics.follow_ups import FollowUpKind


@strawberry.type(description="The deals in one stage and one currency.")
class PipelineStageSummary:
    currency: str = strawberry.field(description="ISO 4217 code of the amounts.")
    count: int = strawberry.field(description="How many deals.")
    total_amount: Decimal = strawberry.field(description="Sum of their amounts.")
    weighted_amount: Decimal = strawberry.field(
        description="Sum of amount x probability / 100, rounded to the cent after adding."
    )
    stage_id: strawberry.Private[int]

    @field(description="The stage.")
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

    @field(description="The deal.")
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

    @field(description="The lead, for a LEAD item.")
    async def lead(self, info: Info) -> Lead | None:
        return await load(info, Lead, self.record_id) if self.kind == "LEAD" else None

    @field(description="The task, for a TASK item.")
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

    @field(description="The stage.")
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

    @field(description="The product.")
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
