"""Creating and deactivating users: the rules every way in shares (createUser and
deactivateUser in GraphQL, ``accountgraph create-user`` on the command line).

A new user's password follows the password rule (``services.passwords``) and is stored only
as its hash; the audit log never holds either. A deactivated user's sessions end with it, so
that activating them again does not bring their old sessions back.
"""

from collections.abc import Mapping
from typing import Any

from models import User
from services import records
from services.auth import hashed_password, revoke_sessions
from services.passwords import check_new_password
from services.people import USER


async def create_user(*, actor_id: int | None, values: Mapping[str, Any]) -> User:
    """Validate and insert a new user (audit entry and event as for any record).

    ``values["password"]``, when given, must follow the password rule; without one the user
    cannot sign in yet.
    """
    clean = dict(values)
    password = clean.pop("password", None)
    if password is not None:
        check_new_password(password)
        clean["password_hash"] = await hashed_password(password)
    user: User = await records.create_record(USER, actor_id=actor_id, values=clean)
    return user


async def deactivate_user(*, user_id: int, actor_id: int | None) -> User:
    """Mark a user inactive and end every sign-in session of theirs: their access tokens and
    API keys are refused from the next request on."""
    user: User = await records.update_record(
        USER, record_id=user_id, actor_id=actor_id, changes={"is_active": False}
    )
    await revoke_sessions(user_id=user.pk)
    return user
