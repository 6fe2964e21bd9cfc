"""The WebSocket protocols of /graphql, as AccountGraph runs them.

On top of Strawberry's handlers:

- graphql-transport-ws: the server pings every keep-alive interval once the connection is
  acknowledged (the client answers pong), so idle proxies keep the socket open.
- A refused ``connection_init`` (``on_ws_connect`` raises ``AuthenticationError``) closes
  with 4403 and a close reason that starts with the refusal's reason word
  (``"EXPIRED: the access token expired; ..."``, web/credentials.py); the legacy protocol
  sends a ``connection_error`` with the ``UNAUTHENTICATED`` error first.
- graphql-ws (legacy): a socket that has not been acknowledged within the initialisation
  timeout is closed with 4408 (the legacy protocol has none).
- Subscribing before the socket is signed in closes it with 4401 (both protocols), the
  reason ``"MISSING: ..."``.
- Both count open sockets in /metrics.
- Both close with 1013 (Try Again Later) when ``on_ws_connect`` raises ``TryAgainLater``
  (the database is down while the socket signs in); the legacy protocol sends a
  ``connection_error`` with the reason first.
- Before a socket is acknowledged (signed in), a message larger than a small limit closes it
  with 1009 (``LimitMessagesBeforeSignIn``); afterwards uvicorn's ``ws_max_size`` applies.
- Both close the socket with 4401 when the credential it signed in with stops working: at
  the access token's (or API key's) expiry (``EXPIRED``), and when its session is ended or
  the key revoked or the user deactivated (``REVOKED``), which is checked at every
  keep-alive interval (and at every event, see resolvers/core/subscriptions.py); the close
  reason starts with that word.
- Both take a subscription by trusted-document id or APQ hash (``documentId``, ``doc_id`` or
  ``extensions.persistedQuery`` in the payload, as over HTTP), and in trusted-documents-only
  mode refuse any other document with an ``error`` message (``PERSISTED_QUERY_NOT_ALLOWED``).
"""

