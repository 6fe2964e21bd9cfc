"""Client organisations and the people who work there."""

from tortoise import fields

from models.base import ArchivableRecord
from models.enums import BuyingRole, ClientStatus, SizeBand
from models.people import Team


class Client(ArchivableRecord):
    name = fields.CharField(max_length=200)
    domain = fields.CharField(max_length=253, null=True, unique=True)
    industry = fields.CharField(max_length=100, null=True)
    size_band = fields.CharEnumField(SizeBand, max_length=16, null=True)
    country = fields.CharField(max_length=2, null=True)
    status = fields.CharEnumField(ClientStatus, max_length=16, default=ClientStatus.PROSPECT)
    tags: fields.Field[list[str]] = fields.JSONField(default=list)
    # The sales team that created the client: while nobody has an account with it (a
    # prospect), only that team sees it (services/visibility.py). None: administrators only.
    team: fields.ForeignKeyNullableRelation[Team] = fields.ForeignKeyField(
        "models.Team", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    team_id: int | None
    contacts: fields.ReverseRelation["Contact"]

    class Meta:
        table = "client"
        indexes = (
            ("name", "id"),
            ("status", "name"),
            ("industry", "name"),
            ("country",),
            ("created_at", "id"),
            ("updated_at", "id"),
            ("archived_at",),
        )


class Contact(ArchivableRecord):
    client: fields.ForeignKeyRelation[Client] = fields.ForeignKeyField(
        "models.Client", related_name="contacts", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=200)
    title = fields.CharField(max_length=200, null=True)
    email = fields.CharField(max_length=254, null=True)
    phone = fields.CharField(max_length=50, null=True)
    buying_role = fields.CharEnumField(BuyingRole, max_length=16, null=True)
    is_primary = fields.BooleanField(default=False)

    client_id: int

    class Meta:
        table = "contact"
        indexes = (("client_id", "name"), ("name", "id"), ("email",), ("created_at", "id"))
