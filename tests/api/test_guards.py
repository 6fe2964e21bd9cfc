"""Request guards: each limit accepts a request at the limit and refuses one just over it.

Limits at their defaults go through the app of ``server.create_app()``; other settings
through an app built with them (``app_with``).
"""

import asyncio
import functools
import json
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import strawberry
from starlette.applications import Starlette
from strawberry.extensions.validation_cache import _get_validate_cache

from ids import to_global_id
from models import Competitor
from models.enums import Role
from schema.guards import QueryCostLimiter
from schema.root import build_schema
from server import AccountGraphView, create_app
from services.auth import issue_access_token
from settings import Settings
from tests.factories import make_account, make_activity, make_opportunity, make_user
from tests.state import database_state
from web.graphql_http import GRAPHQL_RESPONSE_JSON

schema = build_schema()

Post = Callable[..., Awaitable[httpx.Response]]


@functools.cache
def app_with(**settings: Any) -> Starlette:
    """The app, built with these settings (once per combination)."""
    return create_app(Settings(**settings))


@pytest.fixture
async def post() -> Post:
    """POST to /graphql of an app, as an administrator; returns the HTTP response."""
    admin = await make_user(role=Role.ADMIN)
    signed_in = {"Authorization": f"Bearer {issue_access_token(admin)}"}

    async def run(app: Any, *, headers: dict[str, str] | None = None, **request: Any) -> Any:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.post(
                "/graphql", headers={**signed_in, **(headers or {})}, **request
            )

    return run


def refused(*messages: str) -> dict[str, Any]:
    """Fields of a refused request's body that the tests compare."""
    return {"data": None, "messages": list(messages)}


