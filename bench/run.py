"""Measure Q1, Q2 and M1 of WORKLOAD.md on the real server, and Q1/Q2 on a hand-written floor.

    .venv/bin/python bench/run.py                       # SQLite, bench/bench.db
    .venv/bin/python bench/run.py --db-url postgres://postgres@127.0.0.1:5432/accountgraph_bench

Needs the data set (bench/dataset.py). Everything runs on a scratch copy of it (SQLite: a file
copy; PostgreSQL: a database created from it as a template), so M1's writes never reach the
data set and every run starts from the same rows. Two server processes are started:

* the API: ``python -m uvicorn server:app --no-access-log`` with ``ACCOUNTGRAPH_DATABASE_URL``;
  before it starts, an administrator and an API key for it are created on the scratch copy
  with the project's command line (``accountgraph create-user`` / ``create-api-key``), and
  every API request (Q1, Q2, M1) sends ``Authorization: Bearer <key>``;
* the floor: ``python -m uvicorn floor_app:app --app-dir bench --no-access-log`` (see
  bench/floor_app.py for what it does and does not do).

For each operation: warm-up, then sequential latency (p50/p95 over N requests, one at a time
on a keep-alive connection), then throughput (16 tasks, each with its own keep-alive
connection, issuing requests back to back for 20 s; requests in flight at the deadline are
awaited and counted, and the time runs until the last one ends). The load generator runs in
this process, on the same machine: httpx by default, or ``--client raw``, a bare asyncio
HTTP/1.1 client that costs ~20x less CPU per request. The "HTTP null" row (the API's
/healthz, no database) shows what the harness itself reaches.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import math
import os
import platform
import random
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

try:
    import sniffio  # noqa: F401
except ImportError:
    # httpcore tries `import sniffio` on every request; when it is not installed, each
    # failed import searches sys.path again (~0.3 ms per request on the bench machine).
    # A None entry makes the import fail at once, with the same outcome (asyncio).
    sys.modules["sniffio"] = None  # type: ignore[assignment]

import httpx
import orjson
from rich.console import Console
from rich.table import Table

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PYTHON = sys.executable
RESULTS = BENCH_DIR / "results"
sys.path.insert(0, str(BENCH_DIR))
# Scratch servers and workers on the published development keys.
os.environ.setdefault("ACCOUNTGRAPH_DEVELOPMENT", "true")

from dataset import DEFAULT_URL, EXPECTED, OPPORTUNITIES, PIPELINE, SEED  # noqa: E402

console = Console(width=None if sys.stdout.isatty() else 150)

Q1 = """query Portfolio {
  accounts(first: 50, orderBy: [{field: NAME, direction: ASC}]) {
    edges { node {
      id name tier
      owner { id name email }
      client { id name industry }
      opportunities(first: 10) { edges { node {
        id name stage { name } amount expectedCloseDate
        activities(first: 3) { edges { node { id kind subject occurredAt } } }
      } } }
    } }
  }
}"""
# Q1 with every account's health (score, status and the components with their reasons).
Q1H = Q1.replace(
    "id name tier\n",
    "id name tier\n      health { score status components { name score weight reason } }\n",
)
Q2 = """query Deal($id: ID!) {
  opportunity(id: $id) { name stage { name } amount account { name owner { name } } }
}"""
# The caller of every API request: an ADMIN sees everything, as the floor does.
ADMIN_EMAIL = "bench-admin@example.com"
ADMIN_NAME = "Bench admin"
VIEWER = "query Who { viewer { email role } }"
M1 = """mutation Move($input: MoveOpportunityStageInput!) {
  moveOpportunityStage(input: $input) {
    opportunity { id stage { name } }
    errors { code message }
  }
}"""


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def body(query: str, variables: dict[str, Any] | None = None) -> bytes:
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    return orjson.dumps(payload)


# --- processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log_tail(path: Path | None, lines: int = 30) -> str:
    """The last lines of a server's log, to say why it did not start."""
    if path is None or not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


async def wait_ready(
    name: str, base: str, process: subprocess.Popen | None, log: Path | None, seconds: float
) -> None:
    """Wait until the server at ``base`` says it is ready; fail if its process ends first."""
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{name} exited:\n{log_tail(log)}")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{base}/readyz")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{name} not ready after {seconds} s:\n{log_tail(log)}")


