"""The scenarios, the report and the command line of ``python -m bench.reliability``."""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import secrets
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
from rich.console import Console
from rich.table import Table

from bench.reliability.infra import AppServer, PostgresCluster, Template
from bench.reliability.invariants import Baseline, Result, baseline, check, load_state
from bench.reliability.load import (
    ACK,
    STAGE_OF,
    Ledger,
    MalformedTally,
    WorkingSet,
    pk_of,
    run_writers,
    send_malformed,
)
from bench.run import fetch_rows, gid

console = Console(width=None if sys.stdout.isatty() else 120)

# Settings every server the suite starts gets (on top of the environment it runs in, and of
# --env NAME=VALUE). Add here what a deployment must set for `accountgraph serve` to start.
# The servers run as in production: keys of their own, not the development mode.
SERVER_ENV: dict[str, str] = {
    "ACCOUNTGRAPH_DEVELOPMENT": "false",
    "ACCOUNTGRAPH_SECRET_KEY": secrets.token_urlsafe(48),
    "ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
}
SCENARIOS = ("load", "kill", "stop", "freeze", "malformed", "soak")
POSTGRES_ONLY = frozenset({"stop", "freeze"})
# /readyz must answer within this many seconds, even while the database is frozen.
READYZ_BOUND = 5.0
# Seconds of load at least after a fault ends (a server restarted, the database back).
RECOVERY = 5.0
# Every server this run started, so that an interruption still stops them.
STARTED: list[AppServer] = []


@dataclass
class Outcome:
    """One scenario on one database: what was sent, what came back, what held."""

    scenario: str
    database: str
    layout: str
    seconds: float
    ledger: Ledger
    results: list[Result] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if not r.passed]


@dataclass
class Plan:
    scenario: str
    processes: int
    layout: str  # "1 process", "2 servers", "serve --workers 2"


# --- what each scenario does beside the load ------------------------------------------------


@dataclass
class Context:
    args: argparse.Namespace
    servers: list[AppServer]
    cluster: PostgresCluster | None
    ledger: Ledger
    outcome: Outcome
    key: str
    duration: float
    started: float = 0.0


def window(ledger: Ledger, start: float, end: float) -> Counter[str]:
    return Counter(f"{w.outcome} ({w.status})" for w in ledger.writes if start <= w.started < end)


async def rest_of_scenario(ctx: Context, recovered_at: float) -> None:
    """Keep the load on until the scenario's end, and for at least RECOVERY s after the
    fault ended, so that recovery is seen even when the fault took long."""
    end = max(ctx.started + ctx.duration, recovered_at + RECOVERY)
    await asyncio.sleep(max(0.0, end - time.monotonic()))


def acks_after(ledger: Ledger, moment: float) -> int:
    return sum(1 for w in ledger.writes if w.outcome == ACK and w.started > moment)


async def scenario_kill(ctx: Context) -> None:
    await asyncio.sleep(ctx.duration * 0.4)
    victim = ctx.servers[0]
    killed_at = time.monotonic()
    pids = victim.pids()
    victim.kill()
    await asyncio.sleep(1)
    victim.start()
    await victim.wait_ready()
    back = time.monotonic()
    ctx.outcome.notes.append(
        f"SIGKILLed {victim.name} (pids {pids}) at {killed_at - ctx.started:.1f} s; "
        f"restarted and ready after {back - killed_at:.1f} s"
    )
    ctx.outcome.counts["during the kill"] = dict(window(ctx.ledger, killed_at, back))
    await rest_of_scenario(ctx, back)
    recovered = acks_after(ctx.ledger, back)
    ctx.outcome.results.append(
        Result("writes acknowledged after the restart", 0 if recovered else 1, f"{recovered}")
    )


