"""The server while its database is down, frozen, or back: real databases, a real server.

PostgreSQL: a cluster of this module's own (tests/private_postgres.py), stopped (connections
refused) and frozen with SIGSTOP (connections accepted, nothing answered), then resumed.
SQLite: a database file that cannot be opened. The application runs in this process under
uvicorn on a free loopback port, so that every log record, uvicorn's included, reaches
``caplog``: an outage is answered, and logged in one line, never with a traceback.
"""

import asyncio
import contextlib
import errno
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.exceptions import DBConnectionError
from tortoise.exceptions import OperationalError as ORMOperationalError
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from db import (
    close_db,
    database_unavailable,
    init_db,
    log_failure,
    migrate_db,
)
from db.sqlite import ImmediateSqliteClient
from server import create_app
from services.auth import hash_password
from services.people import USER
from services.pipelines import ensure_default_pipelines
from services.records import create_record
from settings import Settings
from tests.live_server import ADMIN_EMAIL, ADMIN_PASSWORD, free_port
from tests.private_postgres import PrivatePostgres

GQL = "application/graphql-response+json"
UNAVAILABLE = {
    "errors": [
        {
            "message": "the database is not available at the moment; try again shortly",
            "extensions": {"code": "SERVICE_UNAVAILABLE"},
        }
    ]
}
PIPELINES = {"query": "{ pipelines { name } }"}
PIPELINE_NAMES = {
    "data": {"pipelines": [{"name": n} for n in ("New business", "Expansion", "Renewal")]}
}
LOGIN = {
    "query": "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { accessToken } }",
    "variables": {"e": ADMIN_EMAIL, "p": ADMIN_PASSWORD},
}


@pytest.fixture(autouse=True)
async def clean_database() -> AsyncIterator[None]:
    """These tests run on databases of their own, which they leave as they found them."""
    yield


def outage_settings(database_url: str) -> Settings:
    """Small timeouts, so that a frozen database is given up on quickly."""
    return Settings(
        database_url=database_url,
        database_statement_timeout_seconds=0.5,
        database_acquire_timeout_seconds=0.5,
        request_timeout_seconds=5,
        readiness_timeout_seconds=0.5,
        retry_after_seconds=7,
        access_token_seconds=3600,
        health_refresh_seconds=0,
        webhook_dispatch_in_server=False,
        relay_poll_seconds=3600,
    )


@contextlib.asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """Serve ``app`` (with its lifespan) under uvicorn in this event loop; yield its URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_config=None)
    )
    task = asyncio.create_task(server.serve())
    for _ in range(600):
        if server.started or task.done():
            break
        await asyncio.sleep(0.05)
    if not server.started:
        server.should_exit = True
        await task
        raise RuntimeError("the server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@contextlib.asynccontextmanager
async def suite_database_set_aside(suite_database_url: str) -> AsyncIterator[None]:
    """The ORM's connections are global: close the suite's while a server here opens its
    own, and open them again afterwards. Tortoise also keeps each model's INSERT, UPDATE and
    DELETE statements per connection name, written in the first database's dialect: those
    are forgotten on the way in and out, as the two databases may differ in kind."""
    await close_db()
    EXECUTOR_CACHE.clear()
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            await close_db()
        EXECUTOR_CACHE.clear()
        await init_db(suite_database_url)


@contextlib.asynccontextmanager
async def serving_signed_in(database_url: str) -> AsyncIterator["Api"]:
    """Migrate ``database_url`` (as `accountgraph migrate` does), serve the app on it, and
    sign in as an administrator."""
    await migrate_db(database_url)
    async with serving(create_app(outage_settings(database_url))) as base:
        values = {
            "email": ADMIN_EMAIL,
            "name": "Admin",
            "role": "ADMIN",
            "password_hash": hash_password(ADMIN_PASSWORD),
        }
        await create_record(USER, actor_id=None, values=values)
        await ensure_default_pipelines()
        api = Api(base)
        await api.sign_in()
        yield api


class Api:
    def __init__(self, base: str) -> None:
        self.base = base
        self.token = ""

    async def post(self, body: Any, *, accept: str = GQL, signed_in: bool = True) -> httpx.Response:
        headers = {"Accept": accept}
        if signed_in:
            headers["Authorization"] = f"Bearer {self.token}"
        async with httpx.AsyncClient(timeout=30) as client:
            return await client.post(f"{self.base}/graphql", json=body, headers=headers)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        async with httpx.AsyncClient(timeout=30) as client:
            return await client.get(f"{self.base}{path}", **kwargs)

    async def sign_in(self) -> None:
        response = await self.post(LOGIN, signed_in=False)
        self.token = response.json()["data"]["login"]["accessToken"]

    async def wait_until_ready(self) -> None:
        """Poll /readyz until the database answers again (each probe is bounded)."""
        for _ in range(100):
            if (await self.get("/readyz")).status_code == 200:
                return
            await asyncio.sleep(0.1)
        raise AssertionError("the server did not become ready again")


def assert_unavailable(response: httpx.Response, media_type: str = GQL) -> None:
    assert (response.status_code, response.json()) == (503, UNAVAILABLE)
    assert response.headers["retry-after"] == "7"
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"


def assert_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing was logged with a traceback, nor as an error: an outage is no bug."""
    noisy = [
        f"{r.name} {r.levelname}: {r.getMessage()}"
        for r in caplog.records
        if r.exc_info or r.exc_text or r.levelno >= logging.ERROR or "Traceback" in r.getMessage()
    ]
    assert noisy == []


