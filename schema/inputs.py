"""Mutation inputs: what each mutation takes. Update inputs are derived from create inputs,
with every field optional (omitted = unchanged, null = cleared)."""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import strawberry
from strawberry import UNSET
from strawberry.relay import GlobalID
from strawberry.types.base import get_object_definition

from schema.enums import (
    AccountStatus,
    AccountTier,
    ActivityKind,
    BuyingRole,
    ClientStatus,
    CompetitorStatus,
    LeadSource,
    LeadStatus,
    ObjectiveStatus,
    OpportunityType,
    PlanStatus,
    RequestPriority,
    RequestStatus,
    Role,
    SatisfactionKind,
    SizeBand,
    TargetMetric,
    TeamKind,
)

T = TypeVar("T")


EXPECTED_VERSION = (
    "The record's version as you last read it. When given and the record has changed "
    "since, nothing is changed and the answer is a CONFLICT error on this field: reload the "
    "record and apply your change again. Leave it out to apply the change in any case."
)


def expected_version_field() -> Any:
    """The optional ``expectedVersion`` every update input takes (optimistic concurrency)."""
    return strawberry.field(default=None, description=EXPECTED_VERSION)


def updates(create: type, *, omit: tuple[str, ...] = ()) -> Callable[[type[T]], type[T]]:
    """Make the decorated class an update input: ``id``, the fields of the input ``create``
    but ``omit``, all optional (omitted = unchanged, null = cleared), and ``expectedVersion``."""

    def declare(cls: type[T]) -> type[T]:
        annotations: dict[str, Any] = {"id": GlobalID}
        defaults: dict[str, Any] = {}
        for field in get_object_definition(create, strict=True).fields:
            if field.python_name in omit:
                continue
            annotations[field.python_name] = create.__annotations__[field.python_name] | None
            defaults[field.python_name] = strawberry.field(
                default=UNSET, description=field.description
            )
        annotations["expected_version"] = int | None
        defaults["expected_version"] = expected_version_field()
        for name, default in defaults.items():
            setattr(cls, name, default)
        cls.__annotations__ = annotations
        return strawberry.input(
            cls,
            description="Fields to change; omitted fields stay as they are, null clears a value.",
        )

    return declare


def opt(description: str | None = None) -> Any:
    return strawberry.field(default=UNSET, description=description)


OWNER = (
    "The owner's global id: yourself, a member of your team if you are a sales manager, anyone "
    "if you are an administrator. Left out of a new record: the caller."
)


@strawberry.input(description="A new client organisation.")
class CreateClientInput:
    name: str
    domain: str | None = opt("Web domain such as 'example.com'; unique across clients.")
    industry: str | None = opt()
    size_band: SizeBand | None = opt()
    country: str | None = opt("ISO 3166 alpha-2 code such as 'DE'.")
    status: ClientStatus | None = opt()
    tags: list[str] | None = opt()


@strawberry.input(description="A new person at a client.")
class CreateContactInput:
    client_id: GlobalID
    name: str
    title: str | None = opt()
    email: str | None = opt()
    phone: str | None = opt()
    buying_role: BuyingRole | None = opt()
    is_primary: bool | None = opt()


@strawberry.input(description="A new account under a client.")
class CreateAccountInput:
    client_id: GlobalID
    name: str
    owner_id: GlobalID | None = opt(OWNER)
    tier: AccountTier | None = opt()
    status: AccountStatus | None = opt()
    annual_recurring_value: Decimal | None = opt()
    currency: str | None = opt("ISO 4217 code; the deployment's base currency when omitted.")
    renewal_date: date | None = opt()


@strawberry.input(description="A new product.")
class CreateProductInput:
    name: str
    sku: str
    list_price: Decimal
    category: str | None = opt()
    currency: str | None = opt("ISO 4217 code; the deployment's base currency when omitted.")
    is_active: bool | None = opt()


@strawberry.input(description="A new competitor.")
class CreateCompetitorInput:
    name: str
    website: str | None = opt()
    strengths: str | None = opt()
    weaknesses: str | None = opt()


@strawberry.input(description="A new lead.")
class CreateLeadInput:
    person_name: str
    company_name: str
    company_domain: str | None = opt("Used to match an existing client on conversion.")
    email: str | None = opt()
    phone: str | None = opt()
    source: LeadSource | None = opt()
    status: LeadStatus | None = opt()
    owner_id: GlobalID | None = opt(OWNER)
    score: int | None = opt("0..100")
    next_follow_up_at: datetime | None = opt()