async def scenario_stop(ctx: Context) -> None:
    assert ctx.cluster is not None
    await asyncio.sleep(ctx.duration * 0.3)
    down = time.monotonic()
    await asyncio.to_thread(ctx.cluster.stop, "fast")
    await asyncio.sleep(ctx.args.outage)
    await asyncio.to_thread(ctx.cluster.start)
    up = time.monotonic()
    ctx.outcome.notes.append(
        f"pg_ctl stop -m fast at {down - ctx.started:.1f} s, started again after {up - down:.1f} s"
    )
    ctx.outcome.counts["during the outage"] = dict(window(ctx.ledger, down, up))
    await rest_of_scenario(ctx, up)
    after = window(ctx.ledger, up, time.monotonic())
    ctx.outcome.counts["after the outage"] = dict(after)
    recovered = acks_after(ctx.ledger, up + 2)
    alive = all(s.process is not None and s.process.poll() is None for s in ctx.servers)
    ctx.outcome.results.append(
        Result(
            "recovers without restart",
            0 if recovered and alive else 1,
            f"{recovered} writes acknowledged from 2 s after the database came back; "
            f"servers {'running' if alive else 'exited'}",
        )
    )


async def probe_readyz(base: str, until: float, latencies: list[float]) -> None:
    """GET /readyz every 0.5 s until ``until`` (each probe on its own, so one that hangs does
    not delay the next), recording each answer's latency (a timeout counts as 30 s)."""

    async def one(client: httpx.AsyncClient) -> None:
        begin = time.monotonic()
        with contextlib.suppress(httpx.HTTPError):
            await client.get(f"{base}/readyz")
        latencies.append(time.monotonic() - begin)

    async with httpx.AsyncClient(timeout=30) as client:
        probes = []
        while time.monotonic() < until:
            probes.append(asyncio.create_task(one(client)))
            await asyncio.sleep(0.5)
        await asyncio.gather(*probes)


async def scenario_freeze(ctx: Context) -> None:
    assert ctx.cluster is not None
    await asyncio.sleep(ctx.duration * 0.3)
    frozen_at = time.monotonic()
    stopped = ctx.cluster.signal_all(signal.SIGSTOP)
    latencies: list[float] = []
    probe = asyncio.create_task(
        probe_readyz(ctx.servers[0].base, frozen_at + ctx.args.outage, latencies)
    )
    try:
        await asyncio.sleep(ctx.args.outage)
    finally:
        ctx.cluster.signal_all(signal.SIGCONT)
    thawed = time.monotonic()
    await probe
    ctx.outcome.notes.append(
        f"SIGSTOP to the postmaster and {stopped - 1} children at "
        f"{frozen_at - ctx.started:.1f} s, SIGCONT after {thawed - frozen_at:.1f} s"
    )
    ctx.outcome.counts["during the freeze"] = dict(window(ctx.ledger, frozen_at, thawed))
    slow = [x for x in latencies if x > READYZ_BOUND]
    ctx.outcome.counts["/readyz while frozen"] = {
        "probes": len(latencies),
        "max s": round(max(latencies, default=0), 2),
        f"over {READYZ_BOUND:g} s": len(slow),
    }
    ctx.outcome.results.append(
        Result(
            f"/readyz answers within {READYZ_BOUND:g} s while frozen",
            len(slow),
            f"{len(latencies)} probes, slowest {max(latencies, default=0):.1f} s",
        )
    )
    await rest_of_scenario(ctx, thawed)
    recovered = acks_after(ctx.ledger, thawed + 2)
    ctx.outcome.results.append(
        Result("writes acknowledged after the thaw", 0 if recovered else 1, f"{recovered}")
    )


# How a malformed request may be answered: a 4xx, or a JSON body of GraphQL errors only.
ACCEPTABLE = frozenset({"4xx", "2xx errors"})


async def scenario_malformed(ctx: Context) -> None:
    tally = MalformedTally()
    stop = asyncio.Event()
    senders = asyncio.create_task(send_malformed(ctx.servers[0].base, ctx.key, tally, stop))
    await asyncio.sleep(ctx.duration)
    stop.set()
    await senders
    ctx.outcome.counts["malformed requests"] = {  # 2xx errors: 200 with GraphQL errors
        "sent": tally.sent,
        **dict(tally.by_class),
        "plain text": tally.plain_text,
    }
    bad = {name: dict(c) for name, c in tally.by_case.items() if set(c) - ACCEPTABLE}
    if bad:
        ctx.outcome.counts["malformed cases not answered 4xx"] = bad
    wrong = sum(n for kind, n in tally.by_class.items() if kind not in ACCEPTABLE)
    ctx.outcome.results.append(
        Result(
            "malformed bodies refused (4xx or GraphQL errors)",
            wrong,
            f"{tally.sent} sent: "
            + ", ".join(f"{k} {v}" for k, v in sorted(tally.by_class.items())),
            [f"{name}: {counts}" for name, counts in list(bad.items())[:5]],
        )
    )


