"""gzip for answers of 1000 bytes and more, for clients that accept it; validators (ETag,
If-None-Match) stay correct across the two representations."""

import functools
import hashlib
import json
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.enums import Role
from server import create_app
from services.auth import issue_access_token
from settings import Settings
from tests.factories import make_user
from web.compression import CompressResponses, strong_if_none_match
from web.graphiql import ASSET_PREFIX, asset_version

GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}
TYPE_NAMES = "{ __schema { types { name } } }"


@functools.cache
def app_with(**settings: Any) -> Starlette:
    return create_app(Settings(**settings))


async def request(app: Any, method: str, path: str, **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.request(method, path, **kwargs)


async def admin_headers() -> dict[str, str]:
    admin = await make_user(role=Role.ADMIN)
    return {"Authorization": f"Bearer {issue_access_token(admin)}"}


async def post(app: Starlette, query: str, headers: dict[str, str]) -> httpx.Response:
    return await request(app, "POST", "/graphql", json={"query": query}, headers=headers)


async def test_a_large_answer_is_gzipped_for_a_client_that_accepts_it():
    signed_in = await admin_headers()
    plain = await post(app_with(), TYPE_NAMES, {**signed_in, **IDENTITY})
    compressed = await post(app_with(), TYPE_NAMES, {**signed_in, **GZIP})
    assert compressed.status_code == plain.status_code == 200
    assert compressed.headers["content-encoding"] == "gzip"
    assert compressed.headers["vary"] == "Accept, Accept-Encoding"
    assert int(compressed.headers["content-length"]) < len(plain.content) / 4
    assert compressed.content == plain.content  # as decoded by the client
    assert "content-encoding" not in plain.headers
    assert plain.headers["vary"] == "Accept, Accept-Encoding"
    assert plain.headers["content-length"] == str(len(plain.content)) > "1000"


async def test_a_small_answer_is_sent_as_it_is():
    response = await post(app_with(), "{ __typename }", GZIP)
    assert response.content == b'{"data":{"__typename":"Query"}}'
    assert "content-encoding" not in response.headers
    assert response.headers["vary"] == "Accept"


@pytest.mark.parametrize("accept_encoding", ["identity", "br", ""])
async def test_nothing_is_compressed_for_a_client_that_does_not_accept_gzip(accept_encoding):
    response = await post(
        app_with(), TYPE_NAMES, {**await admin_headers(), "Accept-Encoding": accept_encoding}
    )
    assert response.status_code == 200
    assert "content-encoding" not in response.headers


@pytest.mark.parametrize(
    "settings", [{"compress_responses": False}, {"compression_minimum_bytes": 1_000_000}]
)
async def test_compression_and_its_threshold_are_settings(settings):
    response = await post(app_with(**settings), TYPE_NAMES, {**await admin_headers(), **GZIP})
    assert response.status_code == 200
    assert "content-encoding" not in response.headers


# --------------------------------------------------------------------------- validators


def asset_path() -> str:
    return f"{ASSET_PREFIX}/graphiql/graphiql.min.css?v={asset_version()}"


async def test_a_compressed_asset_has_a_weak_etag_and_the_plain_one_a_strong_one():
    compressed = await request(app_with(), "GET", asset_path(), headers=GZIP)
    plain = await request(app_with(), "GET", asset_path(), headers=IDENTITY)
    assert compressed.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    strong = plain.headers["etag"]
    assert strong.startswith('"') and strong.endswith('"')
    assert compressed.headers["etag"] == f"W/{strong}"
    assert compressed.content == plain.content


@pytest.mark.parametrize("encoding", [GZIP, IDENTITY])
async def test_an_asset_revalidates_with_the_etag_it_was_sent(encoding):
    first = await request(app_with(), "GET", asset_path(), headers=encoding)
    again = await request(
        app_with(),
        "GET",
        asset_path(),
        headers={**encoding, "If-None-Match": first.headers["etag"]},
    )
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == first.headers["etag"].removeprefix("W/")


def app_comparing_its_strong_tag(content_encoding: str | None = None) -> CompressResponses:
    """An app that answers 304 only when If-None-Match lists its strong tag as it is, as a
    hand-written validator often does; optionally encoding its body itself."""

    async def document(request: Request) -> Response:
        etag = '"v1"'
        if etag in request.headers.get("if-none-match", "").split(", "):
            return Response(status_code=304, headers={"ETag": etag})
        headers = {"ETag": etag, "Cache-Control": "private"}
        if content_encoding:
            headers["Content-Encoding"] = content_encoding
        return Response(b"x" * 5000, headers=headers, media_type="application/json")

    return CompressResponses(
        Starlette(routes=[Route("/document", document)]), minimum_size=1000, level=6
    )


async def test_an_app_comparing_its_strong_tag_still_answers_304_to_the_compressed_copy():
    app = app_comparing_its_strong_tag()
    first = await request(app, "GET", "/document", headers=GZIP)
    assert (first.headers["content-encoding"], first.headers["etag"]) == ("gzip", 'W/"v1"')
    assert first.content == b"x" * 5000
    again = await request(
        app, "GET", "/document", headers={**GZIP, "If-None-Match": 'W/"v0", W/"v1"'}
    )
    assert (again.status_code, again.headers["etag"]) == (304, '"v1"')
    plain = await request(app, "GET", "/document", headers={**IDENTITY, "If-None-Match": '"v1"'})
    assert (plain.status_code, plain.headers["etag"]) == (304, '"v1"')
    changed = await request(app, "GET", "/document", headers={**GZIP, "If-None-Match": 'W/"v0"'})
    assert (changed.status_code, changed.headers["etag"]) == (200, 'W/"v1"')


async def test_a_body_the_app_encoded_itself_is_left_alone():
    app = app_comparing_its_strong_tag(content_encoding="br")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        async with client.stream("GET", "/document", headers=GZIP) as response:
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
    assert (response.headers["content-encoding"], response.headers["etag"]) == ("br", '"v1"')
    assert raw == b"x" * 5000


@pytest.mark.parametrize(
    ("header", "strong"),
    [('W/"a"', '"a"'), ('W/"a", "b",W/"c"', '"a", "b", "c"'), ('"a"', '"a"'), ("*", "*")],
)
def test_if_none_match_is_read_weakly(header, strong):
    assert strong_if_none_match(header) == strong


async def test_a_compressed_persisted_get_revalidates_with_its_weak_etag():
    app = create_app(Settings())
    hashed = hashlib.sha256(TYPE_NAMES.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": hashed}}
    params = {"extensions": json.dumps(extensions)}
    signed_in = await admin_headers()
    try:
        registered = await request(
            app,
            "POST",
            "/graphql",
            json={"query": TYPE_NAMES, "extensions": extensions},
            headers=signed_in,
        )
        assert registered.status_code == 200
        plain = await request(
            app, "GET", "/graphql", params=params, headers={**signed_in, **IDENTITY}
        )
        compressed = await request(
            app, "GET", "/graphql", params=params, headers={**signed_in, **GZIP}
        )
        assert compressed.headers["content-encoding"] == "gzip"
        assert compressed.content == plain.content == registered.content
        assert compressed.headers["etag"] == f"W/{plain.headers['etag']}"
        again = await request(
            app,
            "GET",
            "/graphql",
            params=params,
            headers={**signed_in, **GZIP, "If-None-Match": compressed.headers["etag"]},
        )
        assert (again.status_code, again.content) == (304, b"")
    finally:
        await app.state.persisted_operations.close()
