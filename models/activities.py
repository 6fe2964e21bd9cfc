"""Calls, emails, meetings, notes and tasks, linked to what they concern."""

from tortoise import fields

from models.accounts import Account
from models.base import ArchivableRecord
from models.clients import Client, Contact
from models.enums import ActivityKind
from models.leads import Lead
from models.opportunities import Opportunity
from models.people import User


class Activity(ArchivableRecord):
    kind = fields.CharEnumField(ActivityKind, max_length=8)
    subject = fields.CharField(max_length=300)
    body = fields.TextField(null=True)
    # When it happened or, for a task, when it was set; the timeline is ordered by it.
    occurred_at = fields.DatetimeField()
    due_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    outcome = fields.CharField(max_length=500, null=True)
    owner: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="activities", null=True, on_delete=fields.SET_NULL
    )
    client: fields.ForeignKeyNullableRelation[Client] = fields.ForeignKeyField(
        "models.Client", related_name="activities", null=True, on_delete=fields.CASCADE
    )
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="activities", null=True, on_delete=fields.CASCADE
    )
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="activities", null=True, on_delete=fields.CASCADE
    )
    opportunity: fields.ForeignKeyNullableRelation[Opportunity] = fields.ForeignKeyField(
        "models.Opportunity", related_name="activities", null=True, on_delete=fields.CASCADE
    )
    lead: fields.ForeignKeyNullableRelation[Lead] = fields.ForeignKeyField(
        "models.Lead", related_name="activities", null=True, on_delete=fields.CASCADE
    )

    owner_id: int | None
    client_id: int | None
    contact_id: int | None
    account_id: int | None
    opportunity_id: int | None
    lead_id: int | None

    class Meta:
        table = "activity"
        indexes = (
            ("opportunity_id", "occurred_at"),
            ("account_id", "occurred_at"),
            ("client_id", "occurred_at"),
            ("contact_id", "occurred_at"),
            ("lead_id", "occurred_at"),
            ("owner_id", "due_at"),
            ("occurred_at", "id"),
            ("due_at", "id"),
            ("created_at", "id"),
            ("kind",),
        )
