"""Prometheus metrics: HTTP traffic here; subscriptions and webhooks declare their own.

Every metric lives in prometheus_client's default registry, which ``/metrics`` exposes in the
Prometheus text format. Figures are per process: scrape each server process.
"""

import asyncio
import contextlib
import hmac
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("accountgraph")

HTTP_REQUESTS = Counter(
    "accountgraph_http_requests_total",
    "HTTP requests answered, by method, route and status code.",
    ("method", "route", "status"),
)
HTTP_ERRORS = Counter(
    "accountgraph_http_errors_total",
    "HTTP requests answered with a 5xx status or that raised, by method and route.",
    ("method", "route"),
)
HTTP_LATENCY = Histogram(
    "accountgraph_http_request_duration_seconds",
    "Time from receiving a request to sending the last byte of its response.",
    ("method", "route"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

# Only known routes become label values, so that scanning random paths cannot grow the
# number of time series without bound.
KNOWN_ROUTES = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})


def route_label(path: str) -> str:
    if path in KNOWN_ROUTES:
        return path
    if path.startswith("/graphiql/"):
        return "/graphiql/*"
    return "other"


class HTTPMetrics:
    """ASGI middleware counting requests, errors and latency of plain HTTP requests."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, route = scope["method"], route_label(scope["path"])
        status = 500
        started = time.perf_counter()

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        except BaseException:
            status = 500
            raise
        finally:
            HTTP_LATENCY.labels(method, route).observe(time.perf_counter() - started)
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            if status >= 500:
                HTTP_ERRORS.labels(method, route).inc()


async def metrics_endpoint(request: Request) -> Response:
    """Every metric of this process in the Prometheus text format."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


def protected_metrics_endpoint(
    token: str | None,
) -> Callable[[Request], Awaitable[Response]]:
    """``metrics_endpoint``, answering 401 unless the request carries ``Authorization:
    Bearer <token>`` (when a token is set)."""
    if token is None:
        return metrics_endpoint
    expected = f"Bearer {token}".encode()

    async def endpoint(request: Request) -> Response:
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return PlainTextResponse(
                "send 'Authorization: Bearer <ACCOUNTGRAPH_METRICS_TOKEN>'",
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        return await metrics_endpoint(request)

    return endpoint


class _ListenerWithoutSignals(uvicorn.Server):
    """A uvicorn server inside another one's process: the outer server handles signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@asynccontextmanager
async def metrics_listener(*, host: str, port: int, token: str | None) -> AsyncIterator[None]:
    """Serve /metrics (only) on ``host:port`` for the lifetime of the block. With several
    server processes only the first to bind the port serves it; the others log why."""
    app = Starlette(routes=[Route("/metrics", protected_metrics_endpoint(token))])
    server = _ListenerWithoutSignals(
        uvicorn.Config(app, host=host, port=port, lifespan="off", log_level="warning")
    )

    async def serve() -> None:
        try:
            await server.serve()
        except SystemExit:  # uvicorn's answer to a port it cannot bind; it logged why
            log.error("/metrics is not served on %s:%d by process %d", host, port, os.getpid())

    task = asyncio.create_task(serve(), name="metrics-listener")
    try:
        yield
    finally:
        server.should_exit = True
        await task
