"""CORS from the settings: which origins (exact, and patterns for preview deployments), which
request headers, what a page may read, how long a preflight holds, credentials; and the same
origins for WebSocket handshakes. The real-browser side is tests/test_browser_cors.py."""

import asyncio
import functools
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.types import Message

from models.enums import Role
from server import create_app
from services.auth import issue_access_token
from settings import Settings, origin_pattern_regex
from tests.factories import make_user
from web.cors import OriginCheck

APP = "https://app.example.com"
PREVIEW = "https://*.preview.example.com"
DEFAULT_ALLOWED = (
    "Accept, Accept-Language, Authorization, Content-Language, Content-Type, If-None-Match, "
    "apollo-require-preflight, apollographql-client-name, apollographql-client-version, "
    "baggage, sentry-trace, traceparent, tracestate, x-apollo-operation-name"
)
PREFLIGHT_VARY = (
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, "
    "Access-Control-Request-Private-Network"
)
# What Apollo Client with tracing (OpenTelemetry or Sentry) sends with a query.
FRONT_END_HEADERS = (
    "authorization, content-type, traceparent, tracestate, baggage, sentry-trace, "
    "apollographql-client-name, apollographql-client-version"
)


@functools.cache
def app_with(**settings: Any) -> Starlette:
    return create_app(Settings(**settings))


def cors_app(**settings: Any) -> Starlette:
    return app_with(cors_origins=(APP,), cors_origin_patterns=(PREVIEW,), **settings)


async def request(app: Starlette, method: str, path: str, **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.request(method, path, **kwargs)


async def preflight(app: Starlette, origin: str, headers: str = FRONT_END_HEADERS):
    return await request(
        app,
        "OPTIONS",
        "/graphql",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": headers,
        },
    )


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {
        name: value
        for name, value in response.headers.items()
        if name.startswith("access-control-") or name == "vary"
    }


# ----------------------------------------------------------------------------- settings


def test_origins_are_read_as_a_json_list_or_comma_separated(monkeypatch):
    monkeypatch.setenv("ACCOUNTGRAPH_CORS_ORIGINS", '["https://App.Example.com:443/"]')
    monkeypatch.setenv(
        "ACCOUNTGRAPH_CORS_ORIGIN_PATTERNS", "https://*.preview.example.com, http://localhost:*"
    )
    monkeypatch.setenv("ACCOUNTGRAPH_CORS_ALLOW_HEADERS", "Authorization,Content-Type,x-tenant")
    settings = Settings()
    assert settings.cors_origins == ["https://app.example.com"]
    assert settings.cors_origin_patterns == ["https://*.preview.example.com", "http://localhost:*"]
    assert settings.cors_allow_headers == ["Authorization", "Content-Type", "x-tenant"]
    monkeypatch.setenv("ACCOUNTGRAPH_CORS_ORIGINS", "http://127.0.0.1:5173,https://b.example.com")
    assert Settings().cors_origins == ["http://127.0.0.1:5173", "https://b.example.com"]


def test_the_defaults_allow_no_origin_and_the_front_end_headers():
    settings = Settings()
    assert settings.cors_origins == []
    assert settings.cors_origin_patterns == []
    assert settings.cors_allow_headers == [
        "Authorization",
        "Content-Type",
        "Accept",
        "If-None-Match",
        "traceparent",
        "tracestate",
        "baggage",
        "sentry-trace",
        "apollographql-client-name",
        "apollographql-client-version",
        "apollo-require-preflight",
        "x-apollo-operation-name",
    ]
    assert settings.cors_expose_headers == ["ETag", "Retry-After", "WWW-Authenticate"]
    assert settings.cors_max_age_seconds == 600
    assert settings.cors_allow_credentials is False


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        (
            "cors_origins",
            ["https://app.example.com/app"],
            "'https://app.example.com/app' is not an origin: write scheme://host or "
            "scheme://host:port (http or https, no path), e.g. https://app.example.com",
        ),
        (
            "cors_origins",
            ["https://*.example.com"],
            "'https://*.example.com' has a wildcard: put it in ACCOUNTGRAPH_CORS_ORIGIN_PATTERNS",
        ),
        (
            "cors_origin_patterns",
            ["https://*.com"],
            "'https://*.com': a wildcard must be followed by a domain of two labels at least "
            "(https://*.preview.example.com), or it would allow any site",
        ),
        (
            "cors_origin_patterns",
            ["https://*"],
            "'https://*': a wildcard must be followed by a domain of two labels at least "
            "(https://*.preview.example.com), or it would allow any site",
        ),
        (
            "cors_origin_patterns",
            ["https://*.preview..example.com"],
            "'https://*.preview..example.com': a host label is empty",
        ),
        (
            "cors_origin_patterns",
            ["*://app.example.com"],
            "'*://app.example.com' is not an origin: write scheme://host or scheme://host:port "
            "(http or https, no path), e.g. https://app.example.com",
        ),
        ("cors_allow_headers", ["traceparent", "bad header"], "'bad header' is not a header name"),
    ],
)
def test_settings_that_are_no_origins_or_headers_are_refused(setting, value, message):
    with pytest.raises(ValidationError) as refused:
        Settings(**{setting: value})
    assert [error["msg"] for error in refused.value.errors()] == [f"Value error, {message}"]


