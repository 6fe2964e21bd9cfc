"""Choosing, changing and resetting passwords.

One rule for every new password, wherever it is set (createUser, the command line,
changePassword, resetUserPassword). A changed password ends the user's other sign-in
sessions; a reset by an administrator ends all of them, and optionally the user's API keys
too. Both are recorded in the audit log, which never holds the password or its hash.
"""

import uuid
from dataclasses import dataclass

from models import ApiKey, AuditLogEntry, User
from models.enums import AuditAction
from services import auth
from services.clock import now
from services.errors import DomainError, ErrorCode, not_found
from services.writes import write_transaction

MIN_PASSWORD_LENGTH = 12
# Argon2 hashes any length, but a megabyte of password is a way to make the server work.
MAX_PASSWORD_LENGTH = 1024
# What the audit log shows instead of a password.
REDACTED = "[redacted]"


def password_problem(password: str) -> str | None:
    """What is wrong with ``password`` as a new password; None if it will do."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password needs at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"the password may have at most {MAX_PASSWORD_LENGTH} characters"
    if "\x00" in password:
        return "the password may not contain NUL characters"
    return None


def check_new_password(password: str, *, field: str = "password") -> None:
    """Raise a DomainError on ``field`` unless ``password`` follows the password rule."""
    problem = password_problem(password)
    if problem is not None:
        raise DomainError.single(problem, field=field)


@dataclass(frozen=True)
class PasswordChange:
    user: User
    sessions_ended: int
    api_keys_revoked: int = 0


async def change_password(
    *,
    user_id: int,
    current_password: str,
    new_password: str,
    session_id: uuid.UUID | None,
) -> PasswordChange:
    """Set a user's own password, given the current one; ends every other session of theirs
    (the one ``session_id`` names goes on)."""
    user = await User.get(pk=user_id)
    if not await auth.verify_password(user.password_hash, current_password):
        raise DomainError.single(
            "the current password is not right",
            code=ErrorCode.INVALID_CREDENTIALS,
            field="current_password",
        )
    check_new_password(new_password, field="new_password")
    if new_password == current_password:
        raise DomainError.single(
            "choose a new password different from the current one", field="new_password"
        )
    async with write_transaction():
        await _set_password(user, new_password, actor_id=user.pk)
        ended = await auth.revoke_sessions(user_id=user.pk, keep=session_id)
    return PasswordChange(user, ended)


async def reset_user_password(
    *, user_id: int, new_password: str, actor_id: int, revoke_api_keys: bool = False
) -> PasswordChange:
    """Give a user a new password (an administrator's reset): every session of theirs ends,
    and with ``revoke_api_keys`` every API key of theirs too."""
    check_new_password(new_password, field="new_password")
    user = await User.get_or_none(pk=user_id)
    if user is None:
        raise not_found("User", "user_id")
    async with write_transaction():
        await _set_password(user, new_password, actor_id=actor_id)
        ended = await auth.revoke_sessions(user_id=user.pk)
        revoked = 0
        if revoke_api_keys:
            revoked = await ApiKey.filter(user_id=user.pk, revoked_at=None).update(revoked_at=now())
    return PasswordChange(user, ended, revoked)


async def _set_password(user: User, password: str, *, actor_id: int) -> None:
    had_one = user.password_hash is not None
    user.password_hash = await auth.hashed_password(password)
    await user.save(update_fields=["password_hash", "updated_at"])
    await AuditLogEntry.create(
        occurred_at=now(),
        actor_id=actor_id,
        action=AuditAction.UPDATE,
        record_type="User",
        record_id=user.pk,
        changes={"password": {"before": REDACTED if had_one else None, "after": REDACTED}},
    )