# --------------------------------------------------------------------------- PostgreSQL


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivatePostgres]:
    postgres = PrivatePostgres()
    try:
        postgres.start()
        yield postgres
    finally:
        postgres.close()


@pytest.fixture(scope="module")
async def api(cluster: PrivatePostgres, database_url: str) -> AsyncIterator[Api]:
    async with suite_database_set_aside(database_url):
        async with serving_signed_in(cluster.url) as api:
            yield api


async def assert_recovered(api: Api) -> None:
    await api.wait_until_ready()
    ready = await api.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ok", "database": "ok"})
    response = await api.post(PIPELINES)
    assert (response.status_code, response.json()) == (200, PIPELINE_NAMES)


async def test_a_stopped_database_answers_every_request_503_with_retry_after(
    cluster: PrivatePostgres, api: Api, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO)
    cluster.stop()
    try:
        # The credential is checked first: that reads the database.
        assert_unavailable(await api.post(PIPELINES))
        assert_unavailable(await api.post(PIPELINES, accept="application/json"), "application/json")
        assert_unavailable(
            await api.get(
                "/graphql",
                params=PIPELINES,
                headers={"Accept": GQL, "Authorization": f"Bearer {api.token}"},
            )
        )
        # Without a credential, the resolver is the first to read it.
        assert_unavailable(await api.post(LOGIN, signed_in=False))
        ready = await api.get("/readyz")
        assert (ready.status_code, ready.json()) == (
            503,
            {"status": "unavailable", "database": "unreachable"},
        )
        health = await api.get("/healthz")
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
    finally:
        cluster.start()
    await assert_recovered(api)
    assert_no_traceback(caplog)
    assert any(
        "answered 503, the database is unavailable" in r.getMessage() for r in caplog.records
    )


async def test_a_frozen_database_is_given_up_on_within_the_timeouts(
    cluster: PrivatePostgres, api: Api, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO)
    cluster.freeze()
    try:
        ready = await api.get("/readyz")
        assert (ready.status_code, ready.json()) == (
            503,
            {"status": "unavailable", "database": "timeout"},
        )
        assert_unavailable(await api.post(PIPELINES))
        assert_unavailable(await api.post(LOGIN, signed_in=False))
    finally:
        cluster.thaw()
    await assert_recovered(api)
    assert_no_traceback(caplog)


async def test_postgresql_cancels_a_statement_longer_than_the_statement_timeout(api: Api):
    connection = Tortoise.get_connection("default")
    assert await connection.execute_query_dict("SHOW statement_timeout") == [
        {"statement_timeout": "500ms"}
    ]
    with pytest.raises(asyncpg.exceptions.QueryCanceledError, match="statement timeout") as raised:
        await connection.execute_query("SELECT pg_sleep(5)")
    assert database_unavailable(raised.value)
    response = await api.post(PIPELINES)
    assert (response.status_code, response.json()) == (200, PIPELINE_NAMES)


async def sign_in_socket(api: Api, protocol: str) -> tuple[list[dict], int | None, str | None]:
    """Open a socket and send connection_init with the token: what came back, and the close
    code and reason if the server closed it (None, None when it acknowledged)."""
    url = api.base.replace("http://", "ws://") + "/graphql"
    init = {"type": "connection_init", "payload": {"authorization": f"Bearer {api.token}"}}
    received: list[dict] = []
    async with connect(url, subprotocols=[protocol]) as socket:  # type: ignore[list-item]
        await socket.send(json.dumps(init))
        try:
            while True:
                received.append(json.loads(await socket.recv()))
                if received[-1] == {"type": "connection_ack"}:
                    return received, None, None
        except ConnectionClosed as closed:
            assert closed.rcvd is not None
            return received, closed.rcvd.code, closed.rcvd.reason


def try_again_later(protocol: str) -> tuple[list[dict], int, str]:
    reason = "the database is not available at the moment; try again shortly"
    told = (
        []
        if protocol == "graphql-transport-ws"
        else [{"type": "connection_error", "payload": {"message": reason}}]
    )
    return told, 1013, reason


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_a_socket_signing_in_while_the_database_is_down_is_closed_with_1013(
    cluster: PrivatePostgres, api: Api, caplog: pytest.LogCaptureFixture, protocol: str
):
    caplog.set_level(logging.INFO)
    cluster.stop()
    try:
        assert await sign_in_socket(api, protocol) == try_again_later(protocol)
    finally:
        cluster.start()
    await api.wait_until_ready()
    assert await sign_in_socket(api, protocol) == ([{"type": "connection_ack"}], None, None)
    assert_no_traceback(caplog)


