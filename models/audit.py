"""The audit log and the transactional outbox of domain events."""

from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.enums import AuditAction
from models.people import User


class AuditLogEntry(Model):
    """Who changed what and when, with before and after values of the changed fields."""

    id = fields.BigIntField(primary_key=True)
    occurred_at = fields.DatetimeField()
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    action = fields.CharEnumField(AuditAction, max_length=16)
    record_type = fields.CharField(max_length=64)
    record_id = fields.IntField()
    changes: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)

    actor_id: int | None

    class Meta:
        table = "audit_log_entry"
        indexes = (
            ("record_type", "record_id", "occurred_at"),
            ("actor_id", "occurred_at"),
            ("occurred_at", "id"),
        )


class OutboxEvent(Model):
    """A domain event, stored in the same transaction as the change it describes.

    The ascending ``id`` is the insertion order. ``publication`` is the live-event relay's
    sequence, given when a committed event is published: gap-free and in commit order, it is
    what subscribers resume from.
    """

    id = fields.BigIntField(primary_key=True)
    event_id = fields.UUIDField(unique=True)
    type = fields.CharField(max_length=64)
    occurred_at = fields.DatetimeField()
    actor_id = fields.IntField(null=True)
    aggregate_type = fields.CharField(max_length=64)
    aggregate_id = fields.IntField()
    data: fields.Field[dict[str, Any]] = fields.JSONField()
    published_at = fields.DatetimeField(null=True)
    # Set once the event has been turned into deliveries to the webhook endpoints that want it
    # (webhooks/fanout.py); until then it stays in the scan, so a late commit is never skipped.
    webhooks_dispatched_at = fields.DatetimeField(null=True)
    # The number of the event in the order it was published to live subscribers
    # (events/relay.py): gap-free, so "everything after N" is complete once N+1 is seen.
    publication = fields.BigIntField(null=True, unique=True)

    class Meta:
        table = "outbox_event"
        indexes = (
            ("published_at", "id"),
            ("aggregate_type", "aggregate_id", "id"),
            ("type",),
            ("webhooks_dispatched_at", "id"),
        )
