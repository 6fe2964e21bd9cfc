"""CORS as Chromium applies it: a page on another origin (another 127.0.0.1 port, or a
preview host under .localhost, which Chromium resolves to loopback) calls the API with the
headers front ends send (trace context, Apollo's client name), reads the answer and an exposed
header, and opens a socket, when its origin is allowed, exactly or by a pattern; a page on
any other origin is stopped by the browser."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page

from tests.browser.conftest import api_server, front_end_server
from tests.live_server import ADMIN_EMAIL, ADMIN_PASSWORD

FETCH = """
async ([url, headers]) => {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: {"Content-Type": "application/json", ...headers},
      body: JSON.stringify({query: "{ viewer { email } }"}),
    });
    return {
      status: response.status,
      body: await response.json(),
      wwwAuthenticate: response.headers.get("WWW-Authenticate"),
    };
  } catch (error) {
    return {error: String(error)};
  }
}
"""

OPEN_SOCKET = """
(url) => new Promise((resolve) => {
  const socket = new WebSocket(url, "graphql-transport-ws");
  socket.onopen = () => { socket.close(); resolve("open"); };
  socket.onerror = () => resolve("refused");
})
"""

TRACE_HEADERS = {
    "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "apollographql-client-name": "web",
    "apollographql-client-version": "1.4.0",
}


@dataclass
class Setup:
    api: str
    token: str
    allowed_port: int
    other_port: int

    @property
    def graphql(self) -> str:
        return f"{self.api}/graphql"

    @property
    def socket(self) -> str:
        return self.graphql.replace("http://", "ws://")


@pytest.fixture(scope="module")
async def setup(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Setup]:
    workdir = tmp_path_factory.mktemp("cors")
    with front_end_server() as allowed_port, front_end_server() as other_port:
        settings = {
            "ACCOUNTGRAPH_CORS_ORIGINS": f"http://127.0.0.1:{allowed_port}",
            "ACCOUNTGRAPH_CORS_ORIGIN_PATTERNS": f"http://*.preview.localhost:{allowed_port}",
        }
        async with api_server(Path(workdir), settings) as server:
            async with httpx.AsyncClient(base_url=server.base) as client:
                login = await client.post(
                    "/graphql",
                    json={
                        "query": "mutation($e: String!, $p: String!) { login(input: "
                        "{email: $e, password: $p}) { accessToken } }",
                        "variables": {"e": ADMIN_EMAIL, "p": ADMIN_PASSWORD},
                    },
                )
            token = login.json()["data"]["login"]["accessToken"]
            yield Setup(server.base, token, allowed_port, other_port)


async def from_page(page: Page, origin: str, script: str, argument: Any) -> Any:
    await page.goto(f"{origin}/")
    return await page.evaluate(script, argument)


def allowed_origins(setup: Setup) -> list[str]:
    return [
        f"http://127.0.0.1:{setup.allowed_port}",
        f"http://pr-7.preview.localhost:{setup.allowed_port}",
    ]


def other_origins(setup: Setup) -> list[str]:
    return [
        f"http://127.0.0.1:{setup.other_port}",
        # Two labels where the pattern has one: * never spans a dot.
        f"http://a.b.preview.localhost:{setup.allowed_port}",
        f"http://preview.localhost:{setup.allowed_port}",
    ]


async def test_an_allowed_origin_calls_the_api_with_front_end_headers(page: Page, setup: Setup):
    headers = {**TRACE_HEADERS, "Authorization": f"Bearer {setup.token}"}
    for origin in allowed_origins(setup):
        answer = await from_page(page, origin, FETCH, [setup.graphql, headers])
        assert answer == {
            "status": 200,
            "body": {"data": {"viewer": {"email": ADMIN_EMAIL}}},
            "wwwAuthenticate": None,
        }, origin


async def test_an_allowed_origin_reads_the_exposed_www_authenticate(page: Page, setup: Setup):
    headers = {**TRACE_HEADERS, "Authorization": "Bearer not-a-token"}
    for origin in allowed_origins(setup):
        answer = await from_page(page, origin, FETCH, [setup.graphql, headers])
        assert answer["status"] == 401, origin
        assert answer["wwwAuthenticate"].startswith("Bearer"), origin


async def test_another_origin_is_stopped_by_the_browser(page: Page, setup: Setup):
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    headers = {**TRACE_HEADERS, "Authorization": f"Bearer {setup.token}"}
    for origin in other_origins(setup):
        console.clear()
        answer = await from_page(page, origin, FETCH, [setup.graphql, headers])
        assert answer == {"error": "TypeError: Failed to fetch"}, origin
        assert any(
            f"from origin '{origin}' has been blocked by CORS policy" in line for line in console
        ), console


async def test_sockets_open_from_allowed_origins_only(page: Page, setup: Setup):
    for origin in allowed_origins(setup):
        assert await from_page(page, origin, OPEN_SOCKET, setup.socket) == "open", origin
    for origin in other_origins(setup):
        assert await from_page(page, origin, OPEN_SOCKET, setup.socket) == "refused", origin
