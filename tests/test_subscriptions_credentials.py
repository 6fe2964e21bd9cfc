"""A socket lives no longer than the credential it signed in with: over a real socket, the
server closes it with 4401 when the access token expires, when its session ends and when its
API key is revoked, in both subscription protocols; a refused connection_init closes it with
4403. Either way the close reason starts with the refusal's reason word, as HTTP's 401
carries it in ``extensions.reason``."""

import asyncio
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from websockets.exceptions import ConnectionClosed

from models import ApiKey
from resolvers.core.subscriptions import _fresh_view
from services import auth
from services.auth import CredentialRefusal, Scope
from settings import get_settings
from tests.factories import make_user
from tests.live_events import (
    LEGACY_WS,
    PASSWORD,
    STAGE_CHANGED,
    TRANSPORT_WS,
    Api,
    Server,
    Socket,
    World,
    make_world,
    server_on_own_database,
    until_subscribed,
)

ENDED = "REVOKED: the session was ended (signed out or revoked); sign in again"
EXPIRED = "EXPIRED: the access token expired; get a new one with refreshToken"
PROTOCOLS = [TRANSPORT_WS, LEGACY_WS]


@pytest.fixture(scope="module")
async def live(tmp_path_factory):
    async with server_on_own_database(tmp_path_factory.mktemp("credentials")) as server:
        yield server


@pytest.fixture
async def world(live: Server):
    world = await make_world(live.base)
    yield world
    await world.admin.aclose()


async def session_of(world: World, key: str) -> dict:
    """A fresh sign-in of the world's user ``key``: its access and refresh tokens."""
    email = (
        await world.admin.gql(
            "query($id: ID!) { node(id: $id) { ... on User { email } } }", {"id": world.users[key]}
        )
    )["node"]["email"]
    data = await world.admin.gql(
        "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) "
        "{ accessToken refreshToken } }",
        {"e": email, "p": PASSWORD},
    )
    return data["login"]


async def closed(socket: Socket, within: float = 15) -> tuple[int, str]:
    """The code and reason the server closes the socket with (messages before are skipped)."""
    try:
        while True:
            await asyncio.wait_for(socket.ws.recv(), within)
    except ConnectionClosed as close:
        assert close.rcvd is not None
        return close.rcvd.code, close.rcvd.reason


async def subscribed(live: Server, protocol: str, credential: str, *, wait: bool = True):
    opened = Socket.open(live, protocol)
    socket = await opened.__aenter__()
    ack = await socket.init(credential)
    assert ack["type"] == "connection_ack"
    await socket.subscribe("1", STAGE_CHANGED)
    if wait:
        await until_subscribed(live, 1)
    return opened, socket


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_the_socket_closes_with_4401_when_its_access_token_expires(live, world, protocol):
    token = (await session_of(world, "alice"))["accessToken"]
    # The same session and user, expiring a few seconds from now.
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["exp"] = datetime.now(UTC) + timedelta(seconds=5)
    short = jwt.encode(claims, get_settings().secret_key, algorithm="HS256")
    opened, socket = await subscribed(live, protocol, short, wait=False)
    try:
        assert await closed(socket) == (4401, EXPIRED)
        await until_subscribed(live, 0)
    finally:
        await opened.__aexit__(None, None, None)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_the_socket_closes_with_4401_when_its_session_is_signed_out(live, world, protocol):
    session = await session_of(world, "alice")
    opened, socket = await subscribed(live, protocol, session["accessToken"])
    try:
        await world.admin.gql(
            "mutation($t: String!) { logout(input: {refreshToken: $t}) { errors { code } } }",
            {"t": session["refreshToken"]},
        )
        assert await closed(socket) == (4401, ENDED)
        await until_subscribed(live, 0)
    finally:
        await opened.__aexit__(None, None, None)


