"""The SQLite backend: Tortoise's, with every transaction begun ``IMMEDIATE``, a
connection that works again once its database file can be opened again, and the search fold.

``db.tortoise_config`` names this module as the engine of SQLite databases.
"""

import sqlite3
from typing import Any

from tortoise.backends.base.client import (
    ConnectionWrapper,
    TransactionalDBClient,
    TransactionContext,
)
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.connection import get_connections
from tortoise.exceptions import TransactionManagementError

from db import DatabaseBusy, is_database_busy
from services.search import FOLD_FUNCTION, FoldingSqliteExecutor, fold


class ImmediateSqliteTransaction(SqliteTransactionWrapper):
    """A SQLite transaction that takes the database's write lock when it begins.

    SQLite starts a plain ``BEGIN`` as a reader and upgrades it at its first write; when
    another process has written in between, that upgrade fails at once with "database is
    locked" (waiting could not help: the snapshot is already stale). ``BEGIN IMMEDIATE``
    waits for the lock up front, for up to the busy timeout, so writers in several
    processes take turns instead of failing.
    """

    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if is_database_busy(exc):
                raise DatabaseBusy(str(exc)) from exc
            raise TransactionManagementError(exc) from exc


class ImmediateSqliteTransactionContext(SqliteTransactionContext):
    """Tortoise's context, except that a ``BEGIN`` that fails gives the connection back
    (Tortoise's own keeps it locked for good)."""

    async def __aenter__(self) -> TransactionalDBClient:
        await self._trxlock.acquire()
        try:
            await self.ensure_connection()
            self.token = get_connections().set(self.connection_name, self.connection)
            try:
                await self.connection.begin()
            except BaseException:
                get_connections().reset(self.token)
                raise
        except BaseException:
            self._trxlock.release()
            raise
        connection: TransactionalDBClient = self.connection
        return connection


class _ReleasingConnectionWrapper(ConnectionWrapper[Any]):
    """Tortoise's wrapper of the one SQLite connection, except that it lets go of the lock
    when the connection cannot be opened (otherwise every later statement waits forever), and
    takes the connection as it is once the lock is held, not one closed while it waited."""

    async def __aenter__(self) -> Any:
        await self._lock.acquire()
        try:
            self.connection = self.client._connection
            await self.ensure_connection()
        except BaseException:
            self._lock.release()
            raise
        return self.connection


class ImmediateSqliteClient(SqliteClient):
    """Tortoise's SQLite client, with every transaction begun ``IMMEDIATE``, giving its lock
    back when the database file cannot be opened, and with the search fold
    (``services/search.py``) on every connection and in its filters."""

    executor_class = FoldingSqliteExecutor

    async def create_connection(self, with_db: bool) -> None:
        await super().create_connection(with_db)
        if self._connection is not None:
            await self._connection.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)

    def acquire_connection(self) -> _ReleasingConnectionWrapper:
        return _ReleasingConnectionWrapper(self._lock, self)

    def _in_transaction(self) -> TransactionContext:
        return ImmediateSqliteTransactionContext(ImmediateSqliteTransaction(self), self._lock)


# Tortoise loads a backend by module name and takes its ``client_class``. (Its migrations
# choose their SQL dialect by that module's name, hence "sqlite" in it.)
client_class = ImmediateSqliteClient
