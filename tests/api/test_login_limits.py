"""Sign-in limits over GraphQL: a delayed attempt says how long to wait."""

from services import auth
from tests.factories import make_user
from tests.state import database_state

PASSWORD = "correct horse battery staple"
LOGIN = """mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    accessToken refreshToken expiresIn user { email } retryAfter
    errors { field message code }
  }
}"""


async def test_attempts_past_the_limit_are_answered_with_the_wait(gql):
    await make_user(email="ann@example.com", password_hash=auth.hash_password(PASSWORD))
    wrong = {"email": "ann@example.com", "password": "nope"}
    for _ in range(5):
        refused = (await gql(LOGIN, wrong, token=None))["login"]
        assert refused["retryAfter"] is None
        assert refused["errors"][0]["code"] == "INVALID_CREDENTIALS"
    before = await database_state()

    delayed = await gql(LOGIN, {"email": "ann@example.com", "password": PASSWORD}, token=None)

    assert delayed["login"] == {
        "accessToken": None,
        "refreshToken": None,
        "expiresIn": None,
        "user": None,
        "retryAfter": 2,
        "errors": [
            {
                "field": None,
                "message": "too many failed sign-ins; try again in 2 seconds",
                "code": "RATE_LIMITED",
            }
        ],
    }
    assert await database_state() == before
