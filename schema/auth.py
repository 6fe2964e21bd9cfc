"""Signing in and out, passwords and API keys in GraphQL: their types, inputs and payloads."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.relay import GlobalID

from models import ApiKey as ApiKeyModel
from schema.base import RecordNode, UserError
from schema.people import User
from services.auth import Scope


@strawberry.type(description="A key for scripts and integrations. The key itself is shown once.")
class ApiKey(RecordNode):
    model = ApiKeyModel
    name: str = strawberry.field(description="What the key is for.")
    prefix: str = strawberry.field(description="Public part of the key, shown in listings.")
    scopes: list[Scope] = strawberry.field(description="What the key may do.")
    last_used_at: datetime | None = strawberry.field(description="When the key was last used.")
    revoked_at: datetime | None = strawberry.field(description="When the key was revoked.")
    expires_at: datetime | None = strawberry.field(
        description="When the key stops working by itself."
    )
    user_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> "ApiKey":
        node = super().from_row(row)
        node.scopes = [Scope(s) for s in row.scopes]
        return node


@strawberry.input(description="An email and password.")
class LoginInput:
    email: str = strawberry.field(description="The account's email address, in any case.")
    password: str = strawberry.field(description="The account's password.")


@strawberry.input(description="The refresh token of a session.")
class RefreshTokenInput:
    refresh_token: str = strawberry.field(description="The refresh token from the last sign-in.")


@strawberry.input(description="The refresh token of the session to end.")
class LogoutInput:
    refresh_token: str = strawberry.field(description="The session's current refresh token.")


@strawberry.input(description="A new API key for the signed-in user.")
class CreateApiKeyInput:
    name: str = strawberry.field(description="What the key is for, e.g. 'Nightly CRM sync'.")
    scopes: list[Scope] = strawberry.field(
        description="What the key may do: READ for every query and subscription, WRITE for "
        "every mutation, ADMIN (administrators only) for both."
    )
    expires_at: datetime | None = strawberry.field(
        default=None,
        description="When the key stops working; at most ACCOUNTGRAPH_API_KEY_MAX_DAYS (365 by "
        "default) from now, which is also the default.",
    )


@strawberry.input(description="The API key to revoke.")
class RevokeApiKeyInput:
    id: GlobalID


@strawberry.input(description="The caller's current password and the new one.")
class ChangePasswordInput:
    current_password: str = strawberry.field(description="The password used to sign in now.")
    new_password: str = strawberry.field(description="At least 12 characters.")


@strawberry.input(description="A user and the password an administrator gives them.")
class ResetUserPasswordInput:
    user_id: GlobalID = strawberry.field(description="The user whose password to reset.")
    new_password: str = strawberry.field(description="At least 12 characters.")
    revoke_api_keys: bool = strawberry.field(
        default=False,
        description="Also revoke every API key of the user (when the account may have been "
        "compromised).",
    )


@strawberry.type(description="A signed-in session, or why signing in failed.")
class SessionPayload:
    access_token: str | None = strawberry.field(
        default=None, description="Send as 'Authorization: Bearer <token>'; short-lived."
    )
    refresh_token: str | None = strawberry.field(
        default=None, description="Exchange for a new access token with refreshToken; use once."
    )
    expires_in: int | None = strawberry.field(
        default=None, description="Seconds until the access token expires."
    )
    user: User | None = strawberry.field(default=None, description="Who signed in.")
    errors: list[UserError] = strawberry.field(default_factory=list, description="Why not.")
    retry_after: int | None = strawberry.field(
        default=None,
        description="After too many failed sign-ins (RATE_LIMITED): seconds until the next "
        "attempt for this account from this address is checked.",
    )


@strawberry.type(description="The result of logout.")
class LogoutPayload:
    errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(description="The new API key. The key is shown only here, once.")
class CreateApiKeyPayload:
    api_key: ApiKey | None = strawberry.field(default=None, description="The key's record.")
    key: str | None = strawberry.field(
        default=None, description="The secret key; store it now, it cannot be shown again."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Why not.")


@strawberry.type(description="The revoked API key.")
class RevokeApiKeyPayload:
    api_key: ApiKey | None = strawberry.field(default=None, description="The key's record.")
    errors: list[UserError] = strawberry.field(default_factory=list, description="Why not.")


@strawberry.type(description="The result of changePassword.")
class ChangePasswordPayload:
    user: User | None = strawberry.field(default=None, description="The caller.")
    ended_sessions: int | None = strawberry.field(
        default=None, description="How many other sessions of the caller were ended."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Why not.")


@strawberry.type(description="The result of resetUserPassword.")
class ResetUserPasswordPayload:
    user: User | None = strawberry.field(default=None, description="The user.")
    ended_sessions: int | None = strawberry.field(
        default=None, description="How many sessions of the user were ended."
    )
    revoked_api_keys: int | None = strawberry.field(
        default=None, description="How many API keys of the user were revoked."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Why not.")
