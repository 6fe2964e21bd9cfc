"""gzip-compressed responses, with validators kept honest.

Starlette's ``GZipMiddleware`` compresses a response of at least ``minimum_size`` bytes for a
client whose ``Accept-Encoding`` names gzip, and adds ``Vary: Accept-Encoding``. It leaves
alone a response that is already encoded, a partial one (206) and event streams, and
compresses a streamed body chunk by chunk, flushing each, so nothing waits in the compressor.

It does not touch ``ETag``. But a strong validator promises the same bytes, and the gzip and
the identity representations of a response are different bytes (RFC 9110, 8.8.1 and 8.8.3):
a cache combining ranges of both would corrupt the body. So, as nginx does, a strong ``ETag``
of a response compressed here is sent weak (``W/"..."``); and since ``If-None-Match`` compares
validators weakly (RFC 9110, 13.1.2), its ``W/`` prefixes are removed before the app reads it,
so that an app comparing its own (strong) tag by string still recognises the compressed
representation it sent and answers 304. (A 304 has no body, so nothing tells whether the 200
would have been compressed: its ``ETag`` is left as the app wrote it, and either form matches
at the next revalidation.)
"""

import re

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_WEAK_PREFIX = re.compile(r"(^|,)\s*W/")


def strong_if_none_match(value: str) -> str:
    """``If-None-Match`` with every ``W/`` prefix dropped (the same under weak comparison)."""
    return ", ".join(tag.strip() for tag in _WEAK_PREFIX.sub(r"\1", value).split(","))


def _with_strong_if_none_match(scope: Scope) -> Scope:
    headers = scope["headers"]
    if not any(name == b"if-none-match" and b"W/" in value for name, value in headers):
        return scope
    rewritten = [
        (name, strong_if_none_match(value.decode("latin-1")).encode("latin-1"))
        if name == b"if-none-match"
        else (name, value)
        for name, value in headers
    ]
    return {**scope, "headers": rewritten}


class CompressResponses:
    """ASGI middleware: gzip (Starlette's) for clients that accept it, validators weakened
    where the bytes changed, ``If-None-Match`` compared weakly."""

    def __init__(self, app: ASGIApp, *, minimum_size: int, level: int) -> None:
        self.app = app
        self.minimum_size = minimum_size
        self.level = level

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        encoded_by_app = False

        async def app(scope: Scope, receive: Receive, send_to_gzip: Send) -> None:
            async def note_encoding(message: Message) -> None:
                nonlocal encoded_by_app
                if message["type"] == "http.response.start":
                    encoded_by_app = "content-encoding" in Headers(raw=message.get("headers", []))
                await send_to_gzip(message)

            await self.app(scope, receive, note_encoding)

        async def weaken_validator(message: Message) -> None:
            if message["type"] == "http.response.start" and not encoded_by_app:
                headers = MutableHeaders(scope=message)
                etag = headers.get("etag")
                if "content-encoding" in headers and etag and not etag.startswith("W/"):
                    headers["ETag"] = f"W/{etag}"
            await send(message)

        gzip = GZipMiddleware(app, minimum_size=self.minimum_size, compresslevel=self.level)
        await gzip(_with_strong_if_none_match(scope), receive, weaken_validator)
