"""The committed migrations describe the models exactly (the suite itself runs on a database
built by them, see conftest)."""

from tortoise.context import require_context
from tortoise.migrations.autodetector import MigrationAutodetector

from db import tortoise_config


async def test_every_model_change_has_a_migration():
    apps_config = tortoise_config()["apps"]
    detector = MigrationAutodetector(require_context().apps, apps_config)
    pending = await detector.changes()
    assert [op for writer in pending for op in writer.operations] == [], (
        "models changed without a migration: run "
        "`.venv/bin/python -m tortoise -c db.TORTOISE_ORM makemigrations`"
    )
