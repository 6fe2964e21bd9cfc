"""The root of the schema: its operation types, its extensions, and ``build_schema``."""

import logging
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

import models
from resolvers import accounts, activities, catalog, clients, leads, opportunities, people
from resolvers.core.permissions import may_write
from schema.access import RequireScope, RequireSignIn
from schema.account_work_mutations import ACCOUNT_WORK_MUTATIONS
from schema.auth import AuthMutations
from schema.errors import (
    LabelInputErrors,
    MaskUnexpectedErrors,
    RefuseNulCharacters,
    RequireOperationName,
    is_database_outage,
    is_unexpected,
    log_errors,
)
from schema.glossary import describe_schema
from schema.guards import HideSuggestions, QueryCostLimiter, document_limit_rules
from schema.lead_import import ImportLeadsPayload
from schema.payloads import (
    ArchiveAccountPayload,
    ArchiveActivityPayload,
    ArchiveClientPayload,
    ArchiveCompetitorPayload,
    ArchiveContactPayload,
    ArchiveLeadPayload,
    ArchiveOpportunityPayload,
    ArchiveProductPayload,
    CompleteTaskPayload,
    ConvertLeadPayload,
    CreateAccountPayload,
    CreateClientPayload,
    CreateCompetitorPayload,
    CreateContactPayload,
    CreateLeadPayload,
    CreateOpportunityCompetitorPayload,
    CreateOpportunityLineItemPayload,
    CreateOpportunityPayload,
    CreateProductPayload,
    CreateTeamPayload,
    CreateUserPayload,
    DeactivateUserPayload,
    DeleteOpportunityCompetitorPayload,
    DeleteOpportunityLineItemPayload,
    LogActivityPayload,
    MoveOpportunityStagePayload,
    RestoreAccountPayload,
    RestoreActivityPayload,
    RestoreClientPayload,
    RestoreCompetitorPayload,
    RestoreContactPayload,
    RestoreLeadPayload,
    RestoreOpportunityPayload,
    RestoreProductPayload,
    UpdateAccountPayload,
    UpdateActivityPayload,
    UpdateClientPayload,
    UpdateCompetitorPayload,
    UpdateContactPayload,
    UpdateLeadPayload,
    UpdateOpportunityCompetitorPayload,
    UpdateOpportunityLineItemPayload,
    UpdateOpportunityPayload,
    UpdateProductPayload,
    UpdateTeamPayload,
    UpdateUserPayload,
)
from schema.query import Query as RemainingQueries
from schema.subscriptions import Subscription as RemainingSubscriptions
from schema.subscriptions import WakeRelayAfterMutations
from schema.webhooks import WebhookMutations
from settings import Settings, get_settings

_log = logging.getLogger("accountgraph")

# Sign-in, API keys, webhooks, and the mutations of plans, coordination requests, satisfaction
# and targets, still generated (schema.account_work_mutations).
RemainingMutations: Any = strawberry.type(
    type("RemainingMutations", (AuthMutations, WebhookMutations), ACCOUNT_WORK_MUTATIONS)
)


# The root types list every root field by name, one section per domain. The fields still
# inherited from the Remaining* classes move here as their domains are declared.


@strawberry.type(description="Everything that can be read.")
class Query(RemainingQueries):
    # ---- nodes, viewer, records: clients, contacts, accounts, deals, leads, activities ----
    # ---- plans, coordination requests, satisfaction, targets ----
    # ---- analytics ----
    # ---- sign-in and API keys ----
    # ---- webhooks ----
    pass


