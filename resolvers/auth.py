"""Signing in and out, passwords and API keys: the code behind their root fields.

Who may call each field is declared on it in ``schema.root``; the rules (a key never gets
scopes its creator lacks, who may revoke which key, the password rule) are in
``services.auth`` and ``services.passwords``.
"""

from typing import Any

from models import ApiKey as ApiKeyModel
from models import User as UserModel
from resolvers.core.listing import pk
from resolvers.mutation import respond
from schema.auth import (
    ApiKey,
    ChangePasswordInput,
    ChangePasswordPayload,
    CreateApiKeyInput,
    CreateApiKeyPayload,
    LoginInput,
    LogoutInput,
    LogoutPayload,
    RefreshTokenInput,
    ResetUserPasswordInput,
    ResetUserPasswordPayload,
    RevokeApiKeyInput,
    RevokeApiKeyPayload,
    SessionPayload,
)
from schema.base import Info, UserError
from schema.people import User
from services import auth, passwords
from services.errors import DomainError, ErrorCode, not_found
from services.login_throttle import SignInDelayed


def interactive_only(info: Info, what: str) -> None:
    """Refuse credential management to an API key: a leaked key must not mint keys that outlive
    it, revoke others' keys or take over accounts by their passwords."""
    if info.context.signed_in_with_api_key:
        raise DomainError.single(
            f"API keys may not {what}: sign in with a password and use the access token",
            code=ErrorCode.FORBIDDEN,
        )


def _caller(info: Info) -> UserModel:
    """The signed-in caller; the field's permission lets no one else through."""
    viewer = info.context.viewer
    assert viewer is not None
    return viewer


def _session_fields(session: auth.Session) -> dict[str, Any]:
    return {
        "access_token": session.access_token,
        "refresh_token": session.refresh_token,
        "expires_in": session.expires_in,
        "user": User.from_row(session.user),
    }


async def login(info: Info, input: LoginInput) -> SessionPayload:
    async def call() -> dict[str, Any]:
        session = await auth.login(
            email=input.email, password=input.password, address=info.context.client_address
        )
        return _session_fields(session)

    try:
        return await respond(SessionPayload, call)
    except SignInDelayed as delayed:
        errors = [UserError.from_problem(delayed.problem)]
        return SessionPayload(errors=errors, retry_after=delayed.retry_after)


async def refresh_token(input: RefreshTokenInput) -> SessionPayload:
    async def call() -> dict[str, Any]:
        return _session_fields(await auth.refresh_session(refresh_token=input.refresh_token))

    return await respond(SessionPayload, call)


async def logout(input: LogoutInput) -> LogoutPayload:
    async def call() -> dict[str, Any]:
        await auth.logout(refresh_token=input.refresh_token)
        return {}

    return await respond(LogoutPayload, call)


async def create_api_key(info: Info, input: CreateApiKeyInput) -> CreateApiKeyPayload:
    viewer = _caller(info)

    async def call() -> dict[str, Any]:
        interactive_only(info, "create API keys")
        key, plaintext = await auth.create_api_key(
            user_id=viewer.pk,
            name=input.name,
            scopes=frozenset(input.scopes),
            expires_at=input.expires_at,
            creator_scopes=info.context.scopes,
        )
        return {"api_key": ApiKey.from_row(key), "key": plaintext}

    return await respond(CreateApiKeyPayload, call)


async def revoke_api_key(info: Info, input: RevokeApiKeyInput) -> RevokeApiKeyPayload:
    viewer = _caller(info)

    async def call() -> dict[str, Any]:
        interactive_only(info, "revoke API keys")
        key_id = pk(input.id, "ApiKey")
        if key_id is None:
            raise not_found("API key", "id")
        key = await auth.revoke_api_key(key_id=key_id, actor=viewer)
        return {"api_key": ApiKey.from_row(key)}

    return await respond(RevokeApiKeyPayload, call)


async def change_password(info: Info, input: ChangePasswordInput) -> ChangePasswordPayload:
    viewer = _caller(info)

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


async def reset_user_password(
    info: Info, input: ResetUserPasswordInput
) -> ResetUserPasswordPayload:
    viewer = _caller(info)

    async def call() -> dict[str, Any]:
        interactive_only(info, "reset passwords")
        user_id = pk(input.user_id, "User")
        if user_id is None:
            raise not_found("User", "user_id")
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


async def api_keys(info: Info) -> list[ApiKey]:
    viewer = _caller(info)
    rows = await ApiKeyModel.filter(user_id=viewer.pk).order_by("-created_at", "-id")
    return ApiKey.from_rows(rows)
