"""Prospects not yet clients."""

from tortoise import fields

from models.accounts import Account
from models.base import ArchivableRecord
from models.clients import Client, Contact
from models.enums import LeadSource, LeadStatus
from models.opportunities import Opportunity
from models.people import User


class Lead(ArchivableRecord):
    person_name = fields.CharField(max_length=200)
    company_name = fields.CharField(max_length=200)
    company_domain = fields.CharField(max_length=253, null=True)
    email = fields.CharField(max_length=254, null=True)
    phone = fields.CharField(max_length=50, null=True)
    source = fields.CharEnumField(LeadSource, max_length=16, default=LeadSource.OTHER)
    status = fields.CharEnumField(LeadStatus, max_length=16, default=LeadStatus.NEW)
    owner: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="leads", null=True, on_delete=fields.SET_NULL
    )
    score = fields.IntField(default=0)
    next_follow_up_at = fields.DatetimeField(null=True)
    converted_at = fields.DatetimeField(null=True)
    converted_client: fields.ForeignKeyNullableRelation[Client] = fields.ForeignKeyField(
        "models.Client", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    converted_contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    converted_account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    converted_opportunity: fields.ForeignKeyNullableRelation[Opportunity] = fields.ForeignKeyField(
        "models.Opportunity", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    owner_id: int | None
    converted_client_id: int | None
    converted_contact_id: int | None
    converted_account_id: int | None
    converted_opportunity_id: int | None

    class Meta:
        table = "lead"
        indexes = (
            ("person_name", "id"),
            ("owner_id", "next_follow_up_at"),
            ("status", "created_at"),
            ("email",),
            ("score", "id"),
            ("source",),
            ("created_at", "id"),
            ("next_follow_up_at", "id"),
        )
