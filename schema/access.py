"""Signed-in callers only: every operation needs a credential, except signing in itself."""

from collections.abc import Iterator

from graphql import FieldNode, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from resolvers.core.errors import forbidden, unauthenticated
from resolvers.core.permissions import SIGN_IN_FIRST
from services.auth import Scope

# Root fields an anonymous caller may use: signing in, and asking whether one is signed in.
PUBLIC_FIELDS = frozenset({"login", "refreshToken", "logout", "viewer", "__typename"})
# Introspection, for anonymous callers only when ACCOUNTGRAPH_INTROSPECTION_ANONYMOUS allows
# it: the schema is a map of the API, so by default only signed-in callers read it (GraphiQL
# sends the Authorization header of its Headers tab).
INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


class RequireSignIn(SchemaExtension):
    """Answers UNAUTHENTICATED, before anything runs, when an anonymous caller asks for more
    than the public root fields."""

    def __init__(self, *, anonymous_introspection: bool = False) -> None:
        super().__init__()
        self.public = (
            PUBLIC_FIELDS | INTROSPECTION_FIELDS if anonymous_introspection else PUBLIC_FIELDS
        )

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.context.viewer is None and not _only_public(
            context.graphql_document, context.operation_name, self.public
        ):
            context.result = ExecutionResult(
                data=None,
                errors=[unauthenticated(SIGN_IN_FIRST)],
            )
        yield


class RequireScope(SchemaExtension):
    """Answers FORBIDDEN, before anything runs, when the caller's credential lacks the read
    scope that every query and subscription needs. Only API keys lack scopes; a signed-in
    session has them all. Mutations need the write scope, checked by each mutation's own
    ``may_write``, which refuses in the mutation's payload like any refusal of the caller."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        reads = context.operation_type != OperationType.MUTATION
        if context.result is None and context.context.viewer is not None and reads:
            if not context.context.can(Scope.READ):
                context.result = ExecutionResult(
                    data=None,
                    errors=[
                        forbidden(
                            "This API key may not read anything: use a key with the read scope."
                        )
                    ],
                )
        yield


def _only_public(document, operation_name: str | None, public: frozenset[str]) -> bool:
    if document is None:
        return False
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name and (definition.name is None or definition.name.value != operation_name):
            continue
        for selection in definition.selection_set.selections:
            if not isinstance(selection, FieldNode) or selection.name.value not in public:
                return False
    return True
