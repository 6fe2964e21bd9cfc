"""The root of the schema: its operation types, its extensions, and ``build_schema``."""

import logging
from collections.abc import Callable

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
from resolvers import auth, webhooks
from resolvers.core.permissions import may_write, signed_in
from schema.access import RequireScope, RequireSignIn
from schema.auth import (
    ApiKey,
    ChangePasswordPayload,
    CreateApiKeyPayload,
    LogoutPayload,
    ResetUserPasswordPayload,
    RevokeApiKeyPayload,
    SessionPayload,
)
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
from schema.mutations import Mutation as RemainingMutations
from schema.query import Query as RemainingQueries
from schema.subscriptions import Subscription as RemainingSubscriptions
from schema.subscriptions import WakeRelayAfterMutations
from schema.webhooks import (
    CreateWebhookEndpointPayload,
    DeleteWebhookEndpointPayload,
    PingWebhookEndpointPayload,
    RedeliverWebhookPayload,
    RotateWebhookSecretPayload,
    UpdateWebhookEndpointPayload,
    WebhookDeliveryOrder,
    WebhookEndpointOrder,
)
from settings import Settings, get_settings

_log = logging.getLogger("accountgraph")

# What a caller who may not manage webhook endpoints is told by every webhook mutation.
MAY_NOT_MANAGE_WEBHOOKS = "you may not manage webhook endpoints"


# The root types list every root field by name, one section per domain. The fields still
# inherited from the Remaining* classes move here as their domains are declared.


@strawberry.type(description="Everything that can be read.")
class Query(RemainingQueries):
    # ---- nodes, viewer, records: clients, contacts, accounts, deals, leads, activities ----
    # ---- plans, coordination requests, satisfaction, targets ----
    # ---- analytics ----
    # ---- sign-in and API keys ----
    api_keys: list[ApiKey] = strawberry.field(
        resolver=auth.api_keys,
        description="The signed-in user's API keys, newest first.",
        extensions=[signed_in()],
    )
    # ---- webhooks ----
    webhook_endpoints = webhooks.ENDPOINTS.root_field(
        WebhookEndpointOrder,
        "Webhook endpoints: all of them for administrators, their own for account and sales "
        "managers, none for other roles. Oldest first.",
    )
    webhook_deliveries = webhooks.DELIVERIES.root_field(
        WebhookDeliveryOrder,
        "Deliveries to the webhook endpoints the caller manages, newest first, each with "
        "every attempt.",
    )


@strawberry.type(description="Changes.")
class Mutation(RemainingMutations):
    # ---- clients, contacts, accounts, catalog, deals, leads, activities, users and teams ----
    # ---- plans, coordination requests, satisfaction, targets ----
    # ---- sign-in and API keys ----
    login: SessionPayload = strawberry.mutation(
        resolver=auth.login, description="Sign in with email and password."
    )
    refresh_token: SessionPayload = strawberry.mutation(
        resolver=auth.refresh_token,
        description="A new access token and refresh token for a refresh token, which is used up.",
    )
    logout: LogoutPayload = strawberry.mutation(
        resolver=auth.logout, description="End a session: its refresh tokens stop working."
    )
    create_api_key: CreateApiKeyPayload = strawberry.mutation(
        resolver=auth.create_api_key,
        description="Create an API key for the signed-in user; the key is shown once.",
        extensions=[signed_in()],
    )
    revoke_api_key: RevokeApiKeyPayload = strawberry.mutation(
        resolver=auth.revoke_api_key,
        description="Revoke an API key; it is refused from the next request on.",
        extensions=[signed_in()],
    )
    change_password: ChangePasswordPayload = strawberry.mutation(
        resolver=auth.change_password,
        description="Change your own password, given the current one; your other sessions end "
        "(this one goes on). Not with an API key.",
        extensions=[signed_in()],
    )
    reset_user_password: ResetUserPasswordPayload = strawberry.mutation(
        resolver=auth.reset_user_password,
        description="Give a user a new password (administrators only, not with an API key): "
        "every session of the user ends, and with revokeApiKeys every API key of theirs too.",
        extensions=[may_write(models.User)],
    )
    # ---- webhooks ----
    create_webhook_endpoint: CreateWebhookEndpointPayload = strawberry.mutation(
        resolver=webhooks.create_webhook_endpoint,
        description="Create a webhook endpoint owned by the caller; returns its secret once.",
        extensions=[may_write(models.WebhookEndpoint, MAY_NOT_MANAGE_WEBHOOKS)],
    )
    update_webhook_endpoint: UpdateWebhookEndpointPayload = strawberry.mutation(
        resolver=webhooks.update_webhook_endpoint,
        description="Change a webhook endpoint, or disable or enable it.",
        extensions=[may_write(models.WebhookEndpoint, MAY_NOT_MANAGE_WEBHOOKS)],
    )
    delete_webhook_endpoint: DeleteWebhookEndpointPayload = strawberry.mutation(
        resolver=webhooks.delete_webhook_endpoint,
        description="Delete a webhook endpoint and its delivery history.",
        extensions=[may_write(models.WebhookEndpoint, MAY_NOT_MANAGE_WEBHOOKS)],
    )
    rotate_webhook_secret: RotateWebhookSecretPayload = strawberry.mutation(
        resolver=webhooks.rotate_webhook_secret,
        description="Give an endpoint a new secret, returned once; the old one keeps signing "
        "beside it for the overlap period (ACCOUNTGRAPH_WEBHOOK_ROTATION_OVERLAP_HOURS).",
        extensions=[may_write(models.WebhookEndpoint, MAY_NOT_MANAGE_WEBHOOKS)],
    )
    ping_webhook_endpoint: PingWebhookEndpointPayload = strawberry.mutation(
        resolver=webhooks.ping_webhook_endpoint,
        description="Send a webhook.ping to an endpoint now, once, and report the result.",
        extensions=[may_write(models.WebhookEndpoint, MAY_NOT_MANAGE_WEBHOOKS)],
    )
    redeliver_webhook: RedeliverWebhookPayload = strawberry.mutation(
        resolver=webhooks.redeliver_webhook,
        description="Deliver again, with the same webhook-id and a fresh retry schedule: one "
        "finished delivery, or every failed delivery of an endpoint in a time range.",
        extensions=[may_write(models.WebhookEndpoint, MAY_NOT_MANAGE_WEBHOOKS)],
    )


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