async def test_a_password_change_closes_the_other_sessions_sockets(live, world):
    this, other = await session_of(world, "bob"), await session_of(world, "bob")
    opened, socket = await subscribed(live, TRANSPORT_WS, other["accessToken"])
    api = Api(live.base, this["accessToken"])
    try:
        changed = await api.gql(
            "mutation($c: String!, $n: String!) { changePassword(input: "
            "{currentPassword: $c, newPassword: $n}) { endedSessions errors { message } } }",
            {"c": PASSWORD, "n": "another long password"},
        )
        assert changed == {"changePassword": {"endedSessions": 1, "errors": []}}
        assert await closed(socket) == (4401, ENDED)
    finally:
        await api.aclose()
        await opened.__aexit__(None, None, None)


async def test_a_socket_of_a_live_session_stays_open_and_receives(live, world):
    session = await session_of(world, "alice")
    opened, socket = await subscribed(live, TRANSPORT_WS, session["accessToken"])
    try:
        await socket.nothing_more(1.5)  # several credential checks pass
        moved = await world.move(world.deals["a"][0], "Qualification")
        [data] = await socket.events(1)
        assert data["opportunityStageChanged"]["eventId"] == moved
    finally:
        await opened.__aexit__(None, None, None)


async def test_every_event_checks_the_credential_again():
    user = await make_user(email="ann@example.com", password_hash=auth.hash_password(PASSWORD))
    session = await auth.login(email="ann@example.com", password=PASSWORD, address="10.0.0.1")
    view = await _fresh_view(session.access_token)
    assert view.viewer is not None and view.viewer.pk == user.pk and view.refusal is None
    await auth.logout(refresh_token=session.refresh_token)
    ended = await _fresh_view(session.access_token)
    assert ended.viewer is None and ended.refusal is not None
    assert (ended.refusal.reason, str(ended.refusal)) == (CredentialRefusal.REVOKED, ENDED[9:])
    _, key = await auth.create_api_key(user_id=user.pk, name="k", scopes=frozenset({Scope.READ}))
    assert (await _fresh_view(key)).viewer is not None
    await ApiKey.filter(user_id=user.pk).update(expires_at=datetime.now(UTC))
    expired = await _fresh_view(key)
    assert expired.viewer is None and expired.refusal is not None
    assert expired.refusal.reason == CredentialRefusal.EXPIRED


def expired_token_of(token: str) -> str:
    """The same session and user, expired a minute ago."""
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["exp"] = datetime.now(UTC) - timedelta(minutes=1)
    return jwt.encode(claims, get_settings().secret_key, algorithm="HS256")


CONNECT = 'send {"authorization": "Bearer <access token or API key>"} in connection_init'


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize(
    ("credential", "reason", "message"),
    [
        (None, "MISSING", CONNECT),
        ("Bearer not-a-token", "INVALID", "the access token is not valid; sign in again"),
        ("Basic dXNlcjpwYXNz", "INVALID", "use 'Authorization: Bearer <access token or API key>'"),
        ("expired", "EXPIRED", EXPIRED[9:]),
        ("signed out", "REVOKED", ENDED[9:]),
    ],
    ids=["missing", "invalid", "other-scheme", "expired", "revoked"],
)
async def test_a_refused_connection_init_closes_with_4403_and_the_reason(
    live, world, protocol, credential, reason, message
):
    if credential in ("expired", "signed out"):
        session = await session_of(world, "alice")
        token = session["accessToken"]
        if credential == "signed out":
            await world.admin.gql(
                "mutation($t: String!) { logout(input: {refreshToken: $t}) { errors { code } } }",
                {"t": session["refreshToken"]},
            )
        credential = f"Bearer {expired_token_of(token) if credential == 'expired' else token}"
    payload = {"authorization": credential} if credential else {}
    async with Socket.open(live, protocol) as socket:
        await socket.send({"type": "connection_init", "payload": payload})
        if protocol == LEGACY_WS:
            assert await socket.receive() == {
                "type": "connection_error",
                "payload": {
                    "message": message,
                    "extensions": {"code": "UNAUTHENTICATED", "reason": reason},
                },
            }
        assert await closed(socket) == (4403, f"{reason}: {message}")


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_subscribing_before_signing_in_closes_with_4401_missing(live, protocol):
    async with Socket.open(live, protocol) as socket:
        await socket.subscribe("1", STAGE_CHANGED)
        assert await closed(socket) == (
            4401,
            "MISSING: sign in with connection_init and wait for connection_ack before subscribing",
        )