async def test_a_socket_signing_in_while_the_database_is_frozen_is_closed_with_1013(
    cluster: PrivatePostgres, api: Api, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO)
    cluster.freeze()
    try:
        assert await sign_in_socket(api, "graphql-transport-ws") == try_again_later(
            "graphql-transport-ws"
        )
    finally:
        cluster.thaw()
    await api.wait_until_ready()
    assert await sign_in_socket(api, "graphql-transport-ws") == (
        [{"type": "connection_ack"}],
        None,
        None,
    )
    assert_no_traceback(caplog)


# --------------------------------------------------------------------------- SQLite


async def test_a_sqlite_database_file_that_cannot_be_opened_answers_503(
    tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture
):
    path = tmp_path / "accountgraph.db"
    async with suite_database_set_aside(database_url):
        async with serving_signed_in(f"sqlite://{path}") as api:
            caplog.set_level(logging.INFO)
            # The file is gone and a directory stands in its place: SQLite cannot open it.
            sqlite = Tortoise.get_connection("default")
            assert isinstance(sqlite, ImmediateSqliteClient)
            async with sqlite._lock:  # not under a statement of the relay's
                await sqlite.close()
            path.rename(tmp_path / "moved.db")
            path.mkdir()
            try:
                assert_unavailable(await api.post(PIPELINES))
                assert_unavailable(await api.post(LOGIN, signed_in=False))
                ready = await api.get("/readyz")
                assert (ready.status_code, ready.json()) == (
                    503,
                    {"status": "unavailable", "database": "unreachable"},
                )
            finally:
                path.rmdir()
                (tmp_path / "moved.db").rename(path)
            await assert_recovered(api)
    assert_no_traceback(caplog)


# --------------------------------------------------------------------------- what counts


def _raised_from(error: BaseException, cause: BaseException) -> BaseException:
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (ConnectionRefusedError(111, "Connect call failed"), True),
        (OSError(errno.EHOSTUNREACH, "No route to host"), True),
        (TimeoutError(), True),
        (asyncpg.exceptions.CannotConnectNowError("the database system is starting up"), True),
        (asyncpg.exceptions.AdminShutdownError("terminating connection"), True),
        (asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"), True),
        (asyncpg.exceptions.TooManyConnectionsError("too many clients"), True),
        (
            asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout"),
            True,
        ),
        (asyncpg.InterfaceError("connection is closed"), True),
        (DBConnectionError("can't connect"), True),
        (ORMOperationalError(sqlite3.OperationalError("unable to open database file")), True),
        (_raised_from(RuntimeError("wrapped"), ConnectionResetError()), True),
        (ORMOperationalError(sqlite3.OperationalError("no such table: account")), False),
        (asyncpg.exceptions.UndefinedTableError('relation "x" does not exist'), False),
        (FileNotFoundError(errno.ENOENT, "No such file"), False),
        (ValueError("a bug"), False),
        (None, False),
    ],
)
def test_what_counts_as_the_database_being_unavailable(
    error: BaseException | None, unavailable: bool
):
    assert database_unavailable(error) is unavailable


def test_a_failed_background_round_logs_an_outage_in_one_line(caplog: pytest.LogCaptureFixture):
    logger = logging.getLogger("accountgraph.test")
    log_failure(logger, "a round failed", ConnectionRefusedError(111, "refused"))
    try:
        raise ValueError("a bug")
    except ValueError as exc:
        log_failure(logger, "a round failed", exc)
    assert [(r.levelname, r.getMessage(), bool(r.exc_info)) for r in caplog.records] == [
        (
            "WARNING",
            "a round failed, the database is unavailable: ConnectionRefusedError: [Errno 111] refused",
            False,
        ),
        ("ERROR", "a round failed", True),
    ]


def test_what_the_database_drivers_leave_behind_in_an_outage_is_logged_in_one_line(
    database_url: str, caplog: pytest.LogCaptureFixture
):
    # What asyncio logs when asyncpg abandons a connection attempt to a frozen server, and
    # what asyncpg's pool logs while it cannot reconnect (the suite has opened the database).
    asyncio_log, pool_log = logging.getLogger("asyncio"), logging.getLogger("asyncpg.pool")
    lost = ConnectionError("unexpected connection_lost() call")
    asyncio_log.error("Future exception was never retrieved\nfuture: <Future>", exc_info=lost)
    pool_log.warning("Failed to restore the pool connection floor; retrying", exc_info=lost)
    asyncio_log.error("Task exception was never retrieved", exc_info=ValueError("a bug"))
    assert [(r.name, r.levelname, r.getMessage(), bool(r.exc_info)) for r in caplog.records] == [
        (
            "asyncio",
            "WARNING",
            "Future exception was never retrieved: ConnectionError: unexpected connection_lost() call",
            False,
        ),
        (
            "asyncpg.pool",
            "WARNING",
            "Failed to restore the pool connection floor; retrying: ConnectionError: unexpected connection_lost() call",
            False,
        ),
        ("asyncio", "ERROR", "Task exception was never retrieved", True),
    ]
