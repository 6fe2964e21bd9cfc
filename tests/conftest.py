import os

# The suite runs in development mode (published keys); tests of the refusal outside it clear
# this for the processes they start. Set before anything reads the settings.
os.environ.setdefault("ACCOUNTGRAPH_DEVELOPMENT", "true")

from collections.abc import AsyncIterator, Callable
from datetime import datetime

import pytest

from db import close_db, init_db, migrate_db
from services import clock
from tests.database import (
    BACKEND,
    create_postgres_database,
    drop_postgres_database,
    empty_all_tables,
)


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A database migrated from scratch once per run, the way `accountgraph migrate` does."""
    if BACKEND == "postgres":
        url = await create_postgres_database()
    else:
        url = f"sqlite://{tmp_path_factory.mktemp('db') / 'accountgraph.db'}"
    await migrate_db(url)
    await init_db(url)
    yield url
    await close_db()
    if BACKEND == "postgres":
        await drop_postgres_database(url)


@pytest.fixture
def set_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[[datetime | Callable[[], datetime]], None]:
    """Sets the time every layer reads (``services.clock``) until the test ends: a fixed
    instant, or a function of no arguments for a clock the test moves."""

    def set_to(at: datetime | Callable[[], datetime]) -> None:
        monkeypatch.setattr(clock, "source", at if callable(at) else lambda: at)

    return set_to


@pytest.fixture(autouse=True)
async def clean_database(database_url: str) -> AsyncIterator[None]:
    yield
    await empty_all_tables()
