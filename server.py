"""The Starlette application: GraphQL over HTTP and WebSocket, GraphiQL, health, metrics."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType
from tortoise import Tortoise

from db import close_db, database_unavailable, ensure_migrated, init_db
from events.live import running_live_events
from resolvers.core.context import Context, connection_credential
from resolvers.core.loaders import Loaders
from schema.errors import DATABASE_UNAVAILABLE
from schema.root import build_schema
from services.analytics.refresh import refresh_health_periodically
from services.auth import (
    AuthenticationError,
    CredentialRefusal,
    Principal,
    authenticate,
    bearer_token,
    malformed_credential,
)
from services.visibility import Visibility
from settings import Settings, check_deployment_keys, get_settings
from web.compression import CompressResponses
from web.cors import OriginCheck, cors_middleware
from web.credentials import refused, unauthorized
from web.graphiql import asset_routes, render_graphiql_page, security_headers
from web.graphql_http import GraphQLHTTPError, GraphQLView
from web.metrics import HTTPMetrics, metrics_listener, protected_metrics_endpoint
from web.persisted import PersistedOperations
from web.websocket import (
    LegacyWSHandler,
    LimitMessagesBeforeSignIn,
    TransportWSHandler,
    TryAgainLater,
)
from webhooks.dispatcher import Dispatcher

log = logging.getLogger("accountgraph")

SIGN_IN_TO_UPLOAD = (
    "Sign in to upload files: send 'Authorization: Bearer <access token or API key>'."
)


def describe(exc: BaseException) -> str:
    """One line for the log: what failed, without a traceback (an outage is no bug)."""
    return f"{type(exc).__name__}: {exc}".strip().rstrip(":")


class AccountGraphView(GraphQLView):
    """The /graphql endpoint: a fresh context (and so fresh loaders) per request."""

    graphql_transport_ws_handler_class = TransportWSHandler  # type: ignore[assignment]
    graphql_ws_handler_class = LegacyWSHandler  # type: ignore[assignment]

    def http_error(self, exc: Exception) -> GraphQLHTTPError | None:
        """A database outage, wherever it surfaces (signing in, a resolver), is a 503."""
        if not database_unavailable(exc):
            return None
        log.warning("answered 503, the database is unavailable: %s", describe(exc))
        return self.service_unavailable(DATABASE_UNAVAILABLE)

    def unauthenticated(self, error: GraphQLError) -> GraphQLHTTPError:
        """401 with the RFC 6750 challenge for the error's reason (web/credentials.py)."""
        reason = (error.extensions or {}).get("reason", CredentialRefusal.MISSING)
        return unauthorized(error.message, str(reason))

    async def get_context(self, request: Any, response: Any = None) -> Context:  # type: ignore[override]
        """The caller of a request. A refused credential is recorded, not raised: the
        operation decides (schema/access.py: signing in needs none), except for an upload,
        refused before its body is read."""
        if isinstance(request, WebSocket):
            # A socket signs in with its connection_init message (on_ws_connect).
            return Context(request=request, response=response)
        try:
            principal = await authenticated_caller(request.headers.get("authorization"))
            if principal is None and is_upload(request):
                # Browsers send multipart forms across sites without asking first; one with
                # an Authorization header they never send unasked.
                raise AuthenticationError(SIGN_IN_TO_UPLOAD, CredentialRefusal.MISSING)
        except AuthenticationError as refusal:
            if is_upload(request):
                raise refused(refusal) from None
            return Context(request=request, response=response, credential_refusal=refusal)
        if principal is None:
            return Context(request=request, response=response)
        return Context(
            request=request,
            response=response,
            viewer=principal.user,
            scopes=principal.scopes,
            principal=principal,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType:  # type: ignore[override]
        """Sign the socket in with ``{"authorization": "Bearer ..."}``; a refusal raises
        ``AuthenticationError``, which closes it with 4403 (web/websocket.py)."""
        params = context.connection_params or {}
        if not any(key.lower() == "authorization" for key in params):
            raise AuthenticationError(
                'send {"authorization": "Bearer <access token or API key>"} in connection_init',
                CredentialRefusal.MISSING,
            )
        credential = connection_credential(params)
        if credential is None:
            raise malformed_credential()
        try:
            principal = await authenticate(credential)
        except Exception as exc:
            if not database_unavailable(exc):
                raise
            log.warning("closed a socket with 1013, the database is unavailable: %s", describe(exc))
            raise TryAgainLater(DATABASE_UNAVAILABLE) from None
        context.viewer, context.scopes = principal.user, principal.scopes
        context.principal = principal
        context.visibility = Visibility(principal.user)
        context.loaders = Loaders(context.visibility)
        return UNSET

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        page = render_graphiql_page("/graphql")
        return HTMLResponse(page, headers=security_headers(page))

    # Pages on origins matching ACCOUNTGRAPH_CORS_ORIGIN_PATTERNS may open sockets too.
    origin_matches_pattern = OriginCheck()

    def is_websocket_origin_allowed(self, request: Any, origin: str) -> bool:
        allowed = super().is_websocket_origin_allowed(request, origin)
        return allowed or self.origin_matches_pattern(origin)


def is_upload(request: Any) -> bool:
    """A multipart request: the GraphQL multipart request spec, for file uploads."""
    content_type = request.headers.get("content-type", "")
    return content_type.split(";")[0].strip().lower() == "multipart/form-data"


async def authenticated_caller(header: str | None) -> Principal | None:
    """Who sent an ``Authorization`` header (None: no header); raises ``AuthenticationError``
    for one that is not ``Bearer <credential>`` or whose credential is refused."""
    if not header:
        return None
    credential = bearer_token(header)
    if credential is None:
        raise malformed_credential()
    return await authenticate(credential)


async def healthz(request: Request) -> Response:
    """The process is up."""
    return JSONResponse({"status": "ok"})


def _forget(task: "asyncio.Future[Any]") -> None:
    """Retrieve the outcome of an abandoned task, so that asyncio does not report it."""
    if not task.cancelled():
        task.exception()


def readiness(timeout: float) -> Callable[[Request], Awaitable[Response]]:
    """/readyz: whether the database answers, within ``timeout`` seconds (under one)."""

    async def readyz(request: Request) -> Response:
        probe = asyncio.ensure_future(Tortoise.get_connection("default").execute_query("SELECT 1"))
        # Not wait_for: that would also wait for the cancelled probe to hand its connection
        # back, which on a frozen database takes as long as the pool's own timeout.
        await asyncio.wait({probe}, timeout=timeout)
        if not probe.done():
            probe.cancel()
            probe.add_done_callback(_forget)
            log.warning("readiness check: the database did not answer within %gs", timeout)
            return JSONResponse({"status": "unavailable", "database": "timeout"}, status_code=503)
        try:
            probe.result()
        except Exception as exc:
            if not database_unavailable(exc):
                log.exception("readiness check failed")
            else:
                log.warning("readiness check: the database is unavailable: %s", describe(exc))
            return JSONResponse(
                {"status": "unavailable", "database": "unreachable"}, status_code=503
            )
        return JSONResponse({"status": "ok", "database": "ok"})

    return readyz


def start_health_refresh(settings: Settings) -> "asyncio.Task[None] | None":
    """The background re-evaluation of account health, unless the setting turns it off."""
    if settings.health_refresh_seconds <= 0:
        return None
    return asyncio.create_task(
        refresh_health_periodically(every_seconds=settings.health_refresh_seconds),
        name="health-refresh",
    )


async def stop_task(task: "asyncio.Task[None] | None") -> None:
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()
    persisted = PersistedOperations.from_settings(settings)
    # GraphiQL runs documents of its user's making, which trusted-documents-only refuses.
    graphiql = settings.graphiql and not settings.trusted_documents_only

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        check_deployment_keys(settings)
        await init_db(settings.database_url, settings=settings)
        try:
            await ensure_migrated()
        except Exception:
            await close_db()
            raise
        health = start_health_refresh(settings)
        dispatcher = Dispatcher(settings) if settings.webhook_dispatch_in_server else None
        if dispatcher is not None:
            dispatcher.start()
        try:
            async with contextlib.AsyncExitStack() as stack:
                if settings.metrics_port is not None:
                    await stack.enter_async_context(
                        metrics_listener(
                            host=settings.metrics_host,
                            port=settings.metrics_port,
                            token=settings.metrics_token,
                        )
                    )
                live_events = await stack.enter_async_context(running_live_events(settings))
                app.state.live_events = live_events
                yield
        finally:
            if dispatcher is not None:
                await dispatcher.stop()
            await stop_task(health)
            await persisted.close()
            await close_db()

    view = AccountGraphView(
        schema=build_schema(settings),
        max_body_bytes=settings.max_body_bytes,
        multipart_uploads_enabled=True,
        max_upload_bytes=settings.max_upload_bytes,
        request_timeout=settings.request_timeout_seconds,
        retry_after_seconds=settings.retry_after_seconds,
        body_timeout_seconds=settings.body_timeout_seconds,
        graphql_ide="graphiql" if graphiql else None,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
        connection_init_wait_timeout=timedelta(seconds=settings.websocket_init_timeout_seconds),
        keep_alive=True,
        keep_alive_interval=settings.websocket_keep_alive_seconds,
        max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        allowed_origins=settings.cors_origins,
        persisted=persisted,
    )
    view.origin_matches_pattern = OriginCheck(settings)
    middleware = [
        Middleware(HTTPMetrics),
        Middleware(
            LimitMessagesBeforeSignIn, max_bytes=settings.websocket_max_bytes_before_sign_in
        ),
    ]
    middleware += cors_middleware(settings)
    if settings.compress_responses:
        middleware.append(
            Middleware(
                CompressResponses,
                minimum_size=settings.compression_minimum_bytes,
                level=settings.compression_level,
            )
        )
    routes: list[BaseRoute] = [
        Route("/graphql", view),
        WebSocketRoute("/graphql", view),
        Route("/healthz", healthz),
        Route("/readyz", readiness(settings.readiness_timeout_seconds)),
    ]
    if settings.metrics_port is None:
        routes.append(Route("/metrics", protected_metrics_endpoint(settings.metrics_token)))
    if graphiql:
        routes.append(asset_routes())
    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.persisted_operations = persisted
    return app


app = create_app()
