"""Credentials over HTTP: what an API key's scopes allow, when keys expire, which sign-in
sessions end and when their access tokens stop working, and passwords."""

from datetime import UTC, datetime, timedelta

import pytest

from ids import to_global_id
from models import ApiKey, AuditLogEntry, RefreshToken, User
from models.enums import Role
from services import auth
from services.auth import Scope
from settings import get_settings
from tests.database import count_statements
from tests.factories import make_user
from tests.state import database_state

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase"
LOGIN = """mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { accessToken refreshToken errors { code } }
}"""
REFRESH = """mutation($t: String!) {
  refreshToken(input: {refreshToken: $t}) { accessToken refreshToken errors { code } }
}"""
LOGOUT = "mutation($t: String!) { logout(input: {refreshToken: $t}) { errors { code } } }"
VIEWER = "{ viewer { email } }"
CREATE_KEY = """mutation($input: CreateApiKeyInput!) {
  createApiKey(input: $input) {
    key apiKey { scopes expiresAt } errors { field message code }
  }
}"""
REVOKE_KEY = """mutation($id: ID!) {
  revokeApiKey(input: {id: $id}) { apiKey { revokedAt } errors { field message code } }
}"""
CHANGE_PASSWORD = """mutation($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) {
    user { email } endedSessions errors { field message code }
  }
}"""
RESET_PASSWORD = """mutation($id: ID!, $new: String!, $keys: Boolean) {
  resetUserPassword(input: {userId: $id, newPassword: $new, revokeApiKeys: $keys}) {
    user { email } endedSessions revokedApiKeys errors { field message code }
  }
}"""
ENDED = "the session was ended (signed out or revoked); sign in again"


async def ann(role: Role = Role.ACCOUNT_MANAGER) -> User:
    return await make_user(
        email="ann@example.com", role=role, password_hash=auth.hash_password(PASSWORD)
    )


async def sign_in(gql, password: str = PASSWORD) -> dict:
    data = await gql(LOGIN, {"email": "ann@example.com", "password": password}, token=None)
    assert data["login"]["errors"] == []
    return data["login"]


async def key_of(user: User, *scopes: Scope) -> str:
    return (await auth.create_api_key(user_id=user.pk, name="k", scopes=frozenset(scopes)))[1]


async def refused(http, credential: str) -> str:
    """The message a credential is refused with: 401, reason REVOKED unless it expired (fails
    if it is accepted)."""
    response = await http.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {credential}"}
    )
    assert response.status_code == 401, response.text
    [error] = response.json()["errors"]
    reason = "EXPIRED" if "expired" in error["message"] else "REVOKED"
    assert error["extensions"] == {"code": "UNAUTHENTICATED", "reason": reason}
    assert response.headers["www-authenticate"] == (
        'Bearer realm="AccountGraph", error="invalid_token", '
        f'error_description="{error["message"]}"'
    )
    return error["message"]


def forbidden(message: str) -> dict:
    """A request refused before anything ran (so the response has no data entry)."""
    return {"errors": [{"message": message, "extensions": {"code": "FORBIDDEN"}}]}


MAY_NOT_READ = "This API key may not read anything: use a key with the read scope."
MAY_NOT_WRITE = "This API key may not change anything: use a key with the write scope."


# ------------------------------------------------------------------------------ key scopes


@pytest.mark.parametrize("query", [VIEWER, "{ accounts { totalCount } }", "{ apiKeys { name } }"])
async def test_a_write_only_key_cannot_read_over_http(gql, query):
    key = await key_of(await ann(), Scope.WRITE)
    assert await gql(query, token=key, errors=True) == forbidden(MAY_NOT_READ)


async def test_a_write_key_cannot_mint_a_key_that_would_outlive_it(gql):
    user = await ann()
    key = await key_of(user, Scope.READ, Scope.WRITE)
    before = await database_state()
    data = await gql(CREATE_KEY, {"input": {"name": "twin", "scopes": ["READ"]}}, token=key)
    assert data["createApiKey"] == {
        "key": None,
        "apiKey": None,
        "errors": [
            {
                "field": None,
                "message": "API keys may not create API keys: sign in with a password and use "
                "the access token",
                "code": "FORBIDDEN",
            }
        ],
    }
    after = await database_state()
    # Only the key's last-used time moved.
    assert {k: v for k, v in after.items() if k != "api_key"} == {
        k: v for k, v in before.items() if k != "api_key"
    }
    assert await ApiKey.all().count() == 1


