"""Signed-in callers only: every operation needs a credential, except signing in itself."""

from collections.abc import Iterator

from graphql import FieldNode, GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from services.auth import Scope

# Root fields an anonymous caller may use: signing in, asking whether one is signed in, and
# introspection (so GraphiQL can show the schema before a token is pasted; switchable off).
PUBLIC_FIELDS = frozenset(
    {"login", "refreshToken", "logout", "viewer", "__typename", "__schema", "__type"}
)


class RequireSignIn(SchemaExtension):
    """Answers UNAUTHENTICATED, before anything runs, when an anonymous caller asks for more
    than the public root fields."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.context.viewer is None and not _only_public(
            context.graphql_document, context.operation_name
        ):
            context.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "Sign in first: send 'Authorization: Bearer <access token or API key>'.",
                        extensions={"code": "UNAUTHENTICATED"},
                    )
                ],
            )
        yield


class RequireScope(SchemaExtension):
    """Answers FORBIDDEN, before anything runs, when the caller's credential lacks the scope the
    operation needs: read for every query and subscription, write for every mutation (signing
    in and out aside). Only API keys lack scopes; a signed-in session has them all."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.result is None and context.context.viewer is not None:
            operation = context.operation_type
            needed = Scope.WRITE if operation == OperationType.MUTATION else Scope.READ
            public = operation == OperationType.MUTATION and _only_public(
                context.graphql_document, context.operation_name
            )
            if not public and not context.context.can(needed):
                context.result = ExecutionResult(
                    data=None,
                    errors=[
                        GraphQLError(
                            f"This API key may not {'change' if needed == Scope.WRITE else 'read'}"
                            f" anything: use a key with the {needed.value} scope.",
                            extensions={"code": "FORBIDDEN"},
                        )
                    ],
                )
        yield


def _only_public(document, operation_name: str | None) -> bool:
    if document is None:
        return False
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name and (definition.name is None or definition.name.value != operation_name):
            continue
        for selection in definition.selection_set.selections:
            if not isinstance(selection, FieldNode) or selection.name.value not in PUBLIC_FIELDS:
                return False
    return True
