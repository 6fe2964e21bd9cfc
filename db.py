"""Database configuration and the ORM's life cycle."""

from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url

from settings import get_settings


def tortoise_config(database_url: str | None = None) -> dict[str, Any]:
    """The Tortoise configuration for one database; migrations live in ``migrations/models``."""
    url = database_url or get_settings().database_url
    return {
        "connections": {"default": _connection(url)},
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


def _connection(url: str) -> dict[str, Any]:
    """The connection for ``url``, through the engine that folds text for search
    (``services/search.py``) on SQLite and PostgreSQL."""
    connection = expand_db_url(url)
    if connection["engine"] in ("tortoise.backends.sqlite", "tortoise.backends.asyncpg"):
        connection["engine"] = "services.search"
    return connection


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
