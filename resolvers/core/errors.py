"""Every top-level GraphQL error a resolver raises, built in one place: the message a person
reads and the ``extensions.code`` a program tests.

Refusals of a mutation's input are not here: they are ``UserError``s in the payload (see
``resolvers.mutation``). Refusals of the caller's role or credential are declared on the
field (``resolvers.core.permissions``).
"""

from graphql import GraphQLError


def error(message: str, code: str) -> GraphQLError:
    """A top-level error with a stable ``extensions.code``."""
    return GraphQLError(message, extensions={"code": code})


def bad_input(message: str) -> GraphQLError:
    """An argument the client must fix (``BAD_USER_INPUT``)."""
    return error(message, "BAD_USER_INPUT")


def not_found(what: str = "record") -> GraphQLError:
    """No record of ``what`` the caller may see has that id (``NOT_FOUND``)."""
    return error(f"No {what} with that id", "NOT_FOUND")


def forbidden(message: str) -> GraphQLError:
    """The caller may not do this, whatever the input (``FORBIDDEN``)."""
    return error(message, "FORBIDDEN")


def unauthenticated(message: str, reason: str = "MISSING") -> GraphQLError:
    """The caller's credential is missing or no longer works (``UNAUTHENTICATED``), with the
    ``reason`` of ``services.auth.CredentialRefusal`` (HTTP answers it with 401)."""
    return GraphQLError(message, extensions={"code": "UNAUTHENTICATED", "reason": reason})
