"""Database configuration, the ORM's life cycle, and what counts as the database being down."""

import errno
import inspect
import logging
import sqlite3
from typing import Any

import asyncpg
from tortoise import Tortoise
from tortoise.backends.asyncpg import AsyncpgDBClient
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.exceptions import DBConnectionError
from tortoise.exceptions import OperationalError as ORMOperationalError

from services.search import FoldingAsyncpgExecutor
from settings import Settings, get_settings


def tortoise_config(
    database_url: str | None = None, *, settings: Settings | None = None
) -> dict[str, Any]:
    """The Tortoise configuration for one database; migrations live in ``migrations/models``.

    With ``settings``, a PostgreSQL connection is bounded by their timeouts (``serve`` and the
    other commands that run the application; migrations are not, as a data migration may
    rightly take long).
    """
    url = database_url or get_settings().database_url
    return {
        "connections": {"default": connection_config(url, settings)},
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


def connection_config(url: str, settings: Settings | None = None) -> str | dict[str, Any]:
    """The connection for ``url``, through our engines on both databases.

    SQLite goes through ``db.sqlite``: write transactions that wait for the lock (up to
    the busy timeout), a connection that recovers once its file can be opened again, and the
    search fold. PostgreSQL goes through this module (``get_client_class``): the search fold
    and, with ``settings``, an end to every wait: each statement (on the server,
    ``statement_timeout``, and on the client, for a server that does not answer at all),
    opening a connection, and taking one from the pool.
    """
    connection = expand_db_url(url)
    credentials = connection["credentials"]
    if connection["engine"] == "tortoise.backends.sqlite":
        busy = (settings or get_settings()).sqlite_busy_timeout_seconds
        credentials.setdefault("busy_timeout", round(busy * 1000))
        return {"engine": "db.sqlite", "credentials": credentials}
    if connection["engine"] != "tortoise.backends.asyncpg":
        return url
    if settings is not None:
        statement = settings.database_statement_timeout_seconds
        acquire = settings.database_acquire_timeout_seconds
        credentials["server_settings"] = {
            **credentials.get("server_settings", {}),
            "statement_timeout": str(round(statement * 1000)),
        }
        # The client gives the server a little longer than its own limit, so that a slow
        # statement is reported by the server (and cancelled there) rather than abandoned.
        credentials["command_timeout"] = statement + 1
        credentials["timeout"] = acquire
        credentials["acquire_timeout"] = acquire
    return {"engine": __name__, "credentials": credentials}


class _BoundedPool(asyncpg.Pool):
    """An asyncpg pool whose ``acquire`` (and so the matching release) has a timeout."""

    def __init__(self, *args: Any, acquire_timeout: float | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._acquire_timeout = acquire_timeout

    def acquire(self, *, timeout: float | None = None) -> Any:
        return super().acquire(timeout=self._acquire_timeout if timeout is None else timeout)


class BoundedAsyncpgClient(AsyncpgDBClient):
    """Tortoise's asyncpg client, taking connections from a ``_BoundedPool`` (no bound without
    ``acquire_timeout``), with the search fold in its filters."""

    executor_class = FoldingAsyncpgExecutor

    def __init__(self, *args: Any, acquire_timeout: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acquire_timeout = acquire_timeout

    async def create_pool(self, **kwargs: Any) -> asyncpg.Pool:
        # What asyncpg.create_pool does, with its own defaults, but of our class.
        defaults = {
            name: parameter.default
            for name, parameter in inspect.signature(asyncpg.create_pool).parameters.items()
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY
            and parameter.default is not inspect.Parameter.empty
        }
        return await _BoundedPool(
            None, acquire_timeout=self.acquire_timeout, **{**defaults, **kwargs}
        )


# Tortoise's migrations pick their SQL dialect by the module a client class is defined in
# ("asyncpg" in its name): this one keeps its parent's.
BoundedAsyncpgClient.__module__ = AsyncpgDBClient.__module__


def get_client_class(db_info: dict[str, Any]) -> type[BaseDBAsyncClient]:
    """Tortoise asks an engine module for its client (see connection_config)."""
    return BoundedAsyncpgClient


# sqlite3 reports these when the database file cannot be used at all.
_SQLITE_UNAVAILABLE = ("unable to open database", "disk i/o error")
_NETWORK_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ENETDOWN,
        errno.EHOSTDOWN,
        errno.ETIMEDOUT,
        errno.EADDRNOTAVAIL,
        errno.EPIPE,
    }
)


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether an exception (or one it was raised from) means that the database cannot be
    reached, or did not answer in time: a fault of the moment, worth retrying later, as
    opposed to a fault in the code. Every layer that answers "try again later" (HTTP 503,
    the WebSocket close 1013, /readyz) asks this one function."""
    seen: set[int] = set()
    pending = [exc]
    while pending:
        error = pending.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        if _is_unavailable(error):
            return True
        pending.extend((error.__cause__, error.__context__))
        pending.extend(arg for arg in getattr(error, "args", ()) if isinstance(arg, BaseException))
    return False


def _is_unavailable(error: BaseException) -> bool:
    if isinstance(
        error,
        DBConnectionError  # tortoise: no connection could be made
        | asyncpg.PostgresConnectionError  # class 08: the connection failed or is gone
        | asyncpg.exceptions.OperatorInterventionError  # shutting down, starting up, timeout
        | asyncpg.exceptions.InsufficientResourcesError  # too many connections, disk full
        | asyncpg.InterfaceError  # the client side of a closed connection or pool
        # What a pooled connection that the server closed while it was idle answers next.
        | asyncpg.exceptions._base.InternalClientError
        | TimeoutError  # no answer in time: a statement, a connection, the pool
        | ConnectionError,
    ):
        return True
    if isinstance(error, OSError):
        return error.errno in _NETWORK_ERRNOS
    if isinstance(error, sqlite3.OperationalError | ORMOperationalError):
        message = str(error).lower()
        return any(text in message for text in _SQLITE_UNAVAILABLE)
    return False


def log_failure(logger: logging.Logger, message: str, exc: BaseException) -> None:
    """Log a failed round of background work: a database outage in one warning line (it is
    expected, and the next round tries again), anything else with its traceback."""
    if database_unavailable(exc):
        logger.warning("%s, the database is unavailable: %s: %s", message, type(exc).__name__, exc)
    else:
        logger.exception(message)


class _OutageInOneLine(logging.Filter):
    """Turns a library's log record of a database outage into one warning line: asyncpg's
    pool retrying to keep its minimum of connections, and asyncio reporting a future that
    asyncpg left with a connection error when an attempt to connect to a frozen server timed
    out. An outage is expected, not a bug to trace."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and database_unavailable(error):
            message = record.getMessage().splitlines()[0]
            record.msg, record.args = f"{message}: {type(error).__name__}: {error}", ()
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_OUTAGE_IN_ONE_LINE = _OutageInOneLine()


async def init_db(database_url: str | None = None, *, settings: Settings | None = None) -> None:
    """Open the database for the application, bounded by the timeouts of ``settings``."""
    for logger in ("asyncpg.pool", "asyncio"):
        logging.getLogger(logger).addFilter(_OUTAGE_IN_ONE_LINE)  # once: no duplicates
    # The global fallback lets every task (each request, the lifespan, background work)
    # reach the connections opened here, not only the task that opened them.
    settings = settings or get_settings()
    await Tortoise.init(
        config=tortoise_config(database_url, settings=settings), _enable_global_fallback=True
    )


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
