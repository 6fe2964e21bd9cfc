"""Webhook delivery: sustained deliveries per second and commit-to-delivery latency.

    .venv/bin/python bench/webhooks.py                      # SQLite scratch file, 1 and 4 workers
    .venv/bin/python bench/webhooks.py --db-url postgres://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/webhooks.py --workers 1 2 4 --events 5000 --poll 0.5

A scratch database (SQLite file in a temporary directory, or a fresh PostgreSQL database made
next to the one ``--db-url`` names, dropped afterwards) gets an administrator, one deal and an
endpoint for ``opportunity.stage_changed`` pointing at a receiver on a free loopback port
(bench/webhook_receiver.py under uvicorn, its own process, answering 204). For each worker
count, that many real ``accountgraph worker`` processes run, then:

* throughput: ``--events`` outbox events are committed at once; the time from that commit to
  the receiver holding all of them gives deliveries per second (fan-out, claim, sign, POST,
  record: the whole path);
* latency: ``--latency-events`` events are committed one per transaction at ``--rate`` per
  second; each one's commit-to-receipt time (both on this machine's clock) gives p50 and p99.
  With a poll interval p, an idle worker notices a commit after up to p seconds, so p50 is
  roughly p/2 plus the delivery itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Scratch servers and workers on the published development keys.
os.environ.setdefault("ACCOUNTGRAPH_DEVELOPMENT", "true")

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from db import close_db, init_db, migrate_db  # noqa: E402
from events.snapshot import snapshot  # noqa: E402
from models import OutboxEvent, User, WebhookEndpoint  # noqa: E402
from models.enums import Role  # noqa: E402
from tests.factories import make_opportunity  # noqa: E402
from tests.live_server import free_port  # noqa: E402
from webhooks import secrets, signing  # noqa: E402

ACCOUNTGRAPH = str(Path(sys.executable).parent / "accountgraph")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Receiver:
    """bench/webhook_receiver.py in a uvicorn process of its own."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        with open(workdir / "receiver.log", "wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "webhook_receiver:app",
                    "--app-dir",
                    str(ROOT / "bench"),
                    "--port",
                    str(self.port),
                    "--no-access-log",
                    "--log-level",
                    "warning",
                ],
                stdout=log,
                stderr=log,
            )
        self.client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}")

    async def started(self) -> None:
        for _ in range(200):
            try:
                await self.count()
                return
            except httpx.TransportError:
                await asyncio.sleep(0.05)
        raise RuntimeError("the receiver did not start")

    async def count(self) -> int:
        return (await self.client.get("/count")).json()

    async def received(self) -> list[tuple[str, float]]:
        return [tuple(pair) for pair in (await self.client.get("/received")).json()]

    async def close(self) -> None:
        await self.client.aclose()
        self.process.terminate()
        self.process.wait(timeout=10)


