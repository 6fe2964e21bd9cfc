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
    from services.audit import now
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
