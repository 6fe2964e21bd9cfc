"""Sign-in limits: attempts reserved before the password is checked, delays that double per
(account, address), a separate higher limit per address, Argon2 off the event loop."""

import asyncio
import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from models import LoginThrottle
from server import healthz
from services import auth
from services.errors import DomainError, ErrorCode
from services.login_throttle import SignInDelayed
from settings import get_settings
from tests.factories import make_user
from tests.state import database_state

PASSWORD = "correct horse battery staple"
ATTACKER = "203.0.113.7"
OWNER = "198.51.100.20"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(set_clock) -> Clock:
    found = Clock()
    set_clock(found)
    return found


@pytest.fixture
def verifications(monkeypatch) -> list[str]:
    """The name of the thread of every Argon2 verification."""
    seen: list[str] = []
    verify = auth._verify

    def counted(password_hash: str, password: str) -> bool:
        seen.append(threading.current_thread().name)
        return verify(password_hash, password)

    monkeypatch.setattr(auth, "_verify", counted)
    return seen


async def owner() -> None:
    await make_user(email="ann@example.com", password_hash=auth.hash_password(PASSWORD))


async def attempt(password: str, address: str, email: str = "ann@example.com") -> object:
    """The session, or the refusal's code and, when delayed, the wait."""
    try:
        return await auth.login(email=email, password=password, address=address)
    except SignInDelayed as delayed:
        return (ErrorCode.RATE_LIMITED, delayed.retry_after)
    except DomainError as refused:
        return refused.problems[0].code


async def test_sixty_parallel_wrong_guesses_reach_the_password_check_at_most_the_limit(
    verifications,
):
    await owner()
    limit = get_settings().login_attempts_per_account

    outcomes = await asyncio.gather(*(attempt("guess", ATTACKER) for _ in range(60)))

    assert len(verifications) == limit
    assert outcomes.count(ErrorCode.INVALID_CREDENTIALS) == limit
    refused = [outcome for outcome in outcomes if isinstance(outcome, tuple)]
    assert len(refused) == 60 - limit
    # Each is told to wait out what is left of the first delay (2 s), rounded up.
    assert {code for code, _ in refused} == {ErrorCode.RATE_LIMITED}
    assert {seconds for _, seconds in refused} <= {1, 2}
    pair = await LoginThrottle.get(account="ann@example.com", address=ATTACKER)
    assert pair.failures == limit


async def test_each_attempt_past_the_limit_waits_twice_as_long(clock, monkeypatch):
    monkeypatch.setattr(get_settings(), "login_max_delay_seconds", 20)
    await owner()
    for _ in range(5):
        assert await attempt("guess", ATTACKER) == ErrorCode.INVALID_CREDENTIALS
    waits = []
    for _ in range(6):
        refused = await attempt("guess", ATTACKER)
        assert isinstance(refused, tuple)
        waits.append(refused[1])
        clock.advance(refused[1])
        assert await attempt("guess", ATTACKER) == ErrorCode.INVALID_CREDENTIALS
    assert waits == [2, 4, 8, 16, 20, 20]


async def test_after_the_wait_the_right_password_signs_in_and_forgets_the_failures(clock):
    await owner()
    for _ in range(5):
        await attempt("guess", ATTACKER)
    assert await attempt(PASSWORD, ATTACKER) == (ErrorCode.RATE_LIMITED, 2)
    clock.advance(2)
    session = await attempt(PASSWORD, ATTACKER)
    assert isinstance(session, auth.Session)
    assert not await LoginThrottle.filter(account="ann@example.com").exists()
    for _ in range(5):  # a fresh allowance
        assert await attempt("guess", ATTACKER) == ErrorCode.INVALID_CREDENTIALS


async def test_the_owner_from_another_address_is_not_held_up_by_someone_guessing(clock):
    await owner()
    for _ in range(30):
        await attempt("guess", ATTACKER)
    session = await attempt(PASSWORD, OWNER)
    assert isinstance(session, auth.Session)
    assert session.user.email == "ann@example.com"


