from datetime import UTC, datetime, timedelta

import jwt
import pytest
from argon2 import PasswordHasher

from models import ApiKey, LoginThrottle, RefreshToken, User
from services import auth
from services.auth import AuthenticationError, CredentialRefusal, Scope
from services.errors import DomainError, ErrorCode
from settings import get_settings
from tests.factories import make_user
from tests.state import database_state

PASSWORD = "correct horse battery staple"


async def member(**values) -> User:
    return await make_user(password_hash=auth.hash_password(PASSWORD), **values)


async def refused_login(email: str, password: str, address: str = "10.0.0.1") -> DomainError:
    with pytest.raises(DomainError) as caught:
        await auth.login(email=email, password=password, address=address)
    return caught.value


async def test_login_opens_a_session_whose_access_token_names_the_user():
    user = await member(email="ann@example.com")
    session = await auth.login(email=" ANN@example.com ", password=PASSWORD, address="10.0.0.1")
    assert session.user.pk == user.pk
    assert session.expires_in == get_settings().access_token_seconds
    principal = await auth.authenticate(session.access_token)
    assert (principal.user.pk, principal.scopes) == (user.pk, auth.ALL_SCOPES)


async def test_wrong_password_and_unknown_email_get_the_same_answer():
    await member(email="ann@example.com")
    wrong = await refused_login("ann@example.com", "nope")
    unknown = await refused_login("bob@example.com", PASSWORD)
    assert wrong.problems == unknown.problems
    assert wrong.problems[0].code == ErrorCode.INVALID_CREDENTIALS
    counted = await LoginThrottle.all().order_by("account").values_list("account", "failures")
    assert counted == [("", 2), ("ann@example.com", 1), ("bob@example.com", 1)]


async def test_an_inactive_user_cannot_sign_in():
    await member(email="ann@example.com", is_active=False)
    error = await refused_login("ann@example.com", PASSWORD)
    assert error.problems[0].code == ErrorCode.INVALID_CREDENTIALS


async def test_a_hash_with_old_parameters_is_replaced_on_sign_in():
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    user = await make_user(email="ann@example.com", password_hash=weak)
    await auth.login(email="ann@example.com", password=PASSWORD, address="10.0.0.1")
    stored = (await User.get(pk=user.pk)).password_hash
    assert stored is not None
    assert stored != weak
    assert not PasswordHasher().check_needs_rehash(stored)
    assert PasswordHasher().verify(stored, PASSWORD)


async def test_refresh_rotates_and_a_replayed_token_revokes_the_family(set_clock):
    await member(email="ann@example.com")
    first = await auth.login(email="ann@example.com", password=PASSWORD, address="10.0.0.1")
    second = await auth.refresh_session(refresh_token=first.refresh_token)
    assert second.refresh_token != first.refresh_token
    assert (await auth.authenticate(second.access_token)).user.email == "ann@example.com"
    # Past the grace period a used token is a replay (within it: tests/api/test_refresh_grace.py).
    set_clock(datetime.now(UTC) + timedelta(seconds=get_settings().refresh_grace_seconds + 1))

    with pytest.raises(DomainError):
        await auth.refresh_session(refresh_token=first.refresh_token)  # replayed
    with pytest.raises(DomainError):
        await auth.refresh_session(refresh_token=second.refresh_token)  # family revoked
    assert await RefreshToken.filter(revoked_at=None).count() == 0


async def test_logout_ends_the_session():
    await member(email="ann@example.com")
    session = await auth.login(email="ann@example.com", password=PASSWORD, address="10.0.0.1")
    await auth.logout(refresh_token=session.refresh_token)
    with pytest.raises(DomainError):
        await auth.refresh_session(refresh_token=session.refresh_token)


async def test_expired_forged_and_deactivated_access_tokens_are_refused():
    user = await member(email="ann@example.com")
    past = datetime.now(UTC) - timedelta(hours=1)
    secret = get_settings().secret_key
    expired = jwt.encode(
        {"sub": str(user.pk), "iat": past, "exp": past + timedelta(minutes=5), "typ": "access"},
        secret,
    )
    forged = jwt.encode(
        {
            "sub": str(user.pk),
            "iat": datetime.now(UTC),
            "exp": datetime.now(UTC) + timedelta(minutes=5),
            "typ": "access",
        },
        "a-different-key-of-at-least-32-bytes!!",
    )
    for token, reason in (
        (expired, CredentialRefusal.EXPIRED),
        (forged, CredentialRefusal.INVALID),
        ("garbage", CredentialRefusal.INVALID),
    ):
        with pytest.raises(AuthenticationError) as refused:
            await auth.authenticate(token)
        assert refused.value.reason == reason
    session = await auth.login(email="ann@example.com", password=PASSWORD, address="10.0.0.1")
    await User.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(AuthenticationError) as refused:
        await auth.authenticate(session.access_token)
    assert (refused.value.reason, str(refused.value)) == (
        CredentialRefusal.REVOKED,
        "the account is not active",
    )


async def test_api_keys_are_scoped_revocable_and_stored_only_hashed():
    user = await member(email="ann@example.com")
    key, plaintext = await auth.create_api_key(
        user_id=user.pk, name="CRM sync", scopes=frozenset({Scope.READ})
    )
    assert plaintext.startswith(f"ag_{key.prefix}_")
    assert len(plaintext.split("_", 2)[2]) >= 43  # 32 random bytes, base64url
    principal = await auth.authenticate(plaintext)
    assert (principal.user.pk, principal.scopes) == (user.pk, frozenset({Scope.READ}))
    assert (await ApiKey.get(pk=key.pk)).last_used_at is not None

    dump = repr(await database_state())
    assert plaintext.split("_", 2)[2] not in dump
    assert PASSWORD not in dump

    await auth.revoke_api_key(key_id=key.pk, actor=user)
    with pytest.raises(AuthenticationError) as refused:
        await auth.authenticate(plaintext)
    assert refused.value.reason == CredentialRefusal.REVOKED


async def test_a_wrong_secret_or_unknown_prefix_is_refused():
    user = await member()
    _, plaintext = await auth.create_api_key(
        user_id=user.pk, name="k", scopes=frozenset({Scope.READ})
    )
    for credential in (plaintext[:-2] + "xx", f"ag_ffffffff_{plaintext.split('_', 2)[2]}", "ag_"):
        with pytest.raises(AuthenticationError) as refused:
            await auth.authenticate(credential)
        assert refused.value.reason == CredentialRefusal.INVALID


async def test_a_deactivated_users_api_key_stops_working():
    user = await member()
    _, plaintext = await auth.create_api_key(
        user_id=user.pk, name="k", scopes=frozenset({Scope.WRITE})
    )
    await User.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(AuthenticationError) as refused:
        await auth.authenticate(plaintext)
    assert refused.value.reason == CredentialRefusal.REVOKED