@dataclass
class Server:
    name: str
    module: str
    env: dict[str, str]
    app_dir: str | None = None
    port: int = 0
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        command = [PYTHON, "-m", "uvicorn", self.module, "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--no-access-log"]
        if self.app_dir:
            command += ["--app-dir", self.app_dir]
        RESULTS.mkdir(exist_ok=True)
        self.log_path = RESULTS / f"{self.name}.log"
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us only; we stop it ourselves
        )
        log.close()

    def log_tail(self, lines: int = 30) -> str:
        return log_tail(self.log_path, lines)

    async def wait_ready(self, seconds: float = 60) -> None:
        await wait_ready(self.name, self.base, self.process, self.log_path, seconds)

    def stop(self) -> None:
        """Stop the process we started, by its PID: SIGTERM, then SIGKILL after 10 s."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


# --- the scratch copy of the data set -------------------------------------------------------


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite://")


def pg_dsn(url: str, database: str | None = None) -> str:
    parts = urlsplit(url)
    path = f"/{database}" if database is not None else parts.path
    return urlunsplit(("postgresql", parts.netloc, path, parts.query, ""))


async def check_data_set(url: str) -> None:
    """Refuse to run on a database that does not hold the untouched data set."""
    tables = ("app_user", "client", "account", "opportunity", "activity")
    if is_sqlite(url):
        path = Path(url.removeprefix("sqlite://"))
        if not path.exists():  # noqa: ASYNC240
            raise SystemExit(f"{path} does not exist: run bench/dataset.py first")
        with contextlib.closing(sqlite3.connect(path)) as conn:
            counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    else:
        import asyncpg

        conn = await asyncpg.connect(pg_dsn(url))
        try:
            counts = {t: await conn.fetchval(f'SELECT COUNT(*) FROM "{t}"') for t in tables}
        finally:
            await conn.close()
    if any(counts[t] != EXPECTED[t] for t in tables):
        raise SystemExit(f"{url} does not hold the bench data set ({counts}): run dataset.py")


async def make_scratch(url: str) -> str:
    if is_sqlite(url):
        source = Path(url.removeprefix("sqlite://"))
        target = source.with_name(source.stem + ".run.db")
        drop_scratch(f"sqlite://{target}")
        with (
            contextlib.closing(sqlite3.connect(source)) as src,
            contextlib.closing(sqlite3.connect(target)) as dst,
        ):
            src.backup(dst)  # a consistent copy, WAL content included
        return f"sqlite://{target}"
    import asyncpg

    name = urlsplit(url).path.lstrip("/")
    scratch = f"{name}_run"
    conn = await asyncpg.connect(pg_dsn(url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        await conn.execute(f'CREATE DATABASE "{scratch}" TEMPLATE "{name}"')
    finally:
        await conn.close()
    return urlunsplit((urlsplit(url).scheme, urlsplit(url).netloc, f"/{scratch}", "", ""))


def drop_scratch(url: str) -> None:
    if is_sqlite(url):
        path = url.removeprefix("sqlite://")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return

    async def drop() -> None:
        import asyncpg

        conn = await asyncpg.connect(pg_dsn(url, "postgres"))
        try:
            name = urlsplit(url).path.lstrip("/")
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


async def fetch_rows(url: str, sql: str, *args: Any) -> list[tuple]:
    """Rows of a query on the scratch database (SQLite placeholders '?', Postgres '$n')."""
    if is_sqlite(url):
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite://"))) as conn:
            return conn.execute(sql, args).fetchall()
    import asyncpg

    n = 0

    def number(_: Any) -> str:
        nonlocal n
        n += 1
        return f"${n}"

    conn = await asyncpg.connect(pg_dsn(url))
    try:
        return [tuple(row) for row in await conn.fetch(re.sub(r"\?", number, sql), *args)]
    finally:
        await conn.close()


def create_admin_key(scratch: str) -> str:
    """Create an ADMIN and a read+write API key for it on the scratch database, with the
    project's command line, and return the key."""
    cli = Path(PYTHON).parent / "accountgraph"
    if not cli.exists():
        raise SystemExit(f"{cli} not found: run `make install`")
    env = {**os.environ, "ACCOUNTGRAPH_DATABASE_URL": scratch}

    def accountgraph(*args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [str(cli), *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"accountgraph {args[0]} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
            )
        return done.stdout

    password = secrets.token_urlsafe(24)  # never used to sign in; create-user wants one
    accountgraph(
        "create-user", "--email", ADMIN_EMAIL, "--name", ADMIN_NAME, "--role", "ADMIN",
        stdin=password + "\n",
    )  # fmt: skip
    out = accountgraph(
        "create-api-key", "--email", ADMIN_EMAIL, "--name", "bench",
        "--scope", "read", "--scope", "write",
    )  # fmt: skip
    lines = out.strip().splitlines()
    key = lines[-1].strip() if lines else ""
    if not key.startswith("ag_"):
        raise RuntimeError(f"accountgraph create-api-key printed no key:\n{out}")
    return key


# --- clients --------------------------------------------------------------------------------


@dataclass
class Reply:
    status_code: int
    content: bytes


class HttpxClient:
    """One httpx.AsyncClient with one keep-alive connection (one per load task: a client
    shared by 16 tasks spends ~3x more CPU per request in its connection pool)."""

    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        self.client = httpx.AsyncClient(
            base_url=base,
            timeout=600,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            headers={
                "content-type": "application/json",
                "accept": "application/json",
                **(headers or {}),
            },
        )

    async def send(self, method: str, path: str, content: bytes | None) -> Reply:
        response = await self.client.request(method, path, content=content)
        return Reply(response.status_code, response.content)

    async def close(self) -> None:
        await self.client.aclose()


class RawClient:
    """A bare HTTP/1.1 keep-alive client on asyncio streams (responses need Content-Length).

    Costs ~0.07 ms of CPU per request on the bench machine where httpx costs ~1.4 ms, so
    that fast operations measure the server rather than the load generator.
    """

    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def send(self, method: str, path: str, content: bytes | None) -> Reply:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        head = f"{method} {path} HTTP/1.1\r\nhost: {self.host}:{self.port}\r\n"
        head += "accept: application/json\r\n" + self.extra
        if content is not None:
            head += f"content-type: application/json\r\ncontent-length: {len(content)}\r\n"
        writer.write(head.encode() + b"\r\n" + (content or b""))
        header = await reader.readuntil(b"\r\n\r\n")
        status_line, *lines = header.decode("latin-1").split("\r\n")
        length = None
        for line in lines:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
        if length is None:
            raise RuntimeError(f"response without content-length: {header!r}")
        return Reply(int(status_line.split()[1]), await reader.readexactly(length))

    async def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


CLIENTS: dict[str, type[HttpxClient] | type[RawClient]] = {"httpx": HttpxClient, "raw": RawClient}


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Op:
    """Requests of one kind: ``body(i)`` is the i-th request's body (None for GET)."""

    name: str
    base: str
    method: str
    path: str
    body: Callable[[int], bytes | None]
    check: Callable[[Reply, int], None]
    headers: dict[str, str] = field(default_factory=dict)  # e.g. the API's Authorization


def ok_graphql(reply: Reply, i: int = 0) -> None:
    if reply.status_code != 200 or b'"errors"' in reply.content:
        raise RuntimeError(f"bad response {reply.status_code}: {reply.content[:300]!r}")


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)] if ordered else math.nan


