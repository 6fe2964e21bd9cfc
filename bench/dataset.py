"""Build the ``bench`` data set of WORKLOAD.md (deterministic, seed 42) into a database.

    .venv/bin/python bench/dataset.py                      # SQLite file bench/bench.db
    .venv/bin/python bench/dataset.py postgres://postgres@127.0.0.1:5432/accountgraph_bench
    .venv/bin/python bench/dataset.py --force              # rebuild even if present

The schema comes from the application's migrations (``migrate_db``) and the pipelines from
``ensure_default_pipelines``; the rows are then inserted with ``executemany`` through the
Tortoise connection, in batches, with explicit ids and fixed timestamps so that two builds
hold the same bytes. Nothing is rebuilt when the database already holds the data set: every
table's row count is checked, and the migrations recorded as applied must be exactly the
application's (``migrations/models``); a database built by older migrations is rebuilt.
Users get no password (``app_user.password_hash`` stays NULL) and no credential is created.

Contents (WORKLOAD.md): 20 account managers owning 100 accounts each; 1,000 clients with
2 accounts each; 10 opportunities per account in the "New business" pipeline, spread over
Prospecting, Qualification, Proposal, Negotiation, Closed won and Closed lost, amounts
1,000.00..500,000.00; 5 activities per opportunity (CALL/EMAIL/MEETING/NOTE/TASK) spread over
the two years before 2026-01-01. Each opportunity also gets the stage-history row the
application writes when a deal is created, and each activity the account and client links
the application rolls up from its deal.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.progress import (  # noqa: E402
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

DEFAULT_URL = f"sqlite://{BENCH_DIR / 'bench.db'}"
SEED = 42
BATCH = 5_000

USERS = 20
CLIENTS = 1_000
ACCOUNTS_PER_CLIENT = 2
ACCOUNTS = CLIENTS * ACCOUNTS_PER_CLIENT  # each user owns ACCOUNTS / USERS = 100
OPPORTUNITIES_PER_ACCOUNT = 10
ACTIVITIES_PER_OPPORTUNITY = 5
OPPORTUNITIES = ACCOUNTS * OPPORTUNITIES_PER_ACCOUNT
ACTIVITIES = OPPORTUNITIES * ACTIVITIES_PER_OPPORTUNITY

# Everything is dated relative to this instant, never to "now", so builds are identical.
ANCHOR = datetime(2026, 1, 1, tzinfo=UTC)
TWO_YEARS = 730 * 24 * 3600

# WORKLOAD.md stage -> stage name in the "New business" pipeline.
STAGE_NAMES = {
    "prospecting": "Prospecting",
    "qualification": "Qualification",
    "proposal": "Proposal",
    "negotiation": "Negotiation",
    "closed_won": "Closed won",
    "closed_lost": "Closed lost",
}
PIPELINE = "New business"

FIRST_NAMES = [
    "Ada",
    "Bram",
    "Chloé",
    "Dev",
    "Elif",
    "Finn",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kira",
    "Liam",
    "Maya",
    "Nils",
    "Olga",
    "Priya",
    "Quentin",
    "Rosa",
    "Sami",
    "Tess",
]
LAST_NAMES = [
    "Andersen",
    "Baptiste",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Hansen",
    "Ivanova",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "O'Brien",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
]
COMPANY_HEADS = [
    "Northwind",
    "Bluefin",
    "Cedar",
    "Helix",
    "Ironclad",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orion",
    "Pioneer",
    "Quartz",
    "Redwood",
    "Summit",
    "Tidal",
    "Umbra",
    "Vertex",
    "Willow",
    "Zenith",
    "Atlas",
    "Beacon",
    "Cobalt",
    "Delta",
]
COMPANY_ROOTS = [
    "Analytics",
    "Foods",
    "Logistics",
    "Robotics",
    "Health",
    "Energy",
    "Capital",
    "Textiles",
    "Media",
    "Software",
    "Motors",
    "Pharma",
    "Retail",
    "Systems",
    "Labs",
    "Works",
]
COMPANY_TAILS = ["Ltd", "GmbH", "SA", "Inc", "BV", "AB", "Group", "plc", "SAS", "AG"]
ACCOUNT_UNITS = [
    "Europe",
    "North America",
    "APAC",
    "LATAM",
    "Retail",
    "Digital",
    "Manufacturing",
    "Services",
    "Group",
    "Labs",
    "Operations",
    "Finance",
]
INDUSTRIES = [
    "Software",
    "Manufacturing",
    "Healthcare",
    "Retail",
    "Finance",
    "Logistics",
    "Energy",
    "Media",
    "Education",
    "Hospitality",
    "Telecommunications",
    "Agriculture",
]
COUNTRIES = ["GB", "DE", "FR", "NL", "SE", "ES", "IT", "US", "CA", "JP", "AU", "BR"]
SIZE_BANDS = ["MICRO", "SMALL", "MEDIUM", "LARGE", "ENTERPRISE"]
TIERS = [("STRATEGIC", 1), ("KEY", 3), ("STANDARD", 6)]
PRODUCTS = [
    "Platform",
    "Analytics suite",
    "Support plan",
    "Data pipeline",
    "Security add-on",
    "Training",
    "Integration",
    "Mobile app",
    "Reporting",
    "Consulting",
]
DEAL_KINDS = ["licence", "rollout", "renewal", "expansion", "pilot", "upgrade"]
KINDS = ["CALL", "EMAIL", "MEETING", "NOTE", "TASK"]
SUBJECTS = {
    "CALL": ["Discovery call", "Follow-up call", "Pricing call", "Check-in call"],
    "EMAIL": ["Sent proposal", "Answered questions", "Shared case study", "Sent contract"],
    "MEETING": ["Demo", "On-site workshop", "Executive briefing", "Kick-off meeting"],
    "NOTE": ["Budget confirmed", "New stakeholder", "Competitor mentioned", "Timeline moved"],
    "TASK": ["Prepare quote", "Send reference list", "Book demo", "Draft statement of work"],
}

# Tables the data set fills, with their columns, in insertion order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "app_user": (
        "id",
        "created_at",
        "updated_at",
        "email",
        "name",
        "role",
        "is_active",
        "manager_id",
        "team_id",
    ),
    "client": (
        "id",
        "created_at",
        "updated_at",
        "archived_at",
        "name",
        "domain",
        "industry",
        "size_band",
        "country",
        "status",
        "tags",
    ),
    "account": (
        "id",
        "created_at",
        "updated_at",
        "archived_at",
        "name",
        "tier",
        "status",
        "annual_recurring_value",
        "currency",
        "renewal_date",
        "client_id",
        "owner_id",
    ),
    "opportunity": (
        "id",
        "created_at",
        "updated_at",
        "archived_at",
        "name",
        "amount",
        "currency",
        "probability",
        "expected_close_date",
        "type",
        "next_step",
        "lost_reason",
        "closed_at",
        "stage_entered_at",
        "account_id",
        "owner_id",
        "pipeline_id",
        "stage_id",
        "forecast_commit",
    ),
    "opportunity_stage_change": (
        "id",
        "created_at",
        "updated_at",
        "changed_at",
        "amount",
        "currency",
        "seconds_in_previous_stage",
        "event_id",
        "changed_by_id",
        "from_stage_id",
        "opportunity_id",
        "to_stage_id",
    ),
    "activity": (
        "id",
        "created_at",
        "updated_at",
        "archived_at",
        "kind",
        "subject",
        "body",
        "occurred_at",
        "due_at",
        "completed_at",
        "outcome",
        "account_id",
        "client_id",
        "contact_id",
        "lead_id",
        "opportunity_id",
        "owner_id",
    ),
}

# Row counts that mean "the data set is there, untouched" (no credentials either: run.py
# creates its administrator and API key on its scratch copy only).
EXPECTED = {
    "app_user": USERS,
    "client": CLIENTS,
    "account": ACCOUNTS,
    "opportunity": OPPORTUNITIES,
    "opportunity_stage_change": OPPORTUNITIES,
    "activity": ACTIVITIES,
    "outbox_event": 0,
    "audit_log_entry": 0,
    "api_key": 0,
    "refresh_token": 0,
    "login_attempt": 0,
}
MIGRATIONS_DIR = ROOT / "migrations" / "models"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite://"))


def money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)  # two decimal places, e.g. Decimal('1234.50')


def at(seconds_before_anchor: int) -> datetime:
    return ANCHOR - timedelta(seconds=seconds_before_anchor)


def generate(stages: dict[str, dict[str, Any]], pipeline_id: int) -> dict[str, list[tuple]]:
    """Every row of the data set, as tuples of Python values in COLUMNS order."""
    rng = random.Random(SEED)
    rows: dict[str, list[tuple]] = {table: [] for table in COLUMNS}

    # Users: the account managers.
    for n in range(1, USERS + 1):
        first, last = FIRST_NAMES[n - 1], rng.choice(LAST_NAMES)
        created = at(TWO_YEARS + rng.randrange(86400 * 365))
        email = f"{first.lower()}.{n:02d}@bench.example".replace("é", "e")
        rows["app_user"].append(
            (n, created, created, email, f"{first} {last}", "ACCOUNT_MANAGER", True, None, None)
        )

    # Clients.
    client_names: list[str] = []
    for n in range(1, CLIENTS + 1):
        name = (
            f"{rng.choice(COMPANY_HEADS)} {rng.choice(COMPANY_ROOTS)} {rng.choice(COMPANY_TAILS)}"
        )
        client_names.append(name)
        created = at(TWO_YEARS + rng.randrange(86400 * 365))
        rows["client"].append(
            (
                n,
                created,
                created,
                None,
                name,
                f"client{n:04d}.bench.example",
                rng.choice(INDUSTRIES),
                rng.choice(SIZE_BANDS),
                rng.choice(COUNTRIES),
                "ACTIVE",
                "[]",
            )
        )

    # Accounts: two per client, 100 per owner (owners shuffled, not round-robin).
    owners = [user for user in range(1, USERS + 1) for _ in range(ACCOUNTS // USERS)]
    rng.shuffle(owners)
    tier_names = [name for name, _ in TIERS]
    tier_weights = [weight for _, weight in TIERS]
    account_owner: dict[int, int] = {}
    account_client: dict[int, int] = {}
    account_id = 0
    for client_id, client_name in enumerate(client_names, start=1):
        for unit in rng.sample(ACCOUNT_UNITS, ACCOUNTS_PER_CLIENT):
            account_id += 1
            owner = owners[account_id - 1]
            account_owner[account_id] = owner
            account_client[account_id] = client_id
            created = at(TWO_YEARS + rng.randrange(86400 * 180))
            rows["account"].append(
                (
                    account_id,
                    created,
                    created,
                    None,
                    f"{client_name} {unit}",
                    rng.choices(tier_names, tier_weights)[0],
                    "ACTIVE",
                    money(rng.randrange(1_000_000, 100_000_000)),
                    "USD",
                    (ANCHOR + timedelta(days=rng.randrange(1, 366))).date(),
                    client_id,
                    owner,
                )
            )

    # Opportunities, their first stage-history row, and their activities.
    stage_keys = list(STAGE_NAMES)
    opportunity_id = 0
    activity_id = 0
    for account_id in range(1, ACCOUNTS + 1):
        owner = account_owner[account_id]
        client_id = account_client[account_id]
        for _ in range(OPPORTUNITIES_PER_ACCOUNT):
            opportunity_id += 1
            stage = stages[STAGE_NAMES[rng.choice(stage_keys)]]
            amount = money(rng.randrange(100_000, 50_000_001))  # 1,000.00 .. 500,000.00
            created_s = rng.randrange(86400, TWO_YEARS)
            created = at(created_s)
            entered = at(rng.randrange(0, created_s))  # between creation and the anchor
            closed = stage["category"] != "OPEN"
            if closed:
                close_date: date = entered.date()
            else:
                close_date = (ANCHOR + timedelta(days=rng.randrange(1, 366))).date()
            name = f"{rng.choice(PRODUCTS)} {rng.choice(DEAL_KINDS)} #{opportunity_id}"
            lost_reason = "Chose a competitor" if stage["category"] == "LOST" else None
            rows["opportunity"].append(
                (
                    opportunity_id,
                    created,
                    entered,
                    None,
                    name,
                    amount,
                    "USD",
                    stage["probability"],
                    close_date,
                    "NEW_BUSINESS",
                    None,
                    lost_reason,
                    entered if closed else None,
                    entered,
                    account_id,
                    owner,
                    pipeline_id,
                    stage["id"],
                    False,
                )
            )
            event_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            rows["opportunity_stage_change"].append(
                (
                    opportunity_id,
                    entered,
                    entered,
                    entered,
                    amount,
                    "USD",
                    None,
                    event_id,
                    owner,
                    None,
                    opportunity_id,
                    stage["id"],
                )
            )
            for _ in range(ACTIVITIES_PER_OPPORTUNITY):
                activity_id += 1
                kind = rng.choice(KINDS)
                occurred = at(rng.randrange(0, TWO_YEARS))
                due = completed = None
                if kind == "TASK":
                    due = occurred + timedelta(days=rng.randrange(1, 15))
                    completed = due if rng.random() < 0.7 else None
                rows["activity"].append(
                    (
                        activity_id,
                        occurred,
                        occurred,
                        None,
                        kind,
                        rng.choice(SUBJECTS[kind]),
                        None,
                        occurred,
                        due,
                        completed,
                        None,
                        account_id,
                        client_id,
                        None,
                        None,
                        opportunity_id,
                        owner,
                    )
                )
    return rows


def to_sqlite(value: Any) -> Any:
    """What the ORM stores in SQLite for a value (see tortoise.backends.sqlite.executor)."""
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bool):
        return int(value)
    return value


async def row_counts(conn: Any) -> dict[str, int] | None:
    counts = {}
    try:
        for table in EXPECTED:
            _, result = await conn.execute_query(f'SELECT COUNT(*) AS n FROM "{table}"')
            counts[table] = int(dict(result[0])["n"])
    except Exception:
        return None  # no schema yet, or an older one
    return counts


def migrations_on_disk() -> list[str]:
    """The application's migrations (``0001_initial``, ...), in order."""
    return sorted(path.stem for path in MIGRATIONS_DIR.glob("*.py") if path.stem[:4].isdigit())


