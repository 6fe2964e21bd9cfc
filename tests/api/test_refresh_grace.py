"""Two tabs refreshing at once: a refresh token presented again within the grace period
(ACCOUNTGRAPH_REFRESH_GRACE_SECONDS) answers the same pair again; later it is a replay and
ends the session; a logout during the grace ends it for every tab."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from models import RefreshToken
from services import auth
from settings import DEVELOPMENT_SECRET_KEY, get_settings
from tests.database import BACKEND
from tests.factories import make_user
from tests.state import database_state

PASSWORD = "correct horse battery staple"
PASSWORD_HASH = auth.hash_password(PASSWORD)
REFRESH = """mutation($t: String!) {
  refreshToken(input: {refreshToken: $t}) {
    accessToken refreshToken expiresIn user { email } errors { field code }
  }
}"""
LOGOUT = "mutation($t: String!) { logout(input: {refreshToken: $t}) { errors { code } } }"
VIEWER = "{ viewer { email } }"
REFUSED = {
    "accessToken": None,
    "refreshToken": None,
    "expiresIn": None,
    "user": None,
    "errors": [{"field": ["refreshToken"], "code": "INVALID_CREDENTIALS"}],
}
ENDED = "the session was ended (signed out or revoked); sign in again"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(set_clock):
    """The time, moved on by ``clock.advance(seconds)``."""

    class Clock:
        at = START

        def advance(self, seconds: float) -> None:
            self.at += timedelta(seconds=seconds)

    moving = Clock()
    set_clock(lambda: moving.at)
    return moving


async def signed_in() -> auth.Session:
    await make_user(email="ann@example.com", password_hash=PASSWORD_HASH)
    return await auth.login(email="ann@example.com", password=PASSWORD, address="10.0.0.1")


async def refresh(gql, token: str) -> dict:
    return (await gql(REFRESH, {"t": token}, token=None))["refreshToken"]


async def refused_with(http, access_token: str) -> dict:
    response = await http.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {access_token}"}
    )
    assert response.status_code == 401
    return response.json()["errors"][0]


async def test_the_default_grace_is_twenty_seconds():
    assert get_settings().refresh_grace_seconds == 20


async def test_presenting_a_used_token_within_the_grace_answers_the_same_pair(gql, clock):
    session = await signed_in()
    first = await refresh(gql, session.refresh_token)
    assert first["errors"] == [] and first["refreshToken"] != session.refresh_token
    clock.advance(19)
    assert await refresh(gql, session.refresh_token) == first
    # No second successor: the session still has its two tokens, both live.
    assert await RefreshToken.filter(revoked_at=None).count() == 2
    assert await gql(VIEWER, token=first["accessToken"]) == {"viewer": {"email": "ann@example.com"}}
    following = await refresh(gql, first["refreshToken"])
    assert following["errors"] == [] and following["refreshToken"] != first["refreshToken"]


@pytest.mark.parametrize("tabs", [2, 5])
async def test_tabs_refreshing_at_once_all_get_the_same_pair(gql, tabs):
    session = await signed_in()
    answers = await asyncio.gather(*(refresh(gql, session.refresh_token) for _ in range(tabs)))
    assert answers[0]["errors"] == []
    assert answers == [answers[0]] * tabs
    assert await RefreshToken.filter(revoked_at=None).count() == 2
    assert await gql(VIEWER, token=answers[0]["accessToken"]) == {
        "viewer": {"email": "ann@example.com"}
    }


async def test_a_later_tab_still_in_the_grace_follows_the_chain(gql, clock):
    session = await signed_in()
    first = await refresh(gql, session.refresh_token)
    clock.advance(5)
    second = await refresh(gql, first["refreshToken"])
    clock.advance(5)
    # The slow tab gets the first pair, already used, and from it the second.
    assert await refresh(gql, session.refresh_token) == first
    assert await refresh(gql, first["refreshToken"]) == second
    assert await RefreshToken.filter(revoked_at=None).count() == 3


async def test_presenting_a_used_token_after_the_grace_ends_the_session(gql, http, clock):
    session = await signed_in()
    first = await refresh(gql, session.refresh_token)
    clock.advance(21)
    assert await refresh(gql, session.refresh_token) == REFUSED
    assert await RefreshToken.filter(revoked_at=None).count() == 0
    assert await refresh(gql, first["refreshToken"]) == REFUSED
    assert await refused_with(http, first["accessToken"]) == {
        "message": ENDED,
        "extensions": {"code": "UNAUTHENTICATED", "reason": "REVOKED"},
    }


@pytest.mark.parametrize("logged_out_with", ["successor", "used token"])
async def test_a_logout_during_the_grace_ends_the_session_for_every_tab(
    gql, http, clock, logged_out_with
):
    session = await signed_in()
    first = await refresh(gql, session.refresh_token)
    clock.advance(2)
    token = first["refreshToken"] if logged_out_with == "successor" else session.refresh_token
    assert (await gql(LOGOUT, {"t": token}, token=None))["logout"] == {"errors": []}
    before = await database_state()
    clock.advance(2)
    assert await refresh(gql, session.refresh_token) == REFUSED
    assert await database_state() == before
    assert (await refused_with(http, first["accessToken"]))["extensions"]["reason"] == "REVOKED"


async def test_a_grace_of_zero_makes_refresh_tokens_strictly_single_use(gql, clock, monkeypatch):
    monkeypatch.setattr(get_settings(), "refresh_grace_seconds", 0)
    session = await signed_in()
    await refresh(gql, session.refresh_token)
    clock.advance(0.001)
    assert await refresh(gql, session.refresh_token) == REFUSED
    assert await RefreshToken.filter(revoked_at=None).count() == 0


async def test_no_refresh_token_is_stored_in_clear(gql):
    session = await signed_in()
    first = await refresh(gql, session.refresh_token)
    again = await refresh(gql, session.refresh_token)
    stored = repr(await database_state())
    for token in (session.refresh_token, first["refreshToken"], again["refreshToken"]):
        assert token not in stored


async def test_the_same_refresh_token_is_answered_while_a_key_rotation_overlaps(clock, monkeypatch):
    session = await signed_in()
    first = await auth.refresh_session(refresh_token=session.refresh_token)
    monkeypatch.setattr(get_settings(), "secret_key", "a-new-signing-key-of-at-least-32-bytes")
    monkeypatch.setattr(get_settings(), "previous_secret_keys", [DEVELOPMENT_SECRET_KEY])
    clock.advance(3)
    again = await auth.refresh_session(refresh_token=session.refresh_token)
    # The refresh token is derived again with the previous key; the access token, signed
    # with the new one, is another valid token of the same session and time.
    assert again.refresh_token == first.refresh_token
    assert again.access_token != first.access_token
    assert (await auth.authenticate(again.access_token)).session_id == (
        await auth.authenticate(first.access_token)
    ).session_id


@pytest.mark.skipif(BACKEND != "postgres", reason="SQLite runs one write transaction at a time")
async def test_a_second_tab_waits_for_the_first_tabs_refresh_and_answers_its_pair(monkeypatch):
    """On PostgreSQL the two refreshes run in two transactions at once: the second waits on
    the row lock the first holds, then answers the pair the first made."""
    session = await signed_in()
    locked, release = asyncio.Event(), asyncio.Event()
    open_session = auth._open_session

    async def paused(*args, **kwargs):
        locked.set()
        await release.wait()
        return await open_session(*args, **kwargs)

    monkeypatch.setattr(auth, "_open_session", paused)
    first = asyncio.create_task(auth.refresh_session(refresh_token=session.refresh_token))
    await locked.wait()
    second = asyncio.create_task(auth.refresh_session(refresh_token=session.refresh_token))
    await asyncio.sleep(0.5)
    assert not second.done()  # waiting for the first transaction's row lock
    release.set()
    a, b = await asyncio.gather(first, second)
    assert (a.access_token, a.refresh_token, a.expires_in) == (
        b.access_token,
        b.refresh_token,
        b.expires_in,
    )
    assert await RefreshToken.filter(revoked_at=None).count() == 2
