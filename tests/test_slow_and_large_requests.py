"""Slow and large requests against the real server (uvicorn, `accountgraph serve`), with
small limits set through the environment: a body that trickles in is refused with 408 and
its connection closed; an anonymous WebSocket cannot send a large message; /metrics is on its
own port behind its token; GraphiQL is off."""

import asyncio
import json
import socket

import httpx
import pytest
import websockets
from typer.testing import CliRunner
from websockets.typing import Subprotocol

import cli.main
from tests.database import BACKEND, create_postgres_database, drop_postgres_database
from tests.live_server import ADMIN_EMAIL, ADMIN_PASSWORD, free_port, live_server

METRICS_TOKEN = "metrics-token-for-tests-0123456789"
METRICS_PORT = free_port()
SETTINGS = {
    "ACCOUNTGRAPH_BODY_TIMEOUT_SECONDS": "1",
    "ACCOUNTGRAPH_WEBSOCKET_MAX_BYTES_BEFORE_SIGN_IN": "4096",
    "ACCOUNTGRAPH_WS_MAX_SIZE": "65536",
    "ACCOUNTGRAPH_METRICS_PORT": str(METRICS_PORT),
    "ACCOUNTGRAPH_METRICS_TOKEN": METRICS_TOKEN,
    "ACCOUNTGRAPH_GRAPHIQL": "false",
}
TOO_SLOW = {
    "errors": [
        {
            "message": "The request body took longer than 1 s to arrive; send it at once.",
            "extensions": {"code": "REQUEST_TIMEOUT"},
        }
    ]
}


@pytest.fixture(scope="module")
async def server_url(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("limits")
    if BACKEND == "postgres":
        url = await create_postgres_database()
    else:
        url = f"sqlite://{workdir / 'limits.db'}"
    with live_server(url, workdir, SETTINGS) as base:
        yield base
    if BACKEND == "postgres":
        await drop_postgres_database(url)


@pytest.fixture(scope="module")
def token(server_url) -> str:
    login = httpx.post(
        f"{server_url}/graphql",
        json={
            "query": "mutation($e: String!, $p: String!) "
            "{ login(input: {email: $e, password: $p}) { accessToken } }",
            "variables": {"e": ADMIN_EMAIL, "p": ADMIN_PASSWORD},
        },
    )
    return login.json()["data"]["login"]["accessToken"]


def trickle(server_url: str, head: str, first_part: bytes) -> tuple[bytes, bytes]:
    """Send the request head and the start of its body, then nothing more; return the
    response's head and body, read until the server closes the connection."""
    port = int(server_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(head.encode() + first_part)
        received = b""
        while chunk := connection.recv(65536):  # the server closes: recv returns b""
            received += chunk
    response_head, _, body = received.partition(b"\r\n\r\n")
    return response_head, body


def test_a_json_body_that_trickles_in_is_refused_with_408(server_url):
    head = (
        "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n\r\n"
    )
    response_head, body = trickle(server_url, head, b'{"query": "{ __typename')
    assert response_head.startswith(b"HTTP/1.1 408 ")
    assert json.loads(body) == TOO_SLOW


def test_an_upload_that_trickles_in_is_refused_with_408(server_url, token):
    head = (
        "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\n"
        "Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 100000\r\n\r\n"
    )
    response_head, body = trickle(
        server_url, head, b'--xyz\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{'
    )
    assert response_head.startswith(b"HTTP/1.1 408 ")
    assert json.loads(body) == TOO_SLOW


def test_a_body_that_arrives_in_time_is_answered(server_url):
    response = httpx.post(f"{server_url}/graphql", json={"query": "{ __typename }"})
    assert response.json() == {"data": {"__typename": "Query"}}


def ws_url(server_url: str) -> str:
    return server_url.replace("http://", "ws://") + "/graphql"


async def closing_code(socket: websockets.ClientConnection) -> int | None:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(socket.recv(), 30)
    return closed.value.rcvd.code if closed.value.rcvd else None


async def test_a_large_message_before_sign_in_closes_the_socket_with_1009(server_url):
    async with websockets.connect(
        ws_url(server_url), subprotocols=[Subprotocol("graphql-transport-ws")], max_size=None
    ) as socket:
        await socket.send(
            json.dumps({"type": "connection_init", "payload": {"padding": "x" * 5000}})
        )
        assert await closing_code(socket) == 1009


async def test_after_sign_in_messages_up_to_ws_max_size_are_taken(server_url, token):
    async with websockets.connect(
        ws_url(server_url), subprotocols=[Subprotocol("graphql-transport-ws")], max_size=None
    ) as socket:
        await socket.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        assert json.loads(await asyncio.wait_for(socket.recv(), 30)) == {"type": "connection_ack"}
        await socket.send(json.dumps({"type": "ping", "payload": {"padding": "x" * 20_000}}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 30)) == {"type": "pong"}
        await socket.send(json.dumps({"type": "ping", "payload": {"padding": "x" * 70_000}}))
        assert await closing_code(socket) == 1009  # uvicorn's ws_max_size


def test_metrics_are_served_on_their_own_port_behind_their_token(server_url):
    assert httpx.get(f"{server_url}/metrics").status_code == 404
    metrics = f"http://127.0.0.1:{METRICS_PORT}/metrics"
    refused = httpx.get(metrics)
    assert (refused.status_code, refused.text) == (
        401,
        "send 'Authorization: Bearer <ACCOUNTGRAPH_METRICS_TOKEN>'",
    )
    answered = httpx.get(metrics, headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert answered.status_code == 200
    assert "accountgraph_http_requests_total" in answered.text


def test_graphiql_is_off(server_url):
    page = httpx.get(f"{server_url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 404


def test_serve_passes_the_connection_limits_to_uvicorn(monkeypatch):
    calls = []
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: calls.append((args, kwargs)))
    result = CliRunner().invoke(
        cli.main.app,
        [
            "serve",
            "--limit-concurrency",
            "50",
            "--timeout-keep-alive",
            "3",
            "--ws-max-size",
            "200000",
            "--h11-max-incomplete-event-size",
            "8192",
        ],
    )
    assert result.exit_code == 0, result.output
    assert calls == [
        (
            ("server:app",),
            {
                "host": "127.0.0.1",
                "port": 8000,
                "workers": 1,
                "log_level": "info",
                "limit_concurrency": 50,
                "timeout_keep_alive": 3,
                "ws_max_size": 200000,
                "h11_max_incomplete_event_size": 8192,
                "proxy_headers": False,
                "forwarded_allow_ips": "",
            },
        )
    ]
