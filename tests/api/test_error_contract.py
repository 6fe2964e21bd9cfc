"""The error contract a front end codes against.

- Top-level ``errors`` are for the request (transport, document) and for queries, and every
  one carries an ``extensions.code``.
- A mutation answers every refusal in its payload's ``errors``, a refusal of the caller
  (``FORBIDDEN``, on no field) included, so the rest of the response stands; a nested input's
  error keeps its whole path.
- A lookup by id that finds nothing the caller may see is null, with ``NOT_FOUND`` at its path.
"""

import functools
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

import schema.listing
from ids import to_global_id
from models import Client, User
from models.enums import Role
from server import create_app
from services import auth
from settings import Settings
from tests.factories import make_client, make_lead, make_team, make_user, stage
from tests.state import database_state


@functools.cache
def app_with(**settings: Any) -> Starlette:
    return create_app(Settings(**settings))


async def send(app: Starlette, token: str | None, method: str = "POST", **request: Any) -> Any:
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers |= request.pop("headers", {})
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.request(method, "/graphql", headers=headers, **request)


def codes(response: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json()["errors"]]


MUTATION = 'mutation { createCompetitor(input: {name: "Rival"}) { errors { code } } }'

# (settings, request, the codes of the top-level errors)
TOP_LEVEL = [
    pytest.param({}, {"json": {"query": "{ clients {"}}, ["GRAPHQL_PARSE_FAILED"], id="parse"),
    pytest.param(
        {}, {"json": {"query": "{ nope }"}}, ["GRAPHQL_VALIDATION_FAILED"], id="validation"
    ),
    pytest.param(
        {},
        {"json": {"query": "query A { viewer { id } }", "operationName": "B"}},
        ["BAD_USER_INPUT"],
        id="unknown operation",
    ),
    pytest.param(
        {},
        {"json": {"query": "query A { viewer { id } } query B { viewer { id } }"}},
        ["BAD_USER_INPUT"],
        id="operation not named",
    ),
    pytest.param(
        {},
        {
            "json": {
                "query": "query($n: Int) { clients(first: $n) { totalCount } }",
                "variables": {"n": "many"},
            }
        },
        ["BAD_USER_INPUT"],
        id="variable",
    ),
    pytest.param(
        {},
        {"json": {"query": '{ account(id: "not-an-id!") { name } }'}},
        ["BAD_USER_INPUT"],
        id="malformed id",
    ),
    pytest.param(
        {},
        {"json": {"query": '{ clients(filter: {search: "a\\u0000"}) { totalCount } }'}},
        ["BAD_USER_INPUT"],
        id="NUL character",
    ),
    pytest.param(
        {},
        {"json": {"query": f'{{ account(id: "{to_global_id("Account", 404)}") {{ name }} }}'}},
        ["NOT_FOUND"],
        id="unknown id",
    ),
    pytest.param(
        {"max_query_depth": 1},
        {"json": {"query": MUTATION}},
        ["QUERY_TOO_DEEP"],
        id="depth",
    ),
    pytest.param(
        {"max_aliases": 1},
        {"json": {"query": "{ a: viewer { id } b: viewer { id } }"}},
        ["TOO_MANY_ALIASES"],
        id="aliases",
    ),
    pytest.param(
        {"max_directives": 0},
        {"json": {"query": "{ viewer @include(if: true) { id } }"}},
        ["TOO_MANY_DIRECTIVES"],
        id="directives",
    ),
    pytest.param(
        {"max_query_tokens": 5},
        {"json": {"query": MUTATION}},
        ["QUERY_TOO_LARGE"],
        id="tokens",
    ),
    pytest.param(
        {"max_query_cost": 2},
        {"json": {"query": MUTATION}},
        ["QUERY_TOO_COSTLY"],
        id="cost",
    ),
    pytest.param(
        {},
        {"content": b'{"query": ', "headers": {"Content-Type": "application/json"}},
        ["BAD_REQUEST"],
        id="malformed JSON",
    ),
    pytest.param({}, {"json": {"qeury": "{ viewer { id } }"}}, ["BAD_REQUEST"], id="no query"),
    pytest.param(
        {},
        {"json": {"query": "subscription { events { type } }"}},
        ["BAD_REQUEST"],
        id="subscription over HTTP",
    ),
    pytest.param(
        {},
        {"content": b"{ viewer { id } }", "headers": {"Content-Type": "text/plain"}},
        ["UNSUPPORTED_MEDIA_TYPE"],
        id="media type",
    ),
    pytest.param(
        {},
        {"json": {"query": "{ viewer { id } }"}, "headers": {"Accept": "application/xml"}},
        ["NOT_ACCEPTABLE"],
        id="accept",
    ),
    pytest.param(
        {"max_body_bytes": 10},
        {"json": {"query": "{ viewer { id } }"}},
        ["PAYLOAD_TOO_LARGE"],
        id="body size",
    ),
]


