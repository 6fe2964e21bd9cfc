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


# Run in a process of its own: migrating re-initialises Tortoise, which the suite shares.
_UPGRADE_API_KEYS = """
import asyncio, json, sys
from tortoise import Tortoise
from tortoise.migrations.api import migrate
from db import tortoise_config

async def main(url):
    config = tortoise_config(url)
    await migrate(config=config, target="models.0005_live_event_publication")
    await Tortoise.close_connections()
    await Tortoise.init(config=config)
    db = Tortoise.get_connection("default")
    for pk, role in ((1, "ADMIN"), (2, "ACCOUNT_MANAGER")):
        await db.execute_query(
            "INSERT INTO app_user (id, email, name, role, is_active, created_at, updated_at)"
            f" VALUES ({pk}, 'u{pk}@example.com', 'U', '{role}', TRUE, '2026-01-01T00:00:00+00:00',"
            " '2026-01-01T00:00:00+00:00')"
        )
        await db.execute_query(
            "INSERT INTO api_key (id, user_id, name, prefix, secret_hash, scopes, created_at,"
            f" updated_at) VALUES ({pk}, {pk}, 'k', 'p{pk}', 'h', '[\\"admin\\", \\"read\\"]',"
            " '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')"
        )
    await Tortoise.close_connections()
    await migrate(config=config)
    await Tortoise.close_connections()
    await Tortoise.init(config=config)
    from models import ApiKey
    print(json.dumps([
        [key.pk, key.scopes, key.expires_at.isoformat() if key.expires_at else None]
        for key in await ApiKey.all().order_by("id")
    ]))
    await Tortoise.close_connections()

async def run(url):
    try:
        await main(url)
    finally:
        await Tortoise.close_connections()

asyncio.run(run(sys.argv[1]))
"""


async def test_keys_made_before_expiry_existed_expire_and_lose_an_admin_scope_they_should_not_have(
    tmp_path,
):
    import asyncio
    import json
    import sys
    from datetime import UTC, datetime, timedelta

    from tests.database import BACKEND, create_postgres_database, drop_postgres_database

    if BACKEND == "postgres":
        url = await create_postgres_database()
    else:
        url = f"sqlite://{tmp_path / 'upgrade.db'}"
    try:
        start = datetime.now(UTC)
        finished = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-c", _UPGRADE_API_KEYS, url],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        end = datetime.now(UTC)
    finally:
        if BACKEND == "postgres":
            await drop_postgres_database(url)
    assert finished.returncode == 0, finished.stderr
    keys = json.loads(finished.stdout.strip().splitlines()[-1])
    assert [(pk, scopes) for pk, scopes, _ in keys] == [
        (1, ["admin", "read"]),
        (2, ["read", "write"]),
    ]
    for _, _, expires_at in keys:
        expiry = datetime.fromisoformat(expires_at)
        assert start + timedelta(days=365) <= expiry <= end + timedelta(days=365)
