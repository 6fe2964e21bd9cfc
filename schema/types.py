"""The graph's node types. Children come before their parents so that a parent's list
fields can be built from the child's listing; references upward are resolved by name."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeVar, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

import models
from schema.base import Info, RecordNode
from schema.enums import (
    AccountStatus,
    AccountTier,
    ActivityKind,
    AuditAction,
    BuyingRole,
    ClientStatus,
    CompetitorStatus,
    LeadSource,
    LeadStatus,
    OpportunityType,
    Role,
    SizeBand,
    StageCategory,
    TeamKind,
)
from schema.filters import (
    AccountFilter,
    ActivityFilter,
    ContactFilter,
    OpportunityFilter,
    StageChangeFilter,
    UserFilter,
    account_condition,
    activity_condition,
    contact_condition,
    opportunity_condition,
    stage_change_condition,
    user_condition,
)
from schema.listing import Listing, order_input
from services.analytics.rules import REPORTABLE_DEAL, round_money, weighted_amount

if TYPE_CHECKING:
    from schema.analytics import AccountHealth, AccountSatisfaction, PeriodInput, Portfolio

T = TypeVar("T", bound=RecordNode)


async def load(info: Info, node: type[T], pk: int | None) -> T | None:
    """The node with primary key ``pk``, through the request's batching loader."""
    if pk is None:
        return None
    row = await info.context.loaders.record(node.model).load(pk)
    return node.from_row(row) if row is not None else None


async def load_children(info: Info, node: type[T], parent: str, pk: int, *order: str) -> list[T]:
    rows = await info.context.loaders.children(node.model, parent, order).load(pk)
    return node.from_rows(rows)


@strawberry.type(description="A person who works in AccountGraph.")
class User(RecordNode):
    model = models.User
    email: str = strawberry.field(description="Sign-in email, unique regardless of case.")
    name: str
    role: Role
    is_active: bool = strawberry.field(description="Inactive users cannot sign in.")
    team_id: strawberry.Private[int | None]
    manager_id: strawberry.Private[int | None]

    @strawberry.field(description="The team the user belongs to.")
    async def team(self, info: Info) -> "Team | None":
        return await load(info, Team, self.team_id)

    @strawberry.field(description="The user's manager.")
    async def manager(self, info: Info) -> "User | None":
        return await load(info, User, self.manager_id)

    @strawberry.field(
        description="The accounts the signed-in user looks after, in figures; null on any "
        "other user."
    )
    async def portfolio(
        self,
        info: Info,
        period: Annotated[
            Annotated["PeriodInput", strawberry.lazy("schema.analytics")] | None,
            strawberry.argument(description="Period of the attainment; the current quarter."),
        ] = None,
    ) -> Annotated["Portfolio", strawberry.lazy("schema.analytics")] | None:
        from schema.analytics import resolve_portfolio

        viewer = info.context.viewer
        if viewer is None or viewer.pk != self.id:
            return None
        return await resolve_portfolio(info, period)


USER_COLUMNS = {"NAME": "name", "EMAIL": "email", "CREATED_AT": "created_at"}
USERS = Listing(User, UserFilter, user_condition, USER_COLUMNS, ("name",), archivable=False)
UserOrder = order_input("User", USER_COLUMNS)


@strawberry.type(description="A group of users: a sales team or an internal team.")
class Team(RecordNode):
    model = models.Team
    name: str
    kind: TeamKind

    members = USERS.child_field(UserOrder, "team_id", "The team's members.")


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

    @strawberry.field(description="The pipeline the stage belongs to.")
    async def pipeline(self, info: Info) -> "Pipeline":
        return await load(info, Pipeline, self.pipeline_id)  # type: ignore[return-value]


@strawberry.type(description="An ordered series of stages deals move through.")
class Pipeline(RecordNode):
    model = models.Pipeline
    name: str
    position: int

    @strawberry.field(description="The stages, in order.")
    async def stages(self, info: Info) -> list[Stage]:
        return await load_children(info, Stage, "pipeline_id", self.id, "position", "id")


@strawberry.type(description="Something we sell.")
class Product(RecordNode):
    model = models.Product
    name: str
    sku: str
    category: str | None
    list_price: Decimal
    currency: str
    is_active: bool
    archived_at: datetime | None


@strawberry.type(description="A company we compete with for deals.")
class Competitor(RecordNode):
    model = models.Competitor
    name: str
    website: str | None
    strengths: str | None
    weaknesses: str | None
    archived_at: datetime | None


