"""Several server processes: events cross between them over the real Redis, and nothing
is lost to a connected subscriber when Redis connections drop or Redis restarts."""

import asyncio
import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from tests.database import create_postgres_database, drop_postgres_database
from tests.live_events import (
    STAGE_CHANGED,
    Socket,
    World,
    make_world,
    prepare_database,
    reachable_redis,
    servers,
    start_server,
    unique_channel,
    until_subscribed,
)
from tests.live_server import free_port


@pytest.fixture
async def database():
    """Several processes share a PostgreSQL database (SQLite serves one process), whichever
    database the rest of the suite runs on."""
    url = await create_postgres_database()
    yield url
    await drop_postgres_database(url)


async def _move(world: World, deal: str, count: int, start: int = 0) -> list[str]:
    names = ["Qualification", "Prospecting"]
    return [await world.move(deal, names[(start + n) % 2]) for n in range(count)]


def _event_ids(received: list[dict]) -> list[str]:
    return [data["opportunityStageChanged"]["eventId"] for data in received]


async def _kill_connections(redis_url: str, channel: str) -> int:
    """Kill this test's servers' Redis connections (named after the test's channel)."""
    client = aioredis.from_url(redis_url)
    try:
        killed = 0
        for entry in await client.client_list():
            if entry.get("name", "").startswith(channel):
                await client.client_kill_filter(_id=entry["id"])
                killed += 1
        return killed
    finally:
        await client.aclose()


async def test_moves_through_one_process_reach_subscribers_on_the_other(tmp_path, database):
    redis_url = await reachable_redis()
    env = prepare_database(database, tmp_path)
    env.update(ACCOUNTGRAPH_REDIS_URL=redis_url, ACCOUNTGRAPH_REDIS_CHANNEL=unique_channel())
    # Never poll within the test: A's relay must be woken by the commits, and what reaches B
    # must come over Redis.
    env["ACCOUNTGRAPH_RELAY_POLL_SECONDS"] = "600"
    with servers(env, tmp_path, count=2) as (a, b):
        world = await make_world(a.base, deals_per_account=2)
        try:
            async with Socket.open(b) as socket:
                assert (await socket.init(world.admin.token))["type"] == "connection_ack"
                await socket.subscribe("1", STAGE_CHANGED)
                await until_subscribed(b, 1)
                deals = world.deals["a"] + world.deals["b"]
                moves = await asyncio.gather(*(_move(world, deal, 25) for deal in deals))
                received = await socket.events(100, within=30)
                await socket.nothing_more(0.5)
        finally:
            await world.admin.aclose()
    assert sorted(_event_ids(received)) == sorted(m for ms in moves for m in ms)
    for deal, expected in zip(deals, moves, strict=True):
        assert [
            d["opportunityStageChanged"]["eventId"]
            for d in received
            if d["opportunityStageChanged"]["opportunity"]["id"] == deal
        ] == expected


async def test_killed_redis_connections_lose_nothing_for_connected_subscribers(tmp_path, database):
    redis_url = await reachable_redis()
    channel = unique_channel()
    env = prepare_database(database, tmp_path)
    env.update(ACCOUNTGRAPH_REDIS_URL=redis_url, ACCOUNTGRAPH_REDIS_CHANNEL=channel)
    with servers(env, tmp_path, count=2) as (a, b):
        world = await make_world(a.base)
        try:
            async with Socket.open(b) as socket:
                await socket.init(world.admin.token)
                await socket.subscribe("1", STAGE_CHANGED)
                await until_subscribed(b, 1)
                deal = world.deals["a"][0]
                before = await _move(world, deal, 20)
                assert await _kill_connections(redis_url, channel) >= 2
                during = await _move(world, deal, 20)
                received = await socket.events(40, within=60)
                await socket.nothing_more(0.5)
        finally:
            await world.admin.aclose()
        assert "Redis subscription lost" in b.log.read_text()
    assert _event_ids(received) == before + during


class PrivateRedis:
    """A Redis server of this test alone, so that restarting it disturbs nobody else."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed: cannot restart a Redis of our own")
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            ping = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True)
            if ping.stdout.strip() == b"PONG":
                return
            assert time.monotonic() < deadline, "private Redis did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    redis = PrivateRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


async def test_a_redis_restart_mid_run_loses_nothing_for_connected_subscribers(
    tmp_path, database, private_redis: PrivateRedis
):
    env = prepare_database(database, tmp_path)
    env.update(
        ACCOUNTGRAPH_REDIS_URL=private_redis.url, ACCOUNTGRAPH_REDIS_CHANNEL=unique_channel()
    )
    with servers(env, tmp_path, count=2) as (a, b):
        world = await make_world(a.base)
        try:
            async with Socket.open(b) as socket:
                await socket.init(world.admin.token)
                await socket.subscribe("1", STAGE_CHANGED)
                await until_subscribed(b, 1)
                deal = world.deals["a"][0]
                before = await _move(world, deal, 10)
                private_redis.stop()
                during = await _move(world, deal, 10, start=10)
                private_redis.start()
                after = await _move(world, deal, 10, start=20)
                received = await socket.events(30, within=60)
                await socket.nothing_more(0.5)
        finally:
            await world.admin.aclose()
        assert "Redis subscription lost" in b.log.read_text()
    assert _event_ids(received) == before + during + after


async def test_serve_with_several_workers_reaches_every_subscriber(tmp_path, database):
    redis_url = await reachable_redis()
    env = prepare_database(database, tmp_path)
    env.update(ACCOUNTGRAPH_REDIS_URL=redis_url, ACCOUNTGRAPH_REDIS_CHANNEL=unique_channel())
    server = start_server(env, tmp_path, "workers", workers=2)
    try:
        world = await make_world(server.base)
        deal = world.deals["a"][0]
        # Subscribing after a move already made, each socket receives everything after it
        # whichever worker serves it and however late it registers.
        start = await world.move(deal, "Qualification")
        async with contextlib.AsyncExitStack() as stack:
            sockets = [await stack.enter_async_context(Socket.open(server)) for _ in range(10)]
            for socket in sockets:
                await socket.init(world.admin.token)
                await socket.subscribe("1", STAGE_CHANGED, {"after": start})
            moves = await _move(world, deal, 20, start=1)
            for socket in sockets:
                assert _event_ids(await socket.events(20, within=30)) == moves
        pids = {
            line.split("[")[1].split("]")[0]
            for line in server.log.read_text().splitlines()
            if "Started server process" in line
        }
        assert len(pids) == 2
        await world.admin.aclose()
    finally:
        server.stop()
