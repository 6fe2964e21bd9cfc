"""Database configuration and the ORM's life cycle."""

import sqlite3
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url

from settings import get_settings


class DatabaseBusy(RuntimeError):
    """The database stayed locked by other writers for longer than the busy timeout.

    Nothing was changed; the same request can simply be sent again.
    """


_BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy")
# PostgreSQL: deadlock_detected, lock_not_available, serialization_failure.
_BUSY_SQLSTATES = frozenset({"40P01", "55P03", "40001"})


def is_database_busy(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) means "locked by other writers: try again"."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DatabaseBusy):
            return True
        if getattr(current, "sqlstate", None) in _BUSY_SQLSTATES:
            return True
        if isinstance(current, sqlite3.OperationalError) and str(current) in _BUSY_MESSAGES:
            return True
        arguments = [a for a in getattr(current, "args", ()) if isinstance(a, BaseException)]
        current = current.__cause__ or current.__context__ or (arguments[0] if arguments else None)
    return False


def connection_config(url: str) -> str | dict[str, Any]:
    """The connection for ``url``: SQLite through ``sqlite_backend`` (write transactions
    that wait for the lock, up to the busy timeout); others as Tortoise reads their URL."""
    if not url.startswith("sqlite:"):
        return url
    config = expand_db_url(url)
    config["engine"] = "sqlite_backend"
    timeout_ms = round(get_settings().sqlite_busy_timeout_seconds * 1000)
    config["credentials"].setdefault("busy_timeout", timeout_ms)
    return config


def tortoise_config(database_url: str | None = None) -> dict[str, Any]:
    """The Tortoise configuration for one database; migrations live in ``migrations/models``."""
    url = database_url or get_settings().database_url
    return {
        "connections": {"default": connection_config(url)},
        "apps": {
            "models": {
                "models": ["models"],
                "default_connection": "default",
                "migrations": "migrations.models",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def init_db(database_url: str | None = None) -> None:
    # The global fallback lets every task (each request, the lifespan, background work)
    # reach the connections opened here, not only the task that opened them.
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


class DatabaseNotMigrated(RuntimeError):
    """The database lacks migrations this version of the code needs."""


async def pending_migrations() -> list[str]:
    """The migrations not yet applied to the open database, in the order they would run."""
    from tortoise.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(Tortoise.get_connection("default"), tortoise_config()["apps"])
    steps = await executor.plan()
    return [f"{step.migration.name}" for step in steps if not step.backward]


async def ensure_migrated() -> None:
    """Refuse to serve a database the code does not match, saying what to do about it."""
    pending = await pending_migrations()
    if pending:
        raise DatabaseNotMigrated(
            f"the database needs {len(pending)} migration(s) ({', '.join(pending)}): "
            "run 'accountgraph migrate' first"
        )


async def close_db() -> None:
    await Tortoise.close_connections()


async def migrate_db(database_url: str | None = None) -> None:
    """Apply every pending migration."""
    from tortoise.migrations.api import migrate

    try:
        await migrate(config=tortoise_config(database_url))
    finally:
        await Tortoise.close_connections()


# The tortoise command line (python -m tortoise) reads this.
TORTOISE_ORM = tortoise_config()
