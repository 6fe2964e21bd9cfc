"""Sending deliveries: claim due ones, attempt them, record every attempt, decide what next.

A claim is one statement that counts the attempt and sets a lease (a fresh token and an
expiry) on due deliveries whose endpoint is enabled: ``UPDATE ... WHERE id IN (SELECT ... FOR
UPDATE SKIP LOCKED) RETURNING`` on PostgreSQL, the same ``UPDATE ... RETURNING`` on SQLite,
which runs one writer at a time. A worker records the outcome only while its lease holds, so a
worker that died mid-send leaves a delivery that becomes claimable again when the lease
expires, and is sent again with the same ``webhook-id``.
"""

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise import Tortoise
from tortoise.transactions import in_transaction

from models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from services.clock import now
from settings import Settings
from webhooks import metrics, secrets, signing
from webhooks.fanout import is_postgres
from webhooks.policy import (
    AttemptOutcome,
    AttemptResult,
    Decision,
    DeliveryStatus,
    RetryPolicy,
)
from webhooks.sender import Sender, SenderOptions

log = logging.getLogger("accountgraph.webhooks")
Clock = Callable[[], datetime]
PRUNE_BATCH = 1000


@dataclass(frozen=True)
class Claim:
    """A delivery this worker holds the lease on, for attempt number ``attempt``."""

    delivery_id: int
    endpoint_id: int
    event_id: str
    event_type: str
    payload: str
    attempt: int
    lease_token: uuid.UUID
    round_start: int = 0

    @property
    def attempt_in_round(self) -> int:
        """1 for the first attempt, and again for the first after a redelivery."""
        return self.attempt - self.round_start


@dataclass
class Outcome:
    claim: Claim
    result: AttemptResult
    decision: Decision
    attempted_at: datetime


