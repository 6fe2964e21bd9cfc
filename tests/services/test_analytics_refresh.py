"""The background health refresh and the `accountgraph refresh-health` command."""

import asyncio
import os

import pytest
from prometheus_client import REGISTRY

from models import Account, OutboxEvent
from models.enums import HealthStatus
from services.analytics.refresh import refresh_health_periodically
from tests.live_server import run_cli
from tests.services.portfolio import NOW, build_portfolio


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_the_periodic_refresh_evaluates_every_interval_until_cancelled(set_clock) -> None:
    p = await build_portfolio()
    before = (
        sample("accountgraph_health_refreshes_total", outcome="ok"),
        sample("accountgraph_health_status_changes_total"),
        sample("accountgraph_health_refresh_duration_seconds_count"),
    )
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:
            raise asyncio.CancelledError

    set_clock(NOW)
    with pytest.raises(asyncio.CancelledError):
        await refresh_health_periodically(every_seconds=60, sleep=sleep)
    assert waits == [60, 60, 60]
    beta = await Account.get(pk=p.beta.pk)
    assert (beta.health_status, beta.health_score, beta.health_evaluated_at) == (
        HealthStatus.AT_RISK, 35, NOW,
    )  # fmt: skip
    # Two rounds, but the statuses changed only in the first.
    assert await OutboxEvent.filter(type="account.health_changed").count() == 3
    after = (
        sample("accountgraph_health_refreshes_total", outcome="ok"),
        sample("accountgraph_health_status_changes_total"),
        sample("accountgraph_health_refresh_duration_seconds_count"),
    )
    assert [b - a for a, b in zip(before, after, strict=True)] == [2, 3, 2]


async def test_a_failed_round_is_logged_and_the_next_one_runs(caplog, monkeypatch, set_clock):
    from services.analytics import refresh

    calls = []

    async def failing(*, now):
        calls.append(now)
        raise RuntimeError("database unavailable")

    async def sleep(seconds: float) -> None:
        if len(calls) == 2:
            raise asyncio.CancelledError

    monkeypatch.setattr(refresh, "refresh_account_health", failing)
    failed = sample("accountgraph_health_refreshes_total", outcome="failed")
    set_clock(NOW)
    with pytest.raises(asyncio.CancelledError):
        await refresh_health_periodically(every_seconds=1, sleep=sleep)
    assert calls == [NOW, NOW]
    assert sample("accountgraph_health_refreshes_total", outcome="failed") == failed + 2
    assert [r.getMessage() for r in caplog.records] == ["account health refresh failed"] * 2


def test_refresh_health_command_reports_what_it_evaluated(tmp_path):
    env = {**os.environ, "ACCOUNTGRAPH_DATABASE_URL": f"sqlite://{tmp_path / 'cli.db'}"}
    run_cli("migrate", env=env, cwd=tmp_path)
    done = run_cli("refresh-health", env=env, cwd=tmp_path)
    assert done.stdout.strip() == "Account health: 0 accounts evaluated, 0 changed status"


async def test_the_server_runs_the_refresh_only_when_the_setting_asks_for_it():
    from server import start_health_refresh, stop_task
    from settings import Settings

    assert start_health_refresh(Settings(health_refresh_seconds=0)) is None
    task = start_health_refresh(Settings(health_refresh_seconds=3600))
    assert task is not None and task.get_name() == "health-refresh"
    await asyncio.sleep(0)
    assert not task.done()
    await stop_task(task)
    assert task.cancelled()