async def metric(client: httpx.AsyncClient, base: str, name: str) -> float | None:
    with contextlib.suppress(httpx.HTTPError, ValueError):
        text = (await client.get(f"{base}/metrics")).text
        for line in text.splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
    return None


async def scenario_soak(ctx: Context) -> None:
    server = ctx.servers[0]
    samples: list[tuple[float, int, float | None]] = []
    async with httpx.AsyncClient(timeout=10) as client:
        while time.monotonic() < ctx.started + ctx.duration:
            tasks = await metric(client, server.base, "accountgraph_asyncio_tasks")
            samples.append((time.monotonic() - ctx.started, server.rss_bytes(), tasks))
            await asyncio.sleep(min(5.0, ctx.duration / 6))
    ctx.outcome.counts["soak samples (s: RSS MiB, tasks)"] = "; ".join(
        f"{t:.0f}: {rss / 2**20:.1f}, {tasks if tasks is not None else '?'}"
        for t, rss, tasks in samples
    )
    if len(samples) >= 2:
        first, last = samples[0], samples[-1]
        ctx.outcome.notes.append(
            f"RSS {first[1] / 2**20:.1f} -> {last[1] / 2**20:.1f} MiB "
            f"({(last[1] - first[1]) / 2**20:+.1f}); asyncio tasks {first[2]} -> {last[2]}"
        )
        ctx.outcome.counts["soak growth under load"] = {
            "RSS MiB": round((last[1] - first[1]) / 2**20, 1),
            "asyncio tasks": (last[2] or 0) - (first[2] or 0),
        }


async def at_rest(server: AppServer) -> tuple[int, float | None]:
    """The server's RSS and asyncio tasks with no load on it."""
    async with httpx.AsyncClient(timeout=10) as client:
        return server.rss_bytes(), await metric(client, server.base, "accountgraph_asyncio_tasks")


def soak_growth(
    outcome: Outcome, before: tuple[int, float | None], after: tuple[int, float | None]
) -> None:
    """RSS and tasks at rest before the load and 3 s after it: in-flight requests do not
    count as growth there."""
    outcome.counts["soak at rest, before -> after"] = {
        "RSS MiB": f"{before[0] / 2**20:.1f} -> {after[0] / 2**20:.1f}",
        "asyncio tasks": f"{before[1]} -> {after[1]}",
    }
    outcome.notes.append(
        f"at rest: RSS {(after[0] - before[0]) / 2**20:+.1f} MiB, asyncio tasks "
        f"{(after[1] or 0) - (before[1] or 0):+.0f} over the soak"
    )


async def idle(ctx: Context) -> None:
    await asyncio.sleep(ctx.duration)


ACTIONS: dict[str, Callable[[Context], Awaitable[None]]] = {
    "load": idle,
    "kill": scenario_kill,
    "stop": scenario_stop,
    "freeze": scenario_freeze,
    "malformed": scenario_malformed,
    "soak": scenario_soak,
}


# --- one scenario ---------------------------------------------------------------------------


async def working_set(url: str, deals: int) -> WorkingSet:
    stages = await fetch_rows(url, "SELECT id, pipeline_id FROM stage WHERE category = 'OPEN'")
    open_by_pipeline: dict[int, list[int]] = {}
    for stage, pipeline in stages:
        open_by_pipeline.setdefault(pipeline, []).append(stage)
    rows = await fetch_rows(
        url,
        "SELECT o.id, o.pipeline_id, o.account_id FROM opportunity o "
        "JOIN stage s ON s.id = o.stage_id "
        "WHERE s.category = 'OPEN' AND o.archived_at IS NULL ORDER BY o.id LIMIT ?",
        deals,
    )
    return WorkingSet(
        deals=[r[0] for r in rows],
        open_stages={r[0]: sorted(open_by_pipeline[r[1]]) for r in rows},
        accounts=sorted({r[2] for r in rows}),
    )


