"""Fan-out latency of live events: from a stage move's commit to its receipt by subscribers.

    .venv/bin/python bench/fanout.py                      # 1, 100 and 1,000 subscribers
    .venv/bin/python bench/fanout.py --subscribers 1 100 --moves 20

For each number of subscribers, two set-ups on a scratch PostgreSQL database (created on the
local server, as the test suite does, and dropped afterwards):

* single process: one ``accountgraph serve`` process, the in-process broker; moves through it,
  subscribers on it;
* two processes via Redis: two ``accountgraph serve`` processes sharing the database and the
  local Redis (a channel of this run alone); moves through A, subscribers on B.

The subscribers are WebSocket clients (graphql-transport-ws) in this process, signed in as the
administrator, each holding one ``opportunityStageChanged`` subscription. Moves are made one at
a time, ``--interval`` seconds apart, so that each is measured alone rather than queued behind
the previous one. Latency is receipt time minus the move's ``changedAt``, which the server
takes inside the transaction just before it commits: so the figures slightly overstate
commit-to-receipt (by the rest of the transaction, a few milliseconds). Client and servers run
on the same machine and share its cores: with 1,000 subscribers, the client reading 1,000
sockets is part of what is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# Scratch servers and workers on the published development keys.
os.environ.setdefault("ACCOUNTGRAPH_DEVELOPMENT", "true")

from websockets.asyncio.client import connect

from tests.database import create_postgres_database, drop_postgres_database
from tests.live_events import (
    REDIS_URL,
    Server,
    World,
    make_world,
    prepare_database,
    servers,
    unique_channel,
)

QUERY = "subscription { opportunityStageChanged { eventId changedAt } }"


class Subscriber:
    def __init__(self) -> None:
        self.receipts: dict[str, float] = {}
        self.ready = asyncio.Event()

    async def run(self, server: Server, token: str, stop: asyncio.Event) -> None:
        protocols: list = ["graphql-transport-ws"]
        async with connect(server.ws_url, subprotocols=protocols, max_queue=None) as ws:
            await ws.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
                )
            )
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": QUERY}}))
            self.ready.set()
            reader = asyncio.ensure_future(self._read(ws))
            await stop.wait()
            reader.cancel()

    async def _read(self, ws) -> None:
        async for raw in ws:
            at = time.time()
            message = json.loads(raw)
            if message["type"] == "ping":
                await ws.send('{"type": "pong"}')
            elif message["type"] == "next":
                change = message["payload"]["data"]["opportunityStageChanged"]
                self.receipts[change["eventId"]] = (
                    at - datetime.fromisoformat(change["changedAt"]).timestamp()
                )


async def active_subscriptions(server: Server) -> float:
    import httpx

    async with httpx.AsyncClient(base_url=server.base) as client:
        text = (await client.get("/metrics")).text
    return sum(
        float(line.rpartition(" ")[2])
        for line in text.splitlines()
        if line.startswith("accountgraph_active_subscriptions{")
    )


async def measure(
    world: World, receiver: Server, subscribers: int, moves: int, interval: float
) -> list[float]:
    assert world.admin.token is not None
    stop = asyncio.Event()
    clients = [Subscriber() for _ in range(subscribers)]
    tasks = []
    for client in clients:  # connect in small groups: a burst of 1,000 handshakes is not the point
        tasks.append(asyncio.ensure_future(client.run(receiver, world.admin.token, stop)))
        if len(tasks) % 50 == 0:
            await asyncio.gather(*(c.ready.wait() for c in clients[: len(tasks)]))
    await asyncio.gather(*(c.ready.wait() for c in clients))
    for _ in range(600):  # until the server serves them all (at most a minute)
        if await active_subscriptions(receiver) >= subscribers:
            break
        await asyncio.sleep(0.1)
    deal = world.deals["a"][0]
    names = ["Qualification", "Prospecting"]
    event_ids = []
    for n in range(moves):
        event_ids.append(await world.move(deal, names[n % 2]))
        await asyncio.sleep(interval)
    for _ in range(600):  # until every receipt is in (at most a minute)
        if all(len(c.receipts) == moves for c in clients):
            break
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    missing = sum(moves - len(c.receipts) for c in clients)
    if missing:
        print(f"  WARNING: {missing} receipts missing", file=sys.stderr)
    return [c.receipts[e] * 1000 for c in clients for e in event_ids if e in c.receipts]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


async def scenario(
    setup: str, subscribers: int, moves: int, interval: float, workdir: Path
) -> tuple[str, int, int, float, float, float]:
    url = await create_postgres_database()
    try:
        env = prepare_database(url, workdir)
        env["ACCOUNTGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION"] = "20"
        env["ACCOUNTGRAPH_RELAY_POLL_SECONDS"] = "0.5"
        env["ACCOUNTGRAPH_WEBSOCKET_INIT_TIMEOUT_SECONDS"] = "30"
        env["ACCOUNTGRAPH_WEBSOCKET_KEEP_ALIVE_SECONDS"] = "15"
        count = 1
        if setup == "two processes via Redis":
            env["ACCOUNTGRAPH_REDIS_URL"] = REDIS_URL
            env["ACCOUNTGRAPH_REDIS_CHANNEL"] = unique_channel()
            count = 2
        with servers(env, workdir, count=count) as started:
            world = await make_world(started[0].base)
            try:
                latencies = await measure(world, started[-1], subscribers, moves, interval)
            finally:
                await world.admin.aclose()
    finally:
        await drop_postgres_database(url)
    return (
        setup,
        subscribers,
        len(latencies),
        percentile(latencies, 50),
        percentile(latencies, 99),
        max(latencies),
    )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscribers", type=int, nargs="+", default=[1, 100, 1000])
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument(
        "--interval", type=float, default=None, help="seconds between moves (default: by size)"
    )
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for subscribers in args.subscribers:
            interval = (
                args.interval if args.interval is not None else max(0.25, subscribers / 1000 * 1.5)
            )
            for setup in ("single process", "two processes via Redis"):
                print(
                    f"{setup}, {subscribers} subscribers, {args.moves} moves {interval}s apart ...",
                    flush=True,
                )
                rows.append(await scenario(setup, subscribers, args.moves, interval, Path(tmp)))
    print()
    header = ("set-up", "subscribers", "receipts", "p50 ms", "p99 ms", "max ms")
    print(f"{header[0]:<26} " + " ".join(f"{h:>11}" for h in header[1:]))
    for setup, subscribers, receipts, p50, p99, worst in rows:
        print(
            f"{setup:<26} {subscribers:>11} {receipts:>11} {p50:>11.1f} {p99:>11.1f} {worst:>11.1f}"
        )
    print(
        f"\n{os.cpu_count()} cores, shared with the client; PostgreSQL and Redis on this machine."
    )


if __name__ == "__main__":
    asyncio.run(main())
