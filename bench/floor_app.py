"""The floor: hand-written SQL behind a minimal Starlette app, for Q1 and Q2 of WORKLOAD.md.

Run by bench/run.py as ``uvicorn floor_app:app --app-dir bench`` with the same uvicorn options
as the API, and the database URL in ``BENCH_FLOOR_DATABASE_URL``.

Each endpoint takes the same POST body the API gets (``{"query", "variables"}``), parses it,
runs its SQL and answers with exactly the bytes of the API's response (``{"data": ...}``,
compact JSON, same key order). What a request costs here: uvicorn's HTTP parsing, Starlette
routing, reading and parsing the JSON body, decoding the global id (Q2), the SQL, building the
response from the rows in Python (global ids are base64, as the API makes them) and orjson
encoding. What it does not do: GraphQL parsing, validation and execution, the schema's
extensions, ORM model instances, DataLoaders, content negotiation.

SQLite: one ``sqlite3`` connection, queried synchronously on the event loop (faster than a
thread hop per query through aiosqlite; SQLite work is CPU-bound in this process either way).
PostgreSQL: an asyncpg pool of 5 connections, the size Tortoise gives the API by default.
Nothing is cached between requests.
"""

from __future__ import annotations

import base64
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

URL = os.environ.get("BENCH_FLOOR_DATABASE_URL", "")
POOL_SIZE = 5

b64 = base64.b64encode

# --- SQL ------------------------------------------------------------------------------------
# Same rows as the API: accounts(first: 50, orderBy NAME ASC) -> ORDER BY name, id (the API
# always appends the primary key) among non-archived rows; opportunities(first: 10) -> the
# default order created_at DESC, id DESC; activities(first: 3) -> occurred_at DESC, id DESC;
# both among non-archived rows.

SQLITE_ACCOUNTS = """
SELECT a.id, a.name, a.tier, u.id, u.name, u.email, c.id, c.name, c.industry
FROM (SELECT id, name, tier, owner_id, client_id FROM account
      WHERE archived_at IS NULL ORDER BY name, id LIMIT 50) AS a
JOIN app_user AS u ON u.id = a.owner_id
JOIN client AS c ON c.id = a.client_id
ORDER BY a.name, a.id
"""
SQLITE_OPPORTUNITIES = """
SELECT o.account_id, o.id, o.name, s.name, o.amount, o.expected_close_date
FROM json_each(?) AS parent
JOIN opportunity AS o ON o.id IN (
    SELECT id FROM opportunity
    WHERE account_id = parent.value AND archived_at IS NULL
    ORDER BY created_at DESC, id DESC LIMIT 10)
JOIN stage AS s ON s.id = o.stage_id
ORDER BY o.account_id, o.created_at DESC, o.id DESC
"""
SQLITE_ACTIVITIES = """
SELECT x.opportunity_id, x.id, x.kind, x.subject, x.occurred_at
FROM json_each(?) AS parent
JOIN activity AS x ON x.id IN (
    SELECT id FROM activity
    WHERE opportunity_id = parent.value AND archived_at IS NULL
    ORDER BY occurred_at DESC, id DESC LIMIT 3)
ORDER BY x.opportunity_id, x.occurred_at DESC, x.id DESC
"""
SQLITE_DEAL = """
SELECT o.name, s.name, o.amount, a.name, u.name
FROM opportunity AS o
JOIN stage AS s ON s.id = o.stage_id
JOIN account AS a ON a.id = o.account_id
JOIN app_user AS u ON u.id = a.owner_id
WHERE o.id = ?
"""