@strawberry.input(description="A new deal on an account.")
class CreateOpportunityInput:
    account_id: GlobalID
    name: str
    owner_id: GlobalID | None = opt("Defaults to the account's owner.")
    pipeline_id: GlobalID | None = opt("Defaults to the first pipeline.")
    stage_id: GlobalID | None = opt("Defaults to the pipeline's first open stage.")
    amount: Decimal | None = opt()
    currency: str | None = opt("Defaults to the account's currency.")
    probability: int | None = opt("0..100; defaults to the stage's probability.")
    expected_close_date: date | None = opt()
    type: OpportunityType | None = opt()
    next_step: str | None = opt()
    forecast_commit: bool | None = opt("Commit the deal to the forecast; false by default.")
    lost_reason: str | None = opt("Needed when the deal starts in a lost stage.")


@strawberry.input(description="A call, email, meeting, note or task to record.")
class LogActivityInput:
    kind: ActivityKind
    subject: str
    body: str | None = opt()
    occurred_at: datetime | None = opt("When it happened; now when omitted.")
    due_at: datetime | None = opt("Required for tasks.")
    outcome: str | None = opt()
    owner_id: GlobalID | None = opt("Defaults to the caller.")
    client_id: GlobalID | None = opt()
    contact_id: GlobalID | None = opt()
    account_id: GlobalID | None = opt("Filled in from the deal when omitted.")
    opportunity_id: GlobalID | None = opt()
    lead_id: GlobalID | None = opt()


@strawberry.input(description="A product to add to a deal.")
class CreateOpportunityLineItemInput:
    opportunity_id: GlobalID
    product_id: GlobalID
    quantity: Decimal = strawberry.field(description="Greater than 0.")
    unit_price: Decimal | None = opt("Defaults to the product's list price.")
    discount_percent: Decimal | None = opt("0..100")


@strawberry.input(description="A competitor to record on a deal.")
class CreateOpportunityCompetitorInput:
    opportunity_id: GlobalID
    competitor_id: GlobalID
    status: CompetitorStatus | None = opt()
    notes: str | None = opt()


@strawberry.input(description="A new user.")
class CreateUserInput:
    email: str
    name: str
    role: Role = strawberry.field(default=Role.ACCOUNT_MANAGER, description="What the user may do.")
    team_id: GlobalID | None = opt()
    manager_id: GlobalID | None = opt()
    password: str | None = opt("At least 12 characters; without one the user cannot sign in yet.")


@strawberry.input(description="A new team.")
class CreateTeamInput:
    name: str
    kind: TeamKind | None = opt()


@updates(CreateUserInput, omit=("password",))
class UpdateUserInput:
    pass


@updates(CreateTeamInput)
class UpdateTeamInput:
    pass


@updates(CreateClientInput)
class UpdateClientInput:
    pass


@updates(CreateContactInput, omit=("client_id",))
class UpdateContactInput:
    pass


@updates(CreateAccountInput, omit=("client_id",))
class UpdateAccountInput:
    pass


@updates(CreateProductInput)
class UpdateProductInput:
    pass


@updates(CreateCompetitorInput)
class UpdateCompetitorInput:
    pass


@updates(CreateLeadInput)
class UpdateLeadInput:
    pass


@updates(CreateOpportunityInput, omit=("account_id", "pipeline_id", "stage_id", "lost_reason"))
class UpdateOpportunityInput:
    pass


@updates(CreateOpportunityLineItemInput, omit=("opportunity_id", "product_id"))
class UpdateOpportunityLineItemInput:
    pass


@updates(CreateOpportunityCompetitorInput, omit=("opportunity_id", "competitor_id"))
class UpdateOpportunityCompetitorInput:
    pass


@updates(
    LogActivityInput,
    omit=("kind", "client_id", "contact_id", "account_id", "opportunity_id", "lead_id"),
)
class UpdateActivityInput:
    pass


# The record an archive, restore, delete or deactivation acts on.


@strawberry.input(description="The client to archive.")
class ArchiveClientInput:
    id: GlobalID


@strawberry.input(description="The client to restore.")
class RestoreClientInput:
    id: GlobalID


@strawberry.input(description="The contact to archive.")
class ArchiveContactInput:
    id: GlobalID


@strawberry.input(description="The contact to restore.")
class RestoreContactInput:
    id: GlobalID


@strawberry.input(description="The account to archive.")
class ArchiveAccountInput:
    id: GlobalID


@strawberry.input(description="The account to restore.")
class RestoreAccountInput:
    id: GlobalID


@strawberry.input(description="The product to archive.")
class ArchiveProductInput:
    id: GlobalID


@strawberry.input(description="The product to restore.")
class RestoreProductInput:
    id: GlobalID


@strawberry.input(description="The competitor to archive.")
class ArchiveCompetitorInput:
    id: GlobalID


@strawberry.input(description="The competitor to restore.")
class RestoreCompetitorInput:
    id: GlobalID


