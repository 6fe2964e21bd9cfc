"""Error codes for errors raised outside resolvers' control, and how errors are logged."""

import logging
from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    StringValueNode,
    Visitor,
    visit,
)
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.extensions import MaskErrors, ParserCache, SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.utils.logging import StrawberryLogger

from db import database_unavailable, is_database_busy

log = logging.getLogger("accountgraph.graphql")


def is_unexpected(error: GraphQLError) -> bool:
    """An exception raised by code (a fault to mask and investigate), as opposed to what the
    caller must fix: syntax, validation, NOT_FOUND, BAD_USER_INPUT, FORBIDDEN,
    UNAUTHENTICATED, all raised as ``GraphQLError`` on purpose."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def log_errors(errors: list[GraphQLError]) -> None:
    """Expected errors in one line each, without a traceback (they are the caller's to fix,
    and a missing id is no fault of ours); unexpected ones with their whole traceback."""
    for error in errors:
        if is_unexpected(error):
            StrawberryLogger.error(error)
            continue
        code = (error.extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED")
        where = ".".join(str(key) for key in error.path) if error.path else "-"
        log.info("%s at %s: %s", code, where, error.message)


class RequireOperationName(SchemaExtension):
    """A document with several operations must say which one to run (``operationName``), as
    the GraphQL specification requires; Strawberry would otherwise run the first."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        operations = sum(
            isinstance(definition, OperationDefinitionNode)
            for definition in (document.definitions if document else ())
        )
        # The name the request gave: ``context.operation_name`` falls back to the first
        # operation's.
        if operations > 1 and getattr(context, "_provided_operation_name", None) is None:
            context.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        f"The document has {operations} operations: say which one to run "
                        "with operationName.",
                        extensions={"code": "BAD_USER_INPUT"},
                    )
                ],
            )
        yield


SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
DATABASE_UNAVAILABLE = "the database is not available at the moment; try again shortly"


def is_database_outage(error: GraphQLError) -> bool:
    """A field failed because the database could not be reached (see db.database_unavailable)."""
    return error.original_error is not None and database_unavailable(error.original_error)


# The token limit (Strawberry's MaxTokensLimiter) is enforced by graphql-core's parser, which
# reports it as a syntax error with this message. (Syntax errors are labelled once the operation
# is over: with ParserCache, parsing fails before any other extension's on_parse resumes.)
_TOO_MANY_TOKENS = "Syntax Error: Document contains more than "


class LabelRequestErrors(SchemaExtension):
    """Gives every top-level error that has no ``extensions.code`` one, so that clients can
    branch on the code alone:

    - a document that does not parse: ``GRAPHQL_PARSE_FAILED`` (``QUERY_TOO_LARGE`` past the
      token limit);
    - a document that breaks a validation rule: ``GRAPHQL_VALIDATION_FAILED`` (the guards of
      ``schema.guards`` give their own codes);
    - input values that cannot be coerced (a malformed global id, a variable of the wrong
      type): ``BAD_USER_INPUT``.

    Errors raised by code are coded where they are raised (``resolvers.core.errors``) or
    masked (``MaskUnexpectedErrors``).
    """

    def on_validate(self) -> Iterator[None]:
        yield
        # These may be ValidationCache's cached errors: labelling them again is a no-op.
        for error in self.execution_context.pre_execution_errors or ():
            _label(error, "GRAPHQL_VALIDATION_FAILED")

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in (result.errors if result else None) or []:
            coercion = isinstance(error.original_error, StrawberryInputCoercionError)
            if isinstance(error, GraphQLSyntaxError):
                label_syntax_error(error)
            elif coercion or isinstance(error, StrawberryInputCoercionError):
                error.extensions = {**(error.extensions or {}), "code": "BAD_USER_INPUT"}
            elif error.path is None and not is_unexpected(error):
                # Variables refused before execution (graphql-core's coercion).
                _label(error, "BAD_USER_INPUT")


class CodedParserCache(ParserCache):
    """Strawberry's ``ParserCache``, giving a document that does not parse its code: parsed
    here, a syntax error is raised past every other extension's ``on_operation``, so
    ``LabelRequestErrors`` never sees it."""

    def on_parse(self) -> Iterator[None]:
        try:
            yield from super().on_parse()
        except GraphQLSyntaxError as error:
            label_syntax_error(error)
            raise


def label_syntax_error(error: GraphQLSyntaxError) -> None:
    too_large = _TOO_MANY_TOKENS in error.message
    _label(error, "QUERY_TOO_LARGE" if too_large else "GRAPHQL_PARSE_FAILED")


def _label(error: GraphQLError, code: str) -> None:
    if "code" not in (error.extensions or {}):
        error.extensions = {**(error.extensions or {}), "code": code}


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
    """Answers an exception raised by code as ``Internal server error`` with no detail (code
    ``INTERNAL_SERVER_ERROR``), except
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
        return _with_code(error, self.error_message, {"code": INTERNAL_SERVER_ERROR})

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