PG_ACCOUNTS = """
SELECT a.id, a.name, a.tier, u.id, u.name, u.email, c.id, c.name, c.industry
FROM (SELECT id, name, tier, owner_id, client_id FROM account
      WHERE archived_at IS NULL ORDER BY name, id LIMIT 50) AS a
JOIN app_user AS u ON u.id = a.owner_id
JOIN client AS c ON c.id = a.client_id
ORDER BY a.name, a.id
"""
PG_OPPORTUNITIES = """
SELECT o.account_id, o.id, o.name, s.name, o.amount::text, o.expected_close_date::text
FROM unnest($1::int[]) AS parent(id)
CROSS JOIN LATERAL (
    SELECT id, account_id, name, stage_id, amount, expected_close_date, created_at
    FROM opportunity
    WHERE account_id = parent.id AND archived_at IS NULL
    ORDER BY created_at DESC, id DESC LIMIT 10) AS o
JOIN stage AS s ON s.id = o.stage_id
ORDER BY o.account_id, o.created_at DESC, o.id DESC
"""
PG_ACTIVITIES = """
SELECT x.opportunity_id, x.id, x.kind, x.subject, x.occurred_at::text
FROM unnest($1::int[]) AS parent(id)
CROSS JOIN LATERAL (
    SELECT id, opportunity_id, kind, subject, occurred_at FROM activity
    WHERE opportunity_id = parent.id AND archived_at IS NULL
    ORDER BY occurred_at DESC, id DESC LIMIT 3) AS x
ORDER BY x.opportunity_id, x.occurred_at DESC, x.id DESC
"""
PG_DEAL = """
SELECT o.name, s.name, o.amount::text, a.name, u.name
FROM opportunity AS o
JOIN stage AS s ON s.id = o.stage_id
JOIN account AS a ON a.id = o.account_id
JOIN app_user AS u ON u.id = a.owner_id
WHERE o.id = $1
"""


# --- building the response ------------------------------------------------------------------


def iso_from_sqlite(text: str) -> str:
    """SQLite holds the ORM's ``isoformat(" ")``; the API prints ``isoformat()``."""
    return text[:10] + "T" + text[11:]


def iso_from_postgres(text: str) -> str:
    """``timestamptz::text`` in a UTC session ('2025-08-09 13:52:33[.5]+00') as
    ``datetime.isoformat()`` prints it ('2025-08-09T13:52:33[.500000]+00:00').

    Decoding timestamptz into datetime objects and calling isoformat() costs ~5 ms more
    per Q1 (1,500 values) in asyncpg.
    """
    clock = text[11:-3]
    if "." in clock:
        whole, fraction = clock.split(".")
        clock = f"{whole}.{fraction:0<6}"
    return f"{text[:10]}T{clock}+00:00"


def gid(prefix: bytes, pk: int) -> str:
    return b64(b"%s:%d" % (prefix, pk)).decode()


def portfolio(accounts: list, opportunities: list, activities: list, sqlite: bool) -> bytes:
    by_opportunity: dict[int, list] = {}
    for opportunity_id, pk, kind, subject, occurred_at in activities:
        when = iso_from_sqlite(occurred_at) if sqlite else iso_from_postgres(occurred_at)
        by_opportunity.setdefault(opportunity_id, []).append(
            {
                "node": {
                    "id": gid(b"Activity", pk),
                    "kind": kind,
                    "subject": subject,
                    "occurredAt": when,
                }
            }
        )
    by_account: dict[int, list] = {}
    for account_id, pk, name, stage, amount, close_date in opportunities:
        by_account.setdefault(account_id, []).append(
            {
                "node": {
                    "id": gid(b"Opportunity", pk),
                    "name": name,
                    "stage": {"name": stage},
                    "amount": amount,
                    "expectedCloseDate": close_date,
                    "activities": {"edges": by_opportunity.get(pk, [])},
                }
            }
        )
    edges = [
        {
            "node": {
                "id": gid(b"Account", pk),
                "name": name,
                "tier": tier,
                "owner": {"id": gid(b"User", user_id), "name": user_name, "email": email},
                "client": {
                    "id": gid(b"Client", client_id),
                    "name": client_name,
                    "industry": industry,
                },
                "opportunities": {"edges": by_account.get(pk, [])},
            }
        }
        for pk, name, tier, user_id, user_name, email, client_id, client_name, industry in accounts
    ]
    return orjson.dumps({"data": {"accounts": {"edges": edges}}})


def deal(row: Any) -> bytes:
    if row is None:
        return orjson.dumps({"data": None, "errors": [{"message": "No opportunity with that id"}]})
    name, stage, amount, account, owner = row
    return orjson.dumps(
        {
            "data": {
                "opportunity": {
                    "name": name,
                    "stage": {"name": stage},
                    "amount": amount,
                    "account": {"name": account, "owner": {"name": owner}},
                }
            }
        }
    )