async def applied_migrations(conn: Any) -> list[str] | None:
    """The migrations recorded as applied in the database, None when it has no record."""
    try:
        _, result = await conn.execute_query(
            "SELECT name FROM tortoise_migrations WHERE app = 'models' ORDER BY name"
        )
    except Exception:
        return None
    return sorted(str(dict(row)["name"]) for row in result)


async def ensure_postgres_database(url: str) -> None:
    """Create the database of a postgres URL if it does not exist."""
    import asyncpg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", "", ""))
    conn = await asyncpg.connect(admin)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def wipe(url: str) -> None:
    """Remove whatever a previous (partial or stale) build left."""
    if is_sqlite(url):
        path = sqlite_path(url)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)  # noqa: ASYNC240
        return
    import asyncpg

    parts = urlsplit(url)
    conn = await asyncpg.connect(urlunsplit(("postgresql", *parts[1:])))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


async def build(url: str, force: bool, console: Console) -> None:
    from tortoise import Tortoise

    from db import close_db, init_db, migrate_db
    from models import Pipeline, Stage
    from services.pipelines import ensure_default_pipelines

    if is_sqlite(url):
        sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
    else:
        await ensure_postgres_database(url)

    wanted = migrations_on_disk()
    if not force and (is_sqlite(url) and not sqlite_path(url).exists()):
        counts, applied = None, None
    else:
        await init_db(url)
        try:
            conn = Tortoise.get_connection("default")
            counts, applied = await row_counts(conn), await applied_migrations(conn)
        finally:
            await close_db()
    if not force and counts == EXPECTED and applied == wanted:
        console.print(
            f"[green]bench data set already present[/] in {url} "
            f"(migrations {', '.join(wanted)}): {counts}"
        )
        return
    if counts is not None or applied is not None:
        if force:
            why = "--force"
        elif applied != wanted:
            # A schema built by other migrations: rebuilt from scratch rather than migrated,
            # so that every build holds the same bytes whatever its history.
            why = f"migrations applied {applied}, the application has {wanted}"
        else:
            why = f"found {counts}"
        console.print(f"rebuilding ({why})")
        await wipe(url)

    started = time.perf_counter()
    await migrate_db(url)
    await close_db()
    await init_db(url)
    try:
        await ensure_default_pipelines()
        pipeline = await Pipeline.get(name=PIPELINE)
        stages = {
            stage.name: {
                "id": stage.pk,
                "probability": stage.probability,
                "category": stage.category.value,
            }
            for stage in await Stage.filter(pipeline_id=pipeline.pk)
        }
        missing = set(STAGE_NAMES.values()) - set(stages)
        if missing:
            raise SystemExit(f"pipeline {PIPELINE!r} lacks stages {sorted(missing)}")
        rows = generate(stages, pipeline.pk)
        conn = Tortoise.get_connection("default")
        sqlite = is_sqlite(url)
        if sqlite:
            # For this build connection only; the file keeps its default journal mode.
            await conn.execute_script("PRAGMA synchronous = OFF;")
        with Progress(
            TextColumn("{task.description:<26}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            tasks = {
                table: progress.add_task(table, total=len(table_rows))
                for table, table_rows in rows.items()
            }
            for table, table_rows in rows.items():
                await insert(
                    conn, table, COLUMNS[table], table_rows, sqlite, progress, tasks[table]
                )
        if not sqlite:
            # Explicit ids leave the serial sequences behind; the app inserts after them.
            for table in COLUMNS:
                await conn.execute_script(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT MAX(id) FROM "{table}"));'
                )
        await conn.execute_script("ANALYZE;")
        counts = await row_counts(conn)
        applied = await applied_migrations(conn)
    finally:
        await close_db()
    if counts != EXPECTED:
        raise SystemExit(f"build ended with unexpected counts {counts}")
    if applied != wanted:
        raise SystemExit(f"build ended with migrations {applied}, not {wanted}")
    console.print(
        f"[green]built bench data set[/] in {url} in {time.perf_counter() - started:.1f} s: "
        f"{counts}"
    )


async def insert(
    conn: Any,
    table: str,
    columns: Sequence[str],
    rows: list[tuple],
    sqlite: bool,
    progress: Progress,
    task: Any,
) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    if sqlite:
        marks = ", ".join("?" for _ in columns)
    else:
        marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
    for batch in chunks(rows, BATCH):
        values = [[to_sqlite(v) for v in row] for row in batch] if sqlite else list(batch)
        await conn.execute_many(sql, values)
        progress.advance(task, len(batch))


def chunks(rows: list[tuple], size: int) -> Iterable[list[tuple]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "url",
        nargs="?",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
        help=f"Tortoise database URL (default: $BENCH_DATABASE_URL or {DEFAULT_URL})",
    )
    parser.add_argument("--force", action="store_true", help="rebuild even if present")
    args = parser.parse_args()
    os.chdir(ROOT)
    asyncio.run(build(args.url, args.force, Console()))


if __name__ == "__main__":
    main()
