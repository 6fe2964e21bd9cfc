"""GraphQL over HTTP behaviour of ``graphql_http.GraphQLView``.

The view is mounted on a tiny schema defined here; the graphql-http audit
(.ci/conformance.sh) covers the same ground against a running server.
"""

from __future__ import annotations

import asyncio
import json
import logging
import warnings
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import pytest
import strawberry
from graphql import GraphQLError
from starlette.exceptions import StarletteDeprecationWarning
from strawberry.types import Info

# Starlette 1.10's TestClient warns (an error under filterwarnings=error) when it falls
# back to `httpx` instead of `httpx2`; it is only needed here for the WebSocket test.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from web.graphql_http import (
    GRAPHQL_RESPONSE_JSON,
    JSON,
    GraphQLHTTPError,
    GraphQLView,
    negotiate_media_type,
)

URL = "http://testserver/graphql"
GQL_RESPONSE = "application/graphql-response+json; charset=utf-8"
JSON_RESPONSE = "application/json; charset=utf-8"

COUNTER = {"value": 0}


@strawberry.type
class Query:
    @strawberry.field
    def hello(self, name: str = "world") -> str:
        return f"Hello {name} ✓"

    @strawberry.field
    def echo(self, id: strawberry.ID) -> strawberry.ID:
        return id

    @strawberry.field
    def counter(self) -> int:
        return COUNTER["value"]

    @strawberry.field
    def broken(self) -> str | None:
        raise ValueError("resolver failed")

    @strawberry.field
    def broken_non_null(self) -> str:
        raise ValueError("resolver failed")

    @strawberry.field
    def forbidden(self, info: Info) -> str | None:
        info.context["response"].status_code = 403
        return None

    @strawberry.field
    async def slow(self) -> str:
        await asyncio.sleep(30)
        return "late"

    @strawberry.field
    def unavailable(self) -> str | None:
        raise GraphQLError("the ledger is down", extensions={"code": "SERVICE_UNAVAILABLE"})


@strawberry.type
class Mutation:
    @strawberry.mutation
    def increment(self) -> int:
        COUNTER["value"] += 1
        return COUNTER["value"]


schema = strawberry.Schema(query=Query, mutation=Mutation)


@pytest.fixture
def view() -> GraphQLView:
    return GraphQLView(schema)


@pytest.fixture(autouse=True)
def _reset_counter() -> None:
    COUNTER["value"] = 0


@pytest.fixture
async def client(view: GraphQLView) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=view)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def post(
    client: httpx.AsyncClient, body: Any, accept: str | None = None, **kwargs: Any
) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if accept is not None:
        headers["accept"] = accept
    headers.update(kwargs.pop("headers", {}))
    return await client.post(URL, content=json.dumps(body), headers=headers, **kwargs)