def opportunity_pk(body: bytes) -> int:
    """The primary key in the request's ``variables.id`` (a global id 'Opportunity:<pk>')."""
    global_id = orjson.loads(body)["variables"]["id"]
    type_name, _, pk = base64.b64decode(global_id, validate=True).decode().partition(":")
    if type_name != "Opportunity" or not pk.isdigit():
        raise ValueError(global_id)
    return int(pk)


def json_response(content: bytes) -> Response:
    return Response(content, media_type="application/json")


# --- SQLite ---------------------------------------------------------------------------------


def sqlite_app(path: str) -> Starlette:
    state: dict[str, sqlite3.Connection] = {}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Same connection settings as Tortoise's SQLite client.
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA journal_size_limit = 16384")
        conn.execute("PRAGMA foreign_keys = ON")
        state["conn"] = conn
        try:
            yield
        finally:
            conn.close()

    async def q1(request: Request) -> Response:
        orjson.loads(await request.body())
        conn = state["conn"]
        accounts = conn.execute(SQLITE_ACCOUNTS).fetchall()
        opportunities = conn.execute(
            SQLITE_OPPORTUNITIES, (orjson.dumps([row[0] for row in accounts]),)
        ).fetchall()
        activities = conn.execute(
            SQLITE_ACTIVITIES, (orjson.dumps([row[1] for row in opportunities]),)
        ).fetchall()
        return json_response(portfolio(accounts, opportunities, activities, sqlite=True))

    async def q2(request: Request) -> Response:
        pk = opportunity_pk(await request.body())
        return json_response(deal(state["conn"].execute(SQLITE_DEAL, (pk,)).fetchone()))

    async def readyz(request: Request) -> Response:
        state["conn"].execute("SELECT 1").fetchone()
        return JSONResponse({"status": "ok", "driver": "sqlite3"})

    return Starlette(
        routes=[
            Route("/q1", q1, methods=["POST"]),
            Route("/q2", q2, methods=["POST"]),
            Route("/readyz", readyz),
        ],
        lifespan=lifespan,
    )


# --- PostgreSQL -----------------------------------------------------------------------------


def postgres_app(dsn: str) -> Starlette:
    import asyncpg

    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state["pool"] = await asyncpg.create_pool(
            dsn,
            min_size=POOL_SIZE,
            max_size=POOL_SIZE,
            server_settings={"TimeZone": "UTC"},  # for iso_from_postgres
        )
        try:
            yield
        finally:
            await state["pool"].close()

    async def q1(request: Request) -> Response:
        orjson.loads(await request.body())
        async with state["pool"].acquire() as conn:
            accounts = await conn.fetch(PG_ACCOUNTS)
            opportunities = await conn.fetch(PG_OPPORTUNITIES, [row[0] for row in accounts])
            activities = await conn.fetch(PG_ACTIVITIES, [row[1] for row in opportunities])
        return json_response(portfolio(accounts, opportunities, activities, sqlite=False))

    async def q2(request: Request) -> Response:
        pk = opportunity_pk(await request.body())
        return json_response(deal(await state["pool"].fetchrow(PG_DEAL, pk)))

    async def readyz(request: Request) -> Response:
        await state["pool"].fetchval("SELECT 1")
        return JSONResponse({"status": "ok", "driver": "asyncpg"})

    return Starlette(
        routes=[
            Route("/q1", q1, methods=["POST"]),
            Route("/q2", q2, methods=["POST"]),
            Route("/readyz", readyz),
        ],
        lifespan=lifespan,
    )


def create_app(url: str) -> Starlette:
    if url.startswith("sqlite://"):
        return sqlite_app(url.removeprefix("sqlite://"))
    parts = urlsplit(url)
    if parts.scheme in ("postgres", "postgresql", "asyncpg"):
        return postgres_app(urlunsplit(("postgresql", *parts[1:])))
    raise SystemExit(f"BENCH_FLOOR_DATABASE_URL: unsupported database URL {url!r}")


app = create_app(URL) if URL else None
