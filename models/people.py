"""Users of AccountGraph and the teams they work in."""

from tortoise import fields

from models.base import Record
from models.enums import Role, TeamKind


class Team(Record):
    name = fields.CharField(max_length=120, unique=True)
    kind = fields.CharEnumField(TeamKind, max_length=16, default=TeamKind.SALES)

    members: fields.ReverseRelation["User"]

    class Meta:
        table = "team"
        ordering = ("name", "id")


class User(Record):
    # Stored lower-cased, which makes the unique index case-insensitive.
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=200)
    role = fields.CharEnumField(Role, max_length=20, default=Role.ACCOUNT_MANAGER)
    team: fields.ForeignKeyNullableRelation[Team] = fields.ForeignKeyField(
        "models.Team", related_name="members", null=True, on_delete=fields.SET_NULL
    )
    manager: fields.ForeignKeyNullableRelation["User"] = fields.ForeignKeyField(
        "models.User", related_name="reports", null=True, on_delete=fields.SET_NULL
    )
    is_active = fields.BooleanField(default=True)
    # Argon2id hash; null for users who cannot sign in with a password.
    password_hash = fields.CharField(max_length=255, null=True)

    team_id: int | None
    manager_id: int | None
    reports: fields.ReverseRelation["User"]

    class Meta:
        table = "app_user"
        indexes = (("team_id", "name"), ("name", "id"), ("created_at", "id"))