def test_credentials_with_any_origin_are_refused():
    with pytest.raises(ValidationError) as refused:
        Settings(cors_origins=["*"], cors_allow_credentials=True)
    assert [error["msg"] for error in refused.value.errors()] == [
        'Value error, ACCOUNTGRAPH_CORS_ALLOW_CREDENTIALS cannot go with "*" in '
        "ACCOUNTGRAPH_CORS_ORIGINS: every site would act with the user's cookies"
    ]


@pytest.mark.parametrize(
    ("pattern", "origin", "allowed"),
    [
        (PREVIEW, "https://pr-7.preview.example.com", True),
        (PREVIEW, "https://feature-login-abc123.preview.example.com", True),
        # One label only: never across a dot, never none at all.
        (PREVIEW, "https://a.b.preview.example.com", False),
        (PREVIEW, "https://preview.example.com", False),
        (PREVIEW, "https://.preview.example.com", False),
        # Anchored at both ends; dots are dots.
        (PREVIEW, "https://pr-7.preview.example.com.evil.test", False),
        (PREVIEW, "https://evil.test/https://pr-7.preview.example.com", False),
        (PREVIEW, "https://pr-7.previewxexample.com", False),
        (PREVIEW, "https://pr-7-preview.example.com", False),
        # The scheme and port are part of the origin.
        (PREVIEW, "http://pr-7.preview.example.com", False),
        (PREVIEW, "https://pr-7.preview.example.com:8443", False),
        (PREVIEW, "https://pr_7.preview.example.com", False),
        ("https://pr-*.example.com", "https://pr-42.example.com", True),
        ("https://pr-*.example.com", "https://pr-.example.com", False),
        ("https://pr-*.example.com", "https://qa-42.example.com", False),
        ("http://localhost:*", "http://localhost:5173", True),
        ("http://localhost:*", "http://localhost", True),
        ("http://localhost:*", "http://localhost.evil.test:5173", False),
        ("https://*.preview.example.com:443", "https://pr-7.preview.example.com", True),
    ],
)
def test_an_origin_pattern_matches_one_host_label_per_wildcard(pattern, origin, allowed):
    check = OriginCheck(Settings(cors_origin_patterns=[pattern]))
    assert check(origin) is allowed


def test_a_pattern_compiles_to_an_anchored_expression_of_escaped_labels():
    assert origin_pattern_regex(PREVIEW) == r"https://[a-z0-9-]+\.preview\.example\.com"
    assert origin_pattern_regex("http://*.dev.localhost:*") == (
        r"http://[a-z0-9-]+\.dev\.localhost(?::[0-9]{1,5})?"
    )


# ---------------------------------------------------------------------------- preflights


@pytest.mark.parametrize("origin", [APP, "https://pr-7.preview.example.com"])
async def test_a_preflight_from_an_allowed_origin_allows_the_front_end_headers(origin):
    response = await preflight(cors_app(), origin)
    assert (response.status_code, response.text) == (200, "OK")
    assert cors_headers(response) == {
        "vary": PREFLIGHT_VARY,
        "access-control-allow-methods": "GET, POST",
        "access-control-max-age": "600",
        "access-control-allow-headers": DEFAULT_ALLOWED,
        "access-control-allow-origin": origin,
    }


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "https://a.b.preview.example.com",
        "https://pr-7.preview.example.com.evil.test",
        "http://app.example.com",
        "null",
    ],
)
async def test_a_preflight_from_another_origin_is_refused(origin):
    response = await preflight(cors_app(), origin)
    assert (response.status_code, response.text) == (400, "Disallowed CORS origin")
    assert "access-control-allow-origin" not in response.headers


