"""A refused credential, answered the same way on every transport.

Whatever the failure (no credential where one is needed, a malformed or unknown one, an
expired one, a revoked one: ``services.auth.CredentialRefusal``), a client sees the same
contract, so one "refresh on ``UNAUTHENTICATED``" rule covers every case:

- HTTP (POST or GET, JSON or a multipart upload): status 401, the body
  ``{"errors": [{"message": ..., "extensions": {"code": "UNAUTHENTICATED", "reason": ...}}]}``
  with no ``data``, and an RFC 6750 challenge: ``WWW-Authenticate: Bearer realm="AccountGraph"``
  when no credential was sent, with ``error="invalid_token"`` and an ``error_description`` (the
  message) when one was sent and refused.
- WebSocket: a refused ``connection_init`` closes the socket with 4403, a signed-in socket
  whose credential lapses is closed with 4401; the close reason is ``"<REASON>: <message>"``
  (``"EXPIRED: the access token expired; ..."``), at most 123 bytes. The legacy graphql-ws
  protocol sends a ``connection_error`` with the error above first.
"""

from typing import Any

from services.auth import AuthenticationError, CredentialRefusal
from web.graphql_http import GraphQLHTTPError

REALM = "AccountGraph"
UNAUTHENTICATED = "UNAUTHENTICATED"
# WebSocket close codes: connection_init refused, and a signed-in socket's credential lapsed.
SIGN_IN_REFUSED = 4403
CREDENTIAL_LAPSED = 4401


def challenge(reason: str, message: str) -> str:
    """The ``WWW-Authenticate`` value for a refusal (RFC 6750, section 3)."""
    if reason == CredentialRefusal.MISSING:
        return f'Bearer realm="{REALM}"'
    # error_description allows printable ASCII but '"' and '\'.
    description = "".join(c for c in message if " " <= c <= "~" and c not in '"\\')
    return f'Bearer realm="{REALM}", error="invalid_token", error_description="{description}"'


def error_body(message: str, reason: str) -> dict[str, Any]:
    """The GraphQL error of a refusal, as the response's only error."""
    return {"message": message, "extensions": {"code": UNAUTHENTICATED, "reason": reason}}


def unauthorized(message: str, reason: str) -> GraphQLHTTPError:
    """The 401 answer to a refusal."""
    return GraphQLHTTPError(
        401,
        message,
        headers={"WWW-Authenticate": challenge(reason, message)},
        code=UNAUTHENTICATED,
        extensions={"reason": reason},
    )


def refused(refusal: AuthenticationError) -> GraphQLHTTPError:
    """The 401 answer to a credential ``services.auth.authenticate`` refused."""
    return unauthorized(str(refusal), refusal.reason)


def close_reason(refusal: AuthenticationError) -> str:
    """The close reason of a socket closed for ``refusal``: the reason word first."""
    text = f"{refusal.reason}: {refusal}"
    return text.encode()[:123].decode(errors="ignore")