# --------------------------------------------------------------------------- negotiation


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        ("application/json", JSON),
        ("application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
        ("application/graphql-response+json, application/json;q=0.9", GRAPHQL_RESPONSE_JSON),
        ("application/json, application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
        ("application/json, application/graphql-response+json;q=0.5", JSON),
        ("application/json;q=0.5, application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
        ("application/json, */*", JSON),
        ("application/graphql-response+json, */*;q=0.1", GRAPHQL_RESPONSE_JSON),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", JSON),
        ("Application/GraphQL-Response+JSON; charset=utf-8", GRAPHQL_RESPONSE_JSON),
        ("application/graphql-response+json;q=0, application/json", JSON),
        ("text/html", None),
        ("application/xml, text/plain", None),
        ("application/json;q=0", None),
    ],
)
def test_negotiate_media_type(accept: str | None, expected: str | None) -> None:
    assert negotiate_media_type(accept) == expected


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (None, JSON_RESPONSE),
        ("*/*", JSON_RESPONSE),
        ("application/json", JSON_RESPONSE),
        ("application/graphql-response+json", GQL_RESPONSE),
        ("application/graphql-response+json, application/json;q=0.9", GQL_RESPONSE),
    ],
)
async def test_response_media_type_follows_accept(
    client: httpx.AsyncClient, accept: str | None, content_type: str
) -> None:
    headers = {} if accept is None else {"accept": accept}
    response = await client.post(URL, json={"query": "{ hello }"}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["vary"] == "Accept"
    assert response.json() == {"data": {"hello": "Hello world ✓"}}


async def test_get_query_negotiates_too(client: httpx.AsyncClient) -> None:
    response = await client.get(
        URL, params={"query": "{ hello }"}, headers={"accept": GRAPHQL_RESPONSE_JSON}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == GQL_RESPONSE
    assert response.json() == {"data": {"hello": "Hello world ✓"}}


async def test_unacceptable_accept_is_406(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": "{ increment }"}, accept="application/xml")
    assert response.status_code == 406
    assert response.json()["errors"][0]["message"].startswith("The Accept header must allow")
    assert response.json()["errors"][0]["extensions"] == {"code": "NOT_ACCEPTABLE"}
    assert COUNTER["value"] == 0


async def test_graphql_ide_still_served_to_browsers(client: httpx.AsyncClient) -> None:
    response = await client.get(URL, headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


# ------------------------------------------------------------------------- status codes

PARSE_ERROR = {"query": "{"}
VALIDATION_ERROR = {"query": "{ doesNotExist }"}
COERCION_ERROR = {"query": "query Q($id: ID!) { echo(id: $id) }", "variables": {"id": None}}
UNKNOWN_OPERATION = {"query": "query A { hello } query B { hello }", "operationName": "C"}

REQUEST_ERRORS = pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(PARSE_ERROR, "Syntax Error", id="parse"),
        pytest.param(VALIDATION_ERROR, "Cannot query field 'doesNotExist'", id="validation"),
        pytest.param(COERCION_ERROR, "Variable '$id' has invalid value", id="coercion"),
        pytest.param(UNKNOWN_OPERATION, 'Unknown operation named "C"', id="operation"),
    ],
)


@REQUEST_ERRORS
async def test_request_error_is_400_with_graphql_response_json(
    client: httpx.AsyncClient, body: dict[str, Any], message: str
) -> None:
    response = await post(client, body, accept=GRAPHQL_RESPONSE_JSON)
    assert response.status_code == 400
    assert response.headers["content-type"] == GQL_RESPONSE
    payload = response.json()
    assert "data" not in payload
    assert message in payload["errors"][0]["message"]


@REQUEST_ERRORS
async def test_request_error_is_200_with_json(
    client: httpx.AsyncClient, body: dict[str, Any], message: str
) -> None:
    response = await post(client, body, accept=JSON)
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON_RESPONSE
    payload = response.json()
    assert "data" not in payload
    assert message in payload["errors"][0]["message"]


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE_JSON, JSON])
async def test_field_error_after_execution_started_is_200(
    client: httpx.AsyncClient, accept: str
) -> None:
    response = await post(client, {"query": "{ hello broken }"}, accept=accept)
    assert response.status_code == 200
    payload = response.json()
    assert payload["data"] == {"hello": "Hello world ✓", "broken": None}
    assert payload["errors"][0]["path"] == ["broken"]

    # A non-null root field error nulls `data` but execution did start: still 200.
    response = await post(client, {"query": "{ brokenNonNull }"}, accept=accept)
    assert response.status_code == 200
    assert response.json()["data"] is None


async def test_status_set_by_resolver_wins(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": "{ forbidden }"}, accept=GRAPHQL_RESPONSE_JSON)
    assert response.status_code == 403
    assert response.json() == {"data": {"forbidden": None}}


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE_JSON, JSON])
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{ "not a JSON', "Unable to parse request body as JSON"),
        ("", "Unable to parse request body as JSON"),
        ("5", "must be a JSON object"),
        ('"{ hello }"', "must be a JSON object"),
        ('{"qeury": "{ hello }"}', "No GraphQL query found"),
        ('{"query": 5}', "`query` must be a string"),
        ('{"query": "{ hello }", "variables": "x"}', "`variables` must be an object"),
        ('{"query": "{ hello }", "extensions": []}', "`extensions` must be an object"),
        ('{"query": "{ hello }", "operationName": 1}', "`operationName` must be a string"),
    ],
)
async def test_malformed_request_is_400(
    client: httpx.AsyncClient, accept: str, content: str, message: str
) -> None:
    response = await client.post(
        URL, content=content, headers={"content-type": "application/json", "accept": accept}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(accept)
    assert message in response.json()["errors"][0]["message"]
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_REQUEST"}


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/graphql", "application/json; charset=latin1"]
)
async def test_post_needs_utf8_json_content_type(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    response = await client.post(
        URL, content=b'{"query": "mutation { increment }"}', headers=headers
    )
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"] == {"code": "UNSUPPORTED_MEDIA_TYPE"}
    assert COUNTER["value"] == 0


async def test_utf8_charset_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post(
        URL,
        content=json.dumps({"query": '{ hello(name: "Run🏃") }'}).encode(),
        headers={"content-type": "application/json; charset=UTF-8"},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"hello": "Hello Run🏃 ✓"}}