async def test_a_preflight_asking_for_a_header_not_allowed_is_refused():
    response = await preflight(cors_app(), APP, "content-type, x-tenant")
    assert (response.status_code, response.text) == (400, "Disallowed CORS headers")


async def test_the_allowed_headers_max_age_and_credentials_are_settings():
    app = cors_app(
        cors_allow_headers=("Authorization", "Content-Type", "x-tenant"),
        cors_max_age_seconds=7200,
        cors_allow_credentials=True,
    )
    allowed = await preflight(app, APP, "authorization, content-type, x-tenant")
    assert allowed.status_code == 200
    assert cors_headers(allowed) == {
        "vary": PREFLIGHT_VARY,
        "access-control-allow-methods": "GET, POST",
        "access-control-max-age": "7200",
        "access-control-allow-headers": (
            "Accept, Accept-Language, Authorization, Content-Language, Content-Type, x-tenant"
        ),
        "access-control-allow-credentials": "true",
        "access-control-allow-origin": APP,
    }
    refused = await preflight(app, APP, "content-type, traceparent")
    assert (refused.status_code, refused.text) == (400, "Disallowed CORS headers")


async def test_without_allowed_origins_there_is_no_cors():
    response = await preflight(app_with(), APP)
    assert response.status_code == 405
    assert cors_headers(response) == {"vary": "Accept"}


# ---------------------------------------------------------------------- actual requests


async def signed_in_headers(origin: str) -> dict[str, str]:
    user = await make_user(role=Role.ADMIN)
    return {
        "Origin": origin,
        "Authorization": f"Bearer {issue_access_token(user)}",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "apollographql-client-name": "web",
    }


@pytest.mark.parametrize("origin", [APP, "https://pr-7.preview.example.com"])
async def test_an_allowed_origin_may_read_the_answer_and_the_exposed_headers(origin):
    response = await request(
        cors_app(),
        "POST",
        "/graphql",
        json={"query": "{ __typename }"},
        headers=await signed_in_headers(origin),
    )
    assert (response.status_code, response.json()) == (200, {"data": {"__typename": "Query"}})
    assert cors_headers(response) == {
        "vary": "Accept, Origin",
        "access-control-expose-headers": "ETag, Retry-After, WWW-Authenticate",
        "access-control-allow-origin": origin,
    }


async def test_another_origin_gets_no_permission_to_read_the_answer():
    response = await request(
        cors_app(),
        "POST",
        "/graphql",
        json={"query": "{ __typename }"},
        headers=await signed_in_headers("https://a.b.preview.example.com"),
    )
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["vary"] == "Accept, Origin"


async def test_any_origin_is_answered_with_a_star_and_no_credentials():
    response = await request(
        app_with(cors_origins=("*",)),
        "POST",
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"Origin": "https://anywhere.example"},
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


# ---------------------------------------------------------------------------- WebSockets


async def handshake(app: Starlette, origin: str) -> str:
    """Open a WebSocket to /graphql from a page on ``origin``: what the app answers first
    (``websocket.accept``, or ``websocket.close``: a handshake refused with 403)."""
    inbox: asyncio.Queue[Message] = asyncio.Queue()
    outbox: asyncio.Queue[Message] = asyncio.Queue()
    await inbox.put({"type": "websocket.connect"})
    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"api.example.com"),
            (b"origin", origin.encode()),
            (b"sec-websocket-protocol", b"graphql-transport-ws"),
        ],
        "subprotocols": ["graphql-transport-ws"],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    running = asyncio.create_task(app(scope, inbox.get, outbox.put))
    first = await asyncio.wait_for(outbox.get(), 5)
    await inbox.put({"type": "websocket.disconnect", "code": 1000})
    await asyncio.wait_for(running, 5)
    return first["type"]


@pytest.mark.parametrize(
    ("origin", "answer"),
    [
        (APP, "websocket.accept"),
        ("https://pr-7.preview.example.com", "websocket.accept"),
        ("https://a.b.preview.example.com", "websocket.close"),
        ("https://evil.example", "websocket.close"),
    ],
)
async def test_sockets_may_be_opened_from_the_same_origins(origin, answer):
    assert await handshake(cors_app(), origin) == answer