async def wait_relayed(url: str, base: Baseline, seconds: float = 20) -> None:
    """Give the outbox relay time to publish what the scenario wrote."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rows = await fetch_rows(
            url, "SELECT COUNT(*) FROM outbox_event WHERE published_at IS NULL AND id > ?",
            base.outbox,
        )  # fmt: skip
        if rows[0][0] == 0:
            return
        await asyncio.sleep(0.5)


async def api_agrees(server: AppServer, key: str, url: str, deals: list[int]) -> Result:
    """Each working-set deal's stage as the API gives it is the one in the database."""
    db = dict(await fetch_rows(url, "SELECT id, stage_id FROM opportunity"))
    violations = 0
    examples: list[str] = []
    reply = httpx.Response(0)
    headers = {"authorization": f"Bearer {key}", "content-type": "application/json"}
    async with httpx.AsyncClient(base_url=server.base, headers=headers, timeout=30) as client:
        for deal in deals:
            payload = {"query": STAGE_OF, "variables": {"id": gid("Opportunity", deal)}}
            try:
                reply = await client.post("/graphql", content=orjson.dumps(payload))
                stage = pk_of(reply.json()["data"]["opportunity"]["stage"]["id"])
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
                violations += 1
                examples.append(f"Opportunity {deal}: {exc!r} {reply.text[:200]!r}")
                continue
            if stage != db.get(deal):
                violations += 1
                examples.append(f"Opportunity {deal}: API stage {stage}, database {db.get(deal)}")
    return Result("API agrees with the database", violations, f"{len(deals)} deals", examples[:5])


def tracebacks(servers: list[AppServer]) -> int:
    return sum(
        s.log_path.read_text(errors="replace").count("Traceback (most recent call last)")
        for s in servers
        if s.log_path.exists()
    )


def make_servers(plan: Plan, database: str, url: str, log_dir: Path) -> list[AppServer]:
    """The scenario's servers, named (and their logs) after database, scenario and layout."""
    name = f"{database}-{plan.scenario}"
    if plan.layout.startswith("serve --workers"):
        return [AppServer(f"{name}-workers", url, log_dir, workers=plan.processes)]
    if plan.processes == 1:
        return [AppServer(name, url, log_dir)]
    return [AppServer(f"{name}-server{n + 1}", url, log_dir) for n in range(plan.processes)]


async def run_scenario(
    plan: Plan, template: Template, url: str, args: argparse.Namespace, log_dir: Path
) -> Outcome:
    duration = args.seconds * (args.soak_factor if plan.scenario == "soak" else 1)
    outcome = Outcome(plan.scenario, template.kind, plan.layout, duration, Ledger())
    base = await baseline(url)
    work = await working_set(url, args.deals)
    servers = make_servers(plan, template.kind, url, log_dir)
    STARTED.extend(servers)
    try:
        for server in servers:
            server.start()
        await asyncio.gather(*(s.wait_ready() for s in servers))
        ctx = Context(
            args, servers, template.cluster, outcome.ledger, outcome, template.api_key, duration
        )
        stop = asyncio.Event()
        rest = await at_rest(servers[0]) if plan.scenario == "soak" else None
        ctx.started = time.monotonic()
        writers = asyncio.create_task(
            run_writers(
                [s.base for s in servers],
                template.api_key,
                work,
                outcome.ledger,
                writers=args.writers,
                stop=stop,
            )
        )
        try:
            await ACTIONS[plan.scenario](ctx)
        finally:
            stop.set()
            await writers
        if rest is not None:
            await asyncio.sleep(3)
            soak_growth(outcome, rest, await at_rest(servers[0]))
        outcome.seconds = time.monotonic() - ctx.started
        await wait_relayed(url, base)
        api = await api_agrees(servers[0], template.api_key, url, work.deals)
    finally:
        for server in servers:
            server.stop()
    state = await load_state(url, base)
    outcome.results[:0] = [*check(state, outcome.ledger.writes, base, set(work.deals)), api]
    found = tracebacks(servers)
    outcome.counts["tracebacks in server logs"] = found
    if plan.scenario == "malformed":
        outcome.results.append(Result("no traceback in the server log", found, f"{found}"))
    outcome.notes.append(
        f"{len(work.deals)} deals and {len(work.accounts)} accounts shared by "
        f"{args.writers} writers; logs: " + ", ".join(str(s.log_path) for s in servers)
    )
    return outcome


