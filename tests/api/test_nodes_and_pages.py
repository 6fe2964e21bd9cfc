"""Relay: global ids, node lookups, cursor pages; and what errors look like."""

import pytest

from ids import to_global_id
from tests.factories import make_account, make_client


async def test_node_and_typed_lookup_resolve_the_same_record(gql):
    account = await make_account(name="Acme EMEA")
    gid = to_global_id("Account", account.pk)
    data = await gql(
        "query($id: ID!) { node(id: $id) { id __typename ... on Account { name } } account(id: $id) { name } }",
        {"id": gid},
    )
    assert data == {
        "node": {"id": gid, "__typename": "Account", "name": "Acme EMEA"},
        "account": {"name": "Acme EMEA"},
    }


@pytest.mark.parametrize(
    "gid", [to_global_id("Account", 999), to_global_id("Client", 1), to_global_id("Nope", 1)]
)
async def test_unknown_or_mistyped_ids_are_not_found(gql, gid):
    await make_client()
    body = await gql("query($id: ID!) { account(id: $id) { name } }", {"id": gid}, errors=True)
    assert body == {
        "data": {"account": None},
        "errors": [
            {
                "message": "No account with that id",
                "locations": [{"line": 1, "column": 19}],
                "path": ["account"],
                "extensions": {"code": "NOT_FOUND"},
            }
        ],
    }


async def test_node_with_unknown_id_is_not_found(gql):
    body = await gql(
        "query($id: ID!) { node(id: $id) { id } }", {"id": to_global_id("Account", 5)}, errors=True
    )
    assert body == {
        "data": {"node": None},
        "errors": [
            {
                "message": "No record with that id",
                "locations": [{"line": 1, "column": 19}],
                "path": ["node"],
                "extensions": {"code": "NOT_FOUND"},
            }
        ],
    }


LOOKUPS = {
    "node": "Client",
    "client": "Client",
    "account": "Account",
    "lead": "Lead",
    "opportunity": "Opportunity",
    "accountPlan": "AccountPlan",
}


@pytest.mark.parametrize("field", LOOKUPS)
async def test_a_missing_record_nulls_its_lookup_and_nothing_else(gql, field):
    """Relay's rule: a record that is not there is null at its path, with a NOT_FOUND error
    there; the sibling fields of the page are answered as usual."""
    client = await make_client(name="Acme")
    body = await gql(
        f"query($missing: ID!, $client: ID!) {{ gone: {field}(id: $missing) {{ id }} "
        "here: client(id: $client) { name } viewer { email } }",
        {"missing": to_global_id(LOOKUPS[field], 999), "client": to_global_id("Client", client.pk)},
        errors=True,
    )
    what = "record" if field == "node" else {"accountPlan": "account plan"}.get(field, field)
    assert body == {
        "data": {"gone": None, "here": {"name": "Acme"}, "viewer": {"email": "admin@example.com"}},
        "errors": [
            {
                "message": f"No {what} with that id",
                "locations": [{"line": 1, "column": 38}],
                "path": ["gone"],
                "extensions": {"code": "NOT_FOUND"},
            }
        ],
    }


async def test_an_archived_record_is_found_by_id_with_its_archived_time(gql):
    """A client that archives a record and refetches it (Relay's refetch, Apollo's cache)
    gets it back, archived, rather than a NOT_FOUND: lists hide archived records, lookups by
    id do not."""
    client = await make_client(name="Acme")
    gid = to_global_id("Client", client.pk)
    archived = await gql(
        "mutation($id: ID!) { archiveClient(input: {id: $id}) { client { archivedAt } errors { code } } }",
        {"id": gid},
    )
    assert archived["archiveClient"]["errors"] == []
    archived_at = archived["archiveClient"]["client"]["archivedAt"]
    assert archived_at is not None
    data = await gql(
        "query($id: ID!) { node(id: $id) { id ... on Client { name archivedAt } } "
        "client(id: $id) { name archivedAt } clients { totalCount } }",
        {"id": gid},
    )
    assert data == {
        "node": {"id": gid, "name": "Acme", "archivedAt": archived_at},
        "client": {"name": "Acme", "archivedAt": archived_at},
        "clients": {"totalCount": 0},
    }