@pytest.mark.parametrize(("settings", "request_", "expected"), TOP_LEVEL)
async def test_every_top_level_error_has_a_code(settings, request_, expected):
    admin = await make_user(role=Role.ADMIN)
    before = await database_state()
    response = await send(app_with(**settings), auth.issue_access_token(admin), **request_)
    assert codes(response) == expected
    assert await database_state() == before


@pytest.mark.parametrize(
    ("method", "params"),
    [("PUT", {"json": {"query": "{ viewer { id } }"}}), ("GET", {"params": {"query": MUTATION}})],
    ids=["PUT", "GET mutation"],
)
async def test_a_wrong_method_has_a_code(method, params):
    admin = await make_user(role=Role.ADMIN)
    before = await database_state()
    response = await send(app_with(), auth.issue_access_token(admin), method, **params)
    assert (response.status_code, codes(response)) == (405, ["METHOD_NOT_ALLOWED"])
    assert await database_state() == before


async def test_an_unexpected_error_is_internal_server_error(monkeypatch):
    async def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("SELECT secret FROM passwords")

    monkeypatch.setattr(schema.listing, "list_page", explode)
    admin = await make_user(role=Role.ADMIN)
    response = await send(
        app_with(), auth.issue_access_token(admin), json={"query": "{ clients { totalCount } }"}
    )
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "Internal server error",
                "locations": [{"line": 1, "column": 3}],
                "path": ["clients"],
                "extensions": {"code": "INTERNAL_SERVER_ERROR"},
            }
        ],
    }


async def test_a_refused_mutation_leaves_the_others_of_its_request_standing():
    """An account manager may create clients but not users: the refusal is the createUser
    payload's error, createClient runs, and no user is created."""
    ann = await make_user(role=Role.ACCOUNT_MANAGER, team_id=(await make_team()).pk)
    users = await User.all().count()
    response = await send(
        app_with(),
        auth.issue_access_token(ann),
        json={
            "query": 'mutation { createUser(input: {email: "n@example.com", name: "N"}) '
            "{ user { id } errors { field message code } } "
            'createClient(input: {name: "Initech"}) { client { name } errors { code } } }'
        },
    )
    assert response.json() == {
        "data": {
            "createUser": {
                "user": None,
                "errors": [
                    {
                        "field": None,
                        "message": "you may not change User records",
                        "code": "FORBIDDEN",
                    }
                ],
            },
            "createClient": {"client": {"name": "Initech"}, "errors": []},
        }
    }
    assert await User.all().count() == users
    assert await Client.all().values_list("name", flat=True) == ["Initech"]


async def test_a_refused_query_stays_a_top_level_forbidden():
    admin = await make_user(role=Role.ADMIN)
    key = (
        await auth.create_api_key(user_id=admin.pk, name="w", scopes=frozenset({auth.Scope.WRITE}))
    )[1]
    response = await send(app_with(), key, json={"query": "{ clients { totalCount } }"})
    assert response.json() == {
        "errors": [
            {
                "message": "This API key may not read anything: use a key with the read scope.",
                "extensions": {"code": "FORBIDDEN"},
            }
        ]
    }


CONVERT = """mutation($input: ConvertLeadInput!) {
  convertLead(input: $input) { account { name } errors { field message code } } }"""


@pytest.mark.parametrize(
    ("opportunity", "error"),
    [
        (
            {"name": "Pilot", "pipelineId": to_global_id("Pipeline", 999)},
            {"field": ["opportunity", "pipelineId"], "message": "Pipeline not found"},
        ),
        (
            {"name": "Pilot", "amount": "-5"},
            {"field": ["opportunity", "amount"], "message": "amount must not be negative"},
        ),
    ],
    ids=["unknown id", "broken rule"],
)
async def test_a_nested_input_error_keeps_its_whole_path(gql, opportunity, error):
    lead = await make_lead(company_domain="nested.example")
    await stage("New business", "Prospecting")
    before = await database_state()
    data = await gql(
        CONVERT, {"input": {"leadId": to_global_id("Lead", lead.pk), "opportunity": opportunity}}
    )
    code = "NOT_FOUND" if error["message"].endswith("not found") else "INVALID"
    assert data == {"convertLead": {"account": None, "errors": [{**error, "code": code}]}}
    assert await database_state() == before


async def test_an_outer_input_error_keeps_its_own_path(gql):
    await make_client()
    before = await database_state()
    data = await gql(
        CONVERT,
        {"input": {"leadId": to_global_id("Lead", 999), "opportunity": {"name": "Pilot"}}},
    )
    assert data == {
        "convertLead": {
            "account": None,
            "errors": [{"field": ["leadId"], "message": "Lead not found", "code": "NOT_FOUND"}],
        }
    }
    assert await database_state() == before