# --- report ---------------------------------------------------------------------------------


def report(outcome: Outcome) -> None:
    tally = outcome.ledger.tally
    title = f"{outcome.scenario} — {outcome.database}, {outcome.layout}, {outcome.seconds:.0f} s"
    counts = Table(title=title, title_justify="left", show_header=False)
    counts.add_column("what", no_wrap=True)
    counts.add_column("count", overflow="fold")

    def joined(counter: Counter[Any] | dict[Any, Any]) -> str:
        return ", ".join(f"{k}: {v}" for k, v in sorted(counter.items(), key=str)) or "—"

    counts.add_row("requests sent", str(tally.sent))
    counts.add_row("outcomes", joined(tally.outcomes))
    counts.add_row("acknowledged writes", joined(tally.acked))
    counts.add_row("HTTP status", joined(tally.http_status))
    counts.add_row("GraphQL error codes", joined(tally.graphql_codes))
    if tally.messages:
        counts.add_row(
            "first message of each",
            "\n".join(f"{code}: {message}" for code, message in sorted(tally.messages.items())),
        )
    counts.add_row("plain-text responses", str(tally.plain_text))
    counts.add_row("dropped connections", str(tally.dropped))
    counts.add_row("timeouts (30 s)", str(tally.timeouts))
    counts.add_row("connections refused", str(tally.refused))
    for name, value in outcome.counts.items():
        if isinstance(value, dict) and value and isinstance(next(iter(value.values())), dict):
            value = "; ".join(f"{k}: {joined(v)}" for k, v in value.items())
        elif isinstance(value, dict):
            value = joined(value)
        counts.add_row(name, str(value))
    console.print(counts)
    checks = Table(show_header=True, title_justify="left")
    checks.add_column("invariant", no_wrap=True)
    checks.add_column("result", no_wrap=True)
    checks.add_column("violations", justify="right")
    checks.add_column("detail", overflow="fold")
    for result in outcome.results:
        verdict = "[green]PASS[/]" if result.passed else "[red]FAIL[/]"
        detail = result.detail
        if result.examples:
            detail += "\n" + "\n".join(f"e.g. {e}" for e in result.examples[:3])
        checks.add_row(result.name, verdict, str(result.violations), detail)
    console.print(checks)
    for note in outcome.notes:
        console.print(f"  {note}")
    console.print()


def summary(outcomes: list[Outcome]) -> None:
    table = Table(title="Summary", title_justify="left")
    for column in ("scenario", "database", "layout", "sent", "acked", "in doubt", "FAIL"):
        table.add_column(column, justify="left" if column in ("scenario", "FAIL") else "right")
    for o in outcomes:
        t = o.ledger.tally
        failed = ", ".join(f"{r.name} ({r.violations})" for r in o.failed) or "[green]none[/]"
        table.add_row(
            o.scenario, o.database, o.layout, str(t.sent), str(t.outcomes[ACK]),
            str(t.outcomes["in doubt"]), failed,
        )  # fmt: skip
    console.print(table)


def save(outcomes: list[Outcome], path: Path) -> None:
    def plain(o: Outcome) -> dict[str, Any]:
        return {
            "scenario": o.scenario,
            "database": o.database,
            "layout": o.layout,
            "seconds": o.seconds,
            "tally": {
                key: dict(value) if isinstance(value, Counter) else value
                for key, value in vars(o.ledger.tally).items()
            },
            "results": [asdict(r) | {"passed": r.passed} for r in o.results],
            "counts": o.counts,
            "notes": o.notes,
        }

    path.write_text(json.dumps([plain(o) for o in outcomes], indent=2, default=str))


