"""Webhook endpoints: creating, changing, deleting, rotating secrets, pinging and redelivering.

Administrators manage every endpoint; account and sales managers their own; other roles none
(``Visibility`` decides). An endpoint only ever receives events about records its owner may
see (webhooks/fanout.py).
"""

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from events.catalogue import EventType
from events.snapshot import field_values
from models import AuditLogEntry, User, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from models.enums import AuditAction
from services.audit import changed_fields
from services.clock import now
from services.errors import DomainError, ErrorCode, Problem, not_found
from services.visibility import Visibility
from services.writes import ensure_version, write_transaction
from settings import get_settings
from webhooks import secrets, signing
from webhooks.delivery import Claim, Deliverer
from webhooks.fanout import body
from webhooks.policy import DeliveryStatus, RetryPolicy
from webhooks.urls import UnsafeDestination, check_url, masked_url

SINGLE_ATTEMPT = RetryPolicy(schedule=())


@dataclass(frozen=True)
class EndpointWithSecret:
    endpoint: WebhookEndpoint
    secret: str


def _check_url(url: str) -> str:
    url = url.strip()
    try:
        check_url(url, allow_private=get_settings().webhook_allow_private)
    except UnsafeDestination as exc:
        raise DomainError([Problem(str(exc), ErrorCode.INVALID, ("url",))]) from None
    return url


def _check_event_types(event_types: Sequence[str]) -> list[str]:
    known = {e.value for e in EventType}
    chosen = sorted({str(getattr(e, "value", e)) for e in event_types})
    unknown = [e for e in chosen if e not in known]
    if unknown:
        raise DomainError.single(f"unknown event types: {', '.join(unknown)}", field="event_types")
    if not chosen:
        raise DomainError.single(
            "choose at least one event type", code=ErrorCode.REQUIRED, field="event_types"
        )
    return chosen


def _check_description(description: str) -> str:
    description = description.strip()
    if len(description) > 500:
        raise DomainError.single("description must be at most 500 characters", field="description")
    return description


async def get_endpoint(
    *, endpoint_id: int, viewer: User | None, lock: bool = False
) -> WebhookEndpoint:
    """An endpoint the viewer manages; NOT_FOUND for any other. With ``lock``, its row stays
    locked until the transaction ends (call it inside ``write_transaction``)."""
    query = WebhookEndpoint.filter(Visibility(viewer).condition(WebhookEndpoint), pk=endpoint_id)
    found = await (query.select_for_update(no_key=True) if lock else query).first()
    if found is None:
        raise not_found("Webhook endpoint", "id")
    return found


async def create_endpoint(
    *,
    owner: User,
    url: str,
    event_types: Sequence[str],
    description: str = "",
) -> EndpointWithSecret:
    """A new endpoint owned by ``owner``, with a fresh secret (shown to the caller once)."""
    values: dict[str, Any] = {
        "url": _check_url(url),
        "event_types": _check_event_types(event_types),
        "description": _check_description(description),
    }
    secret = signing.new_secret()
    at = now()
    async with write_transaction():
        await _check_endpoint_quota(owner)
        endpoint = await WebhookEndpoint.create(
            owner_id=owner.pk, secret_encrypted=secrets.encrypt(secret), **values
        )
        await _audit(AuditAction.CREATE, endpoint, owner.pk, None, at)
    return EndpointWithSecret(endpoint, secret)


async def _check_endpoint_quota(owner: User) -> None:
    """Refuse a new endpoint past the per-user quota: each one is an outbound HTTP client
    the server runs for its owner. The owner's row is locked so that two creations at once
    cannot both take the last place (PostgreSQL; SQLite writes one at a time anyway)."""
    quota = get_settings().webhook_endpoints_per_user
    await User.select_for_update().filter(pk=owner.pk).first()
    if await WebhookEndpoint.filter(owner_id=owner.pk).count() >= quota:
        raise DomainError.single(
            f"you have {quota} webhook endpoints, the most one user may have: delete one you "
            "no longer need first",
            code=ErrorCode.INVALID_STATE,
        )


async def update_endpoint(
    *,
    endpoint_id: int,
    viewer: User,
    changes: dict[str, Any],
    expected_version: int | None = None,
) -> WebhookEndpoint:
    """Change an endpoint's URL, event types, description or enabled state.

    Enabling a disabled endpoint clears the reason and resumes delivery of its pending
    deliveries; events that arrived while it was disabled were not queued for it.
    """
    async with write_transaction():
        endpoint = await get_endpoint(endpoint_id=endpoint_id, viewer=viewer, lock=True)
        ensure_version(endpoint, expected_version, "webhook endpoint")
        return await _apply_endpoint_changes(endpoint, viewer, changes)


async def _apply_endpoint_changes(
    endpoint: WebhookEndpoint, viewer: User, changes: dict[str, Any]
) -> WebhookEndpoint:
    clean: dict[str, Any] = {}
    if changes.get("url") is not None:
        clean["url"] = _check_url(changes["url"])
    if changes.get("event_types") is not None:
        clean["event_types"] = _check_event_types(changes["event_types"])
    if changes.get("description") is not None:
        clean["description"] = _check_description(changes["description"])
    at = now()
    enabled = changes.get("enabled")
    if enabled is True and not endpoint.enabled:
        clean.update(enabled=True, disabled_at=None, disabled_reason=None, failing_since=None)
    elif enabled is False and endpoint.enabled:
        clean.update(enabled=False, disabled_at=at, disabled_reason=f"disabled by {viewer.name}")
    if not clean:
        return endpoint
    before = _audited(endpoint)
    for name, value in clean.items():
        setattr(endpoint, name, value)
    endpoint.version += 1
    await endpoint.save(update_fields=[*clean, "updated_at", "version"])
    await _audit(AuditAction.UPDATE, endpoint, viewer.pk, before, at)
    return endpoint


_SECRET_FIELDS = frozenset({"secretEncrypted", "previousSecretEncrypted"})


def _audited(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """The endpoint's fields for the audit log; never its secrets, even encrypted, and its
    URL with credentials masked."""
    values = {k: v for k, v in field_values(endpoint).items() if k not in _SECRET_FIELDS}
    values["url"] = masked_url(endpoint.url)
    return values


async def _audit(
    action: AuditAction,
    endpoint: WebhookEndpoint,
    actor_id: int,
    before: dict[str, Any] | None,
    at: datetime,
    *,
    secret_rotated: bool = False,
) -> None:
    after = {} if action == AuditAction.DELETE else _audited(endpoint)
    changes = changed_fields(before or {}, after)
    if action == AuditAction.DELETE:
        changes = {k: {"before": v, "after": None} for k, v in (before or {}).items()}
    if secret_rotated:
        # That it changed, never what it is.
        changes["secret"] = {"before": "***", "after": "***"}
    await AuditLogEntry.create(
        occurred_at=at,
        actor_id=actor_id,
        action=action,
        record_type="WebhookEndpoint",
        record_id=endpoint.pk,
        changes=changes,
    )


async def delete_endpoint(*, endpoint_id: int, viewer: User) -> WebhookEndpoint:
    """Delete an endpoint with its deliveries; returns it as it was."""
    async with write_transaction():
        endpoint = await get_endpoint(endpoint_id=endpoint_id, viewer=viewer, lock=True)
        before = _audited(endpoint)
        await _audit(AuditAction.DELETE, endpoint, viewer.pk, before, now())
        await WebhookAttempt.filter(delivery__endpoint_id=endpoint.pk).delete()
        await WebhookDelivery.filter(endpoint_id=endpoint.pk).delete()
        await endpoint.delete()
    return endpoint


async def rotate_secret(*, endpoint_id: int, viewer: User) -> EndpointWithSecret:
    """A new secret; the previous one keeps signing (beside the new) during the overlap."""
    secret = signing.new_secret()
    at = now()
    overlap = timedelta(hours=get_settings().webhook_rotation_overlap_hours)
    async with write_transaction():
        endpoint = await get_endpoint(endpoint_id=endpoint_id, viewer=viewer, lock=True)
        before = _audited(endpoint)
        endpoint.previous_secret_encrypted = endpoint.secret_encrypted
        endpoint.previous_secret_expires_at = at + overlap
        endpoint.secret_encrypted = secrets.encrypt(secret)
        endpoint.version += 1
        await endpoint.save(
            update_fields=[
                "previous_secret_encrypted",
                "previous_secret_expires_at",
                "secret_encrypted",
                "updated_at",
                "version",
            ]
        )
        await _audit(AuditAction.UPDATE, endpoint, viewer.pk, before, at, secret_rotated=True)
    return EndpointWithSecret(endpoint, secret)


async def reencrypt_secrets() -> int:
    """Encrypt every stored endpoint secret again under the first key of
    ``ACCOUNTGRAPH_WEBHOOK_SECRETS_KEY`` (after a key rotation); returns how many endpoints.

    All or nothing: one secret that no key of the setting reads stops it with nothing changed.
    """
    async with write_transaction():
        endpoints = await WebhookEndpoint.select_for_update().order_by("id")
        for endpoint in endpoints:
            try:
                endpoint.secret_encrypted = secrets.reencrypt(endpoint.secret_encrypted)
                if endpoint.previous_secret_encrypted is not None:
                    endpoint.previous_secret_encrypted = secrets.reencrypt(
                        endpoint.previous_secret_encrypted
                    )
            except secrets.SecretUnreadable as exc:
                raise secrets.SecretUnreadable(f"webhook endpoint {endpoint.pk}: {exc}") from None
            await WebhookEndpoint.filter(pk=endpoint.pk).update(
                secret_encrypted=endpoint.secret_encrypted,
                previous_secret_encrypted=endpoint.previous_secret_encrypted,
            )
    return len(endpoints)


async def ping_endpoint(*, endpoint_id: int, viewer: User, deliverer: Deliverer) -> WebhookDelivery:
    """Send a ``webhook.ping`` now, once, and return its delivery with the attempt recorded.

    Works on a disabled endpoint too (to check it before enabling it again).
    """
    endpoint = await get_endpoint(endpoint_id=endpoint_id, viewer=viewer)
    at = deliverer.clock()
    await _check_ping_rate(endpoint, at)
    event_id = uuid.uuid4()
    lease = uuid.uuid4()
    data = {"endpoint": {"id": _endpoint_global_id(endpoint), "url": endpoint.url}}
    text = body(EventType.WEBHOOK_PING.value, at, data)
    # Created already claimed (attempt 1, leased), so no background worker sends it too.
    delivery = await WebhookDelivery.create(
        endpoint_id=endpoint.pk,
        event_id=event_id,
        event_type=EventType.WEBHOOK_PING.value,
        payload=text,
        status=DeliveryStatus.PENDING,
        attempt_count=1,
        next_attempt_at=at,
        last_attempt_at=at,
        lease_token=lease,
        lease_expires_at=at + deliverer.lease,
        event_occurred_at=at,
        created_at=at,
        updated_at=at,
    )
    claim = Claim(
        delivery_id=delivery.pk,
        endpoint_id=endpoint.pk,
        event_id=str(event_id),
        event_type=delivery.event_type,
        payload=text,
        attempt=1,
        lease_token=lease,
    )
    outcome = await deliverer.attempt(claim, endpoint, SINGLE_ATTEMPT)
    await deliverer.record([outcome])
    return await WebhookDelivery.get(pk=delivery.pk)


PING_WINDOW = timedelta(minutes=1)


async def _check_ping_rate(endpoint: WebhookEndpoint, at: datetime) -> None:
    """Refuse a ping past ``webhook_pings_per_minute`` for the endpoint, saying when the next
    one will be accepted: a ping makes the server POST to a URL of the caller's choosing.
    Pings are counted from their deliveries, so every server process sees the same count."""
    limit = get_settings().webhook_pings_per_minute
    recent = [
        created_at
        for (created_at,) in await WebhookDelivery.filter(
            endpoint_id=endpoint.pk,
            event_type=EventType.WEBHOOK_PING.value,
            created_at__gt=at - PING_WINDOW,
        )
        .order_by("-created_at")
        .limit(limit)
        .values_list("created_at")
    ]
    if len(recent) < limit:
        return
    oldest: datetime = min(recent)
    wait = math.ceil((oldest + PING_WINDOW - at).total_seconds())
    raise DomainError.single(
        f"this endpoint was pinged {limit} times in the last minute, the most allowed; "
        f"try again in {max(wait, 1)} seconds",
        code=ErrorCode.RATE_LIMITED,
        field="id",
    )


def _endpoint_global_id(endpoint: WebhookEndpoint) -> str:
    from ids import to_global_id

    return to_global_id("WebhookEndpoint", endpoint.pk)


async def redeliver(
    *,
    viewer: User,
    delivery_id: int | None = None,
    endpoint_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[WebhookDelivery]:
    """Queue deliveries again, with the same ``webhook-id`` and a fresh retry schedule: one
    finished delivery, or every failed delivery of an endpoint created in [since, until)."""
    visible = Visibility(viewer).condition(WebhookDelivery)
    if (delivery_id is None) == (endpoint_id is None):
        raise DomainError.single("give either a delivery id or an endpoint id")
    if delivery_id is not None:
        delivery = await WebhookDelivery.filter(visible, pk=delivery_id).first()
        if delivery is None:
            raise not_found("Webhook delivery", "delivery_id")
        if delivery.status == DeliveryStatus.PENDING:
            raise DomainError.single(
                "the delivery is still pending; it will be attempted again by itself",
                code=ErrorCode.INVALID_STATE,
                field="delivery_id",
            )
        chosen = [delivery]
    else:
        assert endpoint_id is not None
        endpoint = await get_endpoint(endpoint_id=endpoint_id, viewer=viewer)
        query = WebhookDelivery.filter(endpoint_id=endpoint.pk, status=DeliveryStatus.FAILED)
        if since is not None:
            query = query.filter(created_at__gte=since)
        if until is not None:
            query = query.filter(created_at__lt=until)
        chosen = await query.order_by("id").limit(10_000)
    at = now()
    async with write_transaction():
        for delivery in chosen:
            await WebhookDelivery.filter(pk=delivery.pk, status=delivery.status).update(
                status=DeliveryStatus.PENDING,
                next_attempt_at=at,
                round_start=delivery.attempt_count,
                lease_token=None,
                lease_expires_at=None,
                updated_at=at,
            )
    return await WebhookDelivery.filter(id__in=[d.pk for d in chosen]).order_by("id")