async def test_other_methods_are_405_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.put(URL, json={"query": "{ hello }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["errors"][0]["extensions"] == {"code": "METHOD_NOT_ALLOWED"}


# ----------------------------------------------------------------------- GET mutations


async def test_post_mutation_executes(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": "mutation { increment }"}, accept=GRAPHQL_RESPONSE_JSON)
    assert response.status_code == 200
    assert response.json() == {"data": {"increment": 1}}
    assert COUNTER["value"] == 1


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE_JSON, JSON, "*/*"])
@pytest.mark.parametrize(
    "params",
    [
        {"query": "mutation { increment }"},
        {"query": "mutation M { increment }", "operationName": "M"},
        {"query": "query Q { counter } mutation M { increment }", "operationName": "M"},
    ],
)
async def test_get_mutation_is_refused_with_405(
    client: httpx.AsyncClient, accept: str, params: dict[str, str]
) -> None:
    response = await client.get(URL, params=params, headers={"accept": accept})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert "mutations are not allowed" in response.json()["errors"][0]["message"]
    assert response.json()["errors"][0]["extensions"] == {"code": "METHOD_NOT_ALLOWED"}
    assert COUNTER["value"] == 0


async def test_get_query_next_to_a_mutation_runs(client: httpx.AsyncClient) -> None:
    params = {"query": "query Q { counter } mutation M { increment }", "operationName": "Q"}
    response = await client.get(URL, params=params)
    assert response.status_code == 200
    assert response.json() == {"data": {"counter": 0}}
    assert COUNTER["value"] == 0


async def test_get_without_query_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get(URL, headers={"accept": JSON})
    assert response.status_code == 400


async def test_get_queries_disabled_is_405() -> None:
    view = GraphQLView(schema, allow_queries_via_get=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=view)) as client:
        response = await client.get(URL, params={"query": "{ hello }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


# ----------------------------------------------------------------------------- orjson


async def test_response_body_is_orjson_output(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": "{ hello }"}, accept=GRAPHQL_RESPONSE_JSON)
    expected = {"data": {"hello": "Hello world ✓"}}
    # orjson: compact separators and raw UTF-8 (the stdlib would write \u2713).
    assert response.content == orjson.dumps(expected)
    assert "✓".encode() in response.content


def test_encode_json_uses_orjson(view: GraphQLView) -> None:
    value = {"when": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "text": "é"}
    encoded = view.encode_json(value)
    assert isinstance(encoded, bytes)
    assert encoded == orjson.dumps(value)
    assert encoded == b'{"when":"2026-01-02T03:04:05+00:00","text":"\xc3\xa9"}'


def test_encode_json_falls_back_for_what_orjson_refuses(view: GraphQLView) -> None:
    # Ints beyond 64 bits and non-str keys, which the stdlib encoder handles.
    assert json.loads(view.encode_json({"big": 2**70, 1: "one"})) == {"big": 2**70, "1": "one"}


def test_websocket_messages_are_text_frames(view: GraphQLView) -> None:
    client = TestClient(view)  # not entered: the bare view has no lifespan handler
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init"})
        assert json.loads(ws.receive_text()) == {"type": "connection_ack"}
        ws.send_json({"type": "subscribe", "id": "1", "payload": {"query": "{ hello }"}})
        assert json.loads(ws.receive_text()) == {
            "type": "next",
            "id": "1",
            "payload": {"data": {"hello": "Hello world ✓"}},
        }


# ------------------------------------------------------------------- malformed requests

BAD_REQUEST = {"code": "BAD_REQUEST"}
NOT_UTF8 = {"errors": [{"message": "The request is not valid UTF-8.", "extensions": BAD_REQUEST}]}
TOO_DEEP = {
    "errors": [
        {
            "message": "The request's JSON is nested too deeply to be read.",
            "extensions": BAD_REQUEST,
        }
    ]
}
SURROGATE = {
    "errors": [
        {
            "message": "The request holds a \\u escape of a lone surrogate (\\ud800 to \\udfff), "
            "which is not Unicode text.",
            "extensions": BAD_REQUEST,
        }
    ]
}
DEEP = 100_000


def assert_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert [
        r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR
    ] == []


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE_JSON, JSON])
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"query": "{ hello(name: \\"\xff\\") }"}', NOT_UTF8),
        (b'{"query": "{ hello(name: \\"\\udc80\\") }"}', SURROGATE),
        (b'{"query": "{ hello }", "operationName": "\\ud800"}', SURROGATE),
        (
            b'{"query": "query($n: String) { hello(name: $n) }", "variables": {"n": "\\ud800"}}',
            SURROGATE,
        ),
        (b'{"query": "{ hello }", "variables": {"\\udfff": 1}}', SURROGATE),
        (b'{"query": "{ hello }", "extensions": ' + b"[" * DEEP + b"]" * DEEP + b"}", TOO_DEEP),
        (b"{" + b'"a": {' * DEEP + b"}" * DEEP + b"}", TOO_DEEP),
        # Deeper than our limit (512), though the decoder itself reads it on every version.
        (b'{"query": "{ hello }", "extensions": ' + b"[" * 600 + b"]" * 600 + b"}", TOO_DEEP),
    ],
    ids=[
        "invalid-utf8-in-query",
        "surrogate-in-query",
        "surrogate-in-operation-name",
        "surrogate-in-variables",
        "surrogate-in-a-key",
        "deep-list",
        "deep-object",
        "past-our-limit",
    ],
)
async def test_malformed_json_body_is_400_without_a_traceback(
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    expected: dict,
    accept: str,
) -> None:
    response = await client.post(
        URL, content=body, headers={"content-type": "application/json", "accept": accept}
    )
    assert (response.status_code, response.json()) == (400, expected)
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"
    assert COUNTER["value"] == 0
    assert_no_traceback(caplog)


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [
        ("query=%7B%20hello(name%3A%20%22%FF%22)%20%7D", NOT_UTF8),
        ("query=%7B%20hello%20%7D&variables=" + "%5B" * 5_000 + "%5D" * 5_000, TOO_DEEP),
        ("query=%7B%20hello%20%7D&variables=%7B%22n%22%3A%22%5Cud800%22%7D", SURROGATE),
    ],
    ids=["invalid-utf8", "deep-variables", "surrogate-in-variables"],
)
async def test_malformed_get_parameters_are_400_without_a_traceback(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, query_string: str, expected: dict
) -> None:
    response = await client.get(f"{URL}?{query_string}", headers={"accept": GRAPHQL_RESPONSE_JSON})
    assert (response.status_code, response.json()) == (400, expected)
    assert_no_traceback(caplog)


