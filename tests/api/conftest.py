from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from server import create_app

GraphQL = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture(scope="session")
def app():
    return create_app()


@pytest.fixture
async def gql(app) -> AsyncIterator[GraphQL]:
    """Post a GraphQL document to /graphql; fails on errors unless ``errors=True``."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:

        async def run(
            query: str,
            variables: dict | None = None,
            *,
            errors: bool = False,
            token: str | None = None,
        ) -> dict:
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