async def test_an_api_key_cannot_revoke_keys(gql):
    user = await ann()
    key = await key_of(user, Scope.READ, Scope.WRITE)
    other = await key_of(user, Scope.READ)
    other_id = to_global_id("ApiKey", (await ApiKey.get(prefix=other[3:11])).pk)
    data = await gql(REVOKE_KEY, {"id": other_id}, token=key)
    assert data["revokeApiKey"] == {
        "apiKey": None,
        "errors": [
            {
                "field": None,
                "message": "API keys may not revoke API keys: sign in with a password and use "
                "the access token",
                "code": "FORBIDDEN",
            }
        ],
    }
    assert await ApiKey.filter(revoked_at=None).count() == 2


async def test_a_read_key_still_reads_and_a_write_key_with_read_still_writes(gql):
    user = await ann()
    assert await gql(VIEWER, token=await key_of(user, Scope.READ)) == {
        "viewer": {"email": "ann@example.com"}
    }
    data = await gql(
        'mutation { createClient(input: {name: "Acme"}) { client { name } errors { code } } }',
        token=await key_of(user, Scope.READ, Scope.WRITE),
    )
    assert data == {"createClient": {"client": {"name": "Acme"}, "errors": []}}


@pytest.mark.parametrize(
    "role",
    [Role.ACCOUNT_MANAGER, Role.SALES_MANAGER, Role.TEAM_MEMBER, Role.VIEWER, Role.ADMIN],
)
async def test_only_administrators_may_make_admin_keys(gql, role):
    user = await ann(role)
    token = (await sign_in(gql))["accessToken"]
    before = await database_state()
    data = await gql(CREATE_KEY, {"input": {"name": "all", "scopes": ["ADMIN"]}}, token=token)
    if role == Role.ADMIN:
        assert data["createApiKey"]["errors"] == []
        assert data["createApiKey"]["apiKey"]["scopes"] == ["ADMIN"]
        return
    assert data["createApiKey"] == {
        "key": None,
        "apiKey": None,
        "errors": [
            {
                "field": ["scopes"],
                "message": "only administrators' keys may have the admin scope",
                "code": "FORBIDDEN",
            }
        ],
    }
    assert await database_state() == before
    assert await ApiKey.filter(user_id=user.pk).count() == 0


# ------------------------------------------------------------------------------ key expiry


async def test_a_key_expires_by_default_after_the_longest_lifetime(gql):
    await ann()
    token = (await sign_in(gql))["accessToken"]
    start = datetime.now(UTC)
    data = await gql(CREATE_KEY, {"input": {"name": "k", "scopes": ["READ"]}}, token=token)
    end = datetime.now(UTC)
    expires = datetime.fromisoformat(data["createApiKey"]["apiKey"]["expiresAt"])
    lifetime = timedelta(days=get_settings().api_key_max_days)
    assert start + lifetime <= expires <= end + lifetime
    assert (await ApiKey.get()).expires_at == expires


async def test_a_key_expires_when_asked(gql):
    await ann()
    token = (await sign_in(gql))["accessToken"]
    wanted = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    data = await gql(
        CREATE_KEY,
        {"input": {"name": "k", "scopes": ["READ"], "expiresAt": wanted.isoformat()}},
        token=token,
    )
    assert data["createApiKey"]["apiKey"]["expiresAt"] == f"{wanted:%Y-%m-%dT%H:%M:%S}.000000Z"
    assert (await ApiKey.get()).expires_at == wanted


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (366, "a key may live at most 365 days: choose an expiresAt before "),
        (-1, "expiresAt must be in the future"),
    ],
)
async def test_an_expiry_past_the_longest_lifetime_or_in_the_past_is_refused(gql, days, message):
    await ann()
    token = (await sign_in(gql))["accessToken"]
    before = await database_state()
    wanted = datetime.now(UTC) + timedelta(days=days)
    data = await gql(
        CREATE_KEY,
        {"input": {"name": "k", "scopes": ["READ"], "expiresAt": wanted.isoformat()}},
        token=token,
    )
    [error] = data["createApiKey"]["errors"]
    assert (error["field"], error["code"]) == (["expiresAt"], "OUT_OF_RANGE")
    assert error["message"].startswith(message)
    assert data["createApiKey"]["key"] is None
    assert await database_state() == before