@dataclass
class Deliverer:
    """Everything an attempt needs: how to send, when to retry, what time it is."""

    sender: Sender
    policy: RetryPolicy
    clock: Clock = now
    lease: timedelta = timedelta(seconds=60)
    disable_after: timedelta = timedelta(days=5)
    concurrency: int = 20
    _endpoints: dict[int, WebhookEndpoint] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> "Deliverer":
        options = SenderOptions(
            connect_timeout=settings.webhook_connect_timeout,
            read_timeout=settings.webhook_read_timeout,
            allow_private=settings.webhook_allow_private,
        )
        values: dict[str, Any] = {
            "sender": Sender(options),
            "policy": RetryPolicy(settings.webhook_retry_schedule, settings.webhook_retry_jitter),
            "lease": timedelta(seconds=settings.webhook_lease_seconds),
            "disable_after": timedelta(hours=settings.webhook_disable_after_hours),
            "concurrency": settings.webhook_concurrency,
        }
        values.update(overrides)
        return cls(**values)

    async def aclose(self) -> None:
        await self.sender.aclose()

    # -- claiming -------------------------------------------------------------------------

    async def claim(self, limit: int) -> list[Claim]:
        """Take up to ``limit`` due deliveries, each for its next attempt."""
        at = self.clock()
        token = uuid.uuid4()
        postgres = is_postgres()
        sign = "$" if postgres else "?"  # SQLite's numbered parameters are ?1, ?2, ...

        def mark(n: int) -> str:
            return f"{sign}{n}"

        lock = "FOR UPDATE OF d SKIP LOCKED" if postgres else ""
        enabled = "e.enabled" if postgres else "e.enabled = 1"
        sql = (
            f"UPDATE webhook_delivery SET lease_token = {mark(1)}, lease_expires_at = {mark(2)}, "
            f"attempt_count = attempt_count + 1, last_attempt_at = {mark(3)}, "
            f"updated_at = {mark(3)} "
            "WHERE id IN (SELECT d.id FROM webhook_delivery d "
            "JOIN webhook_endpoint e ON e.id = d.endpoint_id "
            f"WHERE d.status = 'PENDING' AND d.next_attempt_at <= {mark(3)} "
            f"AND (d.lease_expires_at IS NULL OR d.lease_expires_at <= {mark(3)}) AND {enabled} "
            f"ORDER BY d.next_attempt_at, d.id LIMIT {mark(4)} {lock}) "
            "RETURNING id, endpoint_id, event_id, event_type, payload, attempt_count, round_start"
        )
        values: list[Any] = [token if postgres else str(token), at + self.lease, at, limit]
        rows = await Tortoise.get_connection("default").execute_query_dict(sql, values)
        claims = [
            Claim(
                delivery_id=row["id"],
                endpoint_id=row["endpoint_id"],
                event_id=str(row["event_id"]),
                event_type=row["event_type"],
                payload=row["payload"],
                attempt=row["attempt_count"],
                lease_token=token,
                round_start=row["round_start"],
            )
            for row in rows
        ]
        await self._note_interrupted(claims, at)
        return claims

    async def _note_interrupted(self, claims: list[Claim], at: datetime) -> None:
        """Record the attempts of workers that stopped before recording them (lease expired)."""
        retried = {c.delivery_id: c.attempt for c in claims if c.attempt > 1}
        if not retried:
            return
        recorded = set(
            await WebhookAttempt.filter(delivery_id__in=list(retried)).values_list(
                "delivery_id", "number"
            )
        )
        missing = [
            WebhookAttempt(
                delivery_id=delivery_id,
                number=number,
                attempted_at=at,
                outcome=AttemptOutcome.INTERRUPTED,
                error="the worker stopped during this attempt; its lease expired",
            )
            for delivery_id, attempt in retried.items()
            for number in range(1, attempt)
            if (delivery_id, number) not in recorded
        ]
        if missing:
            await WebhookAttempt.bulk_create(missing, ignore_conflicts=True)
            metrics.DELIVERY_ATTEMPTS.labels(AttemptOutcome.INTERRUPTED).inc(len(missing))

    # -- sending --------------------------------------------------------------------------

    async def _load_endpoints(self, ids: set[int]) -> dict[int, WebhookEndpoint]:
        rows = await WebhookEndpoint.filter(id__in=list(ids))
        return {row.pk: row for row in rows}

    def signing_secrets(self, endpoint: WebhookEndpoint, at: datetime) -> list[str]:
        """The current secret and, during a rotation's overlap, the previous one."""
        found = [secrets.decrypt(endpoint.secret_encrypted)]
        expires = endpoint.previous_secret_expires_at
        if endpoint.previous_secret_encrypted and expires is not None and expires > at:
            found.append(secrets.decrypt(endpoint.previous_secret_encrypted))
        return found

    async def attempt(
        self, claim: Claim, endpoint: WebhookEndpoint, policy: RetryPolicy | None = None
    ) -> Outcome:
        """Send one attempt of a claimed delivery and decide what follows it."""
        at = self.clock()
        headers = signing.headers(
            secrets=self.signing_secrets(endpoint, at),
            webhook_id=claim.event_id,
            timestamp=at,
            body=claim.payload,
        )
        result = await self.sender.send(url=endpoint.url, headers=headers, body=claim.payload)
        if result.duration_ms is not None:
            metrics.ATTEMPT_LATENCY.observe(result.duration_ms / 1000)
        decision = (policy or self.policy).decide(
            result, attempt=claim.attempt_in_round, at=self.clock()
        )
        return Outcome(claim, result, decision, at)

    async def send_claimed(self, claims: list[Claim]) -> list[Outcome]:
        """Attempt every claim, ``concurrency`` at a time."""
        endpoints = await self._load_endpoints({c.endpoint_id for c in claims})
        limit = asyncio.Semaphore(self.concurrency)

        async def one(claim: Claim) -> Outcome:
            async with limit:
                return await self.attempt(claim, endpoints[claim.endpoint_id])

        return list(await asyncio.gather(*(one(c) for c in claims)))

    # -- recording ------------------------------------------------------------------------

    async def record(self, outcomes: list[Outcome]) -> None:
        """Store the attempts and move each delivery on, if this worker still holds it."""
        if not outcomes:
            return
        at = self.clock()
        async with in_transaction():
            await WebhookAttempt.bulk_create(
                [
                    WebhookAttempt(
                        delivery_id=o.claim.delivery_id,
                        number=o.claim.attempt,
                        attempted_at=o.attempted_at,
                        duration_ms=o.result.duration_ms,
                        status_code=o.result.status_code,
                        response_body=o.result.body,
                        error=(o.result.error or None) and o.result.error[:1000],
                        outcome=o.decision.outcome,
                    )
                    for o in outcomes
                ],
                # A late worker's real outcome replaces the INTERRUPTED note made when its
                # lease expired.
                on_conflict=["delivery_id", "number"],
                update_fields=[
                    "attempted_at",
                    "duration_ms",
                    "status_code",
                    "response_body",
                    "error",
                    "outcome",
                ],
            )
            await self._move_on(outcomes, at)
            await self._update_endpoints(outcomes, at)
        for o in outcomes:
            metrics.DELIVERY_ATTEMPTS.labels(o.decision.outcome).inc()
            if o.decision.outcome != AttemptOutcome.RETRYING:
                metrics.DELIVERIES.labels(o.decision.outcome).inc()

    async def _move_on(self, outcomes: list[Outcome], at: datetime) -> None:
        """Finish or reschedule each delivery, only where this worker's lease still holds.

        Finished deliveries of one claim share a lease token and a new status, so they move
        in one statement each; retries each get their own time.
        """
        groups: dict[tuple[DeliveryStatus, datetime | None, uuid.UUID], list[int]] = {}
        for o in outcomes:
            status = {
                AttemptOutcome.SUCCEEDED: DeliveryStatus.SUCCEEDED,
                AttemptOutcome.FAILED: DeliveryStatus.FAILED,
            }.get(o.decision.outcome, DeliveryStatus.PENDING)
            key = (status, o.decision.next_attempt_at, o.claim.lease_token)
            groups.setdefault(key, []).append(o.claim.delivery_id)
        for (new_status, next_attempt_at, token), ids in groups.items():
            changes: dict[str, Any] = {
                "status": new_status,
                "lease_token": None,
                "lease_expires_at": None,
                "updated_at": at,
            }
            if next_attempt_at is not None:
                changes["next_attempt_at"] = next_attempt_at
            held = await WebhookDelivery.filter(id__in=ids, lease_token=token).update(**changes)
            if held < len(ids):
                log.warning(
                    "%s of deliveries %s: lease lost before the attempt was recorded",
                    len(ids) - held,
                    ids,
                )

    async def _update_endpoints(self, outcomes: list[Outcome], at: datetime) -> None:
        succeeded = {o.claim.endpoint_id for o in outcomes if o.result.succeeded}
        failed = {o.claim.endpoint_id for o in outcomes if not o.result.succeeded} - succeeded
        gone = {o.claim.endpoint_id for o in outcomes if o.result.gone}
        if succeeded:
            await WebhookEndpoint.filter(
                id__in=list(succeeded), failing_since__isnull=False
            ).update(failing_since=None)
        if failed:
            await WebhookEndpoint.filter(id__in=list(failed), failing_since__isnull=True).update(
                failing_since=at
            )
            cutoff = at - self.disable_after
            for endpoint in await WebhookEndpoint.filter(
                id__in=list(failed), enabled=True, failing_since__lte=cutoff
            ):
                hours = round(self.disable_after.total_seconds() / 3600)
                await disable(
                    endpoint,
                    at,
                    f"every delivery failed for {hours} hours (since "
                    f"{endpoint.failing_since.isoformat() if endpoint.failing_since else '?'})",
                )
        for endpoint in await WebhookEndpoint.filter(id__in=list(gone), enabled=True):
            await disable(endpoint, at, "the endpoint answered 410 Gone")

    # -- one round ------------------------------------------------------------------------

    async def deliver_due(self, limit: int) -> int:
        """Claim, send and record one batch; returns how many attempts were made."""
        claims = await self.claim(limit)
        if not claims:
            return 0
        await self.record(await self.send_claimed(claims))
        return len(claims)


