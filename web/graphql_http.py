"""GraphQL over HTTP conformant ASGI view for Strawberry.

``GraphQLView`` is Strawberry's ASGI ``GraphQL`` app with the gaps that the
`GraphQL over HTTP <https://graphql.github.io/graphql-over-http/draft/>`_ spec
(as audited by the ``graphql-http`` npm package) flags filled in, through
Strawberry's own hooks:

* **Content negotiation** on ``Accept``: ``application/graphql-response+json``
  when the client accepts it (and prefers it at least as much as
  ``application/json``), ``application/json`` when it accepts that, ``*/*`` or
  sends no ``Accept`` at all, and ``406 Not Acceptable`` when it accepts
  neither. Responses carry ``Vary: Accept``.
* **Status codes**: with ``application/graphql-response+json`` a response with
  no ``data`` entry (a request error: unparseable document, validation failure,
  variable coercion failure, operation that cannot be determined) is ``400``
  and one where execution started is ``200``; with ``application/json`` the
  legacy rule applies and every well-formed request gets ``200``. Malformed
  HTTP requests (bad JSON, invalid parameters, missing ``query``) are ``400``
  under both, with a GraphQL-shaped ``{"errors": [...]}`` body whose error has an
  ``extensions.code`` (``HTTP_ERROR_CODES``: ``BAD_REQUEST``, ``METHOD_NOT_ALLOWED``...).
* **Request errors have no ``data`` entry**, as the GraphQL spec requires.
* **GET runs queries only**: a mutation over GET is refused with ``405`` and
  ``Allow: POST`` before anything executes. Other methods get ``405`` with
  ``Allow: GET, POST``.
* **POST needs ``Content-Type: application/json``** (UTF-8): a missing or other
  media type or charset is ``415``; a body that is not a JSON object is ``400``.
  Refusing every other media type (``text/plain``, form-encoded, multipart unless
  ``multipart_uploads_enabled``) is also what keeps browsers from sending GraphQL
  requests across sites without a CORS preflight.
* **No batching**: a JSON array of operations is ``400`` unless the schema's
  ``batching_config`` enables batching.
* **Bounded request bodies**: a POST body larger than ``max_body_bytes`` (constructor
  option, default 1 MB; ``None`` for no limit) is ``413``. A larger ``Content-Length`` is
  refused before anything is read; a body without one is counted as it streams in and
  refused as soon as it goes over, so no more than the limit (plus the last chunk
  received) is held in memory. File uploads (``multipart/form-data``, with
  ``multipart_uploads_enabled``) have their own limit, ``max_upload_bytes``; their files
  are spooled to temporary files, which are closed when the response is made. With
  ``body_timeout_seconds``, a body (upload or JSON) that has not all arrived that many
  seconds after it was first read is refused with ``408``.
* **Malformed JSON is ``400``, never ``500``**: a body (or a GET parameter, or a
  multipart ``operations`` field) that is not valid UTF-8, JSON nested deeper than the
  decoder can follow, and text holding a ``\\u`` escape of a lone surrogate (which is
  no Unicode text at all) are each refused with a message that says which.
* **Server faults are GraphQL responses too**: ``http_error`` (a hook, ``None`` by
  default) turns an exception raised while handling a request into an answer such as
  ``service_unavailable()`` (``503``, ``Retry-After``, ``extensions.code``
  ``SERVICE_UNAVAILABLE``); a result with an error coded ``SERVICE_UNAVAILABLE`` is
  answered the same way, as a whole. ``request_timeout`` (seconds, ``None`` for none)
  bounds the handling of one request: past it the answer is ``504`` with the code
  ``TIMEOUT``. A result with an error coded ``UNAUTHENTICATED`` is answered ``401`` as a
  whole, through the ``unauthenticated`` hook (which adds ``WWW-Authenticate``).
* **Subscriptions are WebSocket only**: a subscription operation sent over HTTP GET or
  POST is ``400``, saying where to send it (Strawberry would try to run it, and fail).
* **Persisted operations** (``persisted``, a ``web.persisted.PersistedOperations``): a
  request may name its document by APQ hash or trusted-document id instead of sending it;
  a GET of such a document is answered with a strong ``ETag``, ``Cache-Control: private,
  no-cache`` and ``Vary: Accept, Authorization``, and ``304`` with no body when its
  ``If-None-Match`` matches.
* **JSON output is encoded with orjson.** WebSocket messages still go out as
  text frames, as the graphql-ws protocols expect.

Subclass it (or pass the usual constructor options) to add ``get_context``,
``get_root_value``, ``render_graphql_ide`` and so on; when overriding
``process_result`` / ``create_response`` / ``run``, call ``super()``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Final, overload
from urllib.parse import unquote_to_bytes

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import (
    CannotGetOperationTypeError,
    InvalidOperationTypeError,
)
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.unset import UNSET

from web.persisted import PersistedOperationRefused, PersistedOperations, ResolvedDocument

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "GRAPHQL_RESPONSE_JSON",
    "JSON",
    "GraphQLHTTPError",
    "GraphQLView",
    "has_lone_surrogate",
    "is_request_error",
    "negotiate_media_type",
]

GRAPHQL_RESPONSE_JSON: Final = "application/graphql-response+json"
JSON: Final = "application/json"
DEFAULT_MAX_BODY_BYTES: Final = 1_000_000
SERVICE_UNAVAILABLE: Final = "SERVICE_UNAVAILABLE"
TIMEOUT: Final = "TIMEOUT"
UNAUTHENTICATED: Final = "UNAUTHENTICATED"

# The ``extensions.code`` of a request refused before GraphQL runs, when the refusal names
# none of its own: every top-level error carries a code.
HTTP_ERROR_CODES: Final = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    408: "REQUEST_TIMEOUT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    503: SERVICE_UNAVAILABLE,
    504: TIMEOUT,
}

_CONTENT_TYPES: Final = {
    GRAPHQL_RESPONSE_JSON: f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8",
    JSON: f"{JSON}; charset=utf-8",
}

# The media type negotiated for the request being handled by `GraphQLView.run`.
# `create_response` only receives the response data and the sub-response, so the
# negotiated type reaches it through the context of the request's task.
_response_media_type: ContextVar[str] = ContextVar("graphql_http_response_media_type", default=JSON)
# The If-None-Match of a GET of a persisted document ("" without one), which `create_response`
# answers with an ETag (and 304 when it matches); None for every other request.
_persisted_get: ContextVar[str | None] = ContextVar("graphql_http_persisted_get", default=None)


class GraphQLHTTPError(HTTPException):
    """An ``HTTPException`` that also carries response headers (e.g. ``Allow``)."""

    def __init__(
        self,
        status_code: int,
        reason: str,
        headers: Mapping[str, str] | None = None,
        code: str | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(status_code, reason)
        self.headers = dict(headers or {})
        # The error's `extensions.code`, for clients that branch on it.
        self.code = code
        # More of the error's `extensions` (the `reason` of an UNAUTHENTICATED one).
        self.extensions = dict(extensions or {})


@lru_cache(maxsize=256)
def negotiate_media_type(accept: str | None) -> str | None:
    """Pick the response media type for an ``Accept`` header value.

    Returns ``application/graphql-response+json``, ``application/json``, or
    ``None`` when the client accepts neither (the caller answers 406).
    A missing or blank header means ``application/json`` (the spec's legacy
    default). The q-value of each candidate comes from the most specific media
    range that matches it (RFC 9110 §12.5.1); the highest q wins. On a tie an
    explicitly listed type beats one matched by a wildcard, and between two
    explicit types ``application/graphql-response+json`` wins; a tie between two
    wildcard matches (``*/*``, ``application/*``) goes to ``application/json``.
    """
    if accept is None or not accept.strip():
        return JSON

    # candidate -> (q, specificity) of the most specific matching range
    best: dict[str, tuple[float, int]] = {}
    for media_range in accept.split(","):
        mime, *params = (part.strip() for part in media_range.split(";"))
        mime = mime.lower()
        if "/" not in mime:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 1.0
        for candidate in (GRAPHQL_RESPONSE_JSON, JSON):
            if mime == candidate:
                specificity = 2
            elif mime == "application/*":
                specificity = 1
            elif mime == "*/*":
                specificity = 0
            else:
                continue
            current = best.get(candidate)
            if current is None or specificity > current[1]:
                best[candidate] = (q, specificity)

    acceptable = {candidate: rank for candidate, rank in best.items() if rank[0] > 0}
    if len(acceptable) < 2:
        return next(iter(acceptable), None)
    (gq, gs), (jq, js) = acceptable[GRAPHQL_RESPONSE_JSON], acceptable[JSON]
    if gq != jq:
        return GRAPHQL_RESPONSE_JSON if gq > jq else JSON
    if gs != js:
        return GRAPHQL_RESPONSE_JSON if gs > js else JSON
    return GRAPHQL_RESPONSE_JSON if gs == 2 else JSON


def _strings(value: Any) -> Iterator[str]:
    """Every string in a decoded JSON value, keys included (iteratively: it may nest deep)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


# Deeper JSON is refused. Python's decoder gives up near its recursion limit on some versions
# and not on others (3.13 reads far deeper), so the limit is ours, the same on every version.
MAX_JSON_DEPTH = 512
NESTED_TOO_DEEPLY = "The request's JSON is nested too deeply to be read."


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether a decoded JSON value nests lists and objects more than ``limit`` deep."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return False


def has_lone_surrogate(value: Any) -> bool:
    """Whether a decoded JSON value holds a lone surrogate (``"\\ud800"``): JSON lets the
    escape through, but it is no Unicode text, and no database or encoder takes it."""
    for text in _strings(value):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return True
    return False


def _refuse_invalid_query_string(request: Request) -> None:
    """400 for a query string that is not UTF-8 once percent-decoded: decoded anyway, its
    bytes would turn into U+FFFD, and the request would run as something never sent."""
    try:
        unquote_to_bytes(request.scope.get("query_string", b"")).decode("utf-8")
    except UnicodeDecodeError:
        raise GraphQLHTTPError(400, "The request is not valid UTF-8.") from None


def is_request_error(result: Any) -> bool:
    """Whether an execution result is a GraphQL *request error*.

    A request error is raised before execution starts (parse or validation
    failure, variable coercion failure, operation that cannot be determined);
    its response must not have a ``data`` entry. Strawberry returns
    ``PreExecutionError`` for parse/validation failures; graphql-core reports
    variable coercion failures as ``data=None`` with errors that have no path,
    whereas a field error that nulls the whole result always has a path.
    """
    if isinstance(result, PreExecutionError):
        return True
    errors: list[Any] = getattr(result, "errors", None) or []
    return (
        getattr(result, "data", UNSET) is None
        and bool(errors)
        and all(getattr(error, "path", None) is None for error in errors)
    )


class _TextFrameWebSocketAdapter(ASGIWebSocketAdapter):
    """Send WebSocket messages as text frames even though JSON is encoded to bytes."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(self.view.encode_json_string(message))
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


def _body_too_large(max_body_bytes: int) -> GraphQLHTTPError:
    return GraphQLHTTPError(
        413, f"The request body is larger than the limit of {max_body_bytes} bytes."
    )


def _body_too_slow(timeout: float) -> GraphQLHTTPError:
    return GraphQLHTTPError(
        408, f"The request body took longer than {timeout:g} s to arrive; send it at once."
    )


def _receive_at_most(
    receive: Receive, max_body_bytes: int, timeout: float | None = None
) -> Receive:
    """``receive``, refusing the request once its body goes over ``max_body_bytes``, or
    (with a ``timeout``) once that many seconds have passed since the body was first read
    without all of it arriving: a client trickling a body in would hold a connection and
    its worker for as long as it likes."""
    received = 0
    deadline: float | None = None
    complete = False

    async def receive_in_time() -> Message:
        nonlocal deadline, complete
        if timeout is None or complete:
            return await receive()
        if deadline is None:
            deadline = asyncio.get_running_loop().time() + timeout
        try:
            async with asyncio.timeout_at(deadline):
                message = await receive()
        except TimeoutError:
            raise _body_too_slow(timeout) from None
        complete = message["type"] != "http.request" or not message.get("more_body", False)
        return message

    async def receive_within_limit() -> Message:
        nonlocal received
        message = await receive_in_time()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > max_body_bytes:
                raise _body_too_large(max_body_bytes)
        return message

    return receive_within_limit


# A document is parsed here only when it may hold a subscription, and only this far: the
# schema's own guards refuse longer documents anyway.
_SUBSCRIPTION = re.compile(r"\bsubscription\b")
_MAX_TOKENS_TO_FIND_SUBSCRIPTIONS: Final = 10_000


def _refuse_subscription(request_data: GraphQLRequestData) -> None:
    """Refuse (400) a request whose operation is a subscription: those need a WebSocket."""
    query = request_data.query
    if not isinstance(query, str) or not _SUBSCRIPTION.search(query):
        return
    try:
        document = parse(query, no_location=True, max_tokens=_MAX_TOKENS_TO_FIND_SUBSCRIPTIONS)
    except GraphQLError:
        return  # the schema answers syntax errors and oversized documents itself
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    name = request_data.operation_name
    chosen = [o for o in operations if name is None or (o.name and o.name.value == name)]
    if len(chosen) == 1 and chosen[0].operation == OperationType.SUBSCRIPTION:
        raise GraphQLHTTPError(
            400,
            "Subscriptions are not served over HTTP: open a WebSocket to this path "
            "(graphql-transport-ws) and subscribe there.",
        )


@dataclass
class _RequestWithDocumentId(GraphQLRequestData):
    """A request's parameters, with the ``documentId`` (or Relay's ``doc_id``) it may send
    instead of a ``query``."""

    document_id: Any = None


async def _document_id(request: AsyncHTTPRequestAdapter, parse_json: Any) -> Any:
    if request.method == "GET":
        params = request.query_params
        return params.get("documentId", params.get("doc_id"))
    if parse_content_type(request.content_type or "")[0].lower() != JSON:
        return None  # an upload: its body was read as a form, and names no document
    body = await request.get_body()
    if b"documentId" not in body and b"doc_id" not in body:
        return None
    data = parse_json(body)
    return data.get("documentId", data.get("doc_id")) if isinstance(data, dict) else None


def entity_tag(body: bytes) -> str:
    """A strong ETag of a response body: its SHA-256, base64url."""
    digest = hashlib.sha256(body).digest()
    return '"' + base64.urlsafe_b64encode(digest).decode().rstrip("=") + '"'


def _if_none_match(header: str, tag: str) -> bool:
    """Whether ``If-None-Match`` matches ``tag`` (weak comparison, RFC 9110 §13.1.2)."""
    candidates = [candidate.strip().removeprefix("W/") for candidate in header.split(",")]
    return "*" in candidates or tag in candidates


class GraphQLView(GraphQL):
    """Strawberry's ASGI ``GraphQL`` app, conformant to GraphQL over HTTP.

    Takes the constructor arguments of ``strawberry.asgi.GraphQL``, and
    ``max_body_bytes``: the largest POST body accepted (``None``: no limit);
    ``max_upload_bytes``: the same for multipart uploads (default: ``max_body_bytes``);
    ``request_timeout``: the most seconds one request may take (``None``: no limit);
    ``retry_after_seconds``: the ``Retry-After`` of a ``503``.
    ``body_timeout_seconds``: the most time a POST body may take to arrive (``None``: no
    limit), refused with ``408``.
    ``persisted``: Automatic Persisted Queries and trusted documents (``None``: neither).
    """

    websocket_adapter_class = _TextFrameWebSocketAdapter

    def __init__(
        self,
        *args: Any,
        max_body_bytes: int | None = DEFAULT_MAX_BODY_BYTES,
        max_upload_bytes: int | None = None,
        request_timeout: float | None = None,
        retry_after_seconds: int = 5,
        body_timeout_seconds: float | None = None,
        persisted: PersistedOperations | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes or max_body_bytes
        self.request_timeout = request_timeout
        self.retry_after_seconds = retry_after_seconds
        self.body_timeout_seconds = body_timeout_seconds
        self.persisted = persisted

    # ------------------------------------------------------------------ JSON

    def encode_json(self, data: object) -> bytes:
        try:
            return orjson.dumps(data)
        except TypeError:
            # orjson is stricter than the stdlib (non-str dict keys, ints beyond
            # 64 bits); fall back rather than fail. Truly unserialisable values
            # still raise here, as they would in Strawberry.
            return json.dumps(data, separators=(",", ":")).encode()

    def parse_json(self, data: str | bytes) -> Any:
        """Decode a JSON request (body, GET parameter, multipart field), or refuse it (400)."""
        try:
            text = data.decode("utf-8") if isinstance(data, bytes) else data
        except UnicodeDecodeError:
            raise GraphQLHTTPError(400, "The request is not valid UTF-8.") from None
        try:
            decoded = json.loads(text)
        except json.JSONDecodeError:
            raise GraphQLHTTPError(400, "Unable to parse request body as JSON") from None
        except RecursionError:
            raise GraphQLHTTPError(400, NESTED_TOO_DEEPLY) from None
        if nested_deeper_than(decoded, MAX_JSON_DEPTH):
            raise GraphQLHTTPError(400, NESTED_TOO_DEEPLY)
        if has_lone_surrogate(decoded):
            raise GraphQLHTTPError(
                400,
                "The request holds a \\u escape of a lone surrogate (\\ud800 to \\udfff), "
                "which is not Unicode text.",
            )
        return decoded

    # ------------------------------------------------------------ errors

    def http_error(self, exc: Exception) -> GraphQLHTTPError | None:
        """The answer to an exception raised while handling a request, or ``None`` to let it
        propagate (a plain ``500``). Subclasses map the faults they know, e.g. to
        ``service_unavailable()``."""
        return None

    def service_unavailable(self, reason: str) -> GraphQLHTTPError:
        """``503`` with ``Retry-After`` and the code ``SERVICE_UNAVAILABLE``."""
        return GraphQLHTTPError(
            503,
            reason,
            headers={"Retry-After": str(self.retry_after_seconds)},
            code=SERVICE_UNAVAILABLE,
        )

    def unauthenticated(self, error: GraphQLError) -> GraphQLHTTPError:
        """``401`` for a result refused for its credential (an error coded
        ``UNAUTHENTICATED``), with the error's ``extensions``; subclasses add the
        ``WWW-Authenticate`` challenge they issue."""
        return GraphQLHTTPError(
            401,
            error.message,
            headers={"WWW-Authenticate": "Bearer"},
            code=UNAUTHENTICATED,
            extensions={k: v for k, v in (error.extensions or {}).items() if k != "code"},
        )

    def timed_out(self) -> GraphQLHTTPError:
        return GraphQLHTTPError(
            504,
            f"The request took longer than {self.request_timeout:g} seconds and was stopped.",
            code=TIMEOUT,
        )

    # ------------------------------------------------------------ entry point

    @overload
    async def run(
        self, request: Request, context: Any = UNSET, root_value: Any = UNSET
    ) -> Response: ...

    @overload
    async def run(
        self, request: WebSocket, context: Any = UNSET, root_value: Any = UNSET
    ) -> WebSocket: ...

    async def run(
        self, request: Request | WebSocket, context: Any = UNSET, root_value: Any = UNSET
    ) -> Response | WebSocket:
        if isinstance(request, WebSocket):
            return await super().run(request, context, root_value)

        media_type = negotiate_media_type(request.headers.get("accept"))
        token = _response_media_type.set(media_type or JSON)
        persisted_get = _persisted_get.set(None)
        limited = request
        deadline = asyncio.timeout(self.request_timeout)
        try:
            _refuse_invalid_query_string(request)
            limited = self._limit_body(request)
            async with deadline:
                return await super().run(limited, context, root_value)
        except HTTPException as exc:
            return self.create_error_response(exc)
        except Exception as exc:
            # Past the deadline, whatever the interrupted code raised on its way out.
            error = self.timed_out() if deadline.expired() else self.http_error(exc)
            if error is None:
                raise
            return self.create_error_response(error)
        finally:
            await limited.close()  # the temporary files of uploads
            _response_media_type.reset(token)
            _persisted_get.reset(persisted_get)

    def _limit_body(self, request: Request) -> Request:
        """The request, with a body that is refused (413) once it is over the limit."""
        multipart = parse_content_type(request.headers.get("content-type", ""))[0].lower()
        limit = self.max_upload_bytes if multipart == "multipart/form-data" else self.max_body_bytes
        if limit is None or request.method != "POST":
            return request
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _body_too_large(limit)
        receive = _receive_at_most(request.receive, limit, self.body_timeout_seconds)
        return Request(request.scope, receive=receive)

    # ---------------------------------------------------------------- request

    def should_render_graphql_ide(self, request: Any) -> bool:
        """A browser's GET of the page, not a GET naming a persisted document (whose ``Accept``
        may well be ``*/*``)."""
        params = request.query_params
        names = ("extensions", "documentId", "doc_id")
        return super().should_render_graphql_ide(request) and not any(n in params for n in names)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        if (
            negotiate_media_type(request.headers.get("accept")) is None
            and self._get_stream_transport_from_headers(request.headers) is None
        ):
            raise GraphQLHTTPError(
                406,
                f"The Accept header must allow {GRAPHQL_RESPONSE_JSON} or {JSON}.",
            )

        if request.method == "POST":
            mime_type, params = parse_content_type(request.content_type or "")
            mime_type = mime_type.lower()
            if mime_type == JSON:
                charset = params.get("charset", "utf-8").lower()
                if charset not in ("utf-8", "utf8"):
                    raise GraphQLHTTPError(415, "The request body must be UTF-8 encoded.")
                # Strawberry assumes the decoded body is an object (or a batch list).
                body = (await request.get_body()).lstrip()
                if body[:1] == b"[" and self.schema.config.batching_config is None:
                    raise GraphQLHTTPError(
                        400,
                        "Batched requests are not supported: send one GraphQL operation "
                        "per request, as a JSON object.",
                    )
                if body and body[:1] not in (b"{", b"["):
                    raise GraphQLHTTPError(400, "The request body must be a JSON object.")
            elif not (self.multipart_uploads_enabled and mime_type == "multipart/form-data"):
                raise GraphQLHTTPError(415, f"POST requests must have Content-Type: {JSON}.")

        request_data = await super().parse_http_body(request)

        for item in request_data if isinstance(request_data, list) else [request_data]:
            if not isinstance(item.operation_name, (str, type(None))):
                raise GraphQLHTTPError(
                    400,
                    "The GraphQL operation's `operationName` must be a string or null, "
                    "if provided.",
                )
        if self.persisted is not None and isinstance(request_data, GraphQLRequestData):
            document_id = await _document_id(request, self.parse_json)
            if document_id is not None:
                fields = vars(request_data)
                return _RequestWithDocumentId(**fields, document_id=document_id)
        return request_data

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Any,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        resolved = await self._resolve_persisted(request_adapter, request_data)
        if resolved is not None:
            request_data = replace(request_data, query=resolved.query)
        _refuse_subscription(request_data)
        try:
            result = await super().execute_single(
                request=request,
                request_adapter=request_adapter,
                sub_response=sub_response,
                context=context,
                root_value=root_value,
                request_data=request_data,
            )
        except HTTPException as exc:
            cause = exc.__cause__
            if isinstance(cause, InvalidOperationTypeError) and request_adapter.method == "GET":
                # Checked before validation and execution: nothing has run.
                raise GraphQLHTTPError(405, exc.reason, headers={"Allow": "POST"}) from cause
            if isinstance(cause, CannotGetOperationTypeError):
                # A request error like any other, not a malformed HTTP request.
                error = GraphQLError(exc.reason, extensions={"code": "BAD_USER_INPUT"})
                return PreExecutionError(data=None, errors=[error])
            raise
        # Only a document that parsed, validated and passed every limit is stored.
        if resolved is not None and self.persisted is not None:
            if not isinstance(result, PreExecutionError):
                await self.persisted.remember(resolved)
        return result

    async def _resolve_persisted(
        self, request: AsyncHTTPRequestAdapter, request_data: GraphQLRequestData
    ) -> ResolvedDocument | None:
        """The document a request names by APQ hash or trusted-document id, if it names one;
        a GET of one is answered with an ETag."""
        if self.persisted is None:
            return None
        try:
            resolved = await self.persisted.resolve(
                query=request_data.query,
                extensions=request_data.extensions,
                document_id=getattr(request_data, "document_id", None),
            )
        except PersistedOperationRefused as refused:
            raise GraphQLHTTPError(
                refused.status_code, refused.message, headers=refused.headers, code=refused.code
            ) from None
        if resolved.persisted and request.method == "GET":
            _persisted_get.set(request.headers.get("if-none-match") or "")
        return resolved

    # --------------------------------------------------------------- response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        unavailable = next(
            (
                error
                for error in result.errors or ()
                if (error.extensions or {}).get("code") == SERVICE_UNAVAILABLE
            ),
            None,
        )
        if unavailable is not None:
            # The whole answer is unusable: say so with the status, not only in `errors`.
            raise self.service_unavailable(unavailable.message)
        refused = next(
            (
                error
                for error in result.errors or ()
                if (error.extensions or {}).get("code") == UNAUTHENTICATED
            ),
            None,
        )
        if refused is not None:
            # A credential failure is the request's, not a field's: 401, as a whole.
            raise self.unauthenticated(refused)
        response = await super().process_result(request, result)
        if isinstance(response, dict) and is_request_error(result):
            response.pop("data", None)
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        media_type = _response_media_type.get()
        status_code = 200
        if (
            media_type == GRAPHQL_RESPONSE_JSON
            and isinstance(response_data, dict)
            and "data" not in response_data
        ):
            status_code = 400

        response = Response(
            self.encode_json(response_data),
            status_code=status_code,
            media_type=_CONTENT_TYPES[media_type],
        )
        response.headers.append("Vary", "Accept")
        response.headers.raw.extend(sub_response.headers.raw)

        if sub_response.background:
            response.background = sub_response.background

        if sub_response.status_code:
            response.status_code = sub_response.status_code

        if_none_match = _persisted_get.get()
        if if_none_match is not None and response.status_code == 200:
            return self._conditional(response, if_none_match)
        return response

    def _conditional(self, response: Response, if_none_match: str) -> Response:
        """A persisted GET's answer with its ETag, or 304 when the client holds it already.
        Private: the answer depends on who asks, so no shared cache may keep it."""
        tag = entity_tag(bytes(response.body))
        response.headers["ETag"] = tag
        response.headers["Cache-Control"] = "private, no-cache"
        response.headers.append("Vary", "Authorization")
        if not _if_none_match(if_none_match, tag):
            return response
        not_modified = Response(status_code=304)
        for name in ("ETag", "Cache-Control"):
            not_modified.headers[name] = response.headers[name]
        not_modified.headers.raw.extend(
            (name, value) for name, value in response.headers.raw if name == b"vary"
        )
        not_modified.background = response.background
        return not_modified

    def create_error_response(self, exc: HTTPException) -> Response:
        """The response for an ``HTTPException`` raised while handling a request."""
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers.setdefault("Allow", "GET, POST")
        headers["Vary"] = "Accept"
        code = getattr(exc, "code", None) or HTTP_ERROR_CODES.get(
            exc.status_code, "BAD_REQUEST" if exc.status_code < 500 else "INTERNAL_SERVER_ERROR"
        )
        error: dict[str, Any] = {"message": exc.reason, "extensions": {"code": code}}
        more = getattr(exc, "extensions", None)
        if more:
            error["extensions"] = {**error["extensions"], **more}
        return Response(
            self.encode_json({"errors": [error]}),
            status_code=exc.status_code,
            headers=headers,
            media_type=_CONTENT_TYPES[_response_media_type.get()],
        )
