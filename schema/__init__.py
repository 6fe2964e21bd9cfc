"""The GraphQL surface: types, inputs, enums, errors and the executable schema."""

from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.relay import GlobalID  # noqa: F401
from strawberry.schema.config import StrawberryConfig

from schema.access import RequireScope, RequireSignIn
from schema.errors import LabelInputErrors, RefuseNulCharacters
from schema.glossary import describe_schema
from schema.guards import HideSuggestions, QueryCostLimiter, document_limit_rules
from schema.mutations import Mutation
from schema.query import Query
from schema.subscriptions import Subscription, WakeRelayAfterMutations
from settings import Settings, get_settings


def _is_unexpected(error: GraphQLError) -> bool:
    """Mask only exceptions raised by code, never validation or user-input errors."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


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
        RequireSignIn,
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
        lambda: MaskErrors(should_mask_error=_is_unexpected, error_message="Internal server error"),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    if not settings.field_suggestions:
        extensions.append(HideSuggestions)
    built = strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(relay_max_results=settings.max_page_size),
    )
    describe_schema(built._schema)
    return built


schema = build_schema()


def schema_sdl() -> str:
    """The schema in SDL, as committed in schema.graphql."""
    return schema.as_str() + "\n"
