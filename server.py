"""The Starlette application: GraphQL over HTTP and WebSocket, GraphiQL, health, metrics."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType
from tortoise import Tortoise

from db import close_db, ensure_migrated, init_db
from events.live import running_live_events
from graphiql import asset_routes, render_graphiql_page
from graphql_http import GraphQLHTTPError, GraphQLView
from metrics import HTTPMetrics, metrics_endpoint
from resolvers.context import Context
from resolvers.loaders import Loaders
from resolvers.websocket import LegacyWSHandler, TransportWSHandler, connection_credential
from schema import build_schema
from services.analytics.refresh import refresh_health_periodically
from services.auth import AuthenticationError, authenticate, bearer_token
from services.visibility import Visibility
from settings import Settings, get_settings
from webhooks.dispatcher import Dispatcher

log = logging.getLogger("accountgraph")


class AccountGraphView(GraphQLView):
    """The /graphql endpoint: a fresh context (and so fresh loaders) per request."""

    graphql_transport_ws_handler_class = TransportWSHandler  # type: ignore[assignment]
    graphql_ws_handler_class = LegacyWSHandler  # type: ignore[assignment]

    async def get_context(self, request: Any, response: Any = None) -> Context:  # type: ignore[override]
        if isinstance(request, WebSocket):
            # A socket signs in with its connection_init message (on_ws_connect).
            return Context(request=request, response=response)
        credential = bearer_credential(request.headers.get("authorization"))
        if credential is None and is_upload(request):
            # Refused before the body is read. Browsers send multipart forms across sites
            # without asking first; one with an Authorization header they never send unasked.
            raise GraphQLHTTPError(
                401,
                "Sign in to upload files: send 'Authorization: Bearer <access token or API key>'.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if credential is None:
            return Context(request=request, response=response)
        try:
            principal = await authenticate(credential)
        except AuthenticationError as exc:
            raise GraphQLHTTPError(
                401, str(exc), headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
            ) from None
        return Context(
            request=request,
            response=response,
            viewer=principal.user,
            scopes=principal.scopes,
            principal=principal,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType:  # type: ignore[override]
        """Sign the socket in with ``{"authorization": "Bearer ..."}``; refuse it (4403) else."""
        credential = connection_credential(context.connection_params)
        if credential is None:
            raise ConnectionRejectionError(
                {"message": 'send {"authorization": "Bearer <access token or API key>"}'}
            )
        try:
            principal = await authenticate(credential)
        except AuthenticationError as exc:
            raise ConnectionRejectionError({"message": str(exc)}) from None
        context.viewer, context.scopes = principal.user, principal.scopes
        context.principal = principal
        context.visibility = Visibility(principal.user)
        context.loaders = Loaders(context.visibility)
        return UNSET

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(render_graphiql_page("/graphql"))


def is_upload(request: Any) -> bool:
    """A multipart request: the GraphQL multipart request spec, for file uploads."""
    content_type = request.headers.get("content-type", "")
    return content_type.split(";")[0].strip().lower() == "multipart/form-data"


def bearer_credential(header: str | None) -> str | None:
    """The credential of an ``Authorization: Bearer ...`` header, if there is one."""
    if not header:
        return None
    credential = bearer_token(header)
    if credential is None:
        raise GraphQLHTTPError(
            401,
            "use 'Authorization: Bearer <access token or API key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return credential


async def healthz(request: Request) -> Response:
    """The process is up."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """The database answers."""
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception:
        log.exception("readiness check failed")
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


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

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await init_db(settings.database_url)
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
            async with running_live_events(settings) as live_events:
                app.state.live_events = live_events
                yield
        finally:
            if dispatcher is not None:
                await dispatcher.stop()
            await stop_task(health)
            await close_db()

    view = AccountGraphView(
        schema=build_schema(settings),
        max_body_bytes=settings.max_body_bytes,
        multipart_uploads_enabled=True,
        max_upload_bytes=settings.max_upload_bytes,
        graphql_ide="graphiql",
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
        connection_init_wait_timeout=timedelta(seconds=settings.websocket_init_timeout_seconds),
        keep_alive=True,
        keep_alive_interval=settings.websocket_keep_alive_seconds,
        max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        allowed_origins=settings.cors_origins,
    )
    middleware = [Middleware(HTTPMetrics)]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
            )
        )
    return Starlette(
        routes=[
            Route("/graphql", view),
            WebSocketRoute("/graphql", view),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_endpoint),
            asset_routes(),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )


app = create_app()
