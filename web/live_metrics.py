"""Prometheus metrics of live events: sockets, subscriptions, events pushed."""

import asyncio

from prometheus_client import Counter, Gauge

CONNECTED_SOCKETS = Gauge(
    "accountgraph_websocket_connections",
    "WebSocket connections open on /graphql, by subprotocol.",
    ("protocol",),
)
ACTIVE_SUBSCRIPTIONS = Gauge(
    "accountgraph_active_subscriptions", "Subscriptions being served, by field.", ("field",)
)
EVENTS_PUSHED = Counter(
    "accountgraph_subscription_events_pushed_total",
    "Events sent to subscribers (one per subscriber and event), by field.",
    ("field",),
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
