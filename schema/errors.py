"""Error codes for errors raised outside resolvers' control."""

from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError, StringValueNode, Visitor, visit
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types import ExecutionResult

from db import database_unavailable, is_database_busy

SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
DATABASE_UNAVAILABLE = "the database is not available at the moment; try again shortly"


def is_database_outage(error: GraphQLError) -> bool:
    """A field failed because the database could not be reached (see db.database_unavailable)."""
    return error.original_error is not None and database_unavailable(error.original_error)


class LabelInputErrors(SchemaExtension):
    """Gives input values Strawberry could not coerce (a malformed global id, say) the
    ``BAD_USER_INPUT`` code, so that clients can tell them from server faults."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in (result.errors if result else None) or []:
            if isinstance(error.original_error, StrawberryInputCoercionError) or isinstance(
                error, StrawberryInputCoercionError
            ):
                error.extensions = {**(error.extensions or {}), "code": "BAD_USER_INPUT"}


class RefuseNulCharacters(SchemaExtension):
    """Refuses text holding NUL characters anywhere in the request's arguments or variables,
    before anything runs: PostgreSQL cannot store them, and no user means to send one."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if _has_nul(context.variables) or _document_has_nul(context.graphql_document):
            context.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "text must not contain NUL characters (\\u0000)",
                        extensions={"code": "BAD_USER_INPUT"},
                    )
                ],
            )
        yield


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False


def _document_has_nul(document: DocumentNode | None) -> bool:
    if document is None:
        return False
    found = False

    class Finder(Visitor):
        def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
            nonlocal found
            found = found or "\x00" in node.value

    visit(document, Finder())
    return found


class MaskUnexpectedErrors(MaskErrors):
    """Answers an exception raised by code as ``Internal server error`` with no detail, except
    the database's faults of the moment, which say what they are. A database too busy to take
    a change is ``DATABASE_BUSY`` with ``retryable: true`` (nothing was changed; the same
    request can be sent again; mutations answer it in their payload's ``errors`` instead). A
    database that cannot be reached is ``SERVICE_UNAVAILABLE``. Over HTTP either makes the
    response a 503 with ``Retry-After``."""

    RETRY_AFTER_SECONDS = 1

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if error.original_error is not None and is_database_busy(error.original_error):
            return self._busy(error)
        if is_database_outage(error):
            return _with_code(error, DATABASE_UNAVAILABLE, {"code": SERVICE_UNAVAILABLE})
        return super().anonymise_error(error)

    def _busy(self, error: GraphQLError) -> GraphQLError:
        execution = getattr(self, "execution_context", None)
        response = getattr(execution.context, "response", None) if execution else None
        if response is not None:
            response.status_code = 503
            response.headers["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return _with_code(
            error,
            "the database is busy with other changes; nothing was changed, send the request again",
            {"code": "DATABASE_BUSY", "retryable": True},
        )


def _with_code(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )
