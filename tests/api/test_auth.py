"""Signing in over GraphQL, and credentials on requests."""

from datetime import UTC, datetime, timedelta

from models import ApiKey, RefreshToken
from services import auth
from settings import get_settings
from tests.factories import make_user

PASSWORD = "correct horse battery staple"
LOGIN = """mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    accessToken refreshToken expiresIn user { email } errors { field message code }
  }
}"""
VIEWER = "{ viewer { email role } }"


async def ann():
    return await make_user(email="ann@example.com", password_hash=auth.hash_password(PASSWORD))


async def test_login_then_ask_who_i_am(gql):
    await ann()
    session = (await gql(LOGIN, {"email": "ann@example.com", "password": PASSWORD}))["login"]
    assert session["errors"] == []
    assert session["user"] == {"email": "ann@example.com"}
    assert session["expiresIn"] == 300
    me = await gql(VIEWER, token=session["accessToken"])
    assert me == {"viewer": {"email": "ann@example.com", "role": "ACCOUNT_MANAGER"}}
    assert await gql(VIEWER, token=None) == {"viewer": None}


async def test_a_wrong_password_is_a_user_error_and_opens_no_session(gql):
    await ann()
    data = await gql(LOGIN, {"email": "ann@example.com", "password": "nope"})
    assert data["login"] == {
        "accessToken": None,
        "refreshToken": None,
        "expiresIn": None,
        "user": None,
        "errors": [
            {
                "field": None,
                "message": "the email or password is not right",
                "code": "INVALID_CREDENTIALS",
            }
        ],
    }
    assert await RefreshToken.all().count() == 0


async def test_refresh_rotates_over_graphql(gql, set_clock):
    await ann()
    first = (await gql(LOGIN, {"email": "ann@example.com", "password": PASSWORD}))["login"]
    refresh = """mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { accessToken refreshToken errors { field code } } }"""
    second = (await gql(refresh, {"t": first["refreshToken"]}))["refreshToken"]
    assert second["errors"] == [] and second["refreshToken"] != first["refreshToken"]
    # After the grace period (tests/api/test_refresh_grace.py), a used token is a replay.
    set_clock(datetime.now(UTC) + timedelta(seconds=get_settings().refresh_grace_seconds + 1))
    replay = (await gql(refresh, {"t": first["refreshToken"]}))["refreshToken"]
    assert replay == {
        "accessToken": None,
        "refreshToken": None,
        "errors": [{"field": ["refreshToken"], "code": "INVALID_CREDENTIALS"}],
    }


async def test_a_bad_or_malformed_credential_is_refused_with_401(http):
    for header in ("Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer ag_deadbeef_nope"):
        response = await http.post(
            "/graphql", json={"query": VIEWER}, headers={"Authorization": header}
        )
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "data" not in response.json()


async def test_api_key_life_cycle(gql, http):
    user = await ann()
    token = (await gql(LOGIN, {"email": "ann@example.com", "password": PASSWORD}))["login"][
        "accessToken"
    ]
    created = (
        await gql(
            """mutation { createApiKey(input: {name: "Sync", scopes: [READ]}) {
             apiKey { id name prefix scopes lastUsedAt revokedAt } key errors { message } } }""",
            token=token,
        )
    )["createApiKey"]
    key = created["key"]
    assert created["errors"] == []
    assert key.startswith("ag_" + created["apiKey"]["prefix"] + "_")
    assert created["apiKey"]["scopes"] == ["READ"]

    assert await gql(VIEWER, token=key) == {
        "viewer": {"email": "ann@example.com", "role": "ACCOUNT_MANAGER"}
    }
    listed = await gql("{ apiKeys { name prefix lastUsedAt } }", token=token)
    assert listed["apiKeys"][0]["name"] == "Sync" and listed["apiKeys"][0]["lastUsedAt"] is not None
    assert "key" not in listed["apiKeys"][0]

    revoked = await gql(
        "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } errors { message } } }",
        {"id": created["apiKey"]["id"]},
        token=token,
    )
    assert revoked["revokeApiKey"]["apiKey"]["revokedAt"] is not None
    response = await http.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 401
    assert (await ApiKey.get(user_id=user.pk)).revoked_at is not None


async def test_creating_an_api_key_needs_a_signed_in_user(gql):
    body = await gql(
        'mutation { createApiKey(input: {name: "x", scopes: [READ]}) { key } }',
        errors=True,
        token=None,
    )
    assert body == {
        "errors": [
            {
                "message": "Sign in first: send 'Authorization: Bearer <access token or API key>'.",
                "extensions": {"code": "UNAUTHENTICATED", "reason": "MISSING"},
            }
        ]
    }
    assert await ApiKey.all().count() == 0


async def test_a_read_key_cannot_mint_a_key(gql):
    user = await ann()
    _, read_key = await auth.create_api_key(
        user_id=user.pk, name="r", scopes=frozenset({auth.Scope.READ})
    )
    body = await gql(
        'mutation { createApiKey(input: {name: "r2", scopes: [READ]}) { key errors { field message } } }',
        token=read_key,
        errors=True,
    )
    assert body == {
        "data": {
            "createApiKey": {
                "key": None,
                "errors": [
                    {
                        "field": None,
                        "message": "API keys may not create API keys: sign in with a password "
                        "and use the access token",
                    }
                ],
            }
        }
    }
    assert await ApiKey.all().count() == 1
