"""Re-evaluating account health in the background, so that status changes become events
(``account.health_changed``) even when nobody looks at the account."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from services.analytics.health import HealthRefresh, refresh_account_health

log = logging.getLogger("accountgraph.health")


def utc_now() -> datetime:
    return datetime.now(UTC)


async def refresh_health_periodically(
    *,
    every_seconds: float,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], datetime] = utc_now,
) -> None:
    """Refresh every account's health every ``every_seconds``, until cancelled.

    A failed round is logged and the next one runs as planned.
    """
    while True:
        await sleep(every_seconds)
        try:
            result: HealthRefresh = await refresh_account_health(now=clock())
        except Exception:
            log.exception("account health refresh failed")
        else:
            log.info("account health: %d evaluated, %d changed", result.evaluated, result.changed)