def outcome(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    return {
        "data": body.get("data"),
        "messages": [error["message"] for error in body.get("errors", [])],
    }


# ------------------------------------------------------------------------ body size


def padded(payload: Any, size: int) -> bytes:
    """``payload`` as JSON, with trailing whitespace up to exactly ``size`` bytes."""
    body = json.dumps(payload).encode()
    assert len(body) <= size
    return body + b" " * (size - len(body))


JSON_HEADERS = {"Content-Type": "application/json"}
TYPENAME = {"query": "{ __typename }"}


async def test_a_body_at_the_size_limit_is_accepted(app, post):
    response = await post(app, content=padded(TYPENAME, 1_000_000), headers=JSON_HEADERS)

    assert (response.status_code, response.json()) == (200, {"data": {"__typename": "Query"}})


async def test_a_body_one_byte_over_the_size_limit_is_refused_with_413(app, post):
    response = await post(app, content=padded(TYPENAME, 1_000_001), headers=JSON_HEADERS)

    assert (response.status_code, response.json()) == (
        413,
        {
            "errors": [
                {
                    "message": "The request body is larger than the limit of 1000000 bytes.",
                    "extensions": {"code": "PAYLOAD_TOO_LARGE"},
                }
            ]
        },
    )


def small_body_view(max_body_bytes: int) -> AccountGraphView:
    return AccountGraphView(schema=schema, max_body_bytes=max_body_bytes)


class Chunks:
    """A request body sent in chunks without Content-Length, counting what was read."""

    def __init__(self, body: bytes, chunk_size: int) -> None:
        self.body = body
        self.chunk_size = chunk_size
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.sent < len(self.body):
            chunk = self.body[self.sent : self.sent + self.chunk_size]
            self.sent += len(chunk)
            yield chunk


async def test_a_streamed_body_at_the_size_limit_is_accepted(post):
    body = Chunks(padded(TYPENAME, 1000), chunk_size=100)

    response = await post(small_body_view(1000), content=body, headers=JSON_HEADERS)

    assert "content-length" not in response.request.headers
    assert (response.status_code, response.json()) == (200, {"data": {"__typename": "Query"}})


async def test_a_streamed_body_over_the_size_limit_is_refused_without_reading_the_rest(post):
    body = Chunks(padded(TYPENAME, 1_000_000), chunk_size=100)

    response = await post(small_body_view(1000), content=body, headers=JSON_HEADERS)

    assert (response.status_code, response.json()) == (
        413,
        {
            "errors": [
                {
                    "message": "The request body is larger than the limit of 1000 bytes.",
                    "extensions": {"code": "PAYLOAD_TOO_LARGE"},
                }
            ]
        },
    )
    assert body.sent == 1100  # the limit, and the one chunk that went over it


async def test_a_declared_content_length_over_the_limit_is_refused_before_reading(post):
    body = Chunks(padded(TYPENAME, 1001), chunk_size=100)
    headers = {**JSON_HEADERS, "Content-Length": "1001"}

    response = await post(small_body_view(1000), content=body, headers=headers)

    assert response.status_code == 413
    assert body.sent == 0


# ------------------------------------------------------------------------- batching


async def test_a_batch_of_operations_is_refused(app, post):
    response = await post(app, json=[TYPENAME, TYPENAME])

    assert (response.status_code, response.json()) == (
        400,
        {
            "errors": [
                {
                    "message": "Batched requests are not supported: send one GraphQL "
                    "operation per request, as a JSON object.",
                    "extensions": {"code": "BAD_REQUEST"},
                }
            ]
        },
    )


# -------------------------------------------------------------------- introspection

SCHEMA_NAME = "{ __schema { queryType { name } } }"


async def test_introspection_is_on_by_default(gql):
    assert await gql(SCHEMA_NAME) == {"__schema": {"queryType": {"name": "Query"}}}


@pytest.mark.parametrize(
    ("query", "messages"),
    [
        (
            SCHEMA_NAME,
            [
                "GraphQL introspection has been disabled, but the requested query contained the field '__schema'.",
                "GraphQL introspection has been disabled, but the requested query contained the field 'queryType'.",
            ],
        ),
        (
            '{ __type(name: "Account") { name } }',
            [
                "GraphQL introspection has been disabled, but the requested query contained the field '__type'."
            ],
        ),
    ],
)
async def test_introspection_can_be_switched_off(post, query, messages):
    response = await post(app_with(introspection=False), json={"query": query})

    assert outcome(response) == refused(*messages)


async def test_typename_works_with_introspection_off(post):
    response = await post(app_with(introspection=False), json={"query": "{ __typename }"})

    assert response.json() == {"data": {"__typename": "Query"}}


# ---------------------------------------------------------------- field suggestions

ACCOUNTS_FILTERED = "query($f: AccountFilter) { accounts(filter: $f) { totalCount } }"
SUGGESTIONS = [
    pytest.param(
        "{ accounts { edgs { node { id } } } }",
        None,
        "Cannot query field 'edgs' on type 'AccountConnection'. Did you mean 'edges'?",
        "Cannot query field 'edgs' on type 'AccountConnection'.",
        id="field",
    ),
    pytest.param(
        "{ accounts(frist: 2) { totalCount } }",
        None,
        "Unknown argument 'frist' on field 'Query.accounts'. Did you mean 'first' or 'last'?",
        "Unknown argument 'frist' on field 'Query.accounts'.",
        id="argument",
    ),
    pytest.param(
        "query($f: AcountFilter) { accounts(filter: $f) { totalCount } }",
        None,
        "Unknown type 'AcountFilter'. Did you mean 'AccountFilter', 'AccountTier', 'ClientFilter', 'ProductFilter', or 'AccountOrder'?",
        "Unknown type 'AcountFilter'.",
        id="type",
    ),
    pytest.param(
        "{ accounts(filter: {tiers: [STRATEGI]}) { totalCount } }",
        None,
        "Value 'STRATEGI' does not exist in 'AccountTier' enum. Did you mean the enum value 'STRATEGIC'?",
        "Value 'STRATEGI' does not exist in 'AccountTier' enum.",
        id="enum value",
    ),
    pytest.param(
        "{ accounts(filter: {statuss: [ACTIVE]}) { totalCount } }",
        None,
        "Expected value of type 'AccountFilter' not to include unknown field 'statuss'. Did you mean 'statuses'? Found: { statuss: [ACTIVE] }.",
        "Expected value of type 'AccountFilter' not to include unknown field 'statuss'. Found: { statuss: [ACTIVE] }.",
        id="input field",
    ),
    pytest.param(
        ACCOUNTS_FILTERED,
        {"f": {"tiers": ["STRATEGI"]}},
        "Variable '$f' has invalid value at .tiers[0]: Value 'STRATEGI' does not exist in 'AccountTier' enum. Did you mean the enum value 'STRATEGIC'?",
        "Variable '$f' has invalid value at .tiers[0]: Value 'STRATEGI' does not exist in 'AccountTier' enum.",
        id="enum value in a variable",
    ),
    pytest.param(
        ACCOUNTS_FILTERED,
        {"f": {"tierz": ["STRATEGIC"]}},
        "Variable '$f' has invalid value: Expected value of type 'AccountFilter' not to include unknown field 'tierz'. Did you mean 'tiers'? Found: {'tierz': ['STRATEGIC']}.",
        "Variable '$f' has invalid value: Expected value of type 'AccountFilter' not to include unknown field 'tierz'. Found: {'tierz': ['STRATEGIC']}.",
        id="input field in a variable",
    ),
]


@pytest.mark.parametrize(("query", "variables", "with_hint", "without_hint"), SUGGESTIONS)
async def test_field_suggestions_are_given_by_default(
    gql, query, variables, with_hint, without_hint
):
    body = await gql(query, variables, errors=True)

    assert [error["message"] for error in body["errors"]] == [with_hint]


@pytest.mark.parametrize(("query", "variables", "with_hint", "without_hint"), SUGGESTIONS)
async def test_field_suggestions_can_be_switched_off(
    post, query, variables, with_hint, without_hint
):
    payload = {"query": query, "variables": variables}

    response = await post(app_with(field_suggestions=False), json=payload)

    assert outcome(response) == refused(without_hint)


async def test_errors_from_resolvers_keep_their_words_with_suggestions_off(post):
    response = await post(
        app_with(field_suggestions=False), json={"query": "{ accounts(first: 101) { totalCount } }"}
    )

    assert outcome(response)["messages"] == ["'first' must be between 0 and 100, got 101"]


# ----------------------------------------------------------------- document limits


def repeated(field: str, times: int) -> str:
    return "{ " + " ".join([field] * times) + " }"


def nested(depth: int) -> str:
    """A query nesting ``depth`` levels of selections."""
    path = ["accounts(first: 1)", "edges", "node", "client"] * depth
    leaf = {"accounts(first: 1)": "totalCount", "edges": "cursor"}.get(path[depth - 1], "id")
    return "{ " + " { ".join(path[:depth]) + f" {{ {leaf} }}" + " }" * (depth - 1) + " }"


def aliased(count: int) -> str:
    return "{ " + " ".join(f"a{n}: __typename" for n in range(count)) + " }"


def tiers(count: int) -> str:
    """A query of 19 tokens plus ``count``."""
    return "{ accounts(first: 0, filter: {tiers: [" + "KEY " * count + "]}) { totalCount } }"


@pytest.mark.parametrize(
    ("at_limit", "over_limit", "message"),
    [
        pytest.param(
            nested(12),
            nested(13),
            "'anonymous' exceeds maximum operation depth of 12",
            id="depth 12",
        ),
        pytest.param(aliased(30), aliased(31), "31 aliases found. Allowed: 30", id="aliases 30"),
        pytest.param(
            repeated("__typename @include(if: true)", 50),
            repeated("__typename @include(if: true)", 51),
            "The document uses 51 directives, over the limit of 50.",
            id="directives 50",
        ),
        pytest.param(
            tiers(2000 - 19),
            tiers(2001 - 19),
            "Syntax Error: Document contains more than 2000 tokens. Parsing aborted.",
            id="tokens 2000",
        ),
    ],
)
async def test_document_limits_accept_the_limit_and_refuse_one_more(
    gql, at_limit, over_limit, message
):
    assert "errors" not in await gql(at_limit, errors=True)

    body = await gql(over_limit, errors=True)

    assert "data" not in body
    assert [error["message"] for error in body["errors"]] == [message]


async def test_directive_limit_is_a_setting(post):
    app = app_with(max_directives=2)
    at_limit = repeated("__typename @include(if: true)", 2)

    assert (await post(app, json={"query": at_limit})).json() == {"data": {"__typename": "Query"}}
    response = await post(app, json={"query": repeated("__typename @skip(if: false)", 3)})
    assert outcome(response) == refused("The document uses 3 directives, over the limit of 2.")


def fragment_bomb(levels: int, spreads: int) -> str:
    """Each fragment spreads the next one ``spreads`` times: spreads**levels leaves."""
    fragments = [
        f"fragment F{n} on Query {{ {' '.join([f'...F{n + 1}'] * spreads)} }}"
        for n in range(levels)
    ]
    fragments.append(f"fragment F{levels} on Query {{ __typename }}")
    return "query { ...F0 } " + " ".join(fragments)


async def test_a_document_spreading_fragments_many_times_over_is_measured_quickly(gql):
    body = await asyncio.wait_for(gql(fragment_bomb(30, 4), errors=True), timeout=10)

    assert "data" not in body
    assert [error["message"] for error in body["errors"]] == [
        "Query cost 1152921504606846976 exceeds the limit of 50000; "
        "ask for smaller pages (first/last) or fewer nested lists."
    ]


async def test_an_unknown_fragment_is_a_validation_error(gql):
    body = await gql("{ ...Missing }", errors=True)

    assert [error["message"] for error in body["errors"]] == ["Unknown fragment 'Missing'."]


async def test_the_same_document_is_validated_once():
    cache = _get_validate_cache(256)
    assert isinstance(cache, functools._lru_cache_wrapper)
    query = "{ __typename guardsValidationCache: __typename }"
    await schema.execute(query)
    hits = cache.cache_info().hits

    await schema.execute(query)

    assert cache.cache_info().hits == hits + 1


# ------------------------------------------------------------------------ query cost

PORTFOLIO = """query Portfolio {
  accounts(first: 50, orderBy: [{field: NAME, direction: ASC}]) {
    edges { node {
      id name tier
      owner { id name email }
      client { id name industry }
      opportunities(first: 10) { edges { node {
        id name stage { name } amount expectedCloseDate
        activities(first: 3) { edges { node { id kind subject occurredAt } } }
      } } }
    } }
  }
}"""
PORTFOLIO_COST = 1 + 50 * (1 + 1 + 3 + 4 + 4 + (1 + 10 * (1 + 1 + 6 + (1 + 3 * 6))))
THREE_LEVELS_OF_100 = "{ accounts(first: 100) { edges { node { opportunities(first: 100) { edges { node { activities(first: 100) { edges { node { id } } } } } } } } } }"


def over_cost(cost: int, limit: int) -> str:
    return (
        f"Query cost {cost} exceeds the limit of {limit}; "
        "ask for smaller pages (first/last) or fewer nested lists."
    )


async def test_the_portfolio_query_is_within_the_default_cost_limit(gql):
    account = await make_account(name="Acme")
    deal = await make_opportunity(account_id=account.pk, name="Renewal")
    await make_activity(opportunity_id=deal.pk, subject="Kick-off")

    data = await gql(PORTFOLIO)

    [edge] = data["accounts"]["edges"]
    [deal_edge] = edge["node"]["opportunities"]["edges"]
    assert deal_edge["node"]["name"] == "Renewal"
    assert [a["node"]["subject"] for a in deal_edge["node"]["activities"]["edges"]] == ["Kick-off"]


async def test_three_nested_pages_of_100_are_over_the_default_cost_limit(gql):
    body = await gql(THREE_LEVELS_OF_100, errors=True)

    assert body == {
        "errors": [
            {
                "message": over_cost(3_030_301, 50_000),
                "extensions": {"code": "QUERY_TOO_COSTLY", "cost": 3_030_301, "maxCost": 50_000},
            }
        ]
    }


async def test_cost_limit_accepts_the_limit_and_refuses_one_more(post):
    assert PORTFOLIO_COST == 14_201

    accepted = await post(app_with(max_query_cost=14_201), json={"query": PORTFOLIO})
    refused_ = await post(app_with(max_query_cost=14_200), json={"query": PORTFOLIO})

    assert accepted.json() == {"data": {"accounts": {"edges": []}}}
    assert outcome(refused_) == refused(over_cost(14_201, 14_200))


async def test_a_refused_query_is_a_request_error(post):
    response = await post(
        app_with(max_query_cost=14_200),
        json={"query": PORTFOLIO},
        headers={"Accept": GRAPHQL_RESPONSE_JSON},
    )

    assert response.status_code == 400
    assert "data" not in response.json()


@pytest.mark.parametrize(
    ("query", "cost"),
    [
        pytest.param("{ accounts { edges { node { id } } } }", 1 + 20 * 3, id="default page"),
        pytest.param("{ accounts(last: 7) { edges { node { id } } } }", 1 + 7 * 3, id="last"),
        pytest.param(
            "{ accounts(first: 9, last: 4) { edges { node { id } } } }", 1 + 4 * 3, id="first+last"
        ),
        pytest.param(
            "{ accounts(first: 5) { totalCount pageInfo { hasNextPage } edges { node { id } } } }",
            1 + 5 * (1 + 2 + 3),
            id="connection fields",
        ),
        pytest.param(
            "{ accounts(first: 2) { ...Ids } } fragment Ids on AccountConnection { edges { node { id } } }",
            1 + 2 * 3,
            id="fragment",
        ),
        pytest.param(
            "{ accounts(first: 2) { edges { node { ... on Account { id } } } } }",
            1 + 2 * 3,
            id="inline fragment",
        ),
    ],
)
async def test_how_a_query_costs(post, query, cost):
    accepted = await post(app_with(max_query_cost=cost), json={"query": query})
    refused_ = await post(app_with(max_query_cost=cost - 1), json={"query": query})

    assert "errors" not in accepted.json()
    assert outcome(refused_) == refused(over_cost(cost, cost - 1))


async def test_nodes_cost_once_per_id(post):
    ids = [to_global_id("Account", n) for n in range(1, 6)]
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"

    accepted = await post(
        app_with(max_query_cost=6), json={"query": query, "variables": {"ids": ids}}
    )
    refused_ = await post(
        app_with(max_query_cost=5), json={"query": query, "variables": {"ids": ids}}
    )

    assert "errors" not in accepted.json()
    assert outcome(refused_) == refused(over_cost(1 + 5, 5))


DEEP_ON_REQUEST = """query($n: Int!, $deep: Boolean!) {
  accounts(first: $n) { edges { node { id
    opportunities(first: $n) @include(if: $deep) { edges { node {
      activities(first: $n) { edges { node { id } } }
    } } }
  } } }
}"""


@pytest.mark.parametrize(
    ("variables", "messages"),
    [
        ({"n": 100, "deep": False}, []),
        ({"n": 10, "deep": True}, []),
        ({"n": 100, "deep": True}, [over_cost(3_030_401, 50_000)]),
    ],
)
async def test_the_cost_is_measured_with_the_variables(gql, variables, messages):
    body = await gql(DEEP_ON_REQUEST, variables, errors=True)

    assert [error["message"] for error in body.get("errors", [])] == messages


async def test_a_subscription_over_the_cost_limit_is_refused_before_it_starts() -> None:
    started: list[int] = []

    @strawberry.type
    class Item:
        n: int

    @strawberry.type
    class Query:
        ok: bool = True

    @strawberry.type
    class Subscription:
        @strawberry.subscription
        async def items(self, first: int) -> AsyncGenerator[list[Item], None]:
            started.append(first)
            yield [Item(n=n) for n in range(first)]

    guarded = strawberry.Schema(
        Query,
        subscription=Subscription,
        extensions=[lambda: QueryCostLimiter(max_cost=3, default_page_size=20)],
    )

    async def run(first: int) -> list[Any]:
        results = await guarded.subscribe(f"subscription {{ items(first: {first}) {{ n }} }}")
        return [(result.data, result.errors) async for result in results]

    assert await run(2) == [({"items": [{"n": 0}, {"n": 1}]}, None)]
    [(data, [error])] = await run(3)
    assert (data, error.message) == (None, over_cost(4, 3))
    assert started == [2]


# ------------------------------------------------------------- refusals change nothing

CREATE_COMPETITOR = {
    "query": "mutation($input: CreateCompetitorInput!) "
    "{ createCompetitor(input: $input) { competitor { name } errors { message } } }",
    "variables": {"input": {"name": "Rival"}},
}


def with_query(query: str) -> dict[str, Any]:
    return {**CREATE_COMPETITOR, "query": query}


REFUSALS = [
    pytest.param(
        {},
        {"content": padded(CREATE_COMPETITOR, 1_000_001), "headers": JSON_HEADERS},
        413,
        "The request body is larger than the limit of 1000000 bytes.",
        "PAYLOAD_TOO_LARGE",
        id="body size",
    ),
    pytest.param(
        {},
        {"json": [CREATE_COMPETITOR]},
        400,
        "Batched requests are not supported: send one GraphQL operation per request, as a JSON object.",
        "BAD_REQUEST",
        id="batch",
    ),
    pytest.param(
        {"max_query_depth": 1},
        {"json": CREATE_COMPETITOR},
        400,
        "'anonymous' exceeds maximum operation depth of 1",
        "QUERY_TOO_DEEP",
        id="depth",
    ),
    pytest.param(
        {"max_aliases": 1},
        {
            "json": with_query(
                "mutation($input: CreateCompetitorInput!) "
                "{ created: createCompetitor(input: $input) { c: competitor { name } } }"
            )
        },
        400,
        "2 aliases found. Allowed: 1",
        "TOO_MANY_ALIASES",
        id="aliases",
    ),
    pytest.param(
        {"max_directives": 1},
        {
            "json": with_query(
                "mutation($input: CreateCompetitorInput!) { createCompetitor(input: $input) "
                "{ competitor @include(if: true) { name @skip(if: false) } } }"
            )
        },
        400,
        "The document uses 2 directives, over the limit of 1.",
        "TOO_MANY_DIRECTIVES",
        id="directives",
    ),
    pytest.param(
        {"max_query_tokens": 10},
        {"json": CREATE_COMPETITOR},
        400,
        "Syntax Error: Document contains more than 10 tokens. Parsing aborted.",
        "QUERY_TOO_LARGE",
        id="tokens",
    ),
    pytest.param(
        {"max_query_cost": 4},
        {"json": CREATE_COMPETITOR},
        400,
        over_cost(5, 4),
        "QUERY_TOO_COSTLY",
        id="cost",
    ),
]


@pytest.mark.parametrize(("settings", "request_", "status", "message", "code"), REFUSALS)
async def test_a_refused_mutation_changes_nothing(post, settings, request_, status, message, code):
    before = await database_state()
    request_ = dict(request_)
    headers = {"Accept": GRAPHQL_RESPONSE_JSON, **request_.pop("headers", {})}

    response = await post(app_with(**settings), headers=headers, **request_)

    assert (response.status_code, outcome(response)) == (status, refused(message))
    assert [error["extensions"]["code"] for error in response.json()["errors"]] == [code]
    assert await Competitor.all().count() == 0
    assert await database_state() == before


async def test_the_same_mutation_within_the_limits_creates_the_competitor(post):
    response = await post(app_with(), json=CREATE_COMPETITOR)

    assert response.json() == {
        "data": {"createCompetitor": {"competitor": {"name": "Rival"}, "errors": []}}
    }
    assert await Competitor.all().count() == 1
