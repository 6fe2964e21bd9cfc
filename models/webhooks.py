"""Webhook endpoints, the deliveries of events to them, and every attempt at a delivery."""

from tortoise import fields
from tortoise.models import Model

from models.base import Record
from models.people import User


class WebhookEndpoint(Record):
    """A URL that receives signed events of the chosen types, owned by the user who made it.

    Secrets are stored encrypted (webhooks/secrets.py), as they must be readable to sign.
    During a rotation the previous secret signs too, until ``previous_secret_expires_at``.
    """

    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="webhook_endpoints", on_delete=fields.CASCADE
    )
    url = fields.CharField(max_length=2000)
    description = fields.CharField(max_length=500, default="")
    event_types: fields.Field[list[str]] = fields.JSONField(default=list)
    secret_encrypted = fields.TextField()
    previous_secret_encrypted = fields.TextField(null=True)
    previous_secret_expires_at = fields.DatetimeField(null=True)
    enabled = fields.BooleanField(default=True)
    disabled_at = fields.DatetimeField(null=True)
    disabled_reason = fields.CharField(max_length=500, null=True)
    failing_since = fields.DatetimeField(null=True)

    owner_id: int

    class Meta:
        table = "webhook_endpoint"
        indexes = (("owner_id", "created_at"), ("enabled",))


class WebhookDelivery(Model):
    """One event for one endpoint. Its ``event_id`` is the ``webhook-id`` of every attempt.

    A worker claims a due delivery by setting a lease (token and expiry) and counting the
    attempt, in one statement, and may record the outcome only while its lease holds.
    """

    id = fields.BigIntField(primary_key=True)
    endpoint: fields.ForeignKeyRelation[WebhookEndpoint] = fields.ForeignKeyField(
        "models.WebhookEndpoint", related_name="deliveries", on_delete=fields.CASCADE
    )
    event_id = fields.UUIDField()
    event_type = fields.CharField(max_length=64)
    payload = fields.TextField()
    status = fields.CharField(max_length=16, default="PENDING")
    attempt_count = fields.IntField(default=0)
    # Attempts before the current round: a redelivery starts the retry schedule afresh.
    round_start = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    last_attempt_at = fields.DatetimeField(null=True)
    lease_token = fields.UUIDField(null=True)
    lease_expires_at = fields.DatetimeField(null=True)
    event_occurred_at = fields.DatetimeField()
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    endpoint_id: int

    class Meta:
        table = "webhook_delivery"
        unique_together = (("endpoint_id", "event_id"),)
        indexes = (
            ("status", "next_attempt_at"),
            ("endpoint_id", "created_at"),
            ("created_at",),
        )


class WebhookAttempt(Model):
    """One HTTP request of a delivery: what came back, how long it took, what went wrong."""

    id = fields.BigIntField(primary_key=True)
    delivery: fields.ForeignKeyRelation[WebhookDelivery] = fields.ForeignKeyField(
        "models.WebhookDelivery", related_name="attempts", on_delete=fields.CASCADE
    )
    number = fields.IntField()
    attempted_at = fields.DatetimeField()
    duration_ms = fields.IntField(null=True)
    status_code = fields.IntField(null=True)
    response_body = fields.TextField(null=True)
    error = fields.CharField(max_length=1000, null=True)
    outcome = fields.CharField(max_length=16)

    delivery_id: int

    class Meta:
        table = "webhook_attempt"
        unique_together = (("delivery_id", "number"),)
