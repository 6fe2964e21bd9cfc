"""Deals in the graph: pipelines and their stages, opportunities with their products,
competitors and stage history."""

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

import models
from schema.activities import ACTIVITIES, TIMELINE, ActivityOrder
from schema.base import Above, Info, RecordNode, field, load, load_children, load_required
from schema.catalog import Competitor, Product
from schema.enums import CompetitorStatus, OpportunityType, StageCategory
from schema.filters import (
    OpportunityFilter,
    StageChangeFilter,
    opportunity_condition,
    stage_change_condition,
)
from schema.listing import Listing, order_input
from schema.people import User
from services import clock
from services.analytics.rules import REPORTABLE_DEAL, round_money, weighted_amount

if TYPE_CHECKING:
    from schema.accounts import Account

ACCOUNT: "Above[Account]" = Above(models.Account)


@strawberry.type(
    description="One move of a deal between stages; written for every move, never edited."
)
class OpportunityStageChange(RecordNode):
    model = models.OpportunityStageChange
    changed_at: datetime
    amount: Decimal | None = strawberry.field(description="The deal's amount at the time.")
    currency: str
    seconds_in_previous_stage: int | None = strawberry.field(
        description="Seconds the deal spent in the stage it left; null for its first stage."
    )
    event_id: strawberry.ID = strawberry.field(
        description="The id of the opportunity.stage_changed event, as subscribers and webhooks "
        "see it."
    )
    opportunity_id: strawberry.Private[int]
    from_stage_id: strawberry.Private[int | None]
    to_stage_id: strawberry.Private[int]
    changed_by_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Any) -> "OpportunityStageChange":
        node = super().from_row(row)
        node.event_id = strawberry.ID(str(row.event_id))
        return node

    @strawberry.field
    async def opportunity(self, info: Info) -> "Opportunity":
        return await load_required(info, Opportunity, self.opportunity_id)

    @field(description="The stage it left; null for the stage a deal was created in.")
    async def from_stage(self, info: Info) -> "Stage | None":
        return await load(info, Stage, self.from_stage_id)

    @strawberry.field
    async def to_stage(self, info: Info) -> "Stage":
        return await load_required(info, Stage, self.to_stage_id)

    @strawberry.field
    async def changed_by(self, info: Info) -> User | None:
        return await load(info, User, self.changed_by_id)


STAGE_CHANGE_COLUMNS = {"CHANGED_AT": "changed_at"}
STAGE_CHANGES = Listing(
    OpportunityStageChange,
    StageChangeFilter,
    stage_change_condition,
    STAGE_CHANGE_COLUMNS,
    ("changed_at", "id"),
    archivable=False,
)
StageChangeOrder = order_input("StageChange", STAGE_CHANGE_COLUMNS)


@strawberry.type(description="A product on a deal, with quantity, price and discount.")
class OpportunityLineItem(RecordNode):
    model = models.OpportunityLineItem
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    product_id: strawberry.Private[int]

    @field(description="quantity x unit price x (1 - discount), rounded half up to the cent.")
    def total(self) -> Decimal:
        return round_money(self.quantity * self.unit_price * (1 - self.discount_percent / 100))

    @strawberry.field
    async def product(self, info: Info) -> Product:
        return await load_required(info, Product, self.product_id)


@strawberry.type(description="A competitor on a deal and where they stand.")
class OpportunityCompetitor(RecordNode):
    model = models.OpportunityCompetitor
    status: CompetitorStatus
    notes: str | None
    competitor_id: strawberry.Private[int]

    @strawberry.field
    async def competitor(self, info: Info) -> Competitor:
        return await load_required(info, Competitor, self.competitor_id)