async def test_a_delayed_attempt_changes_nothing(clock):
    await owner()
    for _ in range(5):
        await attempt("guess", ATTACKER)
    before = await database_state()
    assert await attempt(PASSWORD, ATTACKER) == (ErrorCode.RATE_LIMITED, 2)
    clock.advance(1)
    assert await attempt("guess", ATTACKER) == (ErrorCode.RATE_LIMITED, 1)
    assert await database_state() == before


async def test_failures_are_forgotten_a_window_after_the_last_wait_ends(clock):
    await owner()
    for _ in range(5):
        await attempt("guess", ATTACKER)
    clock.advance(2 + get_settings().login_window_seconds - 1)
    assert await attempt("guess", ATTACKER) == ErrorCode.INVALID_CREDENTIALS
    assert await attempt("guess", ATTACKER) == (ErrorCode.RATE_LIMITED, 4)
    clock.advance(4 + get_settings().login_window_seconds)
    for _ in range(5):
        assert await attempt("guess", ATTACKER) == ErrorCode.INVALID_CREDENTIALS


async def test_one_address_trying_many_accounts_is_slowed_at_its_own_higher_limit(
    clock, monkeypatch
):
    monkeypatch.setattr(get_settings(), "login_attempts_per_address", 12)
    await owner()
    for n in range(12):
        assert await attempt("guess", ATTACKER, f"nobody{n}@example.com") == (
            ErrorCode.INVALID_CREDENTIALS
        )
    assert await attempt(PASSWORD, ATTACKER) == (ErrorCode.RATE_LIMITED, 2)
    assert isinstance(await attempt(PASSWORD, OWNER), auth.Session)
    address = await LoginThrottle.get(account="", address=ATTACKER)
    assert address.failures == 12


async def test_a_success_behind_a_shared_address_does_not_count_against_it(clock):
    await owner()
    for _ in range(3):
        assert isinstance(await attempt(PASSWORD, OWNER), auth.Session)
    address = await LoginThrottle.get(account="", address=OWNER)
    assert address.failures == 0


@pytest.fixture
def password_threads(monkeypatch):
    """A fresh pool of two password threads."""
    monkeypatch.setattr(get_settings(), "password_hash_concurrency", 2)
    auth._password_threads.cache_clear()
    yield
    auth._password_threads.cache_clear()


async def test_argon2_runs_in_at_most_the_bound_of_threads_while_the_loop_serves_others(
    password_threads, monkeypatch
):
    lock = threading.Lock()
    running = {"now": 0, "most": 0}
    threads: set[str] = set()
    release = threading.Event()
    loop = asyncio.get_running_loop()
    both_running = asyncio.Event()

    def blocking_verify(password_hash: str, password: str) -> bool:
        with lock:
            running["now"] += 1
            running["most"] = max(running["most"], running["now"])
            threads.add(threading.current_thread().name)
            if running["now"] == 2:
                loop.call_soon_threadsafe(both_running.set)
        release.wait(30)
        with lock:
            running["now"] -= 1
        return False

    monkeypatch.setattr(auth, "_verify", blocking_verify)
    checks = [asyncio.ensure_future(auth.verify_password("hash", "guess")) for _ in range(6)]
    await asyncio.wait_for(both_running.wait(), 30)

    # Both threads are stuck in Argon2, and the event loop still answers a request.
    transport = httpx.ASGITransport(app=Starlette(routes=[Route("/healthz", healthz)]))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert running["now"] == 2

    release.set()
    assert await asyncio.gather(*checks) == [False] * 6
    assert running["most"] == 2
    assert threads <= {"password-hash_0", "password-hash_1"}
    assert threading.current_thread().name not in threads


async def test_sign_in_verifies_the_password_in_a_password_thread(verifications, password_threads):
    await owner()
    assert isinstance(await attempt(PASSWORD, OWNER), auth.Session)
    assert await attempt("guess", OWNER) == ErrorCode.INVALID_CREDENTIALS
    assert len(verifications) == 2
    assert all(name.startswith("password-hash_") for name in verifications)
