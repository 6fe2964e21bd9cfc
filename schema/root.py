"""The root of the schema: its operation types, its extensions, and ``build_schema``."""

import logging
from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

import models
import resolvers.accounts
import resolvers.activities
import resolvers.analytics
import resolvers.auth
import resolvers.catalog
import resolvers.clients
import resolvers.coordination
import resolvers.events
import resolvers.leads
import resolvers.nodes
import resolvers.opportunities
import resolvers.people
import resolvers.planning
import resolvers.satisfaction
import resolvers.subscriptions
import resolvers.targets
import resolvers.webhooks
from resolvers.core.permissions import signed_in
from resolvers.mutation import may_write
from schema.access import RequireScope, RequireSignIn
from schema.accounts import ACCOUNTS, AccountOrder
from schema.activities import ACTIVITIES, ActivityOrder
from schema.audit import AUDIT_LOG, AuditLogOrder
from schema.catalog import COMPETITORS, PRODUCTS, CompetitorOrder, ProductOrder
from schema.clients import CLIENTS, CONTACTS, ClientOrder, ContactOrder
from schema.coordination import REQUESTS, CoordinationRequestOrder, queue_condition
from schema.errors import (
    CodedParserCache,
    LabelRequestErrors,
    MaskUnexpectedErrors,
    RefuseNulCharacters,
    RequireOperationName,
    is_database_outage,
    is_unexpected,
    log_errors,
)
from schema.events import ALL_EVENT_TYPES
from schema.extensions import WakeRelayAfterMutations
from schema.glossary import describe_schema
from schema.guards import HideSuggestions, QueryCostLimiter, document_limit_rules
from schema.leads import LEADS, LeadOrder
from schema.opportunities import OPPORTUNITIES, OpportunityOrder
from schema.people import TEAMS, USERS, TeamOrder, UserOrder
from schema.planning import PLANS, AccountPlanOrder
from schema.scalars import SCALARS
from schema.targets import TARGETS, TargetOrder
from schema.webhooks import WebhookDeliveryOrder, WebhookEndpointOrder
from settings import Settings, get_settings

_log = logging.getLogger("accountgraph")

# What a caller who may not manage webhook endpoints is told by every webhook mutation.
MAY_NOT_MANAGE_WEBHOOKS = "you may not manage webhook endpoints"
# What every lookup by id answers for an id the caller sees no record behind.
OR_NULL = "; null, with a NOT_FOUND error, when the caller sees none. Archived ones are found too."


# The root types list every root field by name, one section per domain: the code behind each
# is a named function of resolvers/<domain>.py, its permission is declared on the field.