async def wait_for(receiver: Receiver, count: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while await receiver.count() < count:
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


def start_workers(n: int, env: dict[str, str], workdir: Path) -> list[subprocess.Popen]:
    processes = []
    for i in range(n):
        with open(workdir / f"worker{i}.log", "wb") as log:  # the child keeps its own copy
            processes.append(
                subprocess.Popen([ACCOUNTGRAPH, "worker"], env=env, stdout=log, stderr=log)
            )
    deadline = time.monotonic() + 60
    for i in range(n):
        while "webhook worker started" not in (workdir / f"worker{i}.log").read_text():
            if time.monotonic() > deadline:
                raise RuntimeError((workdir / f"worker{i}.log").read_text())
            time.sleep(0.05)
    return processes


def stop_workers(processes: list[subprocess.Popen]) -> None:
    for p in processes:
        p.terminate()
    for p in processes:
        p.wait(timeout=60)


async def run_round(
    workers: int, args: argparse.Namespace, env: dict, workdir: Path, receiver: Receiver, data: dict
) -> dict:
    processes = start_workers(workers, env, workdir)
    try:
        at = datetime.now(UTC)
        before = await receiver.count()
        events = [
            OutboxEvent(
                event_id=uuid.uuid4(),
                type="opportunity.stage_changed",
                occurred_at=at,
                aggregate_type="Opportunity",
                aggregate_id=data["deal"],
                data=data["payload"],
            )
            for _ in range(args.events)
        ]
        started = time.time()
        await OutboxEvent.bulk_create(events)  # one transaction
        committed = time.time()
        if not await wait_for(receiver, before + args.events, 600):
            raise RuntimeError("not every event was delivered in 10 minutes")
        drained = max(at for _, at in (await receiver.received())[before:])
        throughput = args.events / (drained - committed)

        await asyncio.sleep(1)
        before = await receiver.count()
        commits: dict[str, float] = {}
        for _ in range(args.latency_events):
            event_id = uuid.uuid4()
            await OutboxEvent.create(
                event_id=event_id,
                type="opportunity.stage_changed",
                occurred_at=datetime.now(UTC),
                aggregate_type="Opportunity",
                aggregate_id=data["deal"],
                data=data["payload"],
            )
            commits[str(event_id)] = time.time()
            await asyncio.sleep(1 / args.rate)
        if not await wait_for(receiver, before + args.latency_events, 120):
            raise RuntimeError("not every latency event was delivered in 2 minutes")
        latencies = [
            (at - commits[event_id]) * 1000
            for event_id, at in (await receiver.received())[before:]
            if event_id in commits
        ]
        return {
            "workers": workers,
            "insert_s": committed - started,
            "throughput": throughput,
            "p50": percentile(latencies, 0.5),
            "p99": percentile(latencies, 0.99),
            "mean": statistics.fmean(latencies),
        }
    finally:
        stop_workers(processes)


async def main(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="webhook-bench-"))
    admin_url = None
    if args.db_url and args.db_url.startswith("postgres"):
        admin_url = args.db_url
        name = f"accountgraph_webhook_bench_{uuid.uuid4().hex[:8]}"
        conn = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1))
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
        url = admin_url.rsplit("/", 1)[0] + "/" + name
    else:
        url = f"sqlite://{workdir / 'webhooks.run.db'}"
    await migrate_db(url)
    await init_db(url)
    try:
        admin = await User.create(email="bench@example.com", name="Bench", role=Role.ADMIN)
        deal = await make_opportunity()
        payload = {"object": snapshot(deal)}
        receiver = Receiver(workdir)
        try:
            await receiver.started()
            await WebhookEndpoint.create(
                owner_id=admin.pk,
                url=receiver.url,
                event_types=["opportunity.stage_changed"],
                secret_encrypted=secrets.encrypt(signing.new_secret()),
            )
            env = {
                **os.environ,
                "ACCOUNTGRAPH_DATABASE_URL": url,
                "ACCOUNTGRAPH_WEBHOOK_ALLOW_PRIVATE": "true",
                "ACCOUNTGRAPH_WEBHOOK_POLL_SECONDS": str(args.poll),
            }
            print(
                f"database {url.split('://')[0]}, {args.events} events for throughput, "
                f"{args.latency_events} at {args.rate}/s for latency, poll {args.poll} s"
            )
            print(f"{'workers':>7} {'deliveries/s':>13} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
            for workers in args.workers:
                data = {"deal": deal.pk, "payload": payload}
                row = await run_round(workers, args, env, workdir, receiver, data)
                print(
                    f"{row['workers']:>7} {row['throughput']:>13.0f} {row['p50']:>8.1f} "
                    f"{row['p99']:>8.1f} {row['mean']:>8.1f}",
                    flush=True,
                )
        finally:
            await receiver.close()
    finally:
        await close_db()
        if admin_url:
            conn = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1))
            await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
            await conn.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--latency-events", type=int, default=300)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--poll", type=float, default=0.5)
    asyncio.run(main(parser.parse_args()))
