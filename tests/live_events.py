"""Helpers for end-to-end tests of live events: server processes, an API client, a
WebSocket client of both subscription protocols, and a small world of users and deals."""

import asyncio
import contextlib
import json
import os
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.database import BACKEND, create_postgres_database, drop_postgres_database
from tests.live_server import ACCOUNTGRAPH, ADMIN_EMAIL, ADMIN_PASSWORD, free_port, run_cli

REDIS_URL = os.environ.get("ACCOUNTGRAPH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"


async def reachable_redis() -> str:
    """The Redis URL for tests; skips when Redis is unreachable (fails in CI)."""
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception as exc:
        reason = f"Redis not reachable at {REDIS_URL}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    finally:
        await client.aclose()
    return REDIS_URL


def unique_channel() -> str:
    """A Redis channel of this test alone (others use the same Redis at the same time)."""
    return f"accountgraph-test-{uuid.uuid4().hex[:12]}:events"


@dataclass
class Server:
    base: str
    process: subprocess.Popen
    log: Path

    @property
    def ws_url(self) -> str:
        return self.base.replace("http://", "ws://") + "/graphql"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def prepare_database(database_url: str, workdir: Path) -> dict[str, str]:
    """Migrate the database, create the administrator, return the servers' environment."""
    env = {
        **os.environ,
        "ACCOUNTGRAPH_DATABASE_URL": database_url,
        "ACCOUNTGRAPH_RELAY_POLL_SECONDS": "0.2",
        "ACCOUNTGRAPH_WEBSOCKET_INIT_TIMEOUT_SECONDS": "1",
        "ACCOUNTGRAPH_WEBSOCKET_KEEP_ALIVE_SECONDS": "0.5",
        "ACCOUNTGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION": "3",
        "ACCOUNTGRAPH_CORS_ORIGINS": '["https://app.example.com"]',
    }
    env.pop("ACCOUNTGRAPH_REDIS_URL", None)
    run_cli("migrate", env=env, cwd=workdir)
    run_cli(
        "create-user",
        "--email",
        ADMIN_EMAIL,
        "--name",
        "Admin",
        "--role",
        "ADMIN",
        env=env,
        cwd=workdir,
        stdin=ADMIN_PASSWORD + "\n",
    )
    return env


def start_server(
    env: dict[str, str], workdir: Path, name: str = "server", workers: int = 1
) -> Server:
    port = free_port()
    log = workdir / f"{name}-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                ACCOUNTGRAPH,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            cwd=workdir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{server.base}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"server did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)


@contextlib.contextmanager
def servers(env: dict[str, str], workdir: Path, count: int = 1) -> Iterator[list[Server]]:
    started: list[Server] = []
    try:
        for n in range(count):
            started.append(start_server(env, workdir, f"server{n}"))
        yield started
    finally:
        for server in started:
            server.stop()


@contextlib.asynccontextmanager
async def server_on_own_database(workdir: Path) -> AsyncIterator[Server]:
    """One server process on a database of its own, which the suite's clean-up never touches."""
    url = (
        await create_postgres_database()
        if BACKEND == "postgres"
        else f"sqlite://{workdir / 'live.db'}"
    )
    env = prepare_database(url, workdir)
    try:
        with servers(env, workdir) as started:
            yield started[0]
    finally:
        if BACKEND == "postgres":
            await drop_postgres_database(url)


class Api:
    """GraphQL over HTTP against a live server, as one signed-in user."""

    def __init__(self, base: str, token: str | None = None) -> None:
        self.base = base
        self.token = token
        self.client = httpx.AsyncClient(base_url=base, timeout=30)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def gql(self, query: str, variables: dict | None = None, **kwargs: Any) -> dict:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        body = response.json()
        assert "errors" not in body, body["errors"]
        data = body["data"]
        for payload in data.values():
            if isinstance(payload, dict) and payload.get("errors"):
                raise AssertionError(payload["errors"])
        return data

    async def sign_in(self, email: str, password: str) -> str:
        data = await self.gql(
            "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) "
            "{ accessToken } }",
            {"e": email, "p": password},
        )
        return data["login"]["accessToken"]

    async def metrics(self) -> dict[str, float]:
        """The server's /metrics samples, by name with labels."""
        text = (await self.client.get("/metrics")).text
        samples = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                samples[name] = float(value)
        return samples


async def until_subscribed(server: "Server", count: int) -> None:
    """Wait until the server serves exactly ``count`` subscriptions (so moves made next reach
    them); fails after ten seconds."""
    async with httpx.AsyncClient(base_url=server.base) as client:
        for _ in range(200):
            text = (await client.get("/metrics")).text
            active = sum(
                float(line.rpartition(" ")[2])
                for line in text.splitlines()
                if line.startswith("accountgraph_active_subscriptions{")
            )
            if active == count:
                return
            await asyncio.sleep(0.05)
    raise AssertionError(f"the server serves {active} subscriptions, not {count}")


PASSWORD = "live-events-password"


