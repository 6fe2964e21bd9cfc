"""Write transactions: every change reads and writes its rows under one lock.

Two mutations on one record at the same moment must not lose either's changes. So a change
reads the row it changes inside its transaction, under a row lock (``SELECT ... FOR NO KEY
UPDATE`` on PostgreSQL; on SQLite every transaction holds the database's write lock from its
first statement, see ``db/sqlite.py``), and writes back only the fields it changed.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.base import Record
from services.errors import DomainError, ErrorCode, Problem, not_found

M = TypeVar("M", bound=Model)


@asynccontextmanager
async def write_transaction() -> AsyncIterator[BaseDBAsyncClient]:
    """One transaction for a change: all of it is stored or none of it.

    Read the rows the change depends on with ``locked`` inside it. When other writers hold
    the database for longer than the busy timeout, it raises ``db.DatabaseBusy``, which
    callers are answered as ``DATABASE_BUSY`` (nothing changed, send it again).
    """
    async with in_transaction() as connection:
        yield connection


async def locked(model: type[M], pk: int | None, label: str, field: str | None = None) -> M:
    """The row of ``model`` with key ``pk``, locked until the transaction ends; or a
    NOT_FOUND domain error naming ``field``. Call it inside ``write_transaction``."""
    # NO KEY UPDATE: a change never alters the key, so rows that refer to this one (a new
    # deal on a locked account, say) can still be inserted meanwhile.
    query = model.select_for_update(no_key=True)
    row = await query.get_or_none(pk=pk) if pk is not None else None
    if row is None:
        raise not_found(label.capitalize(), field)
    return row


def ensure_version(record: Record, expected_version: int | None, label: str) -> None:
    """Refuse a change made from a stale copy: ``expected_version`` is the ``version`` the
    caller last read, and the record has changed since."""
    if expected_version is not None and expected_version != record.version:
        raise DomainError(
            [
                Problem(
                    f"this {label} was changed by someone else since you read it (it is at "
                    f"version {record.version}, you edited version {expected_version}); "
                    "reload it and apply your change again",
                    ErrorCode.CONFLICT,
                    ("expected_version",),
                )
            ]
        )
