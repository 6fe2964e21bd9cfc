"""What a caller who has not signed in can reach: /metrics only with its token (or on its
own listener), GraphiQL only when switched on and with security headers, introspection
only when a setting allows it."""

import base64
import functools
import hashlib
import re
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from models.enums import Role
from server import create_app
from services.auth import issue_access_token
from settings import Settings
from tests.factories import make_user

METRICS_TOKEN = "metrics-token-for-tests-0123456789"
SCHEMA_NAME = "{ __schema { queryType { name } } }"


@functools.cache
def app_with(**settings: Any) -> Starlette:
    return create_app(Settings(**settings))


async def request(app: Starlette, method: str, path: str, **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.request(method, path, **kwargs)


# ------------------------------------------------------------------------------ metrics


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong-token", f"Basic {METRICS_TOKEN}", METRICS_TOKEN]
)
async def test_metrics_need_the_token_when_one_is_set(authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = await request(
        app_with(metrics_token=METRICS_TOKEN), "GET", "/metrics", headers=headers
    )
    assert (response.status_code, response.text) == (
        401,
        "send 'Authorization: Bearer <ACCOUNTGRAPH_METRICS_TOKEN>'",
    )
    assert response.headers["www-authenticate"] == 'Bearer realm="metrics"'


async def test_metrics_answer_with_the_token():
    response = await request(
        app_with(metrics_token=METRICS_TOKEN),
        "GET",
        "/metrics",
        headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
    )
    assert response.status_code == 200
    assert "accountgraph_http_requests_total" in response.text


async def test_metrics_on_their_own_port_are_not_served_with_the_api():
    response = await request(app_with(metrics_port=9), "GET", "/metrics")
    assert response.status_code == 404


def test_a_metrics_token_must_not_be_guessable():
    with pytest.raises(ValueError, match="at least 16 characters"):
        Settings(metrics_token="short")


# ----------------------------------------------------------------------------- GraphiQL


def script_hashes(page: str) -> list[str]:
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    ]


async def test_graphiql_is_served_with_security_headers():
    response = await request(create_app(), "GET", "/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    [inline] = script_hashes(response.text)
    assert response.headers["content-security-policy"] == (
        f"default-src 'none'; script-src 'self' {inline}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    )
    assert {
        name: response.headers[name]
        for name in ("x-frame-options", "x-content-type-options", "referrer-policy")
    } == {
        "x-frame-options": "DENY",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
    }
    # Every script the page loads comes from this origin, so 'self' covers them.
    assert all(
        src.startswith("/graphiql-assets/") for src in re.findall(r'src="([^"]+)"', response.text)
    )


async def test_graphiql_can_be_switched_off():
    app = app_with(graphiql=False)
    page = await request(app, "GET", "/graphql", headers={"Accept": "text/html"})
    assert (page.status_code, page.json()) == (
        404,
        {"errors": [{"message": "Not Found", "extensions": {"code": "NOT_FOUND"}}]},
    )
    asset = await request(app, "GET", "/graphiql-assets/graphiql/graphiql.min.js")
    assert asset.status_code == 404


# ------------------------------------------------------------------------- introspection

INTROSPECTION_REFUSED = {
    "errors": [
        {
            "message": "Sign in first: send 'Authorization: Bearer <access token or API key>'.",
            "extensions": {"code": "UNAUTHENTICATED", "reason": "MISSING"},
        }
    ]
}


@pytest.mark.parametrize(
    "query",
    [
        SCHEMA_NAME,
        '{ __type(name: "Account") { name } }',
        "{ __typename ...Everything } fragment Everything on Query { __schema { types { name } } }",
    ],
)
async def test_anonymous_callers_get_no_introspection_by_default(query):
    response = await request(create_app(), "POST", "/graphql", json={"query": query})
    assert response.status_code == 401
    assert response.json() == INTROSPECTION_REFUSED


async def test_anonymous_introspection_can_be_allowed():
    response = await request(
        app_with(introspection_anonymous=True), "POST", "/graphql", json={"query": SCHEMA_NAME}
    )
    assert response.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ADMIN])
async def test_signed_in_callers_keep_introspection(role):
    user = await make_user(role=role)
    response = await request(
        create_app(),
        "POST",
        "/graphql",
        json={"query": SCHEMA_NAME},
        headers={"Authorization": f"Bearer {issue_access_token(user)}"},
    )
    assert response.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


async def test_anonymous_callers_still_sign_in_and_ask_for_typename():
    response = await request(
        create_app(), "POST", "/graphql", json={"query": "{ __typename viewer { id } }"}
    )
    assert response.json() == {"data": {"__typename": "Query", "viewer": None}}