@strawberry.input(description="The lead to archive.")
class ArchiveLeadInput:
    id: GlobalID


@strawberry.input(description="The lead to restore.")
class RestoreLeadInput:
    id: GlobalID


@strawberry.input(description="The opportunity to archive.")
class ArchiveOpportunityInput:
    id: GlobalID


@strawberry.input(description="The opportunity to restore.")
class RestoreOpportunityInput:
    id: GlobalID


@strawberry.input(description="The activity to archive.")
class ArchiveActivityInput:
    id: GlobalID


@strawberry.input(description="The activity to restore.")
class RestoreActivityInput:
    id: GlobalID


@strawberry.input(description="The line item to delete.")
class DeleteOpportunityLineItemInput:
    id: GlobalID


@strawberry.input(description="The competitor on the deal to delete.")
class DeleteOpportunityCompetitorInput:
    id: GlobalID


@strawberry.input(description="The user to deactivate.")
class DeactivateUserInput:
    id: GlobalID


@strawberry.input(description="Move a deal to another stage of its pipeline.")
class MoveOpportunityStageInput:
    opportunity_id: GlobalID
    stage_id: GlobalID
    lost_reason: str | None = opt("Required when the stage is a lost stage.")


@strawberry.input(description="Mark a task done.")
class CompleteTaskInput:
    activity_id: GlobalID
    outcome: str | None = opt()


@strawberry.input(description="The deal to open while converting a lead.")
class ConvertLeadOpportunityInput:
    name: str
    amount: Decimal | None = opt()
    currency: str | None = opt()
    pipeline_id: GlobalID | None = opt()
    stage_id: GlobalID | None = opt()
    expected_close_date: date | None = opt()
    type: OpportunityType | None = opt()


@strawberry.input(
    description="Convert a lead into a client, contact, account and optionally a deal."
)
class ConvertLeadInput:
    lead_id: GlobalID
    client_id: GlobalID | None = opt(
        "Attach to this client; otherwise the client with the lead's company domain, or a new one."
    )
    account_name: str | None = opt("Defaults to the lead's company name.")
    owner_id: GlobalID | None = opt("Owner of the new account; defaults to the lead's owner.")
    opportunity: ConvertLeadOpportunityInput | None = opt()


# ---- plans, coordination requests, satisfaction, targets ----


@strawberry.input(description="A new plan for an account and period.")
class CreateAccountPlanInput:
    account_id: GlobalID
    name: str
    period_start: date = strawberry.field(description="First day of the plan's period.")
    period_end: date = strawberry.field(description="Last day; after the first.")
    owner_id: GlobalID | None = opt("Who runs the plan; the account's owner when omitted.")
    status: PlanStatus | None = opt("DRAFT when omitted.")
    revenue_target: Decimal | None = opt("Revenue the plan aims to win over its period.")
    currency: str | None = opt("ISO 4217 code; the account's currency when omitted.")
    summary: str | None = opt("The plan in a few sentences.")


@strawberry.input(description="A new objective of an account plan.")
class CreatePlanObjectiveInput:
    plan_id: GlobalID
    title: str = strawberry.field(description="What the objective is.")
    owner_id: GlobalID | None = opt("Who is responsible; must be an active user.")
    due_date: date | None = opt("When it is to be reached.")
    status: ObjectiveStatus | None = opt("NOT_STARTED when omitted.")
    measure: str | None = opt("How reaching it is measured, in words.")
    position: int | None = opt("Order among the plan's objectives, from 0.")


@strawberry.input(description="A new action of an account plan.")
class CreatePlanActionInput:
    plan_id: GlobalID
    title: str = strawberry.field(description="What is to be done.")
    objective_id: GlobalID | None = opt("The plan's objective it works towards.")
    owner_id: GlobalID | None = opt("Who does it; must be an active user.")
    due_date: date | None = opt("When it is due.")
    completed_at: datetime | None = opt("When it was done; null while still to do.")


@strawberry.input(description="A deal and an objective of a plan on the deal's account.")
class LinkOpportunityToObjectiveInput:
    objective_id: GlobalID
    opportunity_id: GlobalID


@strawberry.input(description="The deal to stop counting towards an objective.")
class UnlinkOpportunityFromObjectiveInput:
    objective_id: GlobalID
    opportunity_id: GlobalID


@strawberry.input(
    description="Fields to change; omitted fields stay as they are, null clears a value."
)
class UpdateAccountPlanInput:
    id: GlobalID
    name: str | None = opt()
    period_start: date | None = opt("First day of the plan's period.")
    period_end: date | None = opt("Last day; after the first.")
    owner_id: GlobalID | None = opt("Who runs the plan; the account's owner when omitted.")
    status: PlanStatus | None = opt("DRAFT when omitted.")
    revenue_target: Decimal | None = opt("Revenue the plan aims to win over its period.")
    currency: str | None = opt("ISO 4217 code; the account's currency when omitted.")
    summary: str | None = opt("The plan in a few sentences.")
    expected_version: int | None = expected_version_field()