import asyncio
import contextlib
from typing import Any, cast

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    ErrorMessage,
    SubscribeMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import (
    ConnectionInitMessage as LegacyConnectionInitMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.types import (
    ErrorMessage as LegacyErrorMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.types import StartMessage
from strawberry.types.unset import UnsetType

from resolvers.core.context import Context, connection_credential
from services.auth import (
    EXPIRED_KEY,
    EXPIRED_TOKEN,
    AuthenticationError,
    CredentialRefusal,
    authenticate,
)
from services.clock import now
from web.credentials import CREDENTIAL_LAPSED, SIGN_IN_REFUSED, close_reason, error_body
from web.live_metrics import CONNECTED_SOCKETS
from web.persisted import PersistedOperationRefused, PersistedOperations

SUBSCRIBED_BEFORE_SIGN_IN = AuthenticationError(
    "sign in with connection_init and wait for connection_ack before subscribing",
    CredentialRefusal.MISSING,
)

# RFC 6455 (IANA registry): "the server is terminating the connection due to a temporary
# condition", so a client reconnects later rather than giving up as after 4403.
TRY_AGAIN_LATER = 1013


class TryAgainLater(Exception):
    """The socket cannot be signed in now (the database is down); the message says so."""


async def _close_to_try_again(websocket: Any, reason: str) -> None:
    # A close reason is at most 123 bytes.
    await websocket.close(
        code=TRY_AGAIN_LATER, reason=reason.encode()[:123].decode(errors="ignore")
    )


async def _close_refused(websocket: Any, code: int, refusal: AuthenticationError) -> None:
    with contextlib.suppress(RuntimeError, WebSocketDisconnected):
        await websocket.close(code=code, reason=close_reason(refusal))


async def _cancel(task: asyncio.Task[None] | None) -> None:
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def close_when_credential_lapses(
    websocket: Any, context: Context, check_every: float
) -> None:
    """Close the socket with 4401 at the credential's expiry, or once it fails a check (made
    every ``check_every`` seconds): a session ended, a key revoked, a user deactivated."""
    principal = context.principal
    credential = connection_credential(context.connection_params)
    if principal is None or credential is None:
        return
    expires_at = principal.expires_at
    expired = AuthenticationError(
        EXPIRED_KEY if principal.is_api_key else EXPIRED_TOKEN, CredentialRefusal.EXPIRED
    )

    def lapsed() -> bool:
        return expires_at is not None and now() >= expires_at

    while True:
        wait = check_every
        if expires_at is not None:
            wait = min(wait, max((expires_at - now()).total_seconds(), 0))
        await asyncio.sleep(wait)
        if lapsed():
            refusal = expired
            break
        try:
            await authenticate(credential)
        except AuthenticationError as exc:
            # It may have expired while it was being checked.
            refusal = expired if lapsed() else exc
            break
    await _close_refused(websocket, CREDENTIAL_LAPSED, refusal)


async def _persisted(view: Any, payload: Any) -> Any:
    """The payload with the document it names, or the refusal (``resolve_payload``)."""
    persisted: PersistedOperations | None = getattr(view, "persisted", None)
    if persisted is None or not isinstance(payload, dict):
        return payload
    try:
        return await persisted.resolve_payload(payload)
    except PersistedOperationRefused as refused:
        return refused


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pinger: asyncio.Task[None] | None = None
        self._credential_watch: asyncio.Task[None] | None = None

    async def handle(self) -> None:
        sockets = CONNECTED_SOCKETS.labels(GRAPHQL_TRANSPORT_WS_PROTOCOL)
        sockets.inc()
        try:
            await super().handle()
        finally:
            sockets.dec()

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        try:
            await super().handle_connection_init(message)
        except TryAgainLater as exc:
            await _close_to_try_again(self.websocket, str(exc))
            return
        except AuthenticationError as refusal:
            await _close_refused(self.websocket, SIGN_IN_REFUSED, refusal)
            return
        if self.connection_acknowledged and self._pinger is None:
            self._pinger = asyncio.create_task(self._ping())
            self._credential_watch = asyncio.create_task(
                close_when_credential_lapses(
                    self.websocket, self.context, self.view.keep_alive_interval or 15
                )
            )

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if not self.connection_acknowledged:
            await _close_refused(self.websocket, CREDENTIAL_LAPSED, SUBSCRIBED_BEFORE_SIGN_IN)
            return
        payload = await _persisted(self.view, message["payload"])
        if isinstance(payload, PersistedOperationRefused):
            await self.send_message(
                ErrorMessage(id=message["id"], type="error", payload=[payload.error])
            )
            return
        message = cast(SubscribeMessage, {**message, "payload": payload})
        await super().handle_subscribe(message)

    async def _ping(self) -> None:
        interval = self.view.keep_alive_interval or 15
        with contextlib.suppress(WebSocketDisconnected, RuntimeError):
            while True:
                await asyncio.sleep(interval)
                await self.send_message({"type": "ping"})

    async def shutdown(self) -> None:
        await _cancel(self._pinger)
        await _cancel(self._credential_watch)
        await super().shutdown()


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    async def handle(self) -> None:
        sockets = CONNECTED_SOCKETS.labels(GRAPHQL_WS_PROTOCOL)
        sockets.inc()
        deadline = asyncio.create_task(self._close_unless_acknowledged())
        self._credential_watch: asyncio.Task[None] | None = None
        try:
            await super().handle()
        finally:
            await _cancel(deadline)
            await _cancel(self._credential_watch)
            sockets.dec()

    async def handle_start(self, message: StartMessage) -> None:
        if not self.connection_acknowledged:
            await _close_refused(self.websocket, CREDENTIAL_LAPSED, SUBSCRIBED_BEFORE_SIGN_IN)
            return
        payload = await _persisted(self.view, message["payload"])
        if isinstance(payload, PersistedOperationRefused):
            await self.send_message(
                LegacyErrorMessage(id=message["id"], type="error", payload=payload.error)
            )
            return
        message = cast(StartMessage, {**message, "payload": payload})
        await super().handle_start(message)

    async def _close_unless_acknowledged(self) -> None:
        await asyncio.sleep(self.view.connection_init_wait_timeout.total_seconds())
        if not self.connection_acknowledged:
            with contextlib.suppress(RuntimeError):
                await self.websocket.close(code=4408, reason="Connection initialisation timeout")

    async def handle_connection_init(self, message: LegacyConnectionInitMessage) -> None:
        if self.connection_acknowledged:
            return
        payload = message.get("payload")
        if payload is not None and not isinstance(payload, dict):
            await self.send_message({"type": "connection_error"})
            await self.websocket.close(code=4400, reason="Invalid connection init payload")
            return
        self.context.connection_params = payload
        try:
            ack = await self.view.on_ws_connect(self.context)
        except AuthenticationError as refusal:
            payload = error_body(str(refusal), refusal.reason)
            await self.send_message({"type": "connection_error", "payload": payload})
            await _close_refused(self.websocket, SIGN_IN_REFUSED, refusal)
            return
        except TryAgainLater as exc:
            await self.send_message({"type": "connection_error", "payload": {"message": str(exc)}})
            await _close_to_try_again(self.websocket, str(exc))
            return
        if isinstance(ack, UnsetType) or ack is None:
            await self.send_message({"type": "connection_ack"})
        else:
            await self.send_message({"type": "connection_ack", "payload": ack})
        self.connection_acknowledged = True
        if self.keep_alive:
            self.keep_alive_task = asyncio.create_task(self.handle_keep_alive())
        self._credential_watch = asyncio.create_task(
            close_when_credential_lapses(
                self.websocket, self.context, self.view.keep_alive_interval or 15
            )
        )


class LimitMessagesBeforeSignIn:
    """ASGI middleware: a WebSocket message over ``max_bytes`` that arrives before the server
    has sent anything (in both protocols the first message is the ``connection_ack`` of a
    signed-in socket) closes the socket with 1009, so that an anonymous client cannot make
    the server parse and hold megabytes of ``connection_init``."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        acknowledged = closed = False

        async def send_unless_closed(message: Message) -> None:
            nonlocal acknowledged
            if closed and message["type"] in ("websocket.send", "websocket.close"):
                return
            acknowledged = acknowledged or message["type"] == "websocket.send"
            await send(message)

        async def receive_within_limit() -> Message:
            nonlocal closed
            message = await receive()
            if (
                message["type"] == "websocket.receive"
                and not acknowledged
                and _size(message) > self.max_bytes
            ):
                closed = True
                await send(
                    {
                        "type": "websocket.close",
                        "code": 1009,
                        "reason": f"messages before connection_ack are limited to "
                        f"{self.max_bytes} bytes",
                    }
                )
                return {"type": "websocket.disconnect", "code": 1009}
            return message

        await self.app(scope, receive_within_limit, send_unless_closed)


def _size(message: Message) -> int:
    text = message.get("text")
    if text is not None:
        return len(text.encode())
    return len(message.get("bytes") or b"")
