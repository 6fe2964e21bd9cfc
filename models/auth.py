"""Credentials: refresh tokens, API keys and sign-in limits. Secrets are stored only as
hashes."""

from tortoise import fields
from tortoise.models import Model

from models.base import Record
from models.people import User


class RefreshToken(Model):
    """One refresh token of a sign-in session. Using it replaces it with a new one of the same
    family; presenting a replaced token again revokes the whole family."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="refresh_tokens", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    family = fields.UUIDField()
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    user_id: int

    class Meta:
        table = "refresh_token"
        indexes = (("family",), ("user_id", "created_at"))


class ApiKey(Record):
    """A key for scripts, ``ag_<prefix>_<secret>``. Only the prefix is kept readable."""

    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="api_keys", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=200)
    prefix = fields.CharField(max_length=16, unique=True)
    secret_hash = fields.CharField(max_length=64)
    scopes: fields.Field[list[str]] = fields.JSONField(default=list)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    # Refused from then on; null only for keys made before keys expired (none after 0008).
    expires_at = fields.DatetimeField(null=True)

    user_id: int

    class Meta:
        table = "api_key"
        indexes = (("user_id", "created_at"),)


class LoginThrottle(Model):
    """Failed sign-ins counted for one account from one address, or (``account`` empty) for
    one address over every account; services/login_throttle.py reads and writes them."""

    id = fields.BigIntField(primary_key=True)
    account = fields.CharField(max_length=254)
    address = fields.CharField(max_length=64)
    failures = fields.IntField(default=0)
    last_attempt_at = fields.DatetimeField()
    next_attempt_at = fields.DatetimeField(null=True)

    class Meta:
        table = "login_throttle"
        unique_together = (("account", "address"),)
