"""Signing in and out, and API keys, in GraphQL."""

from datetime import datetime
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.permission import BasePermission
from strawberry.relay import GlobalID

from models import ApiKey as ApiKeyModel
from models import User as UserModel
from resolvers.core.listing import pk
from resolvers.mutation import respond
from schema.base import Info, RecordNode, UserError
from schema.people import User
from services import auth, passwords
from services.auth import Scope
from services.errors import DomainError, ErrorCode, Problem
from services.login_throttle import SignInDelayed


class IsAuthenticated(BasePermission):
    """The caller presented a valid credential."""

    message = "Sign in first: send 'Authorization: Bearer <access token or API key>'."
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.viewer is not None


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


def interactive_only(info: Info, what: str) -> None:
    """Refuse credential management to an API key: a leaked key must not mint keys that outlive
    it, revoke others' keys or take over accounts by their passwords."""
    if info.context.signed_in_with_api_key:
        raise DomainError.single(
            f"API keys may not {what}: sign in with a password and use the access token",
            code=ErrorCode.FORBIDDEN,
        )


def session_fields(session: auth.Session) -> dict[str, Any]:
    return {
        "access_token": session.access_token,
        "refresh_token": session.refresh_token,
        "expires_in": session.expires_in,
        "user": User.from_row(session.user),
    }


@strawberry.type
class AuthMutations:
    @strawberry.mutation(description="Sign in with email and password.")
    async def login(self, info: Info, input: LoginInput) -> SessionPayload:
        async def call() -> dict[str, Any]:
            session = await auth.login(
                email=input.email, password=input.password, address=info.context.client_address
            )
            return session_fields(session)

        try:
            return await respond(SessionPayload, call)
        except SignInDelayed as delayed:
            errors = [UserError.from_problem(delayed.problem)]
            return SessionPayload(errors=errors, retry_after=delayed.retry_after)

    @strawberry.mutation(
        description="A new access token and refresh token for a refresh token, which is used up."
    )
    async def refresh_token(self, info: Info, input: RefreshTokenInput) -> SessionPayload:
        async def call() -> dict[str, Any]:
            return session_fields(await auth.refresh_session(refresh_token=input.refresh_token))

        return await respond(SessionPayload, call)

    @strawberry.mutation(description="End a session: its refresh tokens stop working.")
    async def logout(self, info: Info, input: LogoutInput) -> LogoutPayload:
        async def call() -> dict[str, Any]:
            await auth.logout(refresh_token=input.refresh_token)
            return {}

        return await respond(LogoutPayload, call)

    @strawberry.mutation(
        description="Create an API key for the signed-in user; the key is shown once.",
        permission_classes=[IsAuthenticated],
    )
    async def create_api_key(self, info: Info, input: CreateApiKeyInput) -> CreateApiKeyPayload:
        viewer = info.context.viewer
        assert viewer is not None

        async def call() -> dict[str, Any]:
            interactive_only(info, "create API keys")
            wanted = frozenset(input.scopes)
            if not wanted <= info.context.scopes:
                raise DomainError(
                    [
                        Problem(
                            "a key cannot have scopes its creator lacks",
                            ErrorCode.INVALID,
                            ("scopes",),
                        )
                    ]
                )
            key, plaintext = await auth.create_api_key(
                user_id=viewer.pk, name=input.name, scopes=wanted, expires_at=input.expires_at
            )
            return {"api_key": ApiKey.from_row(key), "key": plaintext}

        return await respond(CreateApiKeyPayload, call)

    @strawberry.mutation(
        description="Revoke an API key; it is refused from the next request on.",
        permission_classes=[IsAuthenticated],
    )
    async def revoke_api_key(self, info: Info, input: RevokeApiKeyInput) -> RevokeApiKeyPayload:
        viewer = info.context.viewer
        assert viewer is not None

        async def call() -> dict[str, Any]:
            interactive_only(info, "revoke API keys")
            key_id = pk(input.id, "ApiKey")
            if key_id is None:
                raise DomainError.single("API key not found", code=ErrorCode.NOT_FOUND, field="id")
            owner = None if viewer.role == "ADMIN" else viewer.pk
            key = await auth.revoke_api_key(key_id=key_id, user_id=owner)
            return {"api_key": ApiKey.from_row(key)}

        return await respond(RevokeApiKeyPayload, call)

    @strawberry.mutation(
        description="Change your own password, given the current one; your other sessions end "
        "(this one goes on). Not with an API key.",
        permission_classes=[IsAuthenticated],
    )
    async def change_password(
        self, info: Info, input: ChangePasswordInput
    ) -> ChangePasswordPayload:
        viewer = info.context.viewer
        assert viewer is not None

        async def call() -> dict[str, Any]:
            interactive_only(info, "change passwords")
            principal = info.context.principal
            done = await passwords.change_password(
                user_id=viewer.pk,
                current_password=input.current_password,
                new_password=input.new_password,
                session_id=principal.session_id if principal is not None else None,
            )
            return {"user": User.from_row(done.user), "ended_sessions": done.sessions_ended}

        return await respond(ChangePasswordPayload, call)

    @strawberry.mutation(
        description="Give a user a new password (administrators only, not with an API key): "
        "every session of the user ends, and with revokeApiKeys every API key of theirs too.",
        permission_classes=[IsAuthenticated],
    )
    async def reset_user_password(
        self, info: Info, input: ResetUserPasswordInput
    ) -> ResetUserPasswordPayload:
        viewer = info.context.viewer
        assert viewer is not None
        if not info.context.may_write(UserModel):
            raise GraphQLError("you may not change User records", extensions={"code": "FORBIDDEN"})

        async def call() -> dict[str, Any]:
            interactive_only(info, "reset passwords")
            user_id = pk(input.user_id, "User")
            if user_id is None:
                raise DomainError.single(
                    "User not found", code=ErrorCode.NOT_FOUND, field="user_id"
                )
            done = await passwords.reset_user_password(
                user_id=user_id,
                new_password=input.new_password,
                actor_id=viewer.pk,
                revoke_api_keys=input.revoke_api_keys,
            )
            return {
                "user": User.from_row(done.user),
                "ended_sessions": done.sessions_ended,
                "revoked_api_keys": done.api_keys_revoked,
            }

        return await respond(ResetUserPasswordPayload, call)


@strawberry.type
class AuthQueries:
    @strawberry.field(
        description="The signed-in user's API keys, newest first.",
        permission_classes=[IsAuthenticated],
    )
    async def api_keys(self, info: Info) -> list[ApiKey]:
        viewer = info.context.viewer
        assert viewer is not None
        rows = await ApiKeyModel.filter(user_id=viewer.pk).order_by("-created_at", "-id")
        return ApiKey.from_rows(rows)
