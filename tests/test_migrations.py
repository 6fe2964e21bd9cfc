"""The committed migrations describe the models exactly (the suite itself runs on a database
built by them, see conftest)."""

import os
import subprocess

from tortoise.context import require_context
from tortoise.migrations.autodetector import MigrationAutodetector

from db import ensure_migrated, pending_migrations, tortoise_config
from tests.live_server import ACCOUNTGRAPH, free_port


async def test_every_model_change_has_a_migration():
    apps_config = tortoise_config()["apps"]
    detector = MigrationAutodetector(require_context().apps, apps_config)
    pending = await detector.changes()
    assert [op for writer in pending for op in writer.operations] == [], (
        "models changed without a migration: run "
        "`.venv/bin/python -m tortoise -c db.TORTOISE_ORM makemigrations`"
    )


async def test_the_migrated_database_has_no_pending_migration():
    assert await pending_migrations() == []
    await ensure_migrated()


def test_serving_a_database_that_was_never_migrated_is_refused_with_what_to_do(tmp_path):
    env = {**os.environ, "ACCOUNTGRAPH_DATABASE_URL": f"sqlite://{tmp_path / 'empty.db'}"}
    port = free_port()
    finished = subprocess.run(
        [ACCOUNTGRAPH, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode != 0
    output = finished.stdout + finished.stderr
    assert (
        "DatabaseNotMigrated: the database needs 6 migration(s) (0001_initial, 0002_credentials, "
        "0003_account_management, 0004_webhooks, 0005_live_event_publication, 0008_api_key_expiry): "
        "run 'accountgraph migrate' first"
    ) in output
    assert "Application startup failed" in output
