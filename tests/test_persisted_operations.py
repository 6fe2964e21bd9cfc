"""Persisted operations: Automatic Persisted Queries as Apollo Client's link speaks them,
trusted documents from Relay, GraphQL Codegen and Apollo manifests, the trusted-documents-only
mode, and persisted GETs with ETag and 304.

Nothing here depends on the database beyond running the documents, so the behaviour is the
same on SQLite and PostgreSQL (the suite runs on both all the same).
"""

import base64
import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from models.enums import Role
from server import create_app
from services.auth import issue_access_token
from settings import Settings
from tests.database import BACKEND, create_postgres_database, drop_postgres_database
from tests.factories import make_client, make_user
from tests.live_events import (
    LEGACY_WS,
    STAGE_CHANGED,
    TRANSPORT_WS,
    Server,
    Socket,
    prepare_database,
    reachable_redis,
    servers,
    until_subscribed,
)
from tests.live_server import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.state import database_state
from web.persisted import (
    LocalDocumentStore,
    RedisDocumentStore,
    TrustedDocuments,
    TrustedDocumentsError,
)

VIEWER = "query Viewer {\n  viewer {\n    email\n  }\n}"
CLIENTS = "query Clients {\n  clients {\n    totalCount\n  }\n}"
CREATE_CLIENT = (
    'mutation CreateClient {\n  createClient(input: {name: "Acme"}) {\n'
    "    client {\n      name\n    }\n  }\n}"
)
# What Apollo Client sends (HttpLink's default Accept).
APOLLO_ACCEPT = "application/graphql-response+json,application/json;q=0.9"
NOT_FOUND = {
    "errors": [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]
}
HASH_MISMATCH = {
    "errors": [
        {
            "message": "The persisted query's hash does not match its text: send the SHA-256 "
            "of the query, in hex, exactly as sent.",
            "extensions": {"code": "PERSISTED_QUERY_HASH_MISMATCH"},
        }
    ]
}
NOT_ALLOWED = {
    "errors": [
        {
            "message": "This server runs trusted documents only: send the id of a document in "
            "its manifest (documentId, or extensions.persistedQuery.sha256Hash), built with "
            "your front end.",
            "extensions": {"code": "PERSISTED_QUERY_NOT_ALLOWED"},
        }
    ]
}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def persisted_query(text: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256(text)}}


def get_params(text: str, operation_name: str) -> dict[str, str]:
    """A hash-only GET as Apollo's link sends it with useGETForHashedQueries."""
    return {
        "operationName": operation_name,
        "variables": "{}",
        "extensions": json.dumps(persisted_query(text)),
    }


