"""Columns every record shares."""

from tortoise import fields
from tortoise.models import Model


class Record(Model):
    """An explicit integer key plus creation and update times."""

    id = fields.IntField(primary_key=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    # Goes up by one with every change written through the API; an update may name the
    # version it was made from (expectedVersion) and is refused if the record moved on.
    version = fields.IntField(default=1, db_default=1)

    class Meta:
        abstract = True


class ArchivableRecord(Record):
    """A record that is archived (hidden, restorable) instead of deleted."""

    archived_at = fields.DatetimeField(null=True)

    class Meta:
        abstract = True