@strawberry.type(description="Everything that can be read.")
class Query:
    # ---- nodes, viewer, records: clients, contacts, accounts, deals, leads, activities ----
    node = strawberry.field(
        resolver=resolvers.nodes.node,
        description="Any record by its global id" + OR_NULL,
    )
    nodes = strawberry.field(
        resolver=resolvers.nodes.nodes,
        description="Records by global id, in order; null where there is none.",
    )
    viewer = strawberry.field(
        resolver=resolvers.nodes.viewer,
        description="The signed-in user; null for anonymous callers.",
    )
    users = USERS.root_field(UserOrder, "Users.")
    teams = TEAMS.root_field(TeamOrder, "Teams.")
    clients = CLIENTS.root_field(ClientOrder, "Client organisations.")
    client = strawberry.field(
        resolver=resolvers.nodes.client,
        description="One client by id" + OR_NULL,
    )
    contacts = CONTACTS.root_field(ContactOrder, "People at clients.")
    accounts = ACCOUNTS.root_field(AccountOrder, "Accounts, by name unless ordered otherwise.")
    account = strawberry.field(
        resolver=resolvers.nodes.account,
        description="One account by id" + OR_NULL,
    )
    leads = LEADS.root_field(LeadOrder, "Leads, newest first.")
    lead = strawberry.field(
        resolver=resolvers.nodes.lead,
        description="One lead by id" + OR_NULL,
    )
    opportunities = OPPORTUNITIES.root_field(OpportunityOrder, "Deals, newest first.")
    opportunity = strawberry.field(
        resolver=resolvers.nodes.opportunity,
        description="One opportunity by id" + OR_NULL,
    )
    activities = ACTIVITIES.root_field(ActivityOrder, "Activities, newest first.")
    products = PRODUCTS.root_field(ProductOrder, "Products.")
    competitors = COMPETITORS.root_field(CompetitorOrder, "Competitors.")
    audit_log = AUDIT_LOG.root_field(AuditLogOrder, "Recorded changes, newest first.")
    pipelines = strawberry.field(
        resolver=resolvers.nodes.pipelines, description="Every pipeline with its stages, in order."
    )
    # ---- plans, coordination requests, satisfaction, targets ----
    account_plan = strawberry.field(
        resolver=resolvers.nodes.account_plan,
        description="One account plan by id" + OR_NULL,
    )
    account_plans = PLANS.root_field(
        AccountPlanOrder, "Account plans, latest period first unless ordered otherwise."
    )
    coordination_requests = REQUESTS.root_field(
        CoordinationRequestOrder,
        "Requests to internal teams: those about accounts the caller sees, and those sent to "
        "the caller's team; newest first unless ordered otherwise.",
    )
    coordination_queue = REQUESTS.root_field(
        CoordinationRequestOrder,
        "What waits on the caller: requests still OPEN or IN_PROGRESS that were sent to the "
        "caller's team or assigned to the caller; newest first unless ordered otherwise.",
        scope=queue_condition,
    )
    targets = TARGETS.root_field(
        TargetOrder,
        "Targets the caller may see (administrators: all; sales managers: their team's and "
        "its users'; account managers: their own); latest period first.",
    )
    # ---- analytics ----
    pipeline_summary = strawberry.field(
        resolver=resolvers.analytics.pipeline_summary,
        description="Deals per stage and currency: count, total and weighted amounts.",
    )
    forecast = strawberry.field(
        resolver=resolvers.analytics.forecast,
        description="Won, commit, best case and pipeline of a period, per currency.",
    )
    sales_metrics = strawberry.field(
        resolver=resolvers.analytics.sales_metrics,
        description="Win rate, deal size, sales cycle, stage conversion and time in stage.",
    )
    target_attainment = strawberry.field(
        resolver=resolvers.analytics.target_attainment,
        description="Each target overlapping the period against what was achieved.",
    )
    accounts_at_risk = strawberry.field(
        resolver=resolvers.analytics.accounts_at_risk,
        description="Active accounts whose health is AT_RISK, lowest score first.",
    )
    plan_progress = strawberry.field(
        resolver=resolvers.analytics.plan_progress,
        description="Progress of account plans, from the deals linked to them.",
    )
    stale_opportunities = strawberry.field(
        resolver=resolvers.analytics.stale_opportunities,
        description="Open deals with no activity or stage move for longer than their stage's "
        "rotting threshold, the longest untouched first.",
    )
    upcoming_renewals = strawberry.field(
        resolver=resolvers.analytics.upcoming_renewals,
        description="Accounts renewing within the next days, soonest first.",
    )
    follow_up_queue = strawberry.field(
        resolver=resolvers.analytics.follow_up_queue,
        description="The caller's leads due for follow-up and tasks due, most overdue first.",
    )
    growth_opportunities = strawberry.field(
        resolver=resolvers.analytics.growth_opportunities,
        description="White space: products similar accounts (same industry or tier) bought "
        "that the account has not, with the share of similar accounts that did.",
    )
    # ---- events: the notifications feed ----
    events = strawberry.field(
        resolver=resolvers.events.events,
        description="Events of the catalogue about records the caller may see, newest first "
        "in publication order (the events subscription's order), typed per event type. "
        "Load a feed with it, then subscribe to events with afterEventId set to the newest "
        "eventId received.",
    )
    # ---- sign-in and API keys ----
    api_keys = strawberry.field(
        resolver=resolvers.auth.api_keys,
        description="The signed-in user's API keys, newest first.",
        extensions=[signed_in()],
    )
    # ---- webhooks ----
    webhook_endpoints = resolvers.webhooks.ENDPOINTS.root_field(
        WebhookEndpointOrder,
        "Webhook endpoints: all of them for administrators, their own for account and sales "
        "managers, none for other roles. Oldest first.",
    )
    webhook_deliveries = resolvers.webhooks.DELIVERIES.root_field(
        WebhookDeliveryOrder,
        "Deliveries to the webhook endpoints the caller manages, newest first, each with "
        "every attempt.",
    )