@strawberry.type(description="A call, email, meeting, note or task, on the records it concerns.")
class Activity(RecordNode):
    model = models.Activity
    kind: ActivityKind
    subject: str
    body: str | None
    occurred_at: datetime = strawberry.field(
        description="When it happened, or for a task when it was set; timelines sort by it."
    )
    due_at: datetime | None = strawberry.field(description="When a task is due.")
    completed_at: datetime | None = strawberry.field(description="When a task was completed.")
    outcome: str | None
    archived_at: datetime | None
    owner_id: strawberry.Private[int | None]
    client_id: strawberry.Private[int | None]
    contact_id: strawberry.Private[int | None]
    account_id: strawberry.Private[int | None]
    opportunity_id: strawberry.Private[int | None]
    lead_id: strawberry.Private[int | None]

    @strawberry.field(description="True for a task past its due date and not completed.")
    def is_overdue(self) -> bool:
        return bool(self.due_at and not self.completed_at and self.due_at < datetime.now(UTC))

    @strawberry.field(description="Who did it or must do it.")
    async def owner(self, info: Info) -> User | None:
        return await load(info, User, self.owner_id)

    @strawberry.field
    async def client(self, info: Info) -> "Client | None":
        return await load(info, Client, self.client_id)

    @strawberry.field
    async def contact(self, info: Info) -> "Contact | None":
        return await load(info, Contact, self.contact_id)

    @strawberry.field
    async def account(self, info: Info) -> "Account | None":
        return await load(info, Account, self.account_id)

    @strawberry.field
    async def opportunity(self, info: Info) -> "Opportunity | None":
        return await load(info, Opportunity, self.opportunity_id)

    @strawberry.field
    async def lead(self, info: Info) -> "Lead | None":
        return await load(info, Lead, self.lead_id)


ACTIVITY_COLUMNS = {"OCCURRED_AT": "occurred_at", "DUE_AT": "due_at", "CREATED_AT": "created_at"}
ACTIVITIES = Listing(
    Activity, ActivityFilter, activity_condition, ACTIVITY_COLUMNS, ("-occurred_at", "-id")
)
ActivityOrder = order_input("Activity", ACTIVITY_COLUMNS)
TIMELINE = "Activities, newest first unless ordered otherwise."


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
        return await load(info, Opportunity, self.opportunity_id)  # type: ignore[return-value]

    @strawberry.field(description="The stage it left; null for the stage a deal was created in.")
    async def from_stage(self, info: Info) -> Stage | None:
        return await load(info, Stage, self.from_stage_id)

    @strawberry.field
    async def to_stage(self, info: Info) -> Stage:
        return await load(info, Stage, self.to_stage_id)  # type: ignore[return-value]

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

    @strawberry.field(
        description="quantity x unit price x (1 - discount), rounded half up to the cent."
    )
    def total(self) -> Decimal:
        return round_money(self.quantity * self.unit_price * (1 - self.discount_percent / 100))

    @strawberry.field
    async def product(self, info: Info) -> Product:
        return await load(info, Product, self.product_id)  # type: ignore[return-value]


@strawberry.type(description="A competitor on a deal and where they stand.")
class OpportunityCompetitor(RecordNode):
    model = models.OpportunityCompetitor
    status: CompetitorStatus
    notes: str | None
    competitor_id: strawberry.Private[int]

    @strawberry.field
    async def competitor(self, info: Info) -> Competitor:
        return await load(info, Competitor, self.competitor_id)  # type: ignore[return-value]


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

    @strawberry.field(description="amount x probability / 100, rounded half up to the cent.")
    def weighted_amount(self) -> Decimal | None:
        if self.amount is None:
            return None
        return weighted_amount(self.amount, self.probability)

    @strawberry.field(description="Whole days since the deal entered its current stage.")
    def days_in_stage(self) -> int:
        return (datetime.now(UTC) - self.stage_entered_at).days

    @strawberry.field
    async def account(self, info: Info) -> "Account":
        return await load(info, Account, self.account_id)  # type: ignore[return-value]

    @strawberry.field
    async def owner(self, info: Info) -> User:
        return await load(info, User, self.owner_id)  # type: ignore[return-value]

    @strawberry.field
    async def pipeline(self, info: Info) -> Pipeline:
        return await load(info, Pipeline, self.pipeline_id)  # type: ignore[return-value]

    @strawberry.field
    async def stage(self, info: Info) -> Stage:
        return await load(info, Stage, self.stage_id)  # type: ignore[return-value]

    @strawberry.field(description="Products on the deal.")
    async def line_items(self, info: Info) -> list[OpportunityLineItem]:
        return await load_children(info, OpportunityLineItem, "opportunity_id", self.id, "id")

    @strawberry.field(description="Competitors on the deal.")
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


