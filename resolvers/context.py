"""The per-request context every resolver receives."""

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import HTTPConnection

from models import User
from resolvers.loaders import Loaders


@dataclass
class Context:
    """What one request (or one WebSocket connection) knows.

    ``loaders`` batch and cache database reads for the life of one HTTP request; a
    subscription must take fresh ``Loaders()`` per event, as the socket lives much longer.
    """

    request: HTTPConnection | None = None
    viewer: User | None = None
    loaders: Loaders = field(default_factory=Loaders)
    response: Any = None

    @property
    def actor_id(self) -> int | None:
        return self.viewer.pk if self.viewer is not None else None