@strawberry.type(description="Changes.")
class Mutation:
    # ---- clients, contacts, accounts, catalog, deals, leads, activities, users and teams ----
    create_client = strawberry.mutation(
        resolver=resolvers.clients.create_client,
        description="Create a client.",
        extensions=[may_write(models.Client)],
    )
    update_client = strawberry.mutation(
        resolver=resolvers.clients.update_client,
        description="Change a client.",
        extensions=[may_write(models.Client)],
    )
    archive_client = strawberry.mutation(
        resolver=resolvers.clients.archive_client,
        description="Archive a client: hidden from lists by default, nothing is deleted.",
        extensions=[may_write(models.Client)],
    )
    restore_client = strawberry.mutation(
        resolver=resolvers.clients.restore_client,
        description="Bring back an archived client.",
        extensions=[may_write(models.Client)],
    )
    create_contact = strawberry.mutation(
        resolver=resolvers.clients.create_contact,
        description="Create a contact.",
        extensions=[may_write(models.Contact)],
    )
    update_contact = strawberry.mutation(
        resolver=resolvers.clients.update_contact,
        description="Change a contact.",
        extensions=[may_write(models.Contact)],
    )
    archive_contact = strawberry.mutation(
        resolver=resolvers.clients.archive_contact,
        description="Archive a contact: hidden from lists by default, nothing is deleted.",
        extensions=[may_write(models.Contact)],
    )
    restore_contact = strawberry.mutation(
        resolver=resolvers.clients.restore_contact,
        description="Bring back an archived contact.",
        extensions=[may_write(models.Contact)],
    )
    create_account = strawberry.mutation(
        resolver=resolvers.accounts.create_account,
        description="Create an account.",
        extensions=[may_write(models.Account)],
    )
    update_account = strawberry.mutation(
        resolver=resolvers.accounts.update_account,
        description="Change an account.",
        extensions=[may_write(models.Account)],
    )
    archive_account = strawberry.mutation(
        resolver=resolvers.accounts.archive_account,
        description="Archive an account: hidden from lists by default, nothing is deleted.",
        extensions=[may_write(models.Account)],
    )
    restore_account = strawberry.mutation(
        resolver=resolvers.accounts.restore_account,
        description="Bring back an archived account.",
        extensions=[may_write(models.Account)],
    )
    create_product = strawberry.mutation(
        resolver=resolvers.catalog.create_product,
        description="Create a product.",
        extensions=[may_write(models.Product)],
    )
    update_product = strawberry.mutation(
        resolver=resolvers.catalog.update_product,
        description="Change a product.",
        extensions=[may_write(models.Product)],
    )
    archive_product = strawberry.mutation(
        resolver=resolvers.catalog.archive_product,
        description="Archive a product: hidden from lists by default, nothing is deleted.",
        extensions=[may_write(models.Product)],
    )
    restore_product = strawberry.mutation(
        resolver=resolvers.catalog.restore_product,
        description="Bring back an archived product.",
        extensions=[may_write(models.Product)],
    )
    create_competitor = strawberry.mutation(
        resolver=resolvers.catalog.create_competitor,
        description="Create a competitor.",
        extensions=[may_write(models.Competitor)],
    )
    update_competitor = strawberry.mutation(
        resolver=resolvers.catalog.update_competitor,
        description="Change a competitor.",
        extensions=[may_write(models.Competitor)],
    )
    archive_competitor = strawberry.mutation(
        resolver=resolvers.catalog.archive_competitor,
        description="Archive a competitor: hidden from lists by default, nothing is deleted.",
        extensions=[may_write(models.Competitor)],
    )
    restore_competitor = strawberry.mutation(
        resolver=resolvers.catalog.restore_competitor,
        description="Bring back an archived competitor.",
        extensions=[may_write(models.Competitor)],
    )
    create_opportunity = strawberry.mutation(
        resolver=resolvers.opportunities.create_opportunity,
        description="Open a deal on an account; its stage history starts with its first stage.",
        extensions=[may_write(models.Opportunity)],
    )
    update_opportunity = strawberry.mutation(
        resolver=resolvers.opportunities.update_opportunity,
        description="Change an opportunity.",
        extensions=[may_write(models.Opportunity)],
    )
    archive_opportunity = strawberry.mutation(
        resolver=resolvers.opportunities.archive_opportunity,
        description="Archive an opportunity: hidden from lists by default, nothing is deleted.",
        extensions=[may_write(models.Opportunity)],
    )
    restore_opportunity = strawberry.mutation(
        resolver=resolvers.opportunities.restore_opportunity,
        description="Bring back an archived opportunity.",
        extensions=[may_write(models.Opportunity)],
    )
    move_opportunity_stage = strawberry.mutation(
        resolver=resolvers.opportunities.move_opportunity_stage,
        description="Move a deal to another stage of its pipeline. Lost stages need a lost "
        "reason, won stages an amount above 0; a closed deal reopens only by a move "
        "to an open stage.",
        extensions=[may_write(models.Opportunity)],
    )
    create_opportunity_line_item = strawberry.mutation(
        resolver=resolvers.opportunities.create_opportunity_line_item,
        description="Create a line item.",
        extensions=[may_write(models.OpportunityLineItem)],
    )
    update_opportunity_line_item = strawberry.mutation(
        resolver=resolvers.opportunities.update_opportunity_line_item,
        description="Change a line item.",
        extensions=[may_write(models.OpportunityLineItem)],
    )
    delete_opportunity_line_item = strawberry.mutation(
        resolver=resolvers.opportunities.delete_opportunity_line_item,
        description="Delete a line item; the audit log keeps its values. Returns it as it was.",
        extensions=[may_write(models.OpportunityLineItem)],
    )
    create_opportunity_competitor = strawberry.mutation(
        resolver=resolvers.opportunities.create_opportunity_competitor,
        description="Create a competitor on the deal.",
        extensions=[may_write(models.OpportunityCompetitor)],
    )
    update_opportunity_competitor = strawberry.mutation(
        resolver=resolvers.opportunities.update_opportunity_competitor,
        description="Change a competitor on the deal.",
        extensions=[may_write(models.OpportunityCompetitor)],
    )
    delete_opportunity_competitor = strawberry.mutation(
        resolver=resolvers.opportunities.delete_opportunity_competitor,
        description="Delete a competitor on the deal; the audit log keeps its values. Returns it "
        "as it was.",
        extensions=[may_write(models.OpportunityCompetitor)],
    )
    create_lead = strawberry.mutation(
        resolver=resolvers.leads.create_lead,
        description="Record a new lead; the owner defaults to the caller.",
        extensions=[may_write(models.Lead)],
    )
    update_lead = strawberry.mutation(
        resolver=resolvers.leads.update_lead,
        description="Change a lead.",
        extensions=[may_write(models.Lead)],
    )
    archive_lead = strawberry.mutation(
        resolver=resolvers.leads.archive_lead,
        description="Archive a lead: hidden from lists by default, nothing is deleted.",
        extensions=[may_write(models.Lead)],
    )
    restore_lead = strawberry.mutation(
        resolver=resolvers.leads.restore_lead,
        description="Bring back an archived lead.",
        extensions=[may_write(models.Lead)],
    )
    convert_lead = strawberry.mutation(
        resolver=resolvers.leads.convert_lead,
        description="Convert a lead in one transaction: a client (reused when its domain "
        "matches), a contact, an account and optionally a deal; the lead becomes "
        "CONVERTED.",
        extensions=[may_write(models.Lead)],
    )
    import_leads = strawberry.mutation(
        resolver=resolvers.leads.import_leads,
        description="Import leads from a CSV file (multipart upload): a row whose email a lead "
        "you can see already has updates that lead; any other row makes a new lead. "
        "The file is refused whole when it does not decode, is not CSV or lacks a "
        "required column; rows that break a lead rule are reported and left out. Rows "
        "are stored in all-or-nothing batches.",
        extensions=[may_write(models.Lead)],
    )
    log_activity = strawberry.mutation(
        resolver=resolvers.activities.log_activity,
        description="Record a call, email, meeting, note or task on a client, contact, account, "
        "deal or lead.",
        extensions=[may_write(models.Activity)],
    )
    complete_task = strawberry.mutation(
        resolver=resolvers.activities.complete_task,
        description="Mark a task done.",
        extensions=[may_write(models.Activity)],
    )
    update_activity = strawberry.mutation(
        resolver=resolvers.activities.update_activity,
        description="Change an activity.",
        extensions=[may_write(models.Activity)],
    )
    archive_activity = strawberry.mutation(
        resolver=resolvers.activities.archive_activity,
        description="Archive an activity: hidden from lists by default, nothing is deleted.",
        extensions=[may_write(models.Activity)],
    )
    restore_activity = strawberry.mutation(
        resolver=resolvers.activities.restore_activity,
        description="Bring back an archived activity.",
        extensions=[may_write(models.Activity)],
    )
    create_user = strawberry.mutation(
        resolver=resolvers.people.create_user,
        description="Create a user (administrators only).",
        extensions=[may_write(models.User)],
    )
    update_user = strawberry.mutation(
        resolver=resolvers.people.update_user,
        description="Change a user (administrators only).",
        extensions=[may_write(models.User)],
    )
    deactivate_user = strawberry.mutation(
        resolver=resolvers.people.deactivate_user,
        description="Deactivate a user: their tokens and API keys stop working at once "
        "(administrators only).",
        extensions=[may_write(models.User)],
    )
    create_team = strawberry.mutation(
        resolver=resolvers.people.create_team,
        description="Create a team (administrators only).",
        extensions=[may_write(models.Team)],
    )
    update_team = strawberry.mutation(
        resolver=resolvers.people.update_team,
        description="Change a team (administrators only).",
        extensions=[may_write(models.Team)],
    )

    # ---- plans, coordination requests, satisfaction, targets ----
    create_account_plan = strawberry.mutation(
        resolver=resolvers.planning.create_account_plan,
        description="Write a plan for an account and period (a DRAFT unless said otherwise).",
        extensions=[may_write(models.AccountPlan)],
    )
    update_account_plan = strawberry.mutation(
        resolver=resolvers.planning.update_account_plan,
        description="Change an account plan.",
        extensions=[may_write(models.AccountPlan)],
    )
    archive_account_plan = strawberry.mutation(
        resolver=resolvers.planning.archive_account_plan,
        description="Archive an account plan: hidden from lists by default, nothing is deleted.",
        extensions=[may_write(models.AccountPlan)],
    )
    restore_account_plan = strawberry.mutation(
        resolver=resolvers.planning.restore_account_plan,
        description="Bring back an archived account plan.",
        extensions=[may_write(models.AccountPlan)],
    )
    create_plan_objective = strawberry.mutation(
        resolver=resolvers.planning.create_plan_objective,
        description="Add an objective to an account plan.",
        extensions=[may_write(models.PlanObjective)],
    )
    update_plan_objective = strawberry.mutation(
        resolver=resolvers.planning.update_plan_objective,
        description="Change an objective of an account plan.",
        extensions=[may_write(models.PlanObjective)],
    )
    delete_plan_objective = strawberry.mutation(
        resolver=resolvers.planning.delete_plan_objective,
        description="Remove an objective (its actions stay on the plan, unattached); the audit log "
        "keeps its values. Returns it as it was.",
        extensions=[may_write(models.PlanObjective)],
    )
    create_plan_action = strawberry.mutation(
        resolver=resolvers.planning.create_plan_action,
        description="Add an action to an account plan.",
        extensions=[may_write(models.PlanAction)],
    )
    update_plan_action = strawberry.mutation(
        resolver=resolvers.planning.update_plan_action,
        description="Change an action of an account plan; set completedAt to mark it done.",
        extensions=[may_write(models.PlanAction)],
    )
    delete_plan_action = strawberry.mutation(
        resolver=resolvers.planning.delete_plan_action,
        description="Remove an action; the audit log keeps its values. Returns it as it was.",
        extensions=[may_write(models.PlanAction)],
    )
    link_opportunity_to_objective = strawberry.mutation(
        resolver=resolvers.planning.link_opportunity_to_objective,
        description="Count a deal of the plan's account towards an objective.",
        extensions=[may_write(models.PlanObjective)],
    )
    unlink_opportunity_from_objective = strawberry.mutation(
        resolver=resolvers.planning.unlink_opportunity_from_objective,
        description="Stop counting a deal towards an objective.",
        extensions=[may_write(models.PlanObjective)],
    )
    record_satisfaction = strawberry.mutation(
        resolver=resolvers.satisfaction.record_satisfaction,
        description="Record an NPS (0..10) or CSAT (1..5) answer about an account.",
        extensions=[may_write(models.SatisfactionResponse)],
    )
    create_coordination_request = strawberry.mutation(
        resolver=resolvers.coordination.create_coordination_request,
        description="Ask an internal team for help with an account; emits "
        "coordination_request.created.",
        extensions=[may_write(models.CoordinationRequest)],
    )
    update_coordination_request = strawberry.mutation(
        resolver=resolvers.coordination.update_coordination_request,
        description="Change a request: the team asked may change its status and assignee, the "
        "requester's side anything. Emits coordination_request.updated.",
        extensions=[may_write(models.CoordinationRequest)],
    )
    comment_on_coordination_request = strawberry.mutation(
        resolver=resolvers.coordination.comment_on_coordination_request,
        description="Comment on a request, from the requester's side or the team asked.",
        extensions=[may_write(models.CoordinationComment)],
    )
    set_target = strawberry.mutation(
        resolver=resolvers.targets.set_target,
        description="Set the target of a user or team for a period and metric, replacing the one "
        "set before for the same (sales managers: their team; administrators: anyone).",
        extensions=[may_write(models.Target)],
    )
    # ---- sign-in and API keys ----
    login = strawberry.mutation(
        resolver=resolvers.auth.login, description="Sign in with email and password."
    )
    refresh_token = strawberry.mutation(
        resolver=resolvers.auth.refresh_token,
        description="A new access token and refresh token for a refresh token, which is used "
        "up. Presented again within a short grace period (two tabs refreshing at once) it "
        "answers the same pair again; later, it ends the session.",
    )
    logout = strawberry.mutation(
        resolver=resolvers.auth.logout,
        description="End a session: its refresh tokens stop working.",
    )
    create_api_key = strawberry.mutation(
        resolver=resolvers.auth.create_api_key,
        description="Create an API key for the signed-in user; the key is shown once.",
        extensions=[signed_in()],
    )
    revoke_api_key = strawberry.mutation(
        resolver=resolvers.auth.revoke_api_key,
        description="Revoke an API key; it is refused from the next request on.",
        extensions=[signed_in()],
    )
    change_password = strawberry.mutation(
        resolver=resolvers.auth.change_password,
        description="Change your own password, given the current one; your other sessions end "
        "(this one goes on). Not with an API key.",
        extensions=[signed_in()],
    )
    reset_user_password = strawberry.mutation(
        resolver=resolvers.auth.reset_user_password,
        description="Give a user a new password (administrators only, not with an API key): "
        "every session of the user ends, and with revokeApiKeys every API key of theirs too.",
        extensions=[may_write(models.User)],
    )
    # ---- webhooks ----
    create_webhook_endpoint = strawberry.mutation(
        resolver=resolvers.webhooks.create_webhook_endpoint,
        description="Create a webhook endpoint owned by the caller; returns its secret once.",
        extensions=[may_write(models.WebhookEndpoint, MAY_NOT_MANAGE_WEBHOOKS)],
    )
    update_webhook_endpoint = strawberry.mutation(
        resolver=resolvers.webhooks.update_webhook_endpoint,
        description="Change a webhook endpoint, or disable or enable it.",
        extensions=[may_write(models.WebhookEndpoint, MAY_NOT_MANAGE_WEBHOOKS)],
    )
    delete_webhook_endpoint = strawberry.mutation(
        resolver=resolvers.webhooks.delete_webhook_endpoint,
        description="Delete a webhook endpoint and its delivery history.",
        extensions=[may_write(models.WebhookEndpoint, MAY_NOT_MANAGE_WEBHOOKS)],
    )
    rotate_webhook_secret = strawberry.mutation(
        resolver=resolvers.webhooks.rotate_webhook_secret,
        description="Give an endpoint a new secret, returned once; the old one keeps signing "
        "beside it for the overlap period (ACCOUNTGRAPH_WEBHOOK_ROTATION_OVERLAP_HOURS).",
        extensions=[may_write(models.WebhookEndpoint, MAY_NOT_MANAGE_WEBHOOKS)],
    )
    ping_webhook_endpoint = strawberry.mutation(
        resolver=resolvers.webhooks.ping_webhook_endpoint,
        description="Send a webhook.ping to an endpoint now, once, and report the result.",
        extensions=[may_write(models.WebhookEndpoint, MAY_NOT_MANAGE_WEBHOOKS)],
    )
    redeliver_webhook = strawberry.mutation(
        resolver=resolvers.webhooks.redeliver_webhook,
        description="Deliver again, with the same webhook-id and a fresh retry schedule: one "
        "finished delivery, or every failed delivery of an endpoint in a time range.",
        extensions=[may_write(models.WebhookEndpoint, MAY_NOT_MANAGE_WEBHOOKS)],
    )