@strawberry.input(description="The account plan to archive.")
class ArchiveAccountPlanInput:
    id: GlobalID


@strawberry.input(description="The account plan to restore.")
class RestoreAccountPlanInput:
    id: GlobalID


@strawberry.input(
    description="Fields to change; omitted fields stay as they are, null clears a value."
)
class UpdatePlanObjectiveInput:
    id: GlobalID
    title: str | None = opt("What the objective is.")
    owner_id: GlobalID | None = opt("Who is responsible; must be an active user.")
    due_date: date | None = opt("When it is to be reached.")
    status: ObjectiveStatus | None = opt("NOT_STARTED when omitted.")
    measure: str | None = opt("How reaching it is measured, in words.")
    position: int | None = opt("Order among the plan's objectives, from 0.")
    expected_version: int | None = expected_version_field()


@strawberry.input(description="The objective to remove.")
class DeletePlanObjectiveInput:
    id: GlobalID


@strawberry.input(
    description="Fields to change; omitted fields stay as they are, null clears a value."
)
class UpdatePlanActionInput:
    id: GlobalID
    title: str | None = opt("What is to be done.")
    objective_id: GlobalID | None = opt("The plan's objective it works towards.")
    owner_id: GlobalID | None = opt("Who does it; must be an active user.")
    due_date: date | None = opt("When it is due.")
    completed_at: datetime | None = opt("When it was done; null while still to do.")
    expected_version: int | None = expected_version_field()


@strawberry.input(description="The action to remove.")
class DeletePlanActionInput:
    id: GlobalID


@strawberry.input(description="An NPS or CSAT answer about an account.")
class RecordSatisfactionInput:
    account_id: GlobalID
    kind: SatisfactionKind = strawberry.field(description="NPS (0..10) or CSAT (1..5).")
    score: int = strawberry.field(description="A whole number on the kind's scale.")
    contact_id: GlobalID | None = opt("Who answered; a contact of the account's client.")
    comment: str | None = opt("What the client said.")
    received_at: datetime | None = opt("When the answer was given; now when omitted.")


@strawberry.input(description="Help to ask of an internal team about an account.")
class CreateCoordinationRequestInput:
    account_id: GlobalID
    team_id: GlobalID = strawberry.field(description="The internal team asked; not a sales team.")
    title: str = strawberry.field(description="What is asked, in one line.")
    description: str | None = opt("The details of what is asked.")
    priority: RequestPriority | None = opt("NORMAL when omitted.")
    opportunity_id: GlobalID | None = opt("The deal of the account the request is about.")
    assignee_id: GlobalID | None = opt("An active member of the team asked.")
    due_date: date | None = opt("When it is needed by; not in the past.")


@strawberry.input(
    description="Fields to change; omitted fields stay as they are, null clears a value. The "
    "team asked may change only status and assignee."
)
class UpdateCoordinationRequestInput:
    id: GlobalID
    status: RequestStatus | None = opt(
        "DONE or DECLINED stamps resolvedAt; OPEN or IN_PROGRESS clears it."
    )
    assignee_id: GlobalID | None = opt("An active member of the team asked; null unassigns.")
    title: str | None = opt("What is asked, in one line.")
    description: str | None = opt("The details of what is asked.")
    priority: RequestPriority | None = opt("How urgent it is.")
    team_id: GlobalID | None = opt("Send the request to another internal team.")
    opportunity_id: GlobalID | None = opt("The deal of the account the request is about.")
    due_date: date | None = opt("When it is needed by.")
    expected_version: int | None = expected_version_field()


@strawberry.input(description="A comment on a coordination request.")
class CommentOnCoordinationRequestInput:
    request_id: GlobalID = strawberry.field(description="The request to comment on.")
    body: str


@strawberry.input(
    description="A target for one user or one team (give exactly one of userId and teamId). "
    "Setting it again for the same period and metric changes its amount."
)
class SetTargetInput:
    period_start: date = strawberry.field(description="First day of the period.")
    period_end: date = strawberry.field(description="Last day of the period; after the first.")
    amount: Decimal = strawberry.field(
        description="Revenue for REVENUE_WON, a whole count otherwise; not negative."
    )
    user_id: GlobalID | None = opt("The user the target is for.")
    team_id: GlobalID | None = opt("The team the target is for.")
    metric: TargetMetric | None = opt("REVENUE_WON when omitted.")
    currency: str | None = opt(
        "ISO 4217 code of a REVENUE_WON target (the base currency when omitted); "
        "leave it out for counts."
    )