@dataclass
class World:
    """Two sales teams, an account manager in each with an account and deals, the stages."""

    admin: Api
    tokens: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)
    deals: dict[str, list[str]] = field(default_factory=dict)
    stages: dict[str, str] = field(default_factory=dict)
    pipeline: str = ""

    async def add_user(
        self, key: str, role: str = "ACCOUNT_MANAGER", team: str | None = None
    ) -> str:
        data = await self.admin.gql(
            "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } errors { message } } }",
            {
                "i": {
                    "email": f"{key}-{uuid.uuid4().hex[:6]}@example.com",
                    "name": key,
                    "role": role,
                    "teamId": team,
                    "password": PASSWORD,
                }
            },
        )
        self.users[key] = data["createUser"]["user"]["id"]
        return self.users[key]

    async def token(self, key: str) -> str:
        if key not in self.tokens:
            email = (
                await self.admin.gql(
                    "query($id: ID!) { node(id: $id) { ... on User { email } } }",
                    {"id": self.users[key]},
                )
            )["node"]["email"]
            self.tokens[key] = await self.admin.sign_in(email, PASSWORD)
        return self.tokens[key]

    async def add_account(self, key: str, owner: str) -> str:
        client = await self.admin.gql(
            'mutation { createClient(input: {name: "Client"}) { client { id } errors { message } } }'
        )
        data = await self.admin.gql(
            "mutation($i: CreateAccountInput!) { createAccount(input: $i) { account { id } errors { message } } }",
            {
                "i": {
                    "clientId": client["createClient"]["client"]["id"],
                    "name": key,
                    "ownerId": self.users[owner],
                }
            },
        )
        self.accounts[key] = data["createAccount"]["account"]["id"]
        return self.accounts[key]

    async def add_deals(self, account: str, count: int) -> list[str]:
        """``count`` new deals on ``account``, in the pipeline's first stage."""
        added = []
        for n in range(count):
            data = await self.admin.gql(
                "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { opportunity { id } errors { message } } }",
                {
                    "i": {
                        "accountId": self.accounts[account],
                        "name": f"{account} deal {n}",
                        "amount": "1000",
                    }
                },
            )
            added.append(data["createOpportunity"]["opportunity"]["id"])
        self.deals.setdefault(account, []).extend(added)
        return added

    async def move(self, deal: str, stage: str, api: Api | None = None) -> str:
        """Move a deal to a stage by name; the stage change's eventId."""
        data = await (api or self.admin).gql(
            "mutation($i: MoveOpportunityStageInput!) { moveOpportunityStage(input: $i) "
            "{ stageChange { eventId } errors { message } } }",
            {"i": {"opportunityId": deal, "stageId": self.stages[stage]}},
        )
        return data["moveOpportunityStage"]["stageChange"]["eventId"]


async def make_world(base: str, *, deals_per_account: int = 1) -> World:
    """Team A with account manager ``alice`` (account ``a``), team B with ``bob`` (``b``)."""
    admin = Api(base)
    admin.token = await admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    world = World(admin)
    pipelines = await admin.gql("{ pipelines { id name stages { id name } } }")
    new_business = next(p for p in pipelines["pipelines"] if p["name"] == "New business")
    world.pipeline = new_business["id"]
    world.stages = {s["name"]: s["id"] for s in new_business["stages"]}
    for key, team_name in (("alice", "A"), ("bob", "B")):
        team = await admin.gql(
            "mutation($n: String!) { createTeam(input: {name: $n, kind: SALES}) { team { id } errors { message } } }",
            {"n": f"Team {team_name} {uuid.uuid4().hex[:6]}"},
        )
        await world.add_user(key, team=team["createTeam"]["team"]["id"])
        await world.add_account(key[0], key)
        await world.add_deals(key[0], deals_per_account)
    return world


STAGE_CHANGED = """
subscription($filter: OpportunityStageChangedFilter, $after: ID) {
  opportunityStageChanged(filter: $filter, afterEventId: $after) {
    eventId opportunity { id } fromStage { name } toStage { name } changedBy { name }
    changedAt secondsInPreviousStage
  }
}"""


class Socket:
    """A WebSocket client of /graphql, speaking either subscription protocol."""

    def __init__(self, ws: ClientConnection, protocol: str) -> None:
        self.ws = ws
        self.protocol = protocol

    @classmethod
    @contextlib.asynccontextmanager
    async def open(
        cls, server: Server, protocol: str = TRANSPORT_WS, **kwargs: Any
    ) -> AsyncIterator["Socket"]:
        async with connect(server.ws_url, subprotocols=[protocol], **kwargs) as ws:  # type: ignore[list-item]
            yield cls(ws, protocol)

    async def send(self, message: dict) -> None:
        await self.ws.send(json.dumps(message))

    async def receive(self, within: float = 10) -> dict:
        """The next message other than keep-alives (answering pings as a client must)."""
        async with asyncio.timeout(within):
            return await self._receive()

    async def _receive(self) -> dict:
        while True:
            message = json.loads(await self.ws.recv())
            if message["type"] == "ping":
                await self.send({"type": "pong"})
            elif message["type"] != "ka":
                return message

    async def init(self, token: str | None) -> dict:
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await self.send({"type": "connection_init", "payload": payload})
        return await self.receive()

    async def subscribe(self, id: str, query: str, variables: dict | None = None) -> None:
        kind = "subscribe" if self.protocol == TRANSPORT_WS else "start"
        await self.send(
            {"id": id, "type": kind, "payload": {"query": query, "variables": variables or {}}}
        )

    async def events(self, count: int, within: float = 20) -> list[dict]:
        """The data of the next ``count`` results, failing on anything else."""
        received: list[dict] = []
        while len(received) < count:
            message = await self.receive(within)
            assert message["type"] in ("next", "data"), message
            assert "errors" not in message["payload"], message
            received.append(message["payload"]["data"])
        return received

    async def nothing_more(self, wait: float = 1.0) -> None:
        """No message but keep-alives arrives within ``wait`` seconds."""
        with contextlib.suppress(TimeoutError):
            message = await self.receive(wait)
            raise AssertionError(f"unexpected message {message}")

    async def closed_with(self, within: float = 5) -> int:
        """Wait for the server to close the socket; its close code."""
        try:
            while True:
                await asyncio.wait_for(self.ws.recv(), within)
        except ConnectionClosed as closed:
            assert closed.rcvd is not None
            return closed.rcvd.code
