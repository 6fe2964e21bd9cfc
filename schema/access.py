"""Signed-in callers only: every operation needs a credential, except signing in itself.

What an anonymous caller (no ``Authorization`` header) may ask for: ``login``,
``refreshToken``, ``logout`` (they carry their own credential, a password or a refresh token,
in their input) and ``viewer`` (null: "nobody is signed in", answered 200). Anything else is
``UNAUTHENTICATED`` with the reason ``MISSING``.

A credential that was sent and refused (invalid, expired, revoked) is ``UNAUTHENTICATED`` with
its reason for every operation, ``{ viewer }`` included, except one that only signs in:
``login``, ``refreshToken`` and ``logout`` ignore the ``Authorization`` header, so a client
whose access token just expired can refresh it through the same link that adds the header.
The transport answers ``UNAUTHENTICATED`` with 401 (``web/credentials.py``).
"""

from collections.abc import Iterator

from graphql import DocumentNode, FieldNode, OperationDefinitionNode, SelectionNode
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from resolvers.core.errors import forbidden, unauthenticated
from services.auth import SIGN_IN_FIRST, CredentialRefusal, Scope

# Root fields that sign in or out: they read their credential from their input, never from
# the Authorization header.
SIGN_IN_FIELDS = frozenset({"login", "refreshToken", "logout"})
# Root fields an anonymous caller may use: signing in, and asking whether one is signed in.
PUBLIC_FIELDS = SIGN_IN_FIELDS | {"viewer", "__typename"}
# Introspection, for anonymous callers only when ACCOUNTGRAPH_INTROSPECTION_ANONYMOUS allows
# it: the schema is a map of the API, so by default only signed-in callers read it (GraphiQL
# sends the Authorization header of its Headers tab).
INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


class RequireSignIn(SchemaExtension):
    """Answers UNAUTHENTICATED, before anything runs, when an anonymous caller asks for more
    than the public root fields, or when the credential sent was refused and the operation
    does more than sign in."""

    def __init__(self, *, anonymous_introspection: bool = False) -> None:
        super().__init__()
        self.public = (
            PUBLIC_FIELDS | INTROSPECTION_FIELDS if anonymous_introspection else PUBLIC_FIELDS
        )

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document, name = context.graphql_document, context.operation_name
        refusal = context.context.credential_refusal
        if refusal is not None and not _only_signs_in(document, name):
            context.result = ExecutionResult(
                data=None, errors=[unauthenticated(str(refusal), refusal.reason)]
            )
        elif context.context.viewer is None and not _only_public(document, name, self.public):
            context.result = ExecutionResult(
                data=None,
                errors=[unauthenticated(SIGN_IN_FIRST, CredentialRefusal.MISSING)],
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


def _only_signs_in(document: DocumentNode | None, operation_name: str | None) -> bool:
    """Whether the operation selects sign-in fields only (at least one)."""
    everything = SIGN_IN_FIELDS | {"__typename"}
    return _only_public(document, operation_name, everything) and _selects_any(
        document, operation_name, SIGN_IN_FIELDS
    )


def _selects_any(
    document: DocumentNode | None, operation_name: str | None, fields: frozenset[str]
) -> bool:
    return any(
        isinstance(selection, FieldNode) and selection.name.value in fields
        for selection in _root_selections(document, operation_name)
    )


def _root_selections(
    document: DocumentNode | None, operation_name: str | None
) -> Iterator[SelectionNode]:
    for definition in document.definitions if document is not None else ():
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name and (definition.name is None or definition.name.value != operation_name):
            continue
        yield from definition.selection_set.selections


def _only_public(
    document: DocumentNode | None, operation_name: str | None, public: frozenset[str]
) -> bool:
    if document is None:
        return False
    return all(
        isinstance(selection, FieldNode) and selection.name.value in public
        for selection in _root_selections(document, operation_name)
    )