@strawberry.type(description="A person at a client.")
class Contact(RecordNode):
    model = models.Contact
    name: str
    title: str | None
    email: str | None
    phone: str | None
    buying_role: BuyingRole | None
    is_primary: bool = strawberry.field(description="The client's main contact.")
    archived_at: datetime | None
    client_id: strawberry.Private[int]

    @strawberry.field
    async def client(self, info: Info) -> "Client":
        return await load(info, Client, self.client_id)  # type: ignore[return-value]

    activities = ACTIVITIES.child_field(ActivityOrder, "contact_id", TIMELINE)


CONTACT_COLUMNS = {"NAME": "name", "CREATED_AT": "created_at"}
CONTACTS = Listing(Contact, ContactFilter, contact_condition, CONTACT_COLUMNS, ("name",))
ContactOrder = order_input("Contact", CONTACT_COLUMNS)


@strawberry.type(description="A user's role on an account's team.")
class AccountTeamMember(RecordNode):
    model = models.AccountTeamMember
    role: str
    user_id: strawberry.Private[int]

    @strawberry.field
    async def user(self, info: Info) -> User:
        return await load(info, User, self.user_id)  # type: ignore[return-value]


# Account management: declared in their own modules, which need the types above.
from schema.coordination import REQUESTS, CoordinationRequestOrder  # noqa: E402
from schema.planning import PLANS, AccountPlanOrder  # noqa: E402
from schema.satisfaction import RESPONSES, SatisfactionResponseOrder  # noqa: E402


@strawberry.type(
    description="A commercial relationship with a client, owned by an account manager."
)
class Account(RecordNode):
    model = models.Account
    name: str
    tier: AccountTier
    status: AccountStatus
    annual_recurring_value: Decimal
    currency: str
    renewal_date: date | None
    archived_at: datetime | None
    client_id: strawberry.Private[int]
    owner_id: strawberry.Private[int]

    @strawberry.field
    async def client(self, info: Info) -> "Client":
        return await load(info, Client, self.client_id)  # type: ignore[return-value]

    @strawberry.field(description="The account manager who owns the account.")
    async def owner(self, info: Info) -> User:
        return await load(info, User, self.owner_id)  # type: ignore[return-value]

    @strawberry.field(description="Users with a role on the account's team.")
    async def account_team(self, info: Info) -> list[AccountTeamMember]:
        return await load_children(info, AccountTeamMember, "account_id", self.id, "id")

    opportunities = OPPORTUNITIES.child_field(
        OpportunityOrder,
        "account_id",
        "The account's deals, newest first unless ordered otherwise.",
    )
    activities = ACTIVITIES.child_field(ActivityOrder, "account_id", TIMELINE)
    plans = PLANS.child_field(
        AccountPlanOrder, "account_id", "The account's plans, latest period first."
    )
    satisfaction_responses = RESPONSES.child_field(
        SatisfactionResponseOrder, "account_id", "NPS and CSAT answers, newest first."
    )
    coordination_requests = REQUESTS.child_field(
        CoordinationRequestOrder,
        "account_id",
        "Requests to internal teams about the account, newest first.",
    )

    @strawberry.field(
        description="How the account is doing now: score, status and the weighted components "
        "it is computed from."
    )
    async def health(
        self, info: Info
    ) -> Annotated["AccountHealth", strawberry.lazy("schema.analytics")]:
        from schema.analytics import resolve_account_health

        return await resolve_account_health(info, self.id)  # type: ignore[return-value]

    @strawberry.field(description="NPS and CSAT over a period, and the trend.")
    async def satisfaction(
        self,
        info: Info,
        period: Annotated[
            Annotated["PeriodInput", strawberry.lazy("schema.analytics")] | None,
            strawberry.argument(description="The period; the current quarter by default."),
        ] = None,
    ) -> Annotated["AccountSatisfaction", strawberry.lazy("schema.analytics")]:
        from schema.analytics import resolve_account_satisfaction

        return await resolve_account_satisfaction(info, self.id, period)  # type: ignore[return-value]


