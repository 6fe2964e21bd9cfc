"""The delivery loop: fan out new outbox events, send due deliveries, prune old ones.

The same loop runs as a background task of ``accountgraph serve`` and as ``accountgraph
worker``; any number of them may run against one database.
"""

import asyncio
import logging
from datetime import timedelta

from db import log_failure
from settings import Settings
from webhooks.delivery import Deliverer, prune, refresh_queue_metrics
from webhooks.fanout import fan_out

log = logging.getLogger("accountgraph.webhooks")
METRICS_EVERY = 5.0
PRUNE_EVERY = 3600.0


class Dispatcher:
    """Runs until ``stop()``; a stop lets the batch in flight finish (each attempt is bounded
    by the timeouts), so nothing is left claimed."""

    def __init__(self, settings: Settings, deliverer: Deliverer | None = None) -> None:
        self.settings = settings
        self.deliverer = deliverer or Deliverer.from_settings(settings)
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="webhook-dispatcher")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(
                    asyncio.shield(self._task), self.deliverer.sender.deadline + 5
                )
            except TimeoutError:
                self._task.cancel()
                await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def run_once(self) -> int:
        """One round; returns how much work it found (events fanned out plus attempts)."""
        at = self.deliverer.clock()
        batch = self.settings.webhook_batch_size
        found = await fan_out(limit=batch, at=at)
        found += await self.deliverer.deliver_due(batch)
        return found

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        next_metrics = next_prune = loop.time()
        try:
            while not self._stopping.is_set():
                try:
                    found = await self.run_once()
                    if loop.time() >= next_metrics:
                        await refresh_queue_metrics(self.deliverer.clock())
                        next_metrics = loop.time() + METRICS_EVERY
                    if loop.time() >= next_prune:
                        await self._prune()
                        next_prune = loop.time() + PRUNE_EVERY
                except Exception as exc:
                    log_failure(log, "webhook dispatch round failed; retrying", exc)
                    found = 0
                if not found:
                    await self._pause(self.settings.webhook_poll_seconds)
        finally:
            await self.deliverer.aclose()

    async def _prune(self) -> None:
        cutoff = self.deliverer.clock() - timedelta(days=self.settings.webhook_retention_days)
        removed = await prune(before=cutoff)
        if removed:
            log.info("pruned %s webhook deliveries older than %s", removed, cutoff.isoformat())

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            pass


async def run_worker(settings: Settings) -> None:
    """``accountgraph worker``: the dispatcher alone, until SIGTERM or SIGINT."""
    import signal

    from db import close_db, init_db

    await init_db(settings.database_url)
    dispatcher = Dispatcher(settings)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    try:
        dispatcher.start()
        log.info("webhook worker started")
        await stopping.wait()
        log.info("webhook worker stopping")
        await dispatcher.stop()
    finally:
        await close_db()
