"""Which browser origins may use the API, and with which headers (README, "CORS").

One policy for both ways a page reaches /graphql: HTTP requests go through Starlette's
``CORSMiddleware`` (preflights answered with the allowed headers, methods and max age), and
WebSocket handshakes, to which browsers apply no CORS at all, are checked against the same
origins by the GraphQL view (``OriginCheck``). Origins are listed exactly
(``ACCOUNTGRAPH_CORS_ORIGINS``) or as patterns for preview deployments
(``ACCOUNTGRAPH_CORS_ORIGIN_PATTERNS``, compiled by ``settings.origin_pattern_regex`` into one
anchored expression, which the middleware matches whole).
"""

import re

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from settings import Settings, origin_pattern_regex

# GET for queries (persisted ones included), POST for everything; OPTIONS is the preflight.
ALLOWED_METHODS = ["GET", "POST"]


def origin_regex(settings: Settings) -> str | None:
    """One expression matching every origin of ``cors_origin_patterns``, if there are any."""
    if not settings.cors_origin_patterns:
        return None
    return "|".join(f"(?:{origin_pattern_regex(p)})" for p in settings.cors_origin_patterns)


def cors_middleware(settings: Settings) -> list[Middleware]:
    """The CORS middleware of the settings; none when no origin is allowed (the default)."""
    if not settings.cors_origins and not settings.cors_origin_patterns:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_origin_regex=origin_regex(settings),
            allow_methods=ALLOWED_METHODS,
            allow_headers=settings.cors_allow_headers,
            expose_headers=settings.cors_expose_headers,
            allow_credentials=settings.cors_allow_credentials,
            max_age=settings.cors_max_age_seconds,
        )
    ]


class OriginCheck:
    """Whether an ``Origin`` header matches one of the patterns, whole (as ``CORSMiddleware``
    matches it): the view's check of WebSocket handshakes, beside Strawberry's check of the
    listed origins (``allowed_origins``)."""

    def __init__(self, settings: Settings | None = None) -> None:
        regex = origin_regex(settings) if settings is not None else None
        self.pattern = re.compile(regex) if regex is not None else None

    def __call__(self, origin: str) -> bool:
        return self.pattern is not None and self.pattern.fullmatch(origin) is not None