@strawberry.type(
    description="A deal: revenue we expect from an account, moving through a pipeline."
)
class Opportunity(RecordNode):
    model = models.Opportunity
    name: str
    amount: Decimal | None
    currency: str = strawberry.field(description="ISO 4217 code of the amount.")
    probability: int = strawberry.field(description="Chance of winning, 0..100.")
    expected_close_date: date | None
    type: OpportunityType
    next_step: str | None
    forecast_commit: bool = strawberry.field(
        description="The owner commits the deal to the forecast, whatever its probability."
    )
    lost_reason: str | None
    closed_at: datetime | None
    stage_entered_at: datetime = strawberry.field(description="When the deal entered its stage.")
    archived_at: datetime | None
    account_id: strawberry.Private[int]
    owner_id: strawberry.Private[int]
    pipeline_id: strawberry.Private[int]
    stage_id: strawberry.Private[int]

    @field(description="amount x probability / 100, rounded half up to the cent.")
    def weighted_amount(self) -> Decimal | None:
        if self.amount is None:
            return None
        return weighted_amount(self.amount, self.probability)

    @field(description="Whole days since the deal entered its current stage.")
    def days_in_stage(self) -> int:
        return (clock.now() - self.stage_entered_at).days

    @strawberry.field
    async def account(self, info: Info) -> Annotated["Account", strawberry.lazy("schema.accounts")]:
        return await load_required(info, ACCOUNT, self.account_id)

    @strawberry.field
    async def owner(self, info: Info) -> User:
        return await load_required(info, User, self.owner_id)

    @strawberry.field
    async def pipeline(self, info: Info) -> "Pipeline":
        return await load_required(info, Pipeline, self.pipeline_id)

    @strawberry.field
    async def stage(self, info: Info) -> "Stage":
        return await load_required(info, Stage, self.stage_id)

    @field(description="Products on the deal.")
    async def line_items(self, info: Info) -> list[OpportunityLineItem]:
        return await load_children(info, OpportunityLineItem, "opportunity_id", self.id, "id")

    @field(description="Competitors on the deal.")
    async def competitors(self, info: Info) -> list[OpportunityCompetitor]:
        return await load_children(info, OpportunityCompetitor, "opportunity_id", self.id, "id")

    stage_history = STAGE_CHANGES.child_field(
        StageChangeOrder, "opportunity_id", "Every stage the deal entered, oldest first."
    )
    activities = ACTIVITIES.child_field(ActivityOrder, "opportunity_id", TIMELINE)


OPPORTUNITY_COLUMNS = {
    "NAME": "name",
    "AMOUNT": "amount",
    "EXPECTED_CLOSE_DATE": "expected_close_date",
    "PROBABILITY": "probability",
    "CREATED_AT": "created_at",
    "UPDATED_AT": "updated_at",
    "STAGE_ENTERED_AT": "stage_entered_at",
}
OPPORTUNITIES = Listing(
    Opportunity,
    OpportunityFilter,
    opportunity_condition,
    OPPORTUNITY_COLUMNS,
    ("-created_at", "-id"),
    active=REPORTABLE_DEAL,
)
OpportunityOrder = order_input("Opportunity", OPPORTUNITY_COLUMNS)


@strawberry.type(description="A stage of a pipeline.")
class Stage(RecordNode):
    model = models.Stage
    name: str
    position: int = strawberry.field(description="Order within the pipeline, from 0.")
    probability: int = strawberry.field(
        description="Default win probability (0..100) of deals here."
    )
    category: StageCategory
    rotting_days: int | None = strawberry.field(
        description="Days without activity or a move after which a deal here is stale."
    )
    pipeline_id: strawberry.Private[int]

    opportunities = OPPORTUNITIES.child_field(
        OpportunityOrder,
        "stage_id",
        "The deals in this stage that the caller may see (a pipeline board's column), newest "
        "first unless ordered otherwise.",
    )

    @field(description="The pipeline the stage belongs to.")
    async def pipeline(self, info: Info) -> "Pipeline":
        return await load_required(info, Pipeline, self.pipeline_id)


@strawberry.type(description="An ordered series of stages deals move through.")
class Pipeline(RecordNode):
    model = models.Pipeline
    name: str
    position: int

    @field(description="The stages, in order.")
    async def stages(self, info: Info) -> list[Stage]:
        return await load_children(info, Stage, "pipeline_id", self.id, "position", "id")