async def test_an_expired_key_is_refused_like_a_revoked_one(gql, http):
    user = await ann()
    key = await key_of(user, Scope.READ)
    assert await gql(VIEWER, token=key) == {"viewer": {"email": "ann@example.com"}}
    await ApiKey.filter(user_id=user.pk).update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert await refused(http, key) == "the API key expired; create a new one"


# ------------------------------------------------------------------------------ sessions


async def test_an_access_token_is_refused_on_the_next_request_after_logout(gql, http):
    await ann()
    session = await sign_in(gql)
    assert await gql(VIEWER, token=session["accessToken"]) == {
        "viewer": {"email": "ann@example.com"}
    }
    assert (await gql(LOGOUT, {"t": session["refreshToken"]}, token=None))["logout"] == {
        "errors": []
    }
    assert await refused(http, session["accessToken"]) == ENDED


async def test_a_replayed_refresh_token_ends_the_access_tokens_of_its_session(gql, http, set_clock):
    await ann()
    first = await sign_in(gql)
    second = (await gql(REFRESH, {"t": first["refreshToken"]}, token=None))["refreshToken"]
    assert await gql(VIEWER, token=second["accessToken"]) == {
        "viewer": {"email": "ann@example.com"}
    }
    # Presented again after the grace period: a replay.
    later = datetime.now(UTC) + timedelta(seconds=get_settings().refresh_grace_seconds + 1)
    set_clock(later)
    replayed = await gql(REFRESH, {"t": first["refreshToken"]}, token=None)
    assert replayed["refreshToken"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]
    assert await refused(http, first["accessToken"]) == ENDED
    assert await refused(http, second["accessToken"]) == ENDED


async def test_logout_ends_only_its_own_session(gql, http):
    await ann()
    phone, laptop = await sign_in(gql), await sign_in(gql)
    await gql(LOGOUT, {"t": phone["refreshToken"]}, token=None)
    assert await refused(http, phone["accessToken"]) == ENDED
    assert await gql(VIEWER, token=laptop["accessToken"]) == {
        "viewer": {"email": "ann@example.com"}
    }


async def test_a_deactivated_users_sessions_stay_ended_when_they_are_activated_again(gql, http):
    user = await ann()
    session = await sign_in(gql)
    gid = to_global_id("User", user.pk)
    await gql(
        "mutation($id: ID!) { deactivateUser(input: {id: $id}) { errors { code } } }", {"id": gid}
    )
    assert await refused(http, session["accessToken"]) == "the account is not active"
    await User.filter(pk=user.pk).update(is_active=True)
    assert await refused(http, session["accessToken"]) == ENDED


async def test_a_session_token_costs_one_statement_like_any_token(gql):
    user = await ann()
    session = await sign_in(gql)
    for token in (session["accessToken"], auth.issue_access_token(user)):
        with count_statements() as counter:
            assert await gql(VIEWER, token=token) == {"viewer": {"email": "ann@example.com"}}
        assert counter.count == 1, counter.statements


# ------------------------------------------------------------------------------ passwords


async def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(gql, http):
    user = await ann()
    this, other = await sign_in(gql), await sign_in(gql)
    data = await gql(
        CHANGE_PASSWORD, {"current": PASSWORD, "new": NEW_PASSWORD}, token=this["accessToken"]
    )
    assert data["changePassword"] == {
        "user": {"email": "ann@example.com"},
        "endedSessions": 1,
        "errors": [],
    }
    assert await refused(http, other["accessToken"]) == ENDED
    assert await gql(VIEWER, token=this["accessToken"]) == {"viewer": {"email": "ann@example.com"}}
    refreshed = await gql(REFRESH, {"t": other["refreshToken"]}, token=None)
    assert refreshed["refreshToken"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]
    old = await gql(LOGIN, {"email": "ann@example.com", "password": PASSWORD}, token=None)
    assert old["login"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]
    assert (await sign_in(gql, NEW_PASSWORD))["accessToken"]
    [entry] = await AuditLogEntry.filter(record_type="User", record_id=user.pk)
    assert (entry.actor_id, entry.action, entry.changes) == (
        user.pk,
        "UPDATE",
        {"password": {"before": "[redacted]", "after": "[redacted]"}},
    )


