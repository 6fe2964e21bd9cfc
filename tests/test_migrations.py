"""The committed migrations describe the models exactly (the suite itself runs on a database
built by them, see conftest)."""

import itertools
import os
import subprocess
from pathlib import Path

from tortoise.context import require_context
from tortoise.migrations.autodetector import MigrationAutodetector

from db import ensure_migrated, pending_migrations, tortoise_config
from tests.live_server import ACCOUNTGRAPH, free_port

# Every migration, in the order its name gives (and its dependencies follow).
MIGRATIONS = sorted(
    path.stem for path in (Path(__file__).parent.parent / "migrations" / "models").glob("0*.py")
)


def test_each_migration_follows_the_one_before() -> None:
    """One chain, no branches: migrations made side by side must be put in line."""
    folder = Path(__file__).parent.parent / "migrations" / "models"
    for before, after in itertools.pairwise(MIGRATIONS):
        text = (folder / f"{after}.py").read_text().replace('"', "'")
        assert f"('models', '{before}')" in text, f"{after} should depend on {before}"


async def test_every_model_change_has_a_migration():
    apps_config = tortoise_config()["apps"]
    apps = require_context().apps
    assert apps is not None
    detector = MigrationAutodetector(apps, apps_config)
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
        f"DatabaseNotMigrated: the database needs {len(MIGRATIONS)} migration(s) "
        f"({', '.join(MIGRATIONS)}): "
        "run 'accountgraph migrate' first"
    ) in output
    assert "Application startup failed" in output


async def test_existing_clients_go_to_their_creators_team_else_their_first_account_owners():
    """Migration 0009's data step; a client with neither stays for administrators only."""
    import importlib

    from tortoise import connections

    from models import Account, AuditLogEntry, Client
    from models.enums import AuditAction
    from services.clock import now
    from tests.factories import make_team, make_user

    migration = importlib.import_module(
        "migrations.models.0009_prospect_teams_and_masked_audit_urls"
    )
    a, b = await make_team(), await make_team()
    ann, bob = await make_user(team_id=a.pk), await make_user(team_id=b.pk)
    created_by_ann = await Client.create(name="Created by Ann")
    await AuditLogEntry.create(
        occurred_at=now(),
        actor_id=ann.pk,
        action=AuditAction.CREATE,
        record_type="Client",
        record_id=created_by_ann.pk,
    )
    with_bobs_account = await Client.create(name="Bob's customer")
    await Account.create(name="Y", client_id=with_bobs_account.pk, owner_id=bob.pk, currency="USD")
    unknown = await Client.create(name="Nobody's")
    already = await Client.create(name="Team B's", team_id=b.pk)
    await AuditLogEntry.create(
        occurred_at=now(),
        actor_id=ann.pk,
        action=AuditAction.CREATE,
        record_type="Client",
        record_id=already.pk,
    )
    connection = connections.get("default")
    for sql in (migration.CREATORS_TEAM, migration.FIRST_ACCOUNT_OWNERS_TEAM):
        await connection.execute_script(sql)
    teams = dict(await Client.all().values_list("id", "team_id"))
    assert teams == {
        created_by_ann.pk: a.pk,
        with_bobs_account.pk: b.pk,
        unknown.pk: None,
        already.pk: b.pk,
    }


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
