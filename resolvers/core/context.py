"""The per-request context every resolver receives."""

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import HTTPConnection
from tortoise.models import Model

from models import User
from resolvers.core.loaders import Loaders
from services.auth import ALL_SCOPES, AuthenticationError, Principal, Scope, bearer_token
from services.visibility import Visibility


@dataclass
class Context:
    """What one request (or one WebSocket connection) knows.

    ``loaders`` batch and cache database reads for the life of one HTTP request; a
    subscription must take fresh ``Loaders()`` per event, as the socket lives much longer.
    """

    request: HTTPConnection | None = None
    viewer: User | None = None
    scopes: frozenset[Scope] = ALL_SCOPES
    response: Any = None
    # A WebSocket's connection_init payload; Strawberry fills it in.
    connection_params: dict[str, Any] | None = None
    # The credential the caller signed in with: its session, API key and expiry.
    principal: Principal | None = None
    # Why the credential sent with this request was refused: answered with 401 unless the
    # operation only signs in (schema/access.py), which needs no credential.
    credential_refusal: AuthenticationError | None = None
    visibility: Visibility = field(init=False)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.visibility = Visibility(self.viewer)
        self.loaders = Loaders(self.visibility)

    @property
    def client_address(self) -> str:
        client = self.request.client if self.request is not None else None
        return client.host if client is not None else "unknown"

    def can(self, scope: Scope) -> bool:
        """Whether the caller is signed in with a credential that allows ``scope``."""
        return self.viewer is not None and (scope in self.scopes or Scope.ADMIN in self.scopes)

    def may_write(self, model: type[Model]) -> bool:
        """Whether the caller may change records of ``model`` (those it can see)."""
        return self.can(Scope.WRITE) and self.visibility.can_write(model)

    @property
    def signed_in_with_api_key(self) -> bool:
        """Whether the caller uses an API key rather than a signed-in session's token."""
        return self.principal is not None and self.principal.is_api_key

    @property
    def actor_id(self) -> int | None:
        return self.viewer.pk if self.viewer is not None else None


def connection_credential(params: dict[str, Any] | None) -> str | None:
    """The bearer credential of a ``connection_init`` payload, if it has a well-formed one."""
    header = next(
        (value for key, value in (params or {}).items() if key.lower() == "authorization"), None
    )
    return bearer_token(header) if isinstance(header, str) else None