ACCOUNT_COLUMNS = {
    "NAME": "name",
    "ANNUAL_RECURRING_VALUE": "annual_recurring_value",
    "RENEWAL_DATE": "renewal_date",
    "CREATED_AT": "created_at",
    "UPDATED_AT": "updated_at",
}
ACCOUNTS = Listing(Account, AccountFilter, account_condition, ACCOUNT_COLUMNS, ("name",))
AccountOrder = order_input("Account", ACCOUNT_COLUMNS)


@strawberry.type(description="A customer organisation.")
class Client(RecordNode):
    model = models.Client
    name: str
    domain: str | None = strawberry.field(description="Web domain, unique across clients.")
    industry: str | None
    size_band: SizeBand | None
    country: str | None = strawberry.field(description="ISO 3166 alpha-2 code.")
    status: ClientStatus
    tags: list[str]
    archived_at: datetime | None
    team_id: strawberry.Private[int | None]

    @strawberry.field(
        description="The sales team that created the client; while nobody has an account with "
        "it (a prospect), only that team sees it. Null: administrators only."
    )
    async def team(self, info: Info) -> Team | None:
        return await load(info, Team, self.team_id)

    contacts = CONTACTS.child_field(ContactOrder, "client_id", "People at the client.")
    accounts = ACCOUNTS.child_field(AccountOrder, "client_id", "The client's accounts.")
    activities = ACTIVITIES.child_field(ActivityOrder, "client_id", TIMELINE)


@strawberry.type(description="A prospect not yet a client.")
class Lead(RecordNode):
    model = models.Lead
    person_name: str
    company_name: str
    company_domain: str | None = strawberry.field(
        description="The company's web domain; conversion reuses the client with this domain."
    )
    email: str | None
    phone: str | None
    source: LeadSource
    status: LeadStatus
    score: int = strawberry.field(description="Fit and interest, 0..100.")
    next_follow_up_at: datetime | None
    converted_at: datetime | None
    archived_at: datetime | None
    owner_id: strawberry.Private[int | None]
    converted_client_id: strawberry.Private[int | None]
    converted_contact_id: strawberry.Private[int | None]
    converted_account_id: strawberry.Private[int | None]
    converted_opportunity_id: strawberry.Private[int | None]

    @strawberry.field
    async def owner(self, info: Info) -> User | None:
        return await load(info, User, self.owner_id)

    @strawberry.field(description="The client the lead was converted into.")
    async def converted_client(self, info: Info) -> Client | None:
        return await load(info, Client, self.converted_client_id)

    @strawberry.field
    async def converted_contact(self, info: Info) -> Contact | None:
        return await load(info, Contact, self.converted_contact_id)

    @strawberry.field
    async def converted_account(self, info: Info) -> Account | None:
        return await load(info, Account, self.converted_account_id)

    @strawberry.field
    async def converted_opportunity(self, info: Info) -> Opportunity | None:
        return await load(info, Opportunity, self.converted_opportunity_id)

    activities = ACTIVITIES.child_field(ActivityOrder, "lead_id", TIMELINE)


@strawberry.type(description="One recorded change: who changed which record, when, and how.")
class AuditLogEntry(relay.Node):
    model: ClassVar[type[models.AuditLogEntry]] = models.AuditLogEntry
    id: relay.NodeID[int]
    occurred_at: datetime
    action: AuditAction
    record_type: str = strawberry.field(description="The GraphQL type of the changed record.")
    changes: JSON = strawberry.field(description="{field: {before, after}} for each changed field.")
    actor_id: strawberry.Private[int | None]
    record_pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: models.AuditLogEntry) -> "AuditLogEntry":
        return cls(
            id=row.pk,
            occurred_at=row.occurred_at,
            action=row.action,
            record_type=row.record_type,
            changes=cast(JSON, row.changes),
            actor_id=row.actor_id,
            record_pk=row.record_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Any, required: bool = False
    ) -> list["AuditLogEntry | None"]:
        return [None for _ in node_ids]  # audit entries are listed, not looked up one by one

    @strawberry.field(description="The global id of the changed record.")
    def record_id(self) -> strawberry.ID:
        return strawberry.ID(relay.to_base64(self.record_type, self.record_pk))

    @strawberry.field(description="Who made the change; null for the system.")
    async def actor(self, info: Info) -> User | None:
        return await load(info, User, self.actor_id)