async def disable(endpoint: WebhookEndpoint, at: datetime, reason: str) -> None:
    endpoint.enabled = False
    endpoint.disabled_at = at
    endpoint.disabled_reason = reason[:500]
    await endpoint.save(update_fields=["enabled", "disabled_at", "disabled_reason", "updated_at"])
    log.warning("webhook endpoint %s disabled: %s", endpoint.pk, reason)


async def prune(*, before: datetime) -> int:
    """Delete finished deliveries (and their attempts) created before ``before``."""
    old = WebhookDelivery.filter(
        created_at__lt=before, status__in=[DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED]
    )
    removed = 0
    while ids := await old.order_by("id").limit(PRUNE_BATCH).values_list("id", flat=True):
        async with in_transaction():  # in batches, so writers are never held up for long
            await WebhookAttempt.filter(delivery_id__in=ids).delete()
            await WebhookDelivery.filter(id__in=ids).delete()
        removed += len(ids)
    return removed


async def refresh_queue_metrics(at: datetime) -> None:
    from models import OutboxEvent

    pending = WebhookDelivery.filter(status=DeliveryStatus.PENDING)
    waiting = OutboxEvent.filter(webhooks_dispatched_at__isnull=True)
    metrics.QUEUE_DEPTH.labels("delivery").set(await pending.count())
    metrics.QUEUE_DEPTH.labels("fan_out").set(await waiting.count())
    oldest = [
        row.event_occurred_at for row in await pending.order_by("event_occurred_at").limit(1)
    ] + [row.occurred_at for row in await waiting.order_by("id").limit(1)]
    age = max(((at - when).total_seconds() for when in oldest), default=0.0)
    metrics.OLDEST_PENDING_AGE.set(max(age, 0.0))
