"""A subscription sent over HTTP is a clear 4xx, whoever sends it and however: 400 saying
where to subscribe for GET and POST, 406 for the streaming transports (multipart, server-sent
events) that this server does not offer; never a 500, and nothing runs."""

import httpx
import pytest
from starlette.applications import Starlette

from models.enums import Role
from server import create_app
from services.auth import issue_access_token
from tests.factories import make_user
from tests.state import database_state

SUBSCRIPTION = "subscription Moves { opportunityStageChanged { eventId } }"
REFUSED = {
    "errors": [
        {
            "message": "Subscriptions are not served over HTTP: open a WebSocket to this path "
            "(graphql-transport-ws) and subscribe there.",
            "extensions": {"code": "BAD_REQUEST"},
        }
    ]
}
NOT_ACCEPTABLE = {
    "errors": [
        {
            "message": "The Accept header must allow application/graphql-response+json or "
            "application/json.",
            "extensions": {"code": "NOT_ACCEPTABLE"},
        }
    ]
}


@pytest.fixture(scope="module")
def app() -> Starlette:
    return create_app()


async def send(app: Starlette, method: str, headers: dict[str, str]) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        if method == "GET":
            return await client.get("/graphql", params={"query": SUBSCRIPTION}, headers=headers)
        return await client.post("/graphql", json={"query": SUBSCRIPTION}, headers=headers)


async def credentials(signed_in: bool) -> dict[str, str]:
    if not signed_in:
        return {}
    user = await make_user(role=Role.ADMIN)
    return {"Authorization": f"Bearer {issue_access_token(user)}"}


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "anonymous"])
@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_subscription_over_http_is_refused_with_400(app, method, accept, signed_in):
    headers = {**await credentials(signed_in), "Accept": accept, "Accept-Encoding": "gzip"}
    before = await database_state()
    response = await send(app, method, headers)
    assert (response.status_code, response.json()) == (400, REFUSED)
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"
    assert await database_state() == before


@pytest.mark.parametrize(
    "accept", ['multipart/mixed;subscriptionSpec="1.0"', "multipart/mixed", "text/event-stream"]
)
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_streamed_subscription_over_http_is_not_acceptable(app, method, accept):
    headers = {**await credentials(True), "Accept": accept, "Accept-Encoding": "gzip"}
    before = await database_state()
    response = await send(app, method, headers)
    assert (response.status_code, response.json()) == (406, NOT_ACCEPTABLE)
    assert await database_state() == before
