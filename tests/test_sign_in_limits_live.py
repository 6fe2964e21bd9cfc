"""Sign-in limits on real server processes: they hold across processes sharing the database,
and X-Forwarded-For names the client only when it comes from a trusted proxy."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from cli.main import proxy_options
from tests.database import BACKEND, create_postgres_database, drop_postgres_database
from tests.live_events import Server, prepare_database, start_server

LOGIN = (
    "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) "
    "{ retryAfter errors { code } } }"
)


@contextlib.asynccontextmanager
async def servers_on_own_database(
    workdir: Path, count: int, **settings: str
) -> AsyncIterator[list[Server]]:
    url = (
        await create_postgres_database()
        if BACKEND == "postgres"
        else f"sqlite://{workdir / 'limits.db'}"
    )
    env = await asyncio.to_thread(prepare_database, url, workdir)
    env.update({f"ACCOUNTGRAPH_{name.upper()}": value for name, value in settings.items()})
    started: list[Server] = []
    try:
        for n in range(count):
            started.append(await asyncio.to_thread(start_server, env, workdir, f"server{n}"))
        yield started
    finally:
        for server in started:
            server.stop()
        if BACKEND == "postgres":
            await drop_postgres_database(url)


async def sign_in(
    client: httpx.AsyncClient, server: Server, email: str, forwarded_for: str | None = None
) -> str:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = await client.post(
        f"{server.base}/graphql",
        json={"query": LOGIN, "variables": {"e": email, "p": "a wrong password"}},
        headers=headers,
    )
    return response.json()["data"]["login"]["errors"][0]["code"]


async def test_parallel_guesses_at_two_server_processes_share_one_limit(tmp_path):
    async with servers_on_own_database(tmp_path, 2) as (first, second):
        async with httpx.AsyncClient(timeout=60) as client:
            codes = await asyncio.gather(
                *(
                    sign_in(client, server, "admin@example.com")
                    for _ in range(30)
                    for server in (first, second)
                )
            )
    assert codes.count("INVALID_CREDENTIALS") == 5
    assert codes.count("RATE_LIMITED") == 55


@pytest.mark.parametrize(
    ("trusted_proxies", "sixth_attempt"),
    [(None, "RATE_LIMITED"), ("127.0.0.1", "INVALID_CREDENTIALS")],
)
async def test_x_forwarded_for_counts_only_from_a_trusted_proxy(
    tmp_path, trusted_proxies, sixth_attempt
):
    settings = {"trusted_proxies": trusted_proxies} if trusted_proxies else {}
    async with servers_on_own_database(tmp_path, 1, **settings) as (server,):
        async with httpx.AsyncClient(timeout=60) as client:
            for _ in range(5):
                code = await sign_in(client, server, "ghost@example.com", "203.0.113.1")
                assert code == "INVALID_CREDENTIALS"
            # Another client behind the proxy, or the same one claiming to be elsewhere.
            assert await sign_in(client, server, "ghost@example.com", "203.0.113.2") == (
                sixth_attempt
            )


def test_uvicorn_believes_forwarded_headers_only_from_the_trusted_proxies():
    assert proxy_options([]) == {"proxy_headers": False, "forwarded_allow_ips": ""}
    assert proxy_options(["10.0.0.5", "10.0.1.0/24"]) == {
        "proxy_headers": True,
        "forwarded_allow_ips": ["10.0.0.5", "10.0.1.0/24"],
    }
