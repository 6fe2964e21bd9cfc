"""The one clock: every layer (services, resolvers, the web layer, the webhook worker, the
command line) asks it the time, so a test sets the time in one place (the ``clock``
fixture in tests/conftest.py) and every answer follows."""

from collections.abc import Callable
from datetime import UTC, date, datetime


def system_time() -> datetime:
    """The machine's time, in UTC."""
    return datetime.now(UTC)


# What ``now`` reads; tests replace it (and only it) to fix or move the time.
source: Callable[[], datetime] = system_time


def now() -> datetime:
    """The current time, in UTC."""
    return source()


def today() -> date:
    """The current day, in UTC."""
    return source().date()