@strawberry.type(description="Changes.")
class Mutation(RemainingMutations):
    # ---- clients, contacts, accounts, catalog, deals, leads, activities, users and teams ----
    create_client: CreateClientPayload = strawberry.mutation(
        resolver=clients.create_client,
        description="Create a client.",
        extensions=[may_write(models.Client)],
    )
    update_client: UpdateClientPayload = strawberry.mutation(
        resolver=clients.update_client,
        description="Change a client.",
        extensions=[may_write(models.Client)],
    )
    archive_client: ArchiveClientPayload = strawberry.mutation(
        resolver=clients.archive_client,
        description="Archive a client: hidden from lists by default, nothing is deleted.",
        extensions=[may_write(models.Client)],
    )
    restore_client: RestoreClientPayload = strawberry.mutation(
        resolver=clients.restore_client,
        description="Bring back an archived client.",
        extensions=[may_write(models.Client)],
    )
    create_contact: CreateContactPayload = strawberry.mutation(
        resolver=clients.create_contact,
        description="Create a contact.",
        extensions=[may_write(models.Contact)],
    )
    update_contact: UpdateContactPayload = strawberry.mutation(
        resolver=clients.update_contact,
        description="Change a contact.",
        extensions=[may_write(models.Contact)],
    )
    archive_contact: ArchiveContactPayload = strawberry.mutation(
        resolver=clients.archive_contact,
        description="Archive a contact: hidden from lists by default, nothing is deleted.",
        extensions=[may_write(models.Contact)],
    )
    restore_contact: RestoreContactPayload = strawberry.mutation(
        resolver=clients.restore_contact,
        description="Bring back an archived contact.",
        extensions=[may_write(models.Contact)],
    )
    create_account: CreateAccountPayload = strawberry.mutation(
        resolver=accounts.create_account,
        description="Create an account.",
        extensions=[may_write(models.Account)],
    )
    update_account: UpdateAccountPayload = strawberry.mutation(
        resolver=accounts.update_account,
        description="Change an account.",
        extensions=[may_write(models.Account)],
    )
    archive_account: ArchiveAccountPayload = strawberry.mutation(
        resolver=accounts.archive_account,
        description="Archive an account: hidden from lists by default, nothing is deleted.",
        extensions=[may_write(models.Account)],
    )
    restore_account: RestoreAccountPayload = strawberry.mutation(
        resolver=accounts.restore_account,
        description="Bring back an archived account.",
        extensions=[may_write(models.Account)],
    )
    create_product: CreateProductPayload = strawberry.mutation(
        resolver=catalog.create_product,
        description="Create a product.",
        extensions=[may_write(models.Product)],
    )
    update_product: UpdateProductPayload = strawberry.mutation(
        resolver=catalog.update_product,
        description="Change a product.",
        extensions=[may_write(models.Product)],
    )
    archive_product: ArchiveProductPayload = strawberry.mutation(
        resolver=catalog.archive_product,
        description="Archive a product: hidden from lists by default, nothing is deleted.",
        extensions=[may_write(models.Product)],
    )
    restore_product: RestoreProductPayload = strawberry.mutation(
        resolver=catalog.restore_product,
        description="Bring back an archived product.",
        extensions=[may_write(models.Product)],
    )
    create_competitor: CreateCompetitorPayload = strawberry.mutation(
        resolver=catalog.create_competitor,
        description="Create a competitor.",
        extensions=[may_write(models.Competitor)],
    )
    update_competitor: UpdateCompetitorPayload = strawberry.mutation(
        resolver=catalog.update_competitor,
        description="Change a competitor.",
        extensions=[may_write(models.Competitor)],
    )
    archive_competitor: ArchiveCompetitorPayload = strawberry.mutation(
        resolver=catalog.archive_competitor,
        description="Archive a competitor: hidden from lists by default, nothing is deleted.",
        extensions=[may_write(models.Competitor)],
    )
    restore_competitor: RestoreCompetitorPayload = strawberry.mutation(
        resolver=catalog.restore_competitor,
        description="Bring back an archived competitor.",
        extensions=[may_write(models.Competitor)],
    )
    create_opportunity: CreateOpportunityPayload = strawberry.mutation(
        resolver=opportunities.create_opportunity,
        description="Open a deal on an account; its stage history starts with its first stage.",
        extensions=[may_write(models.Opportunity)],
    )
    update_opportunity: UpdateOpportunityPayload = strawberry.mutation(
        resolver=opportunities.update_opportunity,
        description="Change an opportunity.",
        extensions=[may_write(models.Opportunity)],
    )
    archive_opportunity: ArchiveOpportunityPayload = strawberry.mutation(
        resolver=opportunities.archive_opportunity,
        description="Archive an opportunity: hidden from lists by default, nothing is deleted.",
        extensions=[may_write(models.Opportunity)],
    )
    restore_opportunity: RestoreOpportunityPayload = strawberry.mutation(
        resolver=opportunities.restore_opportunity,
        description="Bring back an archived opportunity.",
        extensions=[may_write(models.Opportunity)],
    )
    move_opportunity_stage: MoveOpportunityStagePayload = strawberry.mutation(
        resolver=opportunities.move_opportunity_stage,
        description="Move a deal to another stage of its pipeline. Lost stages need a lost "
        "reason, won stages an amount above 0; a closed deal reopens only by a move "
        "to an open stage.",
        extensions=[may_write(models.Opportunity)],
    )
    create_opportunity_line_item: CreateOpportunityLineItemPayload = strawberry.mutation(
        resolver=opportunities.create_opportunity_line_item,
        description="Create a line item.",
        extensions=[may_write(models.OpportunityLineItem)],
    )
    update_opportunity_line_item: UpdateOpportunityLineItemPayload = strawberry.mutation(
        resolver=opportunities.update_opportunity_line_item,
        description="Change a line item.",
        extensions=[may_write(models.OpportunityLineItem)],
    )
    delete_opportunity_line_item: DeleteOpportunityLineItemPayload = strawberry.mutation(
        resolver=opportunities.delete_opportunity_line_item,
        description="Delete a line item; the audit log keeps its values. Returns it as it was.",
        extensions=[may_write(models.OpportunityLineItem)],
    )
    create_opportunity_competitor: CreateOpportunityCompetitorPayload = strawberry.mutation(
        resolver=opportunities.create_opportunity_competitor,
        description="Create a competitor on the deal.",
        extensions=[may_write(models.OpportunityCompetitor)],
    )
    update_opportunity_competitor: UpdateOpportunityCompetitorPayload = strawberry.mutation(
        resolver=opportunities.update_opportunity_competitor,
        description="Change a competitor on the deal.",
        extensions=[may_write(models.OpportunityCompetitor)],
    )
    delete_opportunity_competitor: DeleteOpportunityCompetitorPayload = strawberry.mutation(
        resolver=opportunities.delete_opportunity_competitor,
        description="Delete a competitor on the deal; the audit log keeps its values. Returns it "
        "as it was.",
        extensions=[may_write(models.OpportunityCompetitor)],
    )
    create_lead: CreateLeadPayload = strawberry.mutation(
        resolver=leads.create_lead,
        description="Record a new lead; the owner defaults to the caller.",
        extensions=[may_write(models.Lead)],
    )
    update_lead: UpdateLeadPayload = strawberry.mutation(
        resolver=leads.update_lead,
        description="Change a lead.",
        extensions=[may_write(models.Lead)],
    )
    archive_lead: ArchiveLeadPayload = strawberry.mutation(
        resolver=leads.archive_lead,
        description="Archive a lead: hidden from lists by default, nothing is deleted.",
        extensions=[may_write(models.Lead)],
    )
    restore_lead: RestoreLeadPayload = strawberry.mutation(
        resolver=leads.restore_lead,
        description="Bring back an archived lead.",
        extensions=[may_write(models.Lead)],
    )
    convert_lead: ConvertLeadPayload = strawberry.mutation(
        resolver=leads.convert_lead,
        description="Convert a lead in one transaction: a client (reused when its domain "
        "matches), a contact, an account and optionally a deal; the lead becomes "
        "CONVERTED.",
        extensions=[may_write(models.Lead)],
    )
    import_leads: ImportLeadsPayload = strawberry.mutation(
        resolver=leads.import_leads,
        description="Import leads from a CSV file (multipart upload): a row whose email a lead "
        "you can see already has updates that lead; any other row makes a new lead. "
        "The file is refused whole when it does not decode, is not CSV or lacks a "
        "required column; rows that break a lead rule are reported and left out. Rows "
        "are stored in all-or-nothing batches.",
        extensions=[may_write(models.Lead)],
    )
    log_activity: LogActivityPayload = strawberry.mutation(
        resolver=activities.log_activity,
        description="Record a call, email, meeting, note or task on a client, contact, account, "
        "deal or lead.",
        extensions=[may_write(models.Activity)],
    )
    complete_task: CompleteTaskPayload = strawberry.mutation(
        resolver=activities.complete_task,
        description="Mark a task done.",
        extensions=[may_write(models.Activity)],
    )
    update_activity: UpdateActivityPayload = strawberry.mutation(
        resolver=activities.update_activity,
        description="Change an activity.",
        extensions=[may_write(models.Activity)],
    )
    archive_activity: ArchiveActivityPayload = strawberry.mutation(
        resolver=activities.archive_activity,
        description="Archive an activity: hidden from lists by default, nothing is deleted.",
        extensions=[may_write(models.Activity)],
    )
    restore_activity: RestoreActivityPayload = strawberry.mutation(
        resolver=activities.restore_activity,
        description="Bring back an archived activity.",
        extensions=[may_write(models.Activity)],
    )
    create_user: CreateUserPayload = strawberry.mutation(
        resolver=people.create_user,
        description="Create a user (administrators only).",
        extensions=[may_write(models.User)],
    )
    update_user: UpdateUserPayload = strawberry.mutation(
        resolver=people.update_user,
        description="Change a user (administrators only).",
        extensions=[may_write(models.User)],
    )
    deactivate_user: DeactivateUserPayload = strawberry.mutation(
        resolver=people.deactivate_user,
        description="Deactivate a user: their tokens and API keys stop working at once "
        "(administrators only).",
        extensions=[may_write(models.User)],
    )
    create_team: CreateTeamPayload = strawberry.mutation(
        resolver=people.create_team,
        description="Create a team (administrators only).",
        extensions=[may_write(models.Team)],
    )
    update_team: UpdateTeamPayload = strawberry.mutation(
        resolver=people.update_team,
        description="Change a team (administrators only).",
        extensions=[may_write(models.Team)],
    )

    # ---- plans, coordination requests, satisfaction, targets ----
    # ---- sign-in and API keys ----
    # ---- webhooks ----
    pass