@strawberry.type(description="Live updates over WebSocket (graphql-transport-ws).")
class Subscription:
    opportunity_stage_changed = strawberry.subscription(
        resolver=resolvers.subscriptions.opportunity_stage_changed,
        description="Deal-stage moves the caller may see, in commit order per deal, each once.",
    )
    activity_logged = strawberry.subscription(
        resolver=resolvers.subscriptions.activity_logged,
        description="Activities logged on an account the caller may see.",
    )
    events = strawberry.subscription(
        resolver=resolvers.subscriptions.events,
        description="Events of the catalogue about records the caller may see, in publication "
        "order, typed per event type as in the events query.",
    )


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
        LabelRequestErrors,
        RefuseNulCharacters,
        lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
        lambda: AddValidationRules(limits),
        lambda: QueryCostLimiter(
            max_cost=settings.max_query_cost, default_page_size=settings.default_page_size
        ),
        lambda: CodedParserCache(maxsize=256),
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
        types=ALL_EVENT_TYPES,
        extensions=extensions,
        config=StrawberryConfig(relay_max_results=settings.max_page_size, scalar_map=SCALARS),
    )
    describe_schema(built._schema)
    return built


def schema_sdl() -> str:
    """The schema in SDL, as committed in schema.graphql."""
    return build_schema().as_str() + "\n"
