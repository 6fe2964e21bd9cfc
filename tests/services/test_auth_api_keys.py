"""The API-key rules of services/auth.py: a key never gets scopes its creator lacks, and who
may revoke which key."""

import pytest

from models import ApiKey, User
from models.enums import Role
from services import auth
from services.auth import ALL_SCOPES, Scope
from services.errors import DomainError, ErrorCode, Problem
from tests.factories import make_user
from tests.state import database_state

READ_ONLY = frozenset({Scope.READ})
READ_WRITE = frozenset({Scope.READ, Scope.WRITE})


async def key_of(user: User, name: str = "CRM sync") -> ApiKey:
    key, _ = await auth.create_api_key(user_id=user.pk, name=name, scopes=READ_ONLY)
    return key


async def test_a_key_never_gets_scopes_its_creator_lacks():
    user = await make_user()
    before = await database_state()
    with pytest.raises(DomainError) as refused:
        await auth.create_api_key(
            user_id=user.pk, name="CRM sync", scopes=READ_WRITE, creator_scopes=READ_ONLY
        )
    assert refused.value.problems == [
        Problem("a key cannot have scopes its creator lacks", ErrorCode.INVALID, ("scopes",))
    ]
    assert await database_state() == before


async def test_the_scope_rule_is_checked_before_the_keys_name():
    user = await make_user()
    with pytest.raises(DomainError) as refused:
        await auth.create_api_key(
            user_id=user.pk, name="", scopes=READ_WRITE, creator_scopes=READ_ONLY
        )
    assert [p.field for p in refused.value.problems] == [("scopes",)]


@pytest.mark.parametrize(
    ("creator_scopes", "scopes"),
    [(READ_ONLY, READ_ONLY), (READ_WRITE, READ_ONLY), (READ_WRITE, READ_WRITE)],
)
async def test_a_key_may_get_the_scopes_its_creator_has(creator_scopes, scopes):
    user = await make_user()
    key, _ = await auth.create_api_key(
        user_id=user.pk, name="CRM sync", scopes=scopes, creator_scopes=creator_scopes
    )
    stored = await ApiKey.get(pk=key.pk)
    assert (stored.user_id, stored.scopes) == (user.pk, sorted(s.value for s in scopes))


async def test_without_creator_scopes_the_creator_has_them_all():
    admin = await make_user(role=Role.ADMIN)
    key, _ = await auth.create_api_key(user_id=admin.pk, name="ops", scopes=ALL_SCOPES)
    assert (await ApiKey.get(pk=key.pk)).scopes == ["admin", "read", "write"]


@pytest.mark.parametrize("role", list(Role))
async def test_anyone_may_revoke_their_own_key(role):
    user = await make_user(role=role)
    key = await key_of(user)
    revoked = await auth.revoke_api_key(key_id=key.pk, actor=user)
    assert revoked.pk == key.pk
    stored = await ApiKey.get(pk=key.pk)
    assert stored.revoked_at is not None
    assert stored.revoked_at == revoked.revoked_at


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
async def test_only_an_administrator_may_revoke_another_users_key(role):
    owner = await make_user()
    key = await key_of(owner)
    other = await make_user(role=role)
    before = await database_state()
    with pytest.raises(DomainError) as refused:
        await auth.revoke_api_key(key_id=key.pk, actor=other)
    # Another user's key is not found, as if it did not exist.
    assert refused.value.problems == [Problem("API key not found", ErrorCode.NOT_FOUND, ("id",))]
    assert await database_state() == before


async def test_an_administrator_may_revoke_anyones_key():
    owner = await make_user()
    key = await key_of(owner)
    admin = await make_user(role=Role.ADMIN)
    await auth.revoke_api_key(key_id=key.pk, actor=admin)
    stored = await ApiKey.get(pk=key.pk)
    assert (stored.user_id, stored.revoked_at is not None) == (owner.pk, True)


async def test_an_unknown_key_is_not_found_even_for_an_administrator():
    admin = await make_user(role=Role.ADMIN)
    key = await key_of(admin)
    before = await database_state()
    with pytest.raises(DomainError) as refused:
        await auth.revoke_api_key(key_id=key.pk + 1, actor=admin)
    assert refused.value.problems == [Problem("API key not found", ErrorCode.NOT_FOUND, ("id",))]
    assert await database_state() == before


async def test_revoking_a_revoked_key_changes_nothing():
    user = await make_user()
    key = await key_of(user)
    await auth.revoke_api_key(key_id=key.pk, actor=user)
    before = await database_state()
    again = await auth.revoke_api_key(key_id=key.pk, actor=user)
    assert again.revoked_at == (await ApiKey.get(pk=key.pk)).revoked_at
    assert await database_state() == before
