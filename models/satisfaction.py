"""What clients say of the service: NPS and CSAT responses."""

from tortoise import fields

from models.accounts import Account
from models.base import Record
from models.clients import Contact
from models.enums import SatisfactionKind
from models.people import User


class SatisfactionResponse(Record):
    """One NPS (0..10) or CSAT (1..5) answer about an account, from a contact when known."""

    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="satisfaction_responses", on_delete=fields.CASCADE
    )
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact",
        related_name="satisfaction_responses",
        null=True,
        on_delete=fields.SET_NULL,
    )
    kind = fields.CharEnumField(SatisfactionKind, max_length=8)
    score = fields.IntField()
    comment = fields.TextField(null=True)
    received_at = fields.DatetimeField()
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    account_id: int
    contact_id: int | None
    recorded_by_id: int | None

    class Meta:
        table = "satisfaction_response"
        indexes = (("account_id", "kind", "received_at"), ("contact_id",), ("received_at", "id"))
