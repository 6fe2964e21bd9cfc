from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from models import User
from models.enums import Role
from server import create_app
from services.auth import issue_access_token

GraphQL = Callable[..., Awaitable[dict[str, Any]]]
# By default a test request is made by an administrator (who sees everything); pass
# token=None for an anonymous request, or another user's token.
SIGNED_IN_AS_ADMIN: Any = object()


@pytest.fixture(scope="session")
def app():
    return create_app()


@pytest.fixture
async def gql(app) -> AsyncIterator[GraphQL]:
    """Post a GraphQL document to /graphql; fails on errors unless ``errors=True``."""
    transport = httpx.ASGITransport(app=app)
    admin = await User.create(email="admin@example.com", name="Admin", role=Role.ADMIN)
    admin_token = issue_access_token(admin)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:

        async def run(
            query: str,
            variables: dict | None = None,
            *,
            errors: bool = False,
            token: str | None = SIGNED_IN_AS_ADMIN,
        ) -> dict:
            if token is SIGNED_IN_AS_ADMIN:
                token = admin_token
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = await client.post(
                "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
            )
            body = response.json()
            if not errors:
                assert "errors" not in body, body["errors"]
                return body["data"]
            return body

        yield run


@pytest.fixture
async def http(app) -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client of the app, for status codes and headers."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