@pytest.mark.parametrize(
    ("operations", "expected"),
    [
        (b'{"query": "{ hello }", "variables": ' + b"[" * DEEP + b"]" * DEEP + b"}", TOO_DEEP),
        (b'{"query": "{ hello(name: \\"\\ud800\\") }"}', SURROGATE),
    ],
    ids=["deep", "surrogate"],
)
async def test_malformed_multipart_operations_are_400_without_a_traceback(
    caplog: pytest.LogCaptureFixture, operations: bytes, expected: dict
) -> None:
    view = GraphQLView(schema, multipart_uploads_enabled=True)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=view), base_url="http://testserver"
    ) as client:
        response = await client.post(
            URL,
            data={"operations": operations.decode(), "map": "{}"},
            files={"0": ("a.txt", b"a")},
            headers={"accept": GRAPHQL_RESPONSE_JSON},
        )
    assert (response.status_code, response.json()) == (400, expected)
    assert_no_traceback(caplog)


# ------------------------------------------------------------ deadlines and server faults


async def test_a_request_past_its_deadline_is_504_timeout() -> None:
    view = GraphQLView(schema, request_timeout=0.05)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=view), base_url="http://testserver"
    ) as client:
        response = await post(client, {"query": "{ slow }"}, accept=GRAPHQL_RESPONSE_JSON)
    assert (response.status_code, response.json()) == (
        504,
        {
            "errors": [
                {
                    "message": "The request took longer than 0.05 seconds and was stopped.",
                    "extensions": {"code": "TIMEOUT"},
                }
            ]
        },
    )
    assert response.headers["content-type"] == GQL_RESPONSE


class DependsOnALedger(GraphQLView):
    """Its context reads a ledger that refuses connections; it maps that to a 503."""

    async def get_context(self, request: Any, response: Any = None) -> Any:
        if request.headers.get("authorization"):
            raise ConnectionRefusedError("ledger refused the connection")
        return await super().get_context(request, response)

    def http_error(self, exc: Exception) -> GraphQLHTTPError | None:
        if isinstance(exc, ConnectionRefusedError):
            return self.service_unavailable("the ledger is down")
        return None


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE_JSON, JSON])
@pytest.mark.parametrize(
    ("query", "headers"),
    [("{ hello }", {"authorization": "Bearer x"}), ("{ hello unavailable }", {})],
    ids=["raised-before-execution", "coded-by-a-resolver"],
)
async def test_an_unavailable_dependency_is_503_with_retry_after(
    accept: str, query: str, headers: dict[str, str]
) -> None:
    view = DependsOnALedger(schema, retry_after_seconds=9)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=view), base_url="http://testserver"
    ) as client:
        response = await post(client, {"query": query}, accept=accept, headers=headers)
    assert (response.status_code, response.json()) == (
        503,
        {
            "errors": [
                {"message": "the ledger is down", "extensions": {"code": "SERVICE_UNAVAILABLE"}}
            ]
        },
    )
    assert response.headers["retry-after"] == "9"
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"


async def test_an_exception_the_view_does_not_map_still_propagates() -> None:
    view = GraphQLView(schema)

    async def failing_context(request: Any, response: Any = None) -> Any:
        raise ConnectionRefusedError("not mapped")

    view.get_context = failing_context  # type: ignore[method-assign]
    transport = httpx.ASGITransport(app=view)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        with pytest.raises(ConnectionRefusedError):
            await post(client, {"query": "{ hello }"})