@strawberry.type(description="Live updates over WebSocket (graphql-transport-ws).")
class Subscription(RemainingSubscriptions):
    pass


class AccountGraphSchema(strawberry.Schema):
    """Strawberry's schema, logging expected errors in one line each without a traceback,
    and a database outage as one line rather than a traceback per failed field (they are
    answered SERVICE_UNAVAILABLE, see MaskUnexpectedErrors)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        outages = [error for error in errors if is_database_outage(error)]
        if outages:
            _log.warning(
                "%d field(s) failed, the database is unavailable: %s",
                len(outages),
                outages[0].original_error,
            )
        log_errors([error for error in errors if not is_database_outage(error)])


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """The executable schema, with the request guards the settings ask for."""
    settings = settings or get_settings()
    # Built once, not per request, so that ValidationCache (keyed by the rules) hits.
    limits = document_limit_rules(
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_directives=settings.max_directives,
    )
    # Factories: Strawberry makes fresh extension instances for every request.
    extensions: list[Callable[[], SchemaExtension]] = [
        RequireOperationName,
        lambda: RequireSignIn(anonymous_introspection=settings.introspection_anonymous),
        RequireScope,
        WakeRelayAfterMutations,
        LabelInputErrors,
        RefuseNulCharacters,
        lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
        lambda: AddValidationRules(limits),
        lambda: QueryCostLimiter(
            max_cost=settings.max_query_cost, default_page_size=settings.default_page_size
        ),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        lambda: MaskUnexpectedErrors(
            should_mask_error=is_unexpected, error_message="Internal server error"
        ),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    if not settings.field_suggestions:
        extensions.append(HideSuggestions)
    built = AccountGraphSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(relay_max_results=settings.max_page_size),
    )
    describe_schema(built._schema)
    return built


def schema_sdl() -> str:
    """The schema in SDL, as committed in schema.graphql."""
    return build_schema().as_str() + "\n"