class Caller:
    """An HTTP client of one app, signed in as one user."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}", "Accept": APOLLO_ACCEPT}

    async def post(self, body: dict[str, Any], **headers: str) -> httpx.Response:
        return await self.client.post("/graphql", json=body, headers={**self.headers, **headers})

    async def get(self, params: dict[str, str], **headers: str) -> httpx.Response:
        return await self.client.get("/graphql", params=params, headers={**self.headers, **headers})


Connect = Callable[..., Awaitable[Caller]]


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    """``await connect(app)``: a caller of ``app``, signed in as a new administrator (or as
    ``user``); apps and clients are closed when the test ends."""
    opened: list[httpx.AsyncClient] = []
    apps: list[Starlette] = []

    async def open_caller(app: Starlette, user: Any = None) -> Caller:
        user = user or await make_user(role=Role.ADMIN)
        if app not in apps:
            apps.append(app)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )
        opened.append(client)
        return Caller(client, issue_access_token(user))

    yield open_caller
    for client in opened:
        await client.aclose()
    for app in apps:
        await app.state.persisted_operations.close()


def stored(app: Starlette) -> Any:
    return app.state.persisted_operations.store


# ------------------------------------------------------------------ APQ, as Apollo's link does


async def test_apq_round_trip_as_apollos_link_does_it(connect):
    app = create_app(Settings())
    caller = await connect(app)
    hash_only = {"operationName": "Viewer", "variables": {}, "extensions": persisted_query(VIEWER)}

    miss = await caller.post(hash_only)
    assert (miss.status_code, miss.json()) == (200, NOT_FOUND)
    assert miss.headers["cache-control"] == "private, no-cache, must-revalidate"
    assert await stored(app).get(sha256(VIEWER)) is None

    registered = await caller.post({**hash_only, "query": VIEWER})
    email = registered.json()["data"]["viewer"]["email"]
    assert (registered.status_code, registered.json()) == (
        200,
        {"data": {"viewer": {"email": email}}},
    )
    assert await stored(app).get(sha256(VIEWER)) == VIEWER

    hit = await caller.post(hash_only)
    assert (hit.status_code, hit.json()) == (200, {"data": {"viewer": {"email": email}}})


async def test_a_document_registered_by_one_caller_answers_another_as_that_caller(connect):
    app = create_app(Settings())
    first, second = await connect(app), await connect(app)
    await first.post({"query": VIEWER, "extensions": persisted_query(VIEWER)})

    response = await second.post({"extensions": persisted_query(VIEWER)})

    own = (await second.post({"query": VIEWER})).json()
    theirs = (await first.post({"query": VIEWER})).json()
    assert response.json() == own
    assert own["data"]["viewer"]["email"] != theirs["data"]["viewer"]["email"]


async def test_a_hash_that_does_not_match_its_query_is_refused_and_nothing_runs(connect):
    app = create_app(Settings())
    caller = await connect(app)
    before = await database_state()

    response = await caller.post({"query": CREATE_CLIENT, "extensions": persisted_query(VIEWER)})

    assert (response.status_code, response.json()) == (400, HASH_MISMATCH)
    assert await database_state() == before
    assert await stored(app).get(sha256(VIEWER)) is None


@pytest.mark.parametrize(
    ("extensions", "message"),
    [
        (
            {"persistedQuery": {"version": 2, "sha256Hash": sha256(VIEWER)}},
            "Unsupported persisted query version: send version 1.",
        ),
        (
            {"persistedQuery": {"version": 1}},
            "extensions.persistedQuery.sha256Hash must be a string.",
        ),
        ({"persistedQuery": "abc"}, "extensions.persistedQuery must be an object."),
    ],
)
async def test_a_malformed_persisted_query_is_refused(connect, extensions, message):
    caller = await connect(create_app(Settings()))

    response = await caller.post({"extensions": extensions})

    assert (response.status_code, response.json()) == (
        400,
        {"errors": [{"message": message, "extensions": {"code": "PERSISTED_QUERY_INVALID"}}]},
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"documentId": 12}, "documentId must be a string."),
        (
            {"documentId": sha256(CLIENTS), "extensions": persisted_query(VIEWER)},
            "documentId and extensions.persistedQuery name different documents.",
        ),
    ],
)
async def test_a_malformed_document_id_is_refused(connect, body, message):
    caller = await connect(create_app(Settings()))

    response = await caller.post(body)

    assert (response.status_code, response.json()) == (
        400,
        {"errors": [{"message": message, "extensions": {"code": "PERSISTED_QUERY_INVALID"}}]},
    )


async def test_an_ordinary_post_has_no_etag(connect):
    caller = await connect(create_app(Settings()))

    response = await caller.post({"query": VIEWER})

    assert response.status_code == 200
    assert "etag" not in response.headers and "cache-control" not in response.headers


# ------------------------------------------------------------------------------ limits


DEEP = "query Deep {\n  viewer {\n    team {\n      members {\n        name\n      }\n    }\n  }\n}"
COSTLY = "query Costly {\n  clients(first: 50) {\n    edges {\n      node {\n        name\n      }\n    }\n  }\n}"


@pytest.mark.parametrize(
    ("settings", "document"),
    [
        ({"max_query_depth": 2}, DEEP),
        ({"max_query_tokens": 8}, DEEP),
        ({"max_query_cost": 10}, COSTLY),
        ({}, "query Broken {\n  viewer {\n"),
        ({}, "query Unknown {\n  noSuchField\n}"),
    ],
    ids=["depth", "tokens", "cost", "syntax", "validation"],
)
async def test_a_document_over_a_limit_is_refused_as_text_would_be_and_never_stored(
    connect, settings, document
):
    app = create_app(Settings(**settings))
    caller = await connect(app)

    registered = await caller.post({"query": document, "extensions": persisted_query(document)})

    as_text = await caller.post({"query": document})
    assert (registered.status_code, registered.json()) == (as_text.status_code, as_text.json())
    assert registered.json()["errors"] and "data" not in registered.json()
    assert await stored(app).get(sha256(document)) is None
    miss = await caller.post({"extensions": persisted_query(document)})
    assert miss.json() == NOT_FOUND


async def test_a_body_over_the_size_limit_is_refused_before_it_is_stored(connect):
    app = create_app(Settings(max_body_bytes=200))
    caller = await connect(app)
    document = "query Long {\n  viewer {\n    email\n  }\n}" + " " * 200

    response = await caller.post({"query": document, "extensions": persisted_query(document)})

    assert response.status_code == 413
    assert await stored(app).get(sha256(document)) is None


# --------------------------------------------------------------------------- the bound


async def test_the_store_keeps_the_most_recently_used_documents():
    store = LocalDocumentStore(max_documents=2)
    await store.put("a", "A")
    await store.put("b", "B")
    assert await store.get("a") == "A"  # now b is the least recently used

    await store.put("c", "C")

    assert [await store.get(key) for key in ("a", "b", "c")] == ["A", None, "C"]


async def test_the_size_setting_bounds_the_documents_the_server_keeps(connect):
    app = create_app(Settings(persisted_queries_max=1))
    caller = await connect(app)
    await caller.post({"query": VIEWER, "extensions": persisted_query(VIEWER)})
    await caller.post({"query": CLIENTS, "extensions": persisted_query(CLIENTS)})

    assert (await caller.post({"extensions": persisted_query(VIEWER)})).json() == NOT_FOUND
    hit = await caller.post({"extensions": persisted_query(CLIENTS)})
    assert hit.json() == {"data": {"clients": {"totalCount": 0}}}


# ------------------------------------------------------------------------- persisted GETs


async def test_a_persisted_get_has_an_etag_and_a_matching_if_none_match_is_304(connect):
    app = create_app(Settings())
    caller = await connect(app)
    params = get_params(CLIENTS, "Clients")
    miss = await caller.get(params)
    assert (miss.status_code, miss.json()) == (200, NOT_FOUND)
    # The link sends the query again by POST.
    await caller.post({"query": CLIENTS, "extensions": persisted_query(CLIENTS)})

    hit = await caller.get(params)

    body = b'{"data":{"clients":{"totalCount":0}}}'
    assert (hit.status_code, hit.content) == (200, body)
    etag = '"' + _b64(hashlib.sha256(body).digest()) + '"'
    assert hit.headers["etag"] == etag
    assert hit.headers["cache-control"] == "private, no-cache"
    assert hit.headers.get_list("vary") == ["Accept", "Authorization"]

    for if_none_match in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = await caller.get(params, **{"If-None-Match": if_none_match})
        assert (again.status_code, again.content) == (304, b"")
        assert again.headers["etag"] == etag
        assert again.headers["cache-control"] == "private, no-cache"
        assert again.headers.get_list("vary") == ["Accept", "Authorization"]

    await make_client()
    changed = await caller.get(params, **{"If-None-Match": etag})
    assert (changed.status_code, changed.content) == (200, b'{"data":{"clients":{"totalCount":1}}}')
    assert changed.headers["etag"] != etag


def _b64(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


async def test_two_callers_get_different_etags_for_the_same_persisted_get(connect):
    app = create_app(Settings())
    first, second = await connect(app), await connect(app)
    await first.post({"query": VIEWER, "extensions": persisted_query(VIEWER)})
    params = get_params(VIEWER, "Viewer")

    mine, theirs = await first.get(params), await second.get(params)

    assert mine.headers["etag"] != theirs.headers["etag"]
    answer = await second.get(params, **{"If-None-Match": mine.headers["etag"]})
    assert (answer.status_code, answer.json()) == (200, theirs.json())


async def test_a_get_with_its_query_text_has_no_etag(connect):
    caller = await connect(create_app(Settings()))

    response = await caller.get({"query": CLIENTS})

    assert response.status_code == 200
    assert "etag" not in response.headers


async def test_a_persisted_get_sent_with_accept_any_is_answered_not_graphiql(connect):
    app = create_app(Settings())
    caller = await connect(app)
    await caller.post({"query": CLIENTS, "extensions": persisted_query(CLIENTS)})

    response = await caller.get(get_params(CLIENTS, "Clients"), Accept="*/*")

    assert (response.status_code, response.json()) == (
        200,
        {"data": {"clients": {"totalCount": 0}}},
    )


# ----------------------------------------------------------------------- trusted documents


def write_manifest(tmp_path: Path, manifest: Any) -> str:
    path = tmp_path / f"manifest-{uuid.uuid4().hex[:8]}.json"
    path.write_text(json.dumps(manifest))
    return str(path)


RELAY = {md5(CLIENTS): CLIENTS, md5(CREATE_CLIENT): CREATE_CLIENT}  # persistConfig, MD5
CODEGEN = {sha256(CLIENTS): CLIENTS, sha256(CREATE_CLIENT): CREATE_CLIENT}  # sha256
APOLLO = {
    "format": "apollo-persisted-query-manifest",
    "version": 1,
    "operations": [
        {"id": sha256(CLIENTS), "name": "Clients", "type": "query", "body": CLIENTS},
        {
            "id": sha256(CREATE_CLIENT),
            "name": "CreateClient",
            "type": "mutation",
            "body": CREATE_CLIENT,
        },
    ],
}


@pytest.mark.parametrize(
    ("manifest", "request_body"),
    [
        (RELAY, {"doc_id": md5(CLIENTS), "variables": {}}),  # Relay's network layer
        (CODEGEN, {"documentId": sha256(CLIENTS)}),  # codegen, documentId
        (CODEGEN, {"documentId": f"sha256:{sha256(CLIENTS)}"}),  # GraphQL over HTTP appendix
        (CODEGEN, {"extensions": persisted_query(CLIENTS)}),  # codegen, APQ form
        (APOLLO, {"extensions": persisted_query(CLIENTS)}),
        (RELAY, {"extensions": persisted_query(CLIENTS)}),  # by SHA-256, whatever the manifest's
    ],
    ids=["relay-doc_id", "codegen-documentId", "prefixed", "codegen-apq", "apollo", "relay-apq"],
)
@pytest.mark.parametrize("trusted_only", [False, True])
async def test_a_manifest_document_runs_by_its_id(
    connect, tmp_path, manifest, request_body, trusted_only
):
    path = write_manifest(tmp_path, manifest)
    caller = await connect(
        create_app(Settings(trusted_documents=path, trusted_documents_only=trusted_only))
    )

    response = await caller.post(request_body)

    assert (response.status_code, response.json()) == (
        200,
        {"data": {"clients": {"totalCount": 0}}},
    )


async def test_a_manifest_document_by_get_has_an_etag_and_a_mutation_is_refused(connect, tmp_path):
    app = create_app(Settings(trusted_documents=write_manifest(tmp_path, CODEGEN)))
    caller = await connect(app)
    before = await database_state()

    query = await caller.get({"documentId": sha256(CLIENTS)})
    mutation = await caller.get({"documentId": sha256(CREATE_CLIENT)})

    assert query.status_code == 200 and query.headers["etag"]
    assert mutation.status_code == 405
    assert mutation.headers["allow"] == "POST"
    assert await database_state() == before
    by_post = await caller.post({"documentId": sha256(CREATE_CLIENT)})
    assert by_post.json() == {"data": {"createClient": {"client": {"name": "Acme"}}}}


async def test_a_manifest_document_sent_with_other_text_is_refused(connect, tmp_path):
    caller = await connect(create_app(Settings(trusted_documents=write_manifest(tmp_path, RELAY))))
    before = await database_state()

    response = await caller.post({"doc_id": md5(CLIENTS), "query": CREATE_CLIENT})

    assert (response.status_code, response.json()) == (400, HASH_MISMATCH)
    assert await database_state() == before


async def test_in_trusted_only_mode_other_documents_are_refused(connect, tmp_path):
    app = create_app(
        Settings(trusted_documents=write_manifest(tmp_path, RELAY), trusted_documents_only=True)
    )
    caller = await connect(app)
    before = await database_state()
    other = CREATE_CLIENT.replace("Acme", "Other")

    as_text = await caller.post({"query": other})
    registered = await caller.post({"query": other, "extensions": persisted_query(other)})
    by_hash = await caller.post({"extensions": persisted_query(other)})
    introspection = await caller.post({"query": "{ __schema { queryType { name } } }"})

    assert (as_text.status_code, as_text.json()) == (400, NOT_ALLOWED)
    assert (registered.status_code, registered.json()) == (400, NOT_ALLOWED)
    assert (by_hash.status_code, by_hash.json()) == (200, NOT_FOUND)
    assert (introspection.status_code, introspection.json()) == (400, NOT_ALLOWED)
    assert await database_state() == before
    assert await stored(app).get(sha256(other)) is None


async def test_in_trusted_only_mode_a_manifest_document_sent_as_text_runs(connect, tmp_path):
    caller = await connect(
        create_app(
            Settings(trusted_documents=write_manifest(tmp_path, RELAY), trusted_documents_only=True)
        )
    )

    response = await caller.post({"query": CLIENTS})

    assert response.json() == {"data": {"clients": {"totalCount": 0}}}


async def test_in_trusted_only_mode_graphiql_is_not_served(connect, tmp_path):
    app = create_app(
        Settings(trusted_documents=write_manifest(tmp_path, RELAY), trusted_documents_only=True)
    )
    caller = await connect(app)

    page = await caller.client.get("/graphql", headers={"Accept": "text/html"})

    assert page.status_code == 404


def test_trusted_only_mode_needs_a_manifest():
    with pytest.raises(TrustedDocumentsError, match="ACCOUNTGRAPH_TRUSTED_DOCUMENTS_ONLY needs"):
        create_app(Settings(trusted_documents_only=True))


@pytest.mark.parametrize(
    "manifest",
    [
        ["query A { a }"],
        {"abc": 1},
        {"format": "apollo-persisted-query-manifest", "operations": [{}]},
    ],
)
def test_a_manifest_of_another_shape_stops_the_server(tmp_path, manifest):
    with pytest.raises(TrustedDocumentsError, match="are neither an object of document texts"):
        TrustedDocuments.load(write_manifest(tmp_path, manifest))


def test_a_manifest_that_is_not_json_stops_the_server(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text("{not json")
    with pytest.raises(TrustedDocumentsError, match="are not JSON"):
        TrustedDocuments.load(path)


# --------------------------------------------------------------------------------- Redis


async def test_two_servers_sharing_redis_share_registered_documents(connect):
    redis_url = await reachable_redis()
    prefix = f"accountgraph-test-{uuid.uuid4().hex[:12]}"
    settings = Settings(redis_url=redis_url, persisted_queries_redis_prefix=prefix)
    first_app, second_app = create_app(settings), create_app(settings)
    user = await make_user(role=Role.ADMIN)
    first, second = await connect(first_app, user), await connect(second_app, user)

    assert (await second.post({"extensions": persisted_query(CLIENTS)})).json() == NOT_FOUND
    await first.post({"query": CLIENTS, "extensions": persisted_query(CLIENTS)})
    hit = await second.post({"extensions": persisted_query(CLIENTS)})

    assert hit.json() == {"data": {"clients": {"totalCount": 0}}}
    assert isinstance(stored(second_app), RedisDocumentStore)


async def test_the_redis_store_keeps_the_most_recently_used_documents():
    redis_url = await reachable_redis()
    store = RedisDocumentStore(redis_url, 2, prefix=f"accountgraph-test-{uuid.uuid4().hex[:12]}")
    other_process = RedisDocumentStore(redis_url, 2, prefix=store._keys[0].rsplit(":", 1)[0])
    try:
        await store.put("a", "A")
        await other_process.put("b", "B")
        assert await other_process.get("a") == "A"  # now b is the least recently used

        await store.put("c", "C")

        assert [await other_process.get(key) for key in ("a", "b", "c")] == ["A", None, "C"]
        assert await store._redis.zcard(store._keys[1]) == 2
    finally:
        await store._redis.delete(*store._keys)
        await store.close()
        await other_process.close()


async def test_with_redis_unreachable_a_persisted_query_is_a_miss_and_text_still_runs(connect):
    app = create_app(Settings(redis_url="redis://127.0.0.1:1/0"))
    caller = await connect(app)

    registered = await caller.post({"query": CLIENTS, "extensions": persisted_query(CLIENTS)})
    miss = await caller.post({"extensions": persisted_query(CLIENTS)})

    assert registered.json() == {"data": {"clients": {"totalCount": 0}}}
    assert (miss.status_code, miss.json()) == (200, NOT_FOUND)


# ---------------------------------------------------------------- subscriptions, live server

SIGN_IN = (
    "mutation SignIn($email: String!, $password: String!) {\n"
    "  login(input: {email: $email, password: $password}) {\n    accessToken\n  }\n}"
)
LIVE_MANIFEST = {md5(SIGN_IN): SIGN_IN, md5(STAGE_CHANGED): STAGE_CHANGED}


@pytest.fixture(scope="module")
async def trusted_live(tmp_path_factory) -> AsyncIterator[Server]:
    """A server process running the documents of ``LIVE_MANIFEST`` only."""
    workdir = tmp_path_factory.mktemp("trusted")
    url = (
        await create_postgres_database()
        if BACKEND == "postgres"
        else f"sqlite://{workdir / 'live.db'}"
    )
    env = prepare_database(url, workdir)
    env["ACCOUNTGRAPH_TRUSTED_DOCUMENTS"] = write_manifest(workdir, LIVE_MANIFEST)
    env["ACCOUNTGRAPH_TRUSTED_DOCUMENTS_ONLY"] = "true"
    try:
        with servers(env, workdir) as started:
            yield started[0]
    finally:
        if BACKEND == "postgres":
            await drop_postgres_database(url)


async def signed_in(server: Server) -> str:
    async with httpx.AsyncClient(base_url=server.base) as client:
        response = await client.post(
            "/graphql",
            json={
                "doc_id": md5(SIGN_IN),
                "variables": {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
            },
        )
    return response.json()["data"]["login"]["accessToken"]


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_in_trusted_only_mode_a_subscription_runs_by_its_id(trusted_live, protocol):
    token = await signed_in(trusted_live)
    kind = "subscribe" if protocol == TRANSPORT_WS else "start"
    await until_subscribed(trusted_live, 0)
    async with Socket.open(trusted_live, protocol) as socket:
        await socket.init(token)
        await socket.send({"id": "1", "type": kind, "payload": {"doc_id": md5(STAGE_CHANGED)}})
        await until_subscribed(trusted_live, 1)


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_in_trusted_only_mode_another_subscription_is_refused(trusted_live, protocol):
    token = await signed_in(trusted_live)
    other = STAGE_CHANGED.replace("eventId", "eventId changedAt")
    async with Socket.open(trusted_live, protocol) as socket:
        await socket.init(token)
        await socket.subscribe("1", other)

        message = await socket.receive()

    error = NOT_ALLOWED["errors"][0]
    payload = [error] if protocol == TRANSPORT_WS else error
    assert message == {"id": "1", "type": "error", "payload": payload}
    await until_subscribed(trusted_live, 0)
