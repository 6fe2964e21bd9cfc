"""Every credential failure over HTTP answers alike: 401, an RFC 6750 ``WWW-Authenticate``
challenge, and ``{"errors": [{"message", "extensions": {"code": "UNAUTHENTICATED",
"reason"}}]}`` with no data; for POST and GET, either response media type, and uploads. An
anonymous caller may still sign in and ask ``viewer`` (null); signing in ignores a refused
``Authorization`` header."""

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ids import to_global_id
from models import ApiKey, RefreshToken, User
from services import auth
from services.auth import Scope
from tests.factories import make_user
from tests.state import database_state

PASSWORD = "correct horse battery staple"
LOGIN = """mutation($e: String!, $p: String!) {
  login(input: {email: $e, password: $p}) { accessToken refreshToken errors { code } }
}"""
REFRESH = """mutation($t: String!) {
  refreshToken(input: {refreshToken: $t}) { accessToken refreshToken errors { code } }
}"""
LOGOUT = "mutation($t: String!) { logout(input: {refreshToken: $t}) { errors { code } } }"
ACCOUNTS = "{ accounts { totalCount } }"
CREATE_CLIENT = 'mutation { createClient(input: {name: "Acme"}) { client { name } } }'
REALM = 'Bearer realm="AccountGraph"'
SIGN_IN_FIRST = "Sign in first: send 'Authorization: Bearer <access token or API key>'."


def refusal(message: str, reason: str) -> dict:
    return {
        "errors": [
            {"message": message, "extensions": {"code": "UNAUTHENTICATED", "reason": reason}}
        ]
    }


def challenge(description: str) -> str:
    return f'{REALM}, error="invalid_token", error_description="{description}"'


PASSWORD_HASH = auth.hash_password(PASSWORD)


async def ann() -> User:
    return await make_user(email="ann@example.com", password_hash=PASSWORD_HASH)


async def signed_in() -> auth.Session:
    return await auth.login(email="ann@example.com", password=PASSWORD, address="10.0.0.1")


# Each way a credential is refused: (Authorization value made for Ann, reason, message).
Refused = Callable[[pytest.MonkeyPatch], Awaitable[str]]


async def not_a_token(_: pytest.MonkeyPatch) -> str:
    return "Bearer not-a-token"


async def other_scheme(_: pytest.MonkeyPatch) -> str:
    return "Basic dXNlcjpwYXNz"


async def unknown_key(_: pytest.MonkeyPatch) -> str:
    return "Bearer ag_deadbeef_nope"


async def forged_token(_: pytest.MonkeyPatch) -> str:
    user = await User.get(email="ann@example.com")
    token = auth.issue_access_token(user)
    header, claims, _signature = token.split(".")
    return f"Bearer {header}.{claims}.c2lnbmVkIGJ5IHNvbWVvbmUgZWxzZQ"


async def expired_token(monkeypatch: pytest.MonkeyPatch) -> str:
    session = await signed_in()
    later = datetime.now(UTC) + timedelta(seconds=301)
    monkeypatch.setattr("services.clock.source", lambda: later)
    return f"Bearer {session.access_token}"


async def expired_key(_: pytest.MonkeyPatch) -> str:
    user = await User.get(email="ann@example.com")
    _key, key = await auth.create_api_key(
        user_id=user.pk, name="k", scopes=frozenset({Scope.READ, Scope.WRITE})
    )
    await ApiKey.filter(user_id=user.pk).update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    return f"Bearer {key}"


async def signed_out(_: pytest.MonkeyPatch) -> str:
    session = await signed_in()
    await auth.logout(refresh_token=session.refresh_token)
    return f"Bearer {session.access_token}"


async def revoked_key(_: pytest.MonkeyPatch) -> str:
    user = await User.get(email="ann@example.com")
    row, key = await auth.create_api_key(
        user_id=user.pk, name="k", scopes=frozenset({Scope.READ, Scope.WRITE})
    )
    await auth.revoke_api_key(key_id=row.pk, actor=user)
    return f"Bearer {key}"


