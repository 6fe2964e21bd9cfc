"""Creating and deactivating users (services/users.py), the rules the GraphQL mutations and
the command line share."""

import pytest

from models import AuditLogEntry, RefreshToken, User
from models.enums import AuditAction, Role
from services import auth, users
from services.errors import DomainError, ErrorCode, Problem
from tests.factories import make_user
from tests.state import database_state

PASSWORD = "a-long-password-1"


async def test_a_new_user_signs_in_with_the_password_stored_only_as_its_hash():
    admin = await make_user(role=Role.ADMIN)
    user = await users.create_user(
        actor_id=admin.pk,
        values={"email": "New@Example.com", "name": "New Person", "password": PASSWORD},
    )
    stored = await User.get(pk=user.pk)
    assert (stored.email, stored.name, stored.role, stored.is_active) == (
        "new@example.com",
        "New Person",
        Role.ACCOUNT_MANAGER,
        True,
    )
    assert stored.password_hash is not None and PASSWORD not in stored.password_hash
    assert await auth.verify_password(stored.password_hash, PASSWORD)
    entry = await AuditLogEntry.get(record_type="User", record_id=user.pk)
    assert (entry.action, entry.actor_id) == (AuditAction.CREATE, admin.pk)
    assert "passwordHash" not in entry.changes and "password" not in entry.changes


async def test_a_user_made_without_a_password_cannot_sign_in_yet():
    user = await users.create_user(actor_id=None, values={"email": "a@example.com", "name": "A"})
    assert (await User.get(pk=user.pk)).password_hash is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "the password needs at least 12 characters"),
        ("x" * 1025, "the password may have at most 1024 characters"),
        ("twelve chars\x00", "the password may not contain NUL characters"),
    ],
)
async def test_a_password_breaking_the_rule_is_refused_and_nothing_is_stored(password, message):
    before = await database_state()
    with pytest.raises(DomainError) as refused:
        await users.create_user(
            actor_id=None, values={"email": "a@example.com", "name": "A", "password": password}
        )
    assert refused.value.problems == [Problem(message, ErrorCode.INVALID, ("password",))]
    assert await database_state() == before


async def test_a_taken_email_is_refused_and_nothing_is_stored():
    await make_user(email="taken@example.com")
    before = await database_state()
    with pytest.raises(DomainError) as refused:
        await users.create_user(
            actor_id=None,
            values={"email": "TAKEN@example.com", "name": "A", "password": PASSWORD},
        )
    assert refused.value.problems == [
        Problem(
            "another user already has email 'taken@example.com'", ErrorCode.DUPLICATE, ("email",)
        )
    ]
    assert await database_state() == before


async def test_deactivating_a_user_ends_their_sessions_and_is_audited():
    admin = await make_user(role=Role.ADMIN)
    user = await make_user(password_hash=auth.hash_password(PASSWORD))
    await auth.login(email=user.email, password=PASSWORD, address="10.0.0.1")
    await auth.login(email=user.email, password=PASSWORD, address="10.0.0.1")

    deactivated = await users.deactivate_user(user_id=user.pk, actor_id=admin.pk)

    assert deactivated.pk == user.pk
    assert not (await User.get(pk=user.pk)).is_active
    assert await RefreshToken.filter(user_id=user.pk, revoked_at=None).count() == 0
    assert await RefreshToken.filter(user_id=user.pk).count() == 2
    entry = await AuditLogEntry.get(record_type="User", record_id=user.pk)
    assert (entry.action, entry.actor_id, entry.changes) == (
        AuditAction.UPDATE,
        admin.pk,
        {"isActive": {"before": True, "after": False}},
    )


async def test_deactivating_an_unknown_user_is_refused_and_nothing_changes():
    user = await make_user()
    before = await database_state()
    with pytest.raises(DomainError) as refused:
        await users.deactivate_user(user_id=user.pk + 1, actor_id=None)
    assert [p.code for p in refused.value.problems] == [ErrorCode.NOT_FOUND]
    assert await database_state() == before
