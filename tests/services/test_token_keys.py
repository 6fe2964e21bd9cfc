"""Rotating the token-signing key: the new key signs, the previous ones still verify during the
overlap, and a key dropped from the list stops verifying."""

from datetime import UTC, datetime

import jwt
import pytest

from services import auth
from services.auth import AuthenticationError, CredentialRefusal
from settings import get_settings
from tests.factories import make_user

OLD_KEY = "the-signing-key-before-rotation-" + "o" * 16
NEW_KEY = "the-signing-key-after-rotation-" + "n" * 16


@pytest.fixture
def signing_keys(monkeypatch):
    def use(current: str, *previous: str) -> None:
        monkeypatch.setattr(get_settings(), "secret_key", current)
        monkeypatch.setattr(get_settings(), "previous_secret_keys", list(previous))

    return use


async def test_tokens_of_the_previous_key_are_accepted_during_the_overlap(signing_keys):
    user = await make_user()
    signing_keys(OLD_KEY)
    old_token = auth.issue_access_token(user)

    signing_keys(NEW_KEY, OLD_KEY)
    new_token = auth.issue_access_token(user)

    assert (await auth.authenticate(old_token)).user.pk == user.pk
    assert (await auth.authenticate(new_token)).user.pk == user.pk
    assert jwt.decode(new_token, NEW_KEY, algorithms=["HS256"])["sub"] == str(user.pk)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(new_token, OLD_KEY, algorithms=["HS256"])


async def test_a_key_dropped_from_the_list_no_longer_verifies(signing_keys):
    user = await make_user()
    signing_keys(OLD_KEY)
    old_token = auth.issue_access_token(user)
    signing_keys(NEW_KEY)
    with pytest.raises(AuthenticationError, match="the access token is not valid") as refused:
        await auth.authenticate(old_token)
    assert refused.value.reason == CredentialRefusal.INVALID


async def test_an_expired_token_of_a_previous_key_is_refused(signing_keys, set_clock, monkeypatch):
    user = await make_user()
    signing_keys(OLD_KEY)
    set_clock(datetime(2020, 1, 1, tzinfo=UTC))
    expired = auth.issue_access_token(user)
    monkeypatch.undo()
    signing_keys(NEW_KEY, OLD_KEY)
    with pytest.raises(AuthenticationError, match="the access token expired") as refused:
        await auth.authenticate(expired)
    assert refused.value.reason == CredentialRefusal.EXPIRED