async def deactivated(_: pytest.MonkeyPatch) -> str:
    session = await signed_in()
    await User.filter(email="ann@example.com").update(is_active=False)
    return f"Bearer {session.access_token}"


REFUSALS = [
    (not_a_token, "INVALID", "the access token is not valid; sign in again"),
    (forged_token, "INVALID", "the access token is not valid; sign in again"),
    (other_scheme, "INVALID", "use 'Authorization: Bearer <access token or API key>'"),
    (unknown_key, "INVALID", "the API key is not valid"),
    (expired_token, "EXPIRED", "the access token expired; get a new one with refreshToken"),
    (expired_key, "EXPIRED", "the API key expired; create a new one"),
    (signed_out, "REVOKED", "the session was ended (signed out or revoked); sign in again"),
    (revoked_key, "REVOKED", "the API key was revoked"),
    (deactivated, "REVOKED", "the account is not active"),
]
REFUSAL_IDS = [make.__name__ for make, _, _ in REFUSALS]
# One of each reason, for the tests that vary something else.
EACH_REASON = [REFUSALS[0], REFUSALS[4], REFUSALS[6]]
EACH_REASON_IDS = [make.__name__ for make, _, _ in EACH_REASON]


async def post(
    http: httpx.AsyncClient, query: str, authorization: str | None, **more
) -> httpx.Response:
    headers = {"Authorization": authorization} if authorization else {}
    headers.update(more.pop("headers", {}))
    return await http.post("/graphql", json={"query": query, **more}, headers=headers)


def assert_refused(response: httpx.Response, message: str, reason: str) -> None:
    assert response.status_code == 401, response.text
    expected = REALM if reason == "MISSING" else challenge(message)
    assert response.headers["www-authenticate"] == expected
    assert response.json() == refusal(message, reason)


@pytest.mark.parametrize(("make", "reason", "message"), REFUSALS, ids=REFUSAL_IDS)
async def test_a_refused_credential_is_401_with_its_reason(
    http, monkeypatch, make, reason, message
):
    await ann()
    authorization = await make(monkeypatch)
    assert_refused(await post(http, ACCOUNTS, authorization), message, reason)


@pytest.mark.parametrize(("make", "reason", "message"), EACH_REASON, ids=EACH_REASON_IDS)
async def test_viewer_with_a_refused_credential_is_401_not_null(
    http, monkeypatch, make, reason, message
):
    await ann()
    authorization = await make(monkeypatch)
    assert_refused(await post(http, "{ viewer { email } }", authorization), message, reason)


@pytest.mark.parametrize(("make", "reason", "message"), EACH_REASON, ids=EACH_REASON_IDS)
async def test_a_mutation_with_a_refused_credential_is_401_and_changes_nothing(
    http, monkeypatch, make, reason, message
):
    await ann()
    authorization = await make(monkeypatch)
    before = await database_state()
    assert_refused(await post(http, CREATE_CLIENT, authorization), message, reason)
    assert await database_state() == before


@pytest.mark.parametrize("accept", ["application/graphql-response+json", "application/json", None])
@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_a_missing_credential_is_401_whatever_the_method_and_media_type(http, accept, method):
    headers = {"Accept": accept} if accept else {}
    if method == "GET":
        response = await http.get("/graphql", params={"query": ACCOUNTS}, headers=headers)
    else:
        response = await post(http, ACCOUNTS, None, headers=headers)
    assert_refused(response, SIGN_IN_FIRST, "MISSING")
    assert response.headers["content-type"].startswith(accept or "application/json")


@pytest.mark.parametrize(("make", "reason", "message"), EACH_REASON, ids=EACH_REASON_IDS)
async def test_a_get_with_a_refused_credential_is_401(http, monkeypatch, make, reason, message):
    await ann()
    authorization = await make(monkeypatch)
    response = await http.get(
        "/graphql", params={"query": ACCOUNTS}, headers={"Authorization": authorization}
    )
    assert_refused(response, message, reason)


