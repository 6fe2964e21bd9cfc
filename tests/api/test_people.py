"""User and team administration."""

from ids import to_global_id
from models import AuditLogEntry, User
from services import auth
from tests.factories import make_team, make_user
from tests.state import database_state

CREATE_USER = """mutation($input: CreateUserInput!) {
  createUser(input: $input) { user { email name role isActive team { name } } errors { field message code } } }"""


async def test_an_administrator_creates_a_user_who_can_sign_in(gql):
    team = await make_team(name="EMEA sales")
    data = await gql(
        CREATE_USER,
        {
            "input": {
                "email": "New@Example.com",
                "name": "New Person",
                "role": "SALES_MANAGER",
                "teamId": to_global_id("Team", team.pk),
                "password": "a-long-password-1",
            }
        },
    )
    assert data["createUser"] == {
        "user": {
            "email": "new@example.com",
            "name": "New Person",
            "role": "SALES_MANAGER",
            "isActive": True,
            "team": {"name": "EMEA sales"},
        },
        "errors": [],
    }
    session = await auth.login(
        email="new@example.com", password="a-long-password-1", address="127.0.0.1"
    )
    assert session.user.email == "new@example.com"
    entry = await AuditLogEntry.get(record_type="User", action="CREATE")
    assert "passwordHash" not in entry.changes


async def test_a_short_password_or_taken_email_is_refused(gql):
    await make_user(email="taken@example.com")
    before = await database_state()
    short = await gql(
        CREATE_USER, {"input": {"email": "a@example.com", "name": "A", "password": "short"}}
    )
    taken = await gql(CREATE_USER, {"input": {"email": "TAKEN@example.com", "name": "A"}})
    assert short["createUser"]["errors"] == [
        {
            "field": ["password"],
            "message": "the password needs at least 12 characters",
            "code": "INVALID",
        }
    ]
    assert taken["createUser"]["errors"] == [
        {
            "field": ["email"],
            "message": "another user already has email 'taken@example.com'",
            "code": "DUPLICATE",
        }
    ]
    assert await database_state() == before


async def test_a_deactivated_users_token_and_key_stop_working_at_once(gql, http):
    user = await make_user(email="leaver@example.com")
    token = auth.issue_access_token(user)
    _, key = await auth.create_api_key(
        user_id=user.pk, name="k", scopes=frozenset({auth.Scope.READ, auth.Scope.WRITE})
    )
    assert (await gql("{ viewer { email } }", token=token))["viewer"] == {
        "email": "leaver@example.com"
    }

    data = await gql(
        "mutation($id: ID!) { deactivateUser(input: {id: $id}) { user { isActive } errors { message } } }",
        {"id": to_global_id("User", user.pk)},
    )
    assert data["deactivateUser"] == {"user": {"isActive": False}, "errors": []}
    for credential in (token, key):
        response = await http.post(
            "/graphql",
            json={"query": "{ viewer { email } }"},
            headers={"Authorization": f"Bearer {credential}"},
        )
        assert response.status_code == 401
    assert not (await User.get(pk=user.pk)).is_active


async def test_teams_are_created_and_renamed(gql):
    created = await gql(
        'mutation { createTeam(input: {name: "Support", kind: SUPPORT}) { team { id name kind } errors { message } } }'
    )
    team = created["createTeam"]["team"]
    assert (team["name"], team["kind"]) == ("Support", "SUPPORT")
    renamed = await gql(
        'mutation($id: ID!) { updateTeam(input: {id: $id, name: "Customer support"}) { team { name } errors { message } } }',
        {"id": team["id"]},
    )
    assert renamed["updateTeam"] == {"team": {"name": "Customer support"}, "errors": []}
