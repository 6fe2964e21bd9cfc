"""The database the suite runs on: SQLite by default, PostgreSQL when asked for.

``ACCOUNTGRAPH_TEST_DATABASE=postgres`` runs the suite on a fresh database created on the
server at ``ACCOUNTGRAPH_TEST_POSTGRES_URL`` (default: the local server's ``test`` database,
used only to create and drop ours). Without a reachable server those tests are skipped with
the reason, except in CI (``CI=true``), where that is a failure.
"""

import logging
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
import pytest
from tortoise import Tortoise

BACKEND = os.environ.get("ACCOUNTGRAPH_TEST_DATABASE", "sqlite")
ADMIN_URL = os.environ.get(
    "ACCOUNTGRAPH_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"
)


async def create_postgres_database() -> str:
    """Create an empty database for this run and return its URL."""
    name = f"accountgraph_test_{uuid.uuid4().hex[:12]}"
    try:
        conn = await asyncpg.connect(
            ADMIN_URL.replace("postgres://", "postgresql://", 1), timeout=5
        )
    except (OSError, asyncpg.PostgresError) as exc:
        reason = f"PostgreSQL not reachable at {ADMIN_URL}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


async def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(ADMIN_URL.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def empty_all_tables() -> None:
    """Remove every row the last test wrote, keeping the migrated schema."""
    conn = Tortoise.get_connection("default")
    tables = [model._meta.db_table for model in Tortoise.apps["models"].values()]
    if BACKEND == "postgres":
        await conn.execute_script(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
        )
    else:
        await conn.execute_script(
            "PRAGMA foreign_keys = OFF;"
            + "".join(f'DELETE FROM "{t}";' for t in tables)
            + "DELETE FROM sqlite_sequence;PRAGMA foreign_keys = ON;"
        )


_STATEMENT = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)


class StatementCounter(logging.Handler):
    """Collects every SQL statement Tortoise sends, on any backend."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if _STATEMENT.match(message):
            self.statements.append(message)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_statements() -> Iterator[StatementCounter]:
    logger = logging.getLogger("tortoise.db_client")
    counter = StatementCounter()
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(previous)