def upload(http: httpx.AsyncClient, authorization: str | None) -> Awaitable[httpx.Response]:
    operations = {
        "query": "mutation($input: ImportLeadsInput!) { importLeads(input: $input) { errors { code } } }",
        "variables": {"input": {"file": None}},
    }
    return http.post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.input.file"]}),
        },
        files={"0": ("leads.csv", b"name,email\nBo,bo@example.com\n", "text/csv")},
        headers={"Authorization": authorization} if authorization else {},
    )


async def test_an_upload_without_a_credential_is_401_missing(http):
    before = await database_state()
    assert_refused(
        await upload(http, None),
        "Sign in to upload files: send 'Authorization: Bearer <access token or API key>'.",
        "MISSING",
    )
    assert await database_state() == before


@pytest.mark.parametrize(
    ("make", "reason", "message"), [*EACH_REASON, REFUSALS[2]], ids=[*EACH_REASON_IDS, "other"]
)
async def test_an_upload_with_a_refused_credential_is_401_with_its_reason(
    http, monkeypatch, make, reason, message
):
    await ann()
    authorization = await make(monkeypatch)
    before = await database_state()
    assert_refused(await upload(http, authorization), message, reason)
    assert await database_state() == before


# ------------------------------------------------------------------ anonymous and public fields


async def test_viewer_without_a_credential_is_null_with_200(http):
    response = await post(http, "{ viewer { email } }", None)
    assert (response.status_code, response.json()) == (200, {"data": {"viewer": None}})
    assert "www-authenticate" not in response.headers


async def test_signing_in_refreshing_and_out_need_no_credential(http):
    await ann()
    login = await post(http, LOGIN, None, variables={"e": "ann@example.com", "p": PASSWORD})
    assert login.status_code == 200
    session = login.json()["data"]["login"]
    refreshed = await post(http, REFRESH, None, variables={"t": session["refreshToken"]})
    assert refreshed.status_code == 200
    new = refreshed.json()["data"]["refreshToken"]
    assert new["errors"] == []
    out = await post(http, LOGOUT, None, variables={"t": new["refreshToken"]})
    assert out.json() == {"data": {"logout": {"errors": []}}}


@pytest.mark.parametrize(
    ("make", "reason", "message"), [*EACH_REASON, REFUSALS[2]], ids=[*EACH_REASON_IDS, "other"]
)
async def test_signing_in_and_refreshing_ignore_a_refused_authorization_header(
    http, monkeypatch, make, reason, message
):
    """A client whose access token expired refreshes it through the link that adds the
    header; signing in again works whatever the header holds."""
    await ann()
    authorization = await make(monkeypatch)
    monkeypatch.setattr("services.clock.source", lambda: datetime.now(UTC))
    session = await signed_in()
    refreshed = await post(http, REFRESH, authorization, variables={"t": session.refresh_token})
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["data"]["refreshToken"]["errors"] == []
    login = await post(
        http, LOGIN, authorization, variables={"e": "ann@example.com", "p": PASSWORD}
    )
    assert login.status_code == 200
    assert login.json()["data"]["login"]["errors"] == []


async def test_signing_in_beside_anything_else_with_a_refused_credential_is_401(http, monkeypatch):
    await ann()
    authorization = await signed_out(monkeypatch)
    before = await database_state()
    response = await post(
        http,
        "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) "
        '{ accessToken } createClient(input: {name: "Acme"}) { client { name } } }',
        authorization,
        variables={"e": "ann@example.com", "p": PASSWORD},
    )
    assert_refused(
        response, "the session was ended (signed out or revoked); sign in again", "REVOKED"
    )
    assert await database_state() == before
    assert await RefreshToken.filter(revoked_at=None).count() == 0


async def test_a_refused_credential_changes_nothing_it_would_have_changed(http, monkeypatch):
    user = await ann()
    authorization = await expired_token(monkeypatch)
    before = await database_state()
    response = await post(
        http,
        "mutation($id: ID!) { deactivateUser(input: {id: $id}) { errors { code } } }",
        authorization,
        variables={"id": to_global_id("User", user.pk)},
    )
    assert_refused(response, "the access token expired; get a new one with refreshToken", "EXPIRED")
    assert await database_state() == before
