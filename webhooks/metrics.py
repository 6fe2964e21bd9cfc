"""Webhook metrics, on /metrics with the rest (prometheus_client's default registry)."""

from prometheus_client import Counter, Gauge, Histogram

DELIVERY_ATTEMPTS = Counter(
    "accountgraph_webhook_attempts_total",
    "Webhook delivery attempts by outcome: SUCCEEDED, RETRYING (failed, will retry), FAILED "
    "(failed, no retry left) or INTERRUPTED (the worker stopped during the attempt).",
    ("outcome",),
)
DELIVERIES = Counter(
    "accountgraph_webhook_deliveries_total",
    "Webhook deliveries finished, by outcome: SUCCEEDED or FAILED.",
    ("outcome",),
)
ATTEMPT_LATENCY = Histogram(
    "accountgraph_webhook_attempt_duration_seconds",
    "Time from resolving the destination to reading the response of one attempt.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0),
)
QUEUE_DEPTH = Gauge(
    "accountgraph_webhook_queue_depth",
    "Webhook work waiting: deliveries pending and events not yet fanned out to endpoints.",
    ("stage",),
)
OLDEST_PENDING_AGE = Gauge(
    "accountgraph_webhook_oldest_pending_age_seconds",
    "Age of the oldest event not yet delivered (pending delivery or not fanned out), or 0.",
)
