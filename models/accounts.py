"""Accounts: the commercial relationships account managers own."""

from decimal import Decimal

from tortoise import fields

from models.base import ArchivableRecord, Record
from models.clients import Client
from models.enums import AccountStatus, AccountTier, HealthStatus
from models.people import User


class Account(ArchivableRecord):
    client: fields.ForeignKeyRelation[Client] = fields.ForeignKeyField(
        "models.Client", related_name="accounts", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=200)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="owned_accounts", on_delete=fields.RESTRICT
    )
    tier = fields.CharEnumField(AccountTier, max_length=16, default=AccountTier.STANDARD)
    status = fields.CharEnumField(AccountStatus, max_length=16, default=AccountStatus.ONBOARDING)
    annual_recurring_value = fields.DecimalField(
        max_digits=18, decimal_places=2, default=Decimal("0")
    )
    currency = fields.CharField(max_length=3)
    renewal_date = fields.DateField(null=True)
    # The last evaluated health, kept to notice a change of status (account.health_changed).
    # What the API shows is computed when it is read.
    health_status = fields.CharEnumField(HealthStatus, max_length=16, null=True)
    health_score = fields.IntField(null=True)
    health_evaluated_at = fields.DatetimeField(null=True)

    client_id: int
    owner_id: int
    team_members: fields.ReverseRelation["AccountTeamMember"]

    class Meta:
        table = "account"
        indexes = (
            ("name", "id"),
            ("owner_id", "name"),
            ("client_id", "name"),
            ("status", "name"),
            ("tier", "name"),
            ("renewal_date", "id"),
            ("annual_recurring_value", "id"),
            ("created_at", "id"),
            ("updated_at", "id"),
            ("archived_at",),
        )


class AccountTeamMember(Record):
    """A user with a named role on an account's team (for example 'Solutions engineer')."""

    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="team_members", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="account_memberships", on_delete=fields.CASCADE
    )
    role = fields.CharField(max_length=100)

    account_id: int
    user_id: int

    class Meta:
        table = "account_team_member"
        unique_together = (("account_id", "user_id"),)
        indexes = (("user_id",),)
