"""Prometheus metrics of the transport: open WebSockets, asyncio tasks alive."""

import asyncio

from prometheus_client import Gauge

CONNECTED_SOCKETS = Gauge(
    "accountgraph_websocket_connections",
    "WebSocket connections open on /graphql, by subprotocol.",
    ("protocol",),
)


def _running_tasks() -> int:
    try:
        return len(asyncio.all_tasks())
    except RuntimeError:  # no event loop in this thread
        return 0


RUNNING_TASKS = Gauge(
    "accountgraph_asyncio_tasks", "Asyncio tasks alive in this process (a leak shows here)."
)
RUNNING_TASKS.set_function(_running_tasks)