async def test_a_malformed_id_is_a_clear_error(gql):
    body = await gql('{ account(id: "not-base64!") { name } }', errors=True)
    assert body == {
        "data": {"account": None},
        "errors": [
            {
                "message": 'Value cannot represent a GlobalID: "not-base64!".',
                "locations": [{"line": 1, "column": 3}],
                "path": ["account"],
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ],
    }


async def test_a_malformed_id_inside_an_input_is_a_user_input_error(gql):
    body = await gql('mutation { archiveClient(input: {id: ""}) { client { id } } }', errors=True)
    assert body["errors"][0]["message"] == 'Value cannot represent a GlobalID: "".'
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_nodes_keeps_order_and_nulls_for_missing(gql):
    a = await make_client(name="A")
    b = await make_client(name="B")
    ids = [to_global_id("Client", b.pk), to_global_id("Client", 999), to_global_id("Client", a.pk)]
    data = await gql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Client { name } } }", {"ids": ids}
    )
    assert data["nodes"] == [{"name": "B"}, None, {"name": "A"}]


async def walk(gql, direction: str, size: int) -> list[list[str]]:
    """Every page of the clients list, forwards or backwards."""
    pages, cursor = [], None
    forward = direction == "forward"
    query = (
        "query($n: Int, $c: String) { clients(first: $n, after: $c) { edges { node { name } } pageInfo { hasNextPage endCursor } } }"
        if forward
        else "query($n: Int, $c: String) { clients(last: $n, before: $c) { edges { node { name } } pageInfo { hasPreviousPage startCursor } } }"
    )
    while True:
        conn = (await gql(query, {"n": size, "c": cursor}))["clients"]
        pages.append([e["node"]["name"] for e in conn["edges"]])
        info = conn["pageInfo"]
        if not (info["hasNextPage"] if forward else info["hasPreviousPage"]):
            return pages
        cursor = info["endCursor"] if forward else info["startCursor"]


async def test_pages_walk_forwards_and_backwards_over_ties(gql):
    for name in ["C", "A", "B", "A", "B"]:
        await make_client(name=name)
    forward = await walk(gql, "forward", 2)
    assert forward == [["A", "A"], ["B", "B"], ["C"]]
    backward = await walk(gql, "backward", 2)
    assert backward == [["B", "C"], ["A", "B"], ["A"]]
    everything = await gql("{ clients { totalCount edges { node { id } } } }")
    ids = [e["node"]["id"] for e in everything["clients"]["edges"]]
    assert len(set(ids)) == 5 and everything["clients"]["totalCount"] == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("first: 101", "'first' must be between 0 and 100, got 101"),
        ("last: -1", "'last' must be between 0 and 100, got -1"),
        ('after: "bogus"', "'after' is not a valid cursor; pass a cursor from a page of this list"),
    ],
)
async def test_bad_page_arguments_are_clear_errors(gql, args, message):
    body = await gql(f"{{ clients({args}) {{ totalCount }} }}", errors=True)
    assert body["errors"][0]["message"] == message
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_default_page_is_twenty(gql):
    for n in range(25):
        await make_client(name=f"C{n:02}")
    data = await gql("{ clients { edges { node { name } } pageInfo { hasNextPage } } }")
    assert len(data["clients"]["edges"]) == 20
    assert data["clients"]["pageInfo"]["hasNextPage"] is True


async def test_unexpected_exceptions_are_masked(gql, monkeypatch):
    import schema.listing

    async def explode(*args, **kwargs):
        raise RuntimeError("SELECT secret FROM passwords")

    monkeypatch.setattr(schema.listing, "list_page", explode)
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


async def test_validation_errors_are_not_masked(gql):
    body = await gql("{ clients { nope } }", errors=True)
    assert body["errors"][0]["message"] == (
        "Cannot query field 'nope' on type 'ClientConnection'. Did you mean 'nodes'?"
    )


async def test_depth_limit_refuses_deep_queries(gql):
    deep = "{ accounts { edges { node { client { accounts { edges { node { client { accounts { edges { node { client { accounts { edges { node { id } } } } } } } } } } } } } } } }"
    body = await gql(deep, errors=True)
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_graphiqls_default_query_runs(gql):
    from web.graphiql import DEFAULT_QUERY

    await make_client(name="Acme")
    data = await gql(DEFAULT_QUERY)
    assert data["accounts"]["totalCount"] == 0
