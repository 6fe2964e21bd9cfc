"""Import 100,000 leads through `accountgraph import-leads`'s code path; print rows/s and memory.

    .venv/bin/python bench/import_leads.py                      # SQLite (a scratch file)
    .venv/bin/python bench/import_leads.py --db postgres        # a scratch PostgreSQL database
    .venv/bin/python bench/import_leads.py --rows 20000 --batch-size 1000

The generated file has about 1% rows repeating an earlier row's email (with another score)
and about 1% bad rows (an invalid email, a missing company, a score out of range). It is
imported twice into a fresh, migrated database: first into an empty lead table (creates),
then again (every row matches the lead the first pass stored: updates and unchanged rows).
Each pass runs ``cli.lead_import.run_import``, the command's own function, with its output
sent nowhere. Memory: the process's peak resident size (ru_maxrss) before and after, and,
with --tracemalloc, the peak of Python allocations during the import (slower).
"""

import argparse
import asyncio
import io
import os
import platform
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
from rich.console import Console

from cli.lead_import import run_import
from db import close_db, init_db, migrate_db
from models import AuditLogEntry, Lead, OutboxEvent, User

POSTGRES_ADMIN = os.environ.get(
    "ACCOUNTGRAPH_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
SOURCES = ["Website", "Referral", "Event", "Outbound", "Partner", "Inbound call", "Other"]


def generate(path: Path, rows: int, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    counts = {"rows": rows, "duplicates": 0, "bad": 0}
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(
            "First name,Last name,Company,E-mail,Phone,Lead source,Score,Next follow-up,Notes\n"
        )
        for n in range(rows):
            email = f"person{n}@company{n % 5000}.example"
            company = f"Company {n % 5000}"
            score = str(rng.randint(0, 100))
            roll = rng.random()
            if roll < 0.01 and n > 0:
                earlier = rng.randrange(n)
                email = f"person{earlier}@company{earlier % 5000}.example"
                counts["duplicates"] += 1
            elif roll < 0.013:
                email = f"person{n}-at-company.example"
                counts["bad"] += 1
            elif roll < 0.016:
                company = ""
                counts["bad"] += 1
            elif roll < 0.02:
                score = "150"
                counts["bad"] += 1
            follow_up = f"2027-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}"
            out.write(
                f"First{n},Last{n},{company},{email},+1 555 {n:07},{rng.choice(SOURCES)},"
                f'{score},{follow_up},"note, with a comma"\n'
            )
    return counts


async def scratch_database(kind: str, workdir: Path) -> tuple[str, str | None]:
    if kind == "sqlite":
        return f"sqlite://{workdir / 'import_bench.db'}", None
    name = f"accountgraph_import_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(POSTGRES_ADMIN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return POSTGRES_ADMIN.replace("postgresql://", "postgres://", 1).rsplit("/", 1)[
        0
    ] + f"/{name}", name


async def drop_database(name: str) -> None:
    conn = await asyncpg.connect(POSTGRES_ADMIN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def one_pass(
    path: Path, owner: str, batch_size: int, trace: bool
) -> tuple[float, int, float | None]:
    output = io.StringIO()
    console = Console(file=output, width=200)
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    status = await run_import(
        console,
        path,
        owner_email=owner,
        batch_size=batch_size,
        encoding="utf-8",
        mapping=[],
        dry_run=False,
        rejects=None,
    )
    elapsed = time.perf_counter() - started
    peak = None
    if trace:
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    report = output.getvalue()
    print("\n".join(line for line in report.splitlines() if "│" in line))
    return elapsed, status, peak


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = workdir / "leads.csv"
        counts = generate(path, args.rows)
        print(
            f"{platform.python_implementation()} {platform.python_version()}, "
            f"{os.cpu_count()} CPUs; "
            f"{args.db}; {counts['rows']} rows ({path.stat().st_size / 1e6:.1f} MB), "
            f"{counts['duplicates']} repeating an earlier email, {counts['bad']} bad; "
            f"batch size {args.batch_size}"
        )
        url, scratch = await scratch_database(args.db, workdir)
        try:
            await migrate_db(url)
            await init_db(url)
            owner = await User.create(email="owner@bench.example", name="Owner")
            baseline = peak_rss_mb()
            print(f"peak RSS before importing: {baseline:.0f} MB")
            for label in ("first import (empty table)", "second import (same file)"):
                elapsed, status, traced = await one_pass(
                    path, owner.email, args.batch_size, args.tracemalloc
                )
                line = (
                    f"{label}: {elapsed:.1f} s, {args.rows / elapsed:,.0f} rows/s, exit {status}, "
                    f"peak RSS {peak_rss_mb():.0f} MB"
                )
                if traced is not None:
                    line += f", peak Python allocations {traced:.1f} MB"
                print(line)
            print(
                f"stored: {await Lead.all().count()} leads, {await AuditLogEntry.all().count()} "
                f"audit entries, {await OutboxEvent.all().count()} events"
            )
            await close_db()
        finally:
            if scratch:
                await drop_database(scratch)


if __name__ == "__main__":
    asyncio.run(main())