# --- command line ---------------------------------------------------------------------------


def plans(args: argparse.Namespace, database: str) -> list[Plan]:
    found = []
    for scenario in args.scenarios:
        if scenario in POSTGRES_ONLY and database != "postgres":
            continue
        counts = args.processes if scenario == "load" else args.processes[:1]
        for n in counts:
            if n == 1:
                found.append(Plan(scenario, 1, "1 process"))
                continue
            if args.layout in ("both", "servers"):
                found.append(Plan(scenario, n, f"{n} servers"))
            if args.layout in ("both", "workers"):
                found.append(Plan(scenario, n, f"serve --workers {n}"))
    return found


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.reliability",
        description="Load and faults against real servers; checks the invariants after.",
    )
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--processes", default="1,2", help="server processes for the load scenario: 1, 2 or 1,2"
    )
    parser.add_argument(
        "--layout",
        choices=("servers", "workers", "both"),
        default="both",
        help="two processes as two `accountgraph serve` on one database, as one "
        "`serve --workers 2`, or both (default)",
    )
    parser.add_argument("--writers", type=int, default=None, help="concurrent writers (32)")
    parser.add_argument("--seconds", type=float, default=None, help="per scenario (20)")
    parser.add_argument("--deals", type=int, default=None, help="deals the writers share (40)")
    parser.add_argument("--soak-factor", type=float, default=None, help="soak = seconds x (3)")
    parser.add_argument(
        "--outage", type=float, default=None, help="seconds the database is stopped/frozen (10)"
    )
    parser.add_argument(
        "--scenarios", default=None, help=f"comma-separated, of {','.join(SCENARIOS)} (all)"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: a few seconds each")
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE",
        help="an environment variable for every server the suite starts; repeat for several",
    )  # fmt: skip
    parser.add_argument("--logs", type=Path, default=None, help="where server logs go (a temp dir)")
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "writers": 8 if quick else 32,
        "seconds": 4 if quick else 20,
        "deals": 12 if quick else 40,
        "soak_factor": 1 if quick else 3,
        "outage": 2 if quick else 10,
        "scenarios": ",".join(SCENARIOS),
    }
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    args.processes = [int(p) for p in str(args.processes).split(",")]
    if not set(args.processes) <= {1, 2}:
        parser.error("--processes is 1, 2 or 1,2")
    for item in args.env:
        name, sep, _ = item.partition("=")
        if not sep or not name:
            parser.error(f"--env wants NAME=VALUE, not {item!r}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    os.environ.update(SERVER_ENV)
    os.environ.update(dict(item.split("=", 1) for item in args.env))
    log_dir = args.logs or Path(tempfile.mkdtemp(prefix="ag-reliability-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ag-reliability-db-"))
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]

    def on_sigterm(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    outcomes: list[Outcome] = []
    templates: list[Template] = []
    began = time.monotonic()
    try:
        for database in databases:
            console.log(f"{database}: migrating and seeding the demo data set")
            template = Template.build(database, work / database)
            templates.append(template)
            for plan in plans(args, database):
                console.log(f"{database}: {plan.scenario}, {plan.layout}")
                url = template.copy()
                outcome = asyncio.run(run_scenario(plan, template, url, args, log_dir))
                outcomes.append(outcome)
                report(outcome)
    except KeyboardInterrupt:
        console.print("[red]interrupted: servers and database stopped[/]")
        return 130
    finally:
        for server in STARTED:
            with contextlib.suppress(Exception):
                server.kill()
        for template in templates:
            template.destroy()
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    summary(outcomes)
    save(outcomes, log_dir / "results.json")
    failed = sum(len(o.failed) for o in outcomes)
    console.print(
        f"{len(outcomes)} scenarios in {time.monotonic() - began:.0f} s; "
        f"{failed} invariant failures; figures in {log_dir / 'results.json'}"
    )
    return 1 if failed else 0
