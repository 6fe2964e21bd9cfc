"""Re-evaluating account health in the background, so that status changes become events
(``account.health_changed``) even when nobody looks at the account."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from prometheus_client import Counter, Histogram

from db import log_failure
from services.analytics.health import HealthRefresh, refresh_account_health
from services.clock import now

log = logging.getLogger("accountgraph.health")

HEALTH_REFRESHES = Counter(
    "accountgraph_health_refreshes_total",
    "Background re-evaluations of account health, by outcome (ok or failed).",
    ("outcome",),
)
HEALTH_STATUS_CHANGES = Counter(
    "accountgraph_health_status_changes_total",
    "Accounts whose health status changed at a background re-evaluation.",
)
HEALTH_REFRESH_SECONDS = Histogram(
    "accountgraph_health_refresh_duration_seconds",
    "Time one background re-evaluation of every account's health took.",
    buckets=(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)


async def refresh_health_periodically(
    *,
    every_seconds: float,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Refresh every account's health every ``every_seconds``, until cancelled.

    A failed round is logged and the next one runs as planned.
    """
    while True:
        await sleep(every_seconds)
        started = time.perf_counter()
        try:
            result: HealthRefresh = await refresh_account_health(now=now())
        except Exception as exc:
            HEALTH_REFRESHES.labels("failed").inc()
            log_failure(log, "account health refresh failed", exc)
        else:
            HEALTH_REFRESHES.labels("ok").inc()
            HEALTH_STATUS_CHANGES.inc(result.changed)
            HEALTH_REFRESH_SECONDS.observe(time.perf_counter() - started)
            log.info("account health: %d evaluated, %d changed", result.evaluated, result.changed)
