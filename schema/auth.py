"""Signing in and out, and API keys, in GraphQL."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.permission import BasePermission
from strawberry.relay import GlobalID

from models import ApiKey as ApiKeyModel
from resolvers.listing import pk
from schema.base import Info, RecordNode, UserError, respond
from schema.types import User
from services import auth
from services.auth import Scope
from services.errors import DomainError, ErrorCode, Problem
from services.login_throttle import SignInDelayed

strawberry.enum(Scope, name="ApiKeyScope", description="What an API key may do.")


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
        description="What the key may do; at most what the creating credential may do."
    )


@strawberry.input(description="The API key to revoke.")
class RevokeApiKeyInput:
    id: GlobalID


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
                user_id=viewer.pk, name=input.name, scopes=wanted
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
            key_id = pk(input.id, "ApiKey")
            if key_id is None:
                raise DomainError.single("API key not found", code=ErrorCode.NOT_FOUND, field="id")
            owner = None if viewer.role == "ADMIN" else viewer.pk
            key = await auth.revoke_api_key(key_id=key_id, user_id=owner)
            return {"api_key": ApiKey.from_row(key)}

        return await respond(RevokeApiKeyPayload, call)


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
