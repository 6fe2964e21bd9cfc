"""Errors a caller causes are answered with a code and logged in one line; faults of ours
keep their traceback in the log and are masked in the answer."""

import logging

import pytest

from tests.factories import make_account, make_activity, make_client
from tests.state import database_state


@pytest.fixture
def graphql_log(caplog):
    caplog.set_level(logging.INFO)
    return caplog


LINE = logging.Formatter("%(levelname)-8s %(name)s %(message)s")


def lines_of(caplog) -> list[str]:
    """Every logged line, tracebacks included."""
    return [
        line
        for record in caplog.records
        if record.name.startswith(("strawberry", "accountgraph.graphql"))
        for line in LINE.format(record).splitlines()
    ]


async def test_a_huge_search_word_is_bad_user_input(gql):
    await make_client(name="Initech")
    before = await database_state()
    body = await gql(
        "query($search: String!) { clients(filter: {search: $search}) { totalCount } }",
        {"search": "a" * 900_000},
        errors=True,
    )
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "search words may be at most 100 characters long (one has 900000); "
                "search for a shorter part of it",
                "locations": [{"line": 1, "column": 27}],
                "path": ["clients"],
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ],
    }
    assert await database_state() == before


async def test_search_words_up_to_the_limit_are_searched(gql):
    await make_client(name="Initech " + "x" * 100)
    found = await gql(
        "query($search: String!) { clients(filter: {search: $search}) { totalCount } }",
        {"search": "initech " + "X" * 100},
    )
    assert found == {"clients": {"totalCount": 1}}


@pytest.mark.parametrize(
    ("query", "token", "logged"),
    [
        (
            '{ node(id: "Q2xpZW50Ojk5OTk=") { id } }',
            "admin",
            "NOT_FOUND at node: No record with that id",
        ),
        (
            '{ clients(filter: {search: "%s"}) { totalCount } }' % ("a" * 101),
            "admin",
            "BAD_USER_INPUT at clients: search words may be at most 100 characters long "
            "(one has 101); search for a shorter part of it",
        ),
        # Refused before anything runs, so not even a line.
        ("{ clients { totalCount } }", None, None),
        (
            "{ clients { nope } }",
            "admin",
            "GRAPHQL_VALIDATION_FAILED at -: Cannot query field 'nope' on type "
            "'ClientConnection'. Did you mean 'nodes'?",
        ),
    ],
)
async def test_expected_errors_are_logged_in_one_line_without_traceback(
    gql, graphql_log, query, token, logged
):
    kwargs = {} if token == "admin" else {"token": None}
    body = await gql(query, errors=True, **kwargs)
    assert body["errors"]
    expected = [f"INFO     accountgraph.graphql {logged}"] if logged else []
    assert lines_of(graphql_log) == expected


async def test_an_unexpected_error_keeps_its_traceback_and_is_masked(gql, graphql_log, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr("schema.listing.list_page", broken)
    body = await gql("{ clients { totalCount } }", errors=True)
    assert body == {
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
    lines = lines_of(graphql_log)
    assert lines[0].startswith("ERROR    strawberry.execution")
    assert "Traceback (most recent call last):" in lines
    assert lines[-1] == "RuntimeError: the disk is on fire"


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
async def test_two_operations_without_an_operation_name_are_refused(http, gql, accept):
    query = "query First { __typename } query Second { viewer { id } }"
    before = await database_state()
    response = await http.post("/graphql", json={"query": query}, headers={"Accept": accept})
    assert response.status_code == (400 if accept.endswith("graphql-response+json") else 200)
    assert response.json() == {
        "errors": [
            {
                "message": "The document has 2 operations: say which one to run with "
                "operationName.",
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ]
    }
    named = await http.post(
        "/graphql", json={"query": query, "operationName": "Second"}, headers={"Accept": accept}
    )
    assert named.json() == {"data": {"viewer": None}}
    assert await database_state() == before


SUBSCRIPTION_REFUSED = {
    "errors": [
        {
            "message": "Subscriptions are not served over HTTP: open a WebSocket to this path "
            "(graphql-transport-ws) and subscribe there.",
            "extensions": {"code": "BAD_REQUEST"},
        }
    ]
}


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_subscription_over_http_is_refused_with_400(http, gql, method):
    from models import User
    from services.auth import issue_access_token

    admin = await User.get(email="admin@example.com")
    headers = {"Authorization": f"Bearer {issue_access_token(admin)}"}
    query = "subscription Live { events { eventId } }"
    if method == "GET":
        response = await http.get("/graphql", params={"query": query}, headers=headers)
    else:
        response = await http.post("/graphql", json={"query": query}, headers=headers)
    assert response.status_code == 400
    assert response.json() == SUBSCRIPTION_REFUSED
    # A query next to it still runs when named.
    both = "query Now { __typename } " + query
    named = await http.post(
        "/graphql", json={"query": both, "operationName": "Now"}, headers=headers
    )
    assert named.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    "query",
    [
        '{ clients(last: 1, before: "") { nodes { name } } }',
        '{ accounts { nodes { activities(last: 1, before: "") { nodes { subject } } } } }',
    ],
)
async def test_paging_from_the_end_with_an_empty_before_cursor_is_answered(gql, query):
    """An empty cursor means none, for ``before`` as for ``after`` (found by schemathesis:
    it used to fail an assertion, answered as an internal error)."""
    client = await make_client(name="Initech")
    account = await make_account(name="Acme", client_id=client.pk)
    await make_activity(account_id=account.pk, subject="Kick-off")
    data = await gql(query)
    expected = (
        {"clients": {"nodes": [{"name": "Initech"}]}}
        if "clients" in query
        else {"accounts": {"nodes": [{"activities": {"nodes": [{"subject": "Kick-off"}]}}]}}
    )
    assert data == expected
