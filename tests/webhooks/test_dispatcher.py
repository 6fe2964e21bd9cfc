"""The dispatcher loop as `serve` and `worker` run it: it delivers, prunes by the retention
setting, keeps going after an error, and stops cleanly."""

import asyncio
from datetime import timedelta

from models import WebhookDelivery
from services.opportunities import move_opportunity_stage
from settings import Settings
from tests.factories import make_opportunity, stage
from tests.webhooks.conftest import make_endpoint
from webhooks.dispatcher import Dispatcher


async def moved_deal() -> None:
    deal = await make_opportunity()
    target = await stage("New business", "Qualification")
    await move_opportunity_stage(opportunity_id=deal.pk, stage_id=target.pk, actor_id=None)


async def test_a_running_dispatcher_delivers_and_stops_cleanly(receiver, deliverer):
    await make_endpoint(receiver.url)
    dispatcher = Dispatcher(Settings(webhook_poll_seconds=0.01), deliverer)
    dispatcher.start()
    await moved_deal()
    for _ in range(500):
        if await WebhookDelivery.filter(status="SUCCEEDED").exists():
            break
        await asyncio.sleep(0.01)
    await dispatcher.stop()
    assert len(receiver.requests) == 1
    assert await WebhookDelivery.filter(status="SUCCEEDED").count() == 1
    assert await WebhookDelivery.filter(lease_token__isnull=False).count() == 0


async def test_old_deliveries_are_pruned_after_the_retention_period(receiver, deliverer, clock):
    await make_endpoint(receiver.url)
    await moved_deal()
    dispatcher = Dispatcher(Settings(webhook_retention_days=2), deliverer)
    await dispatcher.run_once()
    assert await WebhookDelivery.filter(status="SUCCEEDED").count() == 1
    clock.advance(days=2)
    await dispatcher._prune()
    assert await WebhookDelivery.all().count() == 1  # not older than two days yet
    clock.advance(seconds=1)
    await dispatcher._prune()
    assert await WebhookDelivery.all().count() == 0


async def test_a_failing_round_is_logged_and_the_loop_goes_on(receiver, deliverer, caplog):
    await make_endpoint(receiver.url)
    dispatcher = Dispatcher(Settings(webhook_poll_seconds=0.01), deliverer)
    rounds = 0
    real_round = dispatcher.run_once

    async def flaky_round() -> int:
        nonlocal rounds
        rounds += 1
        if rounds == 1:
            raise ConnectionError("database went away")
        return await real_round()

    dispatcher.run_once = flaky_round  # type: ignore[method-assign]
    dispatcher.start()
    await moved_deal()
    for _ in range(500):
        if receiver.requests:
            break
        await asyncio.sleep(0.01)
    await dispatcher.stop()
    assert len(receiver.requests) == 1
    assert "webhook dispatch round failed; retrying" in caplog.text


def test_the_lease_outlasts_the_longest_attempt():
    settings = Settings()
    longest = settings.webhook_connect_timeout + settings.webhook_read_timeout
    assert timedelta(seconds=settings.webhook_lease_seconds) > timedelta(seconds=longest)