@dataclass
class Figures:
    n: int = 0
    p50_ms: float = math.nan
    p95_ms: float = math.nan
    rps: float = math.nan
    throughput_requests: int = 0
    throughput_seconds: float = 0.0
    concurrent_p50_ms: float = math.nan


class Supply:
    """Request indexes: endless, or up to ``limit`` (M1 moves each deal once)."""

    def __init__(self, start: int = 0, limit: int | None = None) -> None:
        self.next, self.limit = start, limit

    def take(self) -> int | None:
        if self.limit is not None and self.next >= self.limit:
            return None
        self.next += 1
        return self.next - 1


async def timed(client: Any, op: Op, i: int) -> float:
    started = time.perf_counter()
    reply = await client.send(op.method, op.path, op.body(i))
    elapsed = time.perf_counter() - started
    op.check(reply, i)
    return elapsed


async def measure(op: Op, args: argparse.Namespace, supply: Supply, *, warmup: int) -> Figures:
    """Warm-up, sequential latency, then throughput at ``args.concurrency``.

    Sequential: ``args.requests`` one at a time, or fewer (at least 30) when they would take
    more than ``args.seq_budget`` seconds at the warm-up's median. Throughput: each task
    issues requests back to back until ``args.duration`` has passed; requests in flight then
    are awaited and counted, and the time runs until the last one ends.
    """
    make = CLIENTS[args.client]
    client = make(op.base, op.headers)
    try:
        warm = []
        for _ in range(warmup):
            index = supply.take()
            if index is None:
                raise RuntimeError(f"{op.name}: out of work during warm-up")
            warm.append(await timed(client, op, index))
        count = args.requests
        if warm:
            typical = sorted(warm)[len(warm) // 2]
            count = max(min(count, 30), min(count, int(args.seq_budget / typical)))
        samples = []
        for _ in range(count):
            index = supply.take()
            if index is None:
                break
            samples.append(await timed(client, op, index))
    finally:
        await client.close()

    latencies: list[float] = []
    started = time.perf_counter()
    deadline = started + args.duration
    last_end = started

    async def worker() -> None:
        nonlocal last_end
        client = make(op.base, op.headers)
        try:
            while time.perf_counter() < deadline:
                index = supply.take()
                if index is None:
                    return
                latencies.append(await timed(client, op, index))
                last_end = max(last_end, time.perf_counter())
        finally:
            await client.close()

    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    seconds = last_end - started
    figures = Figures(
        n=len(samples),
        p50_ms=percentile(samples, 0.50) * 1000,
        p95_ms=percentile(samples, 0.95) * 1000,
        rps=len(latencies) / seconds if seconds else math.nan,
        throughput_requests=len(latencies),
        throughput_seconds=seconds,
        concurrent_p50_ms=percentile(latencies, 0.5) * 1000,
    )
    console.log(
        f"{op.name}: p50 {figures.p50_ms:.2f} ms, p95 {figures.p95_ms:.2f} ms over "
        f"{figures.n}; {figures.rps:.1f} req/s ({figures.throughput_requests} in "
        f"{seconds:.1f} s at c={args.concurrency})"
    )
    return figures


@dataclass
class Row:
    operation: str
    api: Figures
    floor: Figures | None = None
    notes: list[str] = field(default_factory=list)


# --- the run --------------------------------------------------------------------------------


async def check_auth(api: Server, auth: dict[str, str]) -> None:
    """The API refuses anonymous callers and takes the key as the bench administrator's."""
    anonymous, signed_in = HttpxClient(api.base), HttpxClient(api.base, auth)
    try:
        reply = await anonymous.send("POST", "/graphql", body(Q2, {"id": gid("Opportunity", 1)}))
        codes = [e.get("extensions", {}).get("code") for e in orjson.loads(reply.content)["errors"]]
        if codes != ["UNAUTHENTICATED"]:
            raise RuntimeError(f"anonymous Q2 was not refused: {reply.content[:300]!r}")
        reply = await signed_in.send("POST", "/graphql", body(VIEWER))
        ok_graphql(reply)
        viewer = orjson.loads(reply.content)["data"]["viewer"]
        if viewer != {"email": ADMIN_EMAIL, "role": "ADMIN"}:
            raise RuntimeError(f"the bench API key signs in as {viewer}")
    finally:
        await anonymous.close()
        await signed_in.close()
    console.log(f"API: anonymous requests refused; the API key acts as ADMIN {ADMIN_EMAIL}")


async def run(
    args: argparse.Namespace, scratch: str, api: Server, floor: Server, key: str
) -> list[Row]:
    rows: list[Row] = []
    auth = {"authorization": f"Bearer {key}"}
    await check_auth(api, auth)
    q1_body = body(Q1)
    deal_ids = random.Random(SEED).sample(range(1, OPPORTUNITIES + 1), 1000)
    q2_bodies = [body(Q2, {"id": gid("Opportunity", pk)}) for pk in deal_ids]

    def q2_body(i: int) -> bytes:
        return q2_bodies[i % len(q2_bodies)]

    ops = {
        "Q1 API": Op("Q1 API", api.base, "POST", "/graphql", lambda i: q1_body, ok_graphql, auth),
        "Q1 floor": Op("Q1 floor", floor.base, "POST", "/q1", lambda i: q1_body, ok_graphql),
        "Q2 API": Op("Q2 API", api.base, "POST", "/graphql", q2_body, ok_graphql, auth),
        "Q2 floor": Op("Q2 floor", floor.base, "POST", "/q2", q2_body, ok_graphql),
    }

    # The floor must answer what the API answers (checked with httpx whatever --client is).
    check = HttpxClient(api.base, auth), HttpxClient(floor.base)
    try:
        a = await check[0].send("POST", "/graphql", q1_body)
        f = await check[1].send("POST", "/q1", q1_body)
        ok_graphql(a)
        ok_graphql(f)
        assert orjson.loads(a.content)["data"] == orjson.loads(f.content)["data"], "Q1 differs"
        q1_bytes = "identical bytes" if a.content == f.content else "same JSON, bytes differ"
        q1_size = len(a.content)
        edges = orjson.loads(a.content)["data"]["accounts"]["edges"]
        deals = [o for e in edges for o in e["node"]["opportunities"]["edges"]]
        activities = sum(len(o["node"]["activities"]["edges"]) for o in deals)
        console.log(
            f"Q1 floor = API ({q1_bytes}, {q1_size:,} bytes; {len(edges)} accounts, "
            f"{len(deals)} opportunities, {activities} activities)"
        )
        same, checked = 0, 100
        for i in range(checked):
            a = await check[0].send("POST", "/graphql", q2_body(i))
            f = await check[1].send("POST", "/q2", q2_body(i))
            ok_graphql(a)
            assert orjson.loads(a.content)["data"] == orjson.loads(f.content)["data"], (
                f"Q2 differs for opportunity {deal_ids[i]}"
            )
            same += a.content == f.content
        console.log(f"Q2 floor = API for {checked} ids ({same} byte-identical)")
    finally:
        for client in check:
            await client.close()

    if "Q1" in args.only:
        row = Row("Q1 portfolio", await measure(ops["Q1 API"], args, Supply(), warmup=3))
        row.floor = await measure(ops["Q1 floor"], args, Supply(), warmup=20)
        row.notes.append(f"response {q1_size:,} bytes; floor gives {q1_bytes}")
        rows.append(row)

    if "Q1h" in args.only:
        q1h_body = body(Q1H)
        client = HttpxClient(api.base, auth)
        try:
            reply = await client.send("POST", "/graphql", q1h_body)
        finally:
            await client.close()
        ok_graphql(reply)
        nodes = orjson.loads(reply.content)["data"]["accounts"]["edges"]
        assert all(len(e["node"]["health"]["components"]) == 7 for e in nodes), "Q1h health"
        q1h = Op("Q1h API", api.base, "POST", "/graphql", lambda i: q1h_body, ok_graphql, auth)
        row = Row("Q1h portfolio + health", await measure(q1h, args, Supply(), warmup=3))
        row.notes.append(f"response {len(reply.content):,} bytes; no floor")
        rows.append(row)

    if "Q2" in args.only:
        row = Row("Q2 deal lookup", await measure(ops["Q2 API"], args, Supply(), warmup=50))
        row.floor = await measure(ops["Q2 floor"], args, Supply(), warmup=50)
        rows.append(row)

    if not args.skip_m1 and "M1" in args.only:
        rows.append(await measure_m1(args, scratch, api, auth))

    def ok_null(reply: Reply, i: int) -> None:
        if reply.status_code != 200:
            raise RuntimeError(f"/healthz answered {reply.status_code}")

    null = Op("HTTP null", api.base, "GET", "/healthz", lambda i: None, ok_null)
    rows.append(Row("HTTP null (/healthz)", await measure(null, args, Supply(), warmup=50)))
    return rows


async def measure_m1(
    args: argparse.Namespace, scratch: str, api: Server, auth: dict[str, str]
) -> Row:
    """Move never-moved deals forward to the next open stage; each deal is moved once."""
    stages = await fetch_rows(
        scratch,
        "SELECT s.id, s.position, s.category, s.name FROM stage s JOIN pipeline p "
        "ON p.id = s.pipeline_id WHERE p.name = ? ORDER BY s.position",
        PIPELINE,
    )
    next_open: dict[int, tuple[int, str]] = {}
    for i, (stage_id, _, category, _) in enumerate(stages):
        later = [s for s in stages[i + 1 :] if s[2] == "OPEN"]
        if category == "OPEN" and later:
            next_open[stage_id] = (later[0][0], later[0][3])
    marks = ", ".join("?" for _ in next_open)
    deals = await fetch_rows(
        scratch,
        f"SELECT id, stage_id FROM opportunity WHERE stage_id IN ({marks}) "
        "AND archived_at IS NULL ORDER BY id",
        *next_open,
    )
    random.Random(SEED).shuffle(deals)
    bodies = [
        body(
            M1,
            {
                "input": {
                    "opportunityId": gid("Opportunity", pk),
                    "stageId": gid("Stage", next_open[stage_id][0]),
                }
            },
        )
        for pk, stage_id in deals
    ]
    expected = [next_open[stage_id][1] for _, stage_id in deals]

    def ok_move(reply: Reply, i: int) -> None:
        if reply.status_code != 200:
            raise RuntimeError(f"M1: status {reply.status_code}: {reply.content[:300]!r}")
        answer = orjson.loads(reply.content)
        if "errors" in answer:
            raise RuntimeError(f"M1 failed: {answer['errors']}")
        result = answer["data"]["moveOpportunityStage"]
        if result["errors"] or result["opportunity"]["stage"]["name"] != expected[i]:
            raise RuntimeError(f"M1 refused or wrong: {result}")

    async def count(table: str) -> int:
        return (await fetch_rows(scratch, f'SELECT COUNT(*) FROM "{table}"'))[0][0]

    before = {
        t: await count(t) for t in ("opportunity_stage_change", "outbox_event", "audit_log_entry")
    }
    supply = Supply(limit=len(bodies))
    op = Op("M1 API", api.base, "POST", "/graphql", lambda i: bodies[i], ok_move, auth)
    figures = await measure(op, args, supply, warmup=20)
    moved = supply.next
    written = {t: await count(t) - n for t, n in before.items()}
    if set(written.values()) != {moved}:
        raise RuntimeError(f"M1: {moved} moves wrote {written}")
    row = Row("M1 stage move", figures)
    row.notes.append(
        f"{moved} fresh deals moved, each writing 1 stage-change row, 1 audit entry and "
        f"1 outbox event (checked); floor not measured"
    )
    if moved >= len(bodies):
        row.notes.append(f"ran out of fresh deals ({len(bodies)}): throughput ended early")
    return row


def fmt(value: float, digits: int = 1) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def report(rows: list[Row], args: argparse.Namespace, header: str) -> None:
    table = Table(title=f"AccountGraph bench — {header}", title_justify="left")
    for column in (
        "operation",
        "n seq",
        "API p50 ms",
        "API p95 ms",
        "API req/s",
        "floor p50 ms",
        "floor p95 ms",
        "floor req/s",
        "API/floor p50",
        "floor/API req/s",
    ):
        table.add_column(column, justify="left" if column == "operation" else "right", no_wrap=True)
    for row in rows:
        api, floor = row.api, row.floor
        n = f"{api.n}" + (f"/{floor.n}" if floor else "")
        cells = [row.operation, n, fmt(api.p50_ms, 2), fmt(api.p95_ms, 2), fmt(api.rps)]
        if floor:
            cells += [
                fmt(floor.p50_ms, 2),
                fmt(floor.p95_ms, 2),
                fmt(floor.rps),
                f"{api.p50_ms / floor.p50_ms:,.1f}x",
                f"{floor.rps / api.rps:,.1f}x",
            ]
        else:
            cells += ["—"] * 5
        table.add_row(*cells)
    console.print(table)
    console.print(f"  API: {AUTH_NOTE}")
    for row in rows:
        notes = list(row.notes)
        if row.api.n < args.requests:
            notes.insert(
                0,
                f"API sequential latency over {row.api.n} requests, not {args.requests}: each "
                f"takes ~{row.api.p50_ms / 1000:.2f} s (--seq-budget {args.seq_budget:g} s)",
            )
        notes.append(
            f"throughput: API {row.api.throughput_requests} requests in "
            f"{row.api.throughput_seconds:.1f} s, median latency at c={args.concurrency} "
            f"{fmt(row.api.concurrent_p50_ms)} ms"
            + (
                f"; floor {row.floor.throughput_requests} in {row.floor.throughput_seconds:.1f} s"
                if row.floor
                else ""
            )
        )
        for note in notes:
            console.print(f"  {row.operation}: {note}")


AUTH_NOTE = (
    "Q1, Q2 and M1 send an ADMIN's API key (Authorization: Bearer ag_...); the API figures "
    "include authenticating it on every request (api_key lookup by prefix and the key's "
    "user; last_used_at written at most once a minute); the floor has no authentication"
)


def environment(url: str, args: argparse.Namespace) -> str:
    def has(module: str) -> bool:
        try:
            __import__(module)
        except ImportError:
            return False
        return True

    loop = "uvloop" if has("uvloop") else "asyncio"
    http = "httptools" if has("httptools") else "h11"
    db = f"SQLite {sqlite3.sqlite_version}" if is_sqlite(url) else "PostgreSQL"
    return (
        f"{db}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"uvicorn {loop}/{http}, 1 server process; client {args.client}, "
        f"c={args.concurrency}, {args.duration:g} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
        help=f"the data set's database (default: $BENCH_DATABASE_URL or {DEFAULT_URL})",
    )
    parser.add_argument("--requests", type=int, default=200, help="sequential requests (200)")
    parser.add_argument("--duration", type=float, default=20, help="throughput seconds (20)")
    parser.add_argument("--concurrency", type=int, default=16, help="throughput tasks (16)")
    parser.add_argument(
        "--seq-budget",
        type=float,
        default=60,
        help="sequential requests per measurement stop after about this many seconds, "
        "at least 30 (60)",
    )
    parser.add_argument(
        "--client",
        choices=sorted(CLIENTS),
        default="httpx",
        help="load generator: httpx (default) or a bare asyncio HTTP/1.1 client",
    )
    parser.add_argument("--skip-m1", action="store_true", help="do not measure M1")
    parser.add_argument(
        "--only",
        default="Q1,Q1h,Q2,M1",
        help="comma-separated operations to measure (default: Q1,Q1h,Q2,M1)",
    )
    args = parser.parse_args()
    args.only = args.only.split(",")
    os.chdir(ROOT)

    url = args.db_url
    asyncio.run(check_data_set(url))
    started = time.perf_counter()
    scratch = asyncio.run(make_scratch(url))
    api = Server("api", "server:app", {"ACCOUNTGRAPH_DATABASE_URL": scratch})
    floor = Server("floor", "floor_app:app", {"BENCH_FLOOR_DATABASE_URL": scratch}, "bench")

    def on_sigterm(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored
    try:
        key = create_admin_key(scratch)
        console.log(f"created ADMIN {ADMIN_EMAIL} and API key {key[:11]}... on {scratch}")
        api.start()
        floor.start()

        async def go() -> list[Row]:
            await asyncio.gather(api.wait_ready(), floor.wait_ready())
            console.log(
                f"API pid {api.pid} on :{api.port}, floor pid {floor.pid} on :{floor.port}; "
                f"data: scratch copy {scratch}"
            )
            return await run(args, scratch, api, floor, key)

        rows = asyncio.run(go())
    except KeyboardInterrupt:
        console.print("[red]interrupted[/]")
        raise SystemExit(130) from None
    finally:
        api.stop()
        floor.stop()
        with contextlib.suppress(Exception):
            drop_scratch(scratch)
    header = environment(url, args)
    report(rows, args, header)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kind = "sqlite" if is_sqlite(url) else "postgres"
    out = RESULTS / f"{stamp}-{kind}-{args.client}.json"
    out.write_text(
        json.dumps(
            {
                "environment": header,
                "database": url,
                "args": vars(args),
                "auth": AUTH_NOTE,
                "rows": [asdict(row) for row in rows],
                "seconds": time.perf_counter() - started,
            },
            indent=2,
        )
    )
    console.print(f"total {time.perf_counter() - started:.0f} s; figures saved to {out}")


if __name__ == "__main__":
    main()