@pytest.mark.parametrize(
    ("current", "new", "error"),
    [
        (
            "not my password",
            NEW_PASSWORD,
            {
                "field": ["currentPassword"],
                "message": "the current password is not right",
                "code": "INVALID_CREDENTIALS",
            },
        ),
        (
            PASSWORD,
            "short",
            {
                "field": ["newPassword"],
                "message": "the password needs at least 12 characters",
                "code": "INVALID",
            },
        ),
        (
            PASSWORD,
            PASSWORD,
            {
                "field": ["newPassword"],
                "message": "choose a new password different from the current one",
                "code": "INVALID",
            },
        ),
    ],
    ids=["wrong-current", "too-short", "unchanged"],
)
async def test_a_refused_password_change_changes_nothing(gql, current, new, error):
    await ann()
    this, other = await sign_in(gql), await sign_in(gql)
    before = await database_state()
    data = await gql(CHANGE_PASSWORD, {"current": current, "new": new}, token=this["accessToken"])
    assert data["changePassword"] == {"user": None, "endedSessions": None, "errors": [error]}
    assert await database_state() == before
    assert await gql(VIEWER, token=other["accessToken"]) == {"viewer": {"email": "ann@example.com"}}


async def test_an_api_key_cannot_change_the_password(gql):
    key = await key_of(await ann(), Scope.READ, Scope.WRITE)
    before = await database_state()
    data = await gql(CHANGE_PASSWORD, {"current": PASSWORD, "new": NEW_PASSWORD}, token=key)
    assert data["changePassword"]["errors"] == [
        {
            "field": None,
            "message": "API keys may not change passwords: sign in with a password and use the "
            "access token",
            "code": "FORBIDDEN",
        }
    ]
    after = await database_state()
    assert {k: v for k, v in after.items() if k != "api_key"} == {
        k: v for k, v in before.items() if k != "api_key"
    }


@pytest.mark.parametrize("revoke_keys", [False, True])
async def test_a_reset_ends_every_session_of_the_user_and_on_request_their_keys(
    gql, http, revoke_keys
):
    user = await ann()
    first, second = await sign_in(gql), await sign_in(gql)
    key = await key_of(user, Scope.READ)
    data = await gql(
        RESET_PASSWORD,
        {"id": to_global_id("User", user.pk), "new": NEW_PASSWORD, "keys": revoke_keys},
    )
    assert data["resetUserPassword"] == {
        "user": {"email": "ann@example.com"},
        "endedSessions": 2,
        "revokedApiKeys": 1 if revoke_keys else 0,
        "errors": [],
    }
    assert await refused(http, first["accessToken"]) == ENDED
    assert await refused(http, second["accessToken"]) == ENDED
    if revoke_keys:
        assert await refused(http, key) == "the API key was revoked"
    else:
        assert await gql(VIEWER, token=key) == {"viewer": {"email": "ann@example.com"}}
    assert await RefreshToken.filter(user_id=user.pk, revoked_at=None).count() == 0
    assert (await sign_in(gql, NEW_PASSWORD))["accessToken"]
    admin = await User.get(email="admin@example.com")
    [entry] = await AuditLogEntry.filter(record_type="User", record_id=user.pk)
    assert (entry.actor_id, entry.changes) == (
        admin.pk,
        {"password": {"before": "[redacted]", "after": "[redacted]"}},
    )


async def test_a_reset_with_a_short_password_or_an_unknown_user_changes_nothing(gql):
    user = await ann()
    before = await database_state()
    short = await gql(RESET_PASSWORD, {"id": to_global_id("User", user.pk), "new": "short"})
    assert short["resetUserPassword"]["errors"] == [
        {
            "field": ["newPassword"],
            "message": "the password needs at least 12 characters",
            "code": "INVALID",
        }
    ]
    unknown = await gql(RESET_PASSWORD, {"id": to_global_id("User", 9999), "new": NEW_PASSWORD})
    assert unknown["resetUserPassword"]["errors"] == [
        {"field": ["userId"], "message": "User not found", "code": "NOT_FOUND"}
    ]
    assert await database_state() == before


async def test_an_administrators_api_key_cannot_reset_passwords(gql):
    admin = await User.get(email="admin@example.com")
    user = await ann()
    key = await key_of(admin, Scope.READ, Scope.WRITE, Scope.ADMIN)
    data = await gql(
        RESET_PASSWORD, {"id": to_global_id("User", user.pk), "new": NEW_PASSWORD}, token=key
    )
    assert data["resetUserPassword"]["errors"] == [
        {
            "field": None,
            "message": "API keys may not reset passwords: sign in with a password and use the "
            "access token",
            "code": "FORBIDDEN",
        }
    ]
    assert await auth.verify_password((await User.get(pk=user.pk)).password_hash, PASSWORD)
