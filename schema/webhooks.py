"""Webhooks in GraphQL: endpoints, their deliveries with every attempt, and the inputs and
payloads of managing them."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.relay import GlobalID

import models
from schema.base import Info, RecordNode, UserError, field, load
from schema.enums import EventType
from schema.inputs import expected_version_field
from schema.listing import order_input
from schema.people import User
from webhooks.policy import AttemptOutcome, DeliveryStatus


def _event_type(value: str) -> Any:
    return EventType(value)


@strawberry.type(
    description="A URL that receives signed events (Standard Webhooks) of the chosen types, "
    "about records its owner may see."
)
class WebhookEndpoint(RecordNode):
    model = models.WebhookEndpoint
    url: str = strawberry.field(description="Where events are POSTed (http or https).")
    description: str = strawberry.field(description="What the endpoint is for.")
    event_types: list[EventType] = strawberry.field(description="The event types it receives.")
    enabled: bool = strawberry.field(
        description="False while disabled; nothing is sent to a disabled endpoint."
    )
    disabled_at: datetime | None = strawberry.field(description="When it was disabled.")
    disabled_reason: str | None = strawberry.field(
        description="Why it was disabled, e.g. failing continuously, or 410 Gone."
    )
    failing_since: datetime | None = strawberry.field(
        description="Start of the current run of failed attempts; null after a success."
    )
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="Until when the secret before the last rotation still signs too."
    )
    owner_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> "WebhookEndpoint":
        return cls(
            id=row.id,
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=row.version,
            url=row.url,
            description=row.description,
            event_types=[_event_type(e) for e in row.event_types],
            enabled=row.enabled,
            disabled_at=row.disabled_at,
            disabled_reason=row.disabled_reason,
            failing_since=row.failing_since,
            previous_secret_expires_at=row.previous_secret_expires_at,
            owner_id=row.owner_id,
        )

    @field(description="Who owns it; it receives only what this user may see.")
    async def owner(self, info: Info) -> User | None:
        return await load(info, User, self.owner_id)


@strawberry.type(description="One HTTP request of a delivery.")
class WebhookAttempt:
    number: int = strawberry.field(description="1 for the first attempt, then 2, 3, ...")
    attempted_at: datetime = strawberry.field(description="When the request was sent.")
    duration_ms: int | None = strawberry.field(description="How long it took, in ms.")
    status_code: int | None = strawberry.field(
        description="The HTTP status answered; null on a network error, timeout or refusal."
    )
    response_body: str | None = strawberry.field(
        description="The start of the response body (at most 1 KiB)."
    )
    error: str | None = strawberry.field(
        description="What went wrong: a network error, timeout, refused destination or "
        "redirect not followed."
    )
    outcome: AttemptOutcome = strawberry.field(description="What the attempt led to.")


@strawberry.type(
    description="One event for one endpoint, with every attempt. Its eventId is the "
    "webhook-id header of each attempt."
)
class WebhookDelivery(RecordNode):
    model = models.WebhookDelivery
    event_id: str = strawberry.field(description="The event's id: the webhook-id header.")
    event_type: EventType = strawberry.field(description="The event's type.")
    status: DeliveryStatus = strawberry.field(description="Where the delivery stands.")
    attempt_count: int = strawberry.field(description="How many attempts were made.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next attempt is due; null once the delivery is finished."
    )
    last_attempt_at: datetime | None = strawberry.field(description="When it was last tried.")
    payload: str = strawberry.field(
        description='The exact request body: {"type", "timestamp", "data"}.'
    )
    endpoint_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> "WebhookDelivery":
        return cls(
            id=row.id,
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=1,  # a delivery is changed by the delivery worker only, never edited
            event_id=str(row.event_id),
            event_type=_event_type(row.event_type),
            status=DeliveryStatus(row.status),
            attempt_count=row.attempt_count,
            next_attempt_at=row.next_attempt_at if row.status == DeliveryStatus.PENDING else None,
            last_attempt_at=row.last_attempt_at,
            payload=row.payload,
            endpoint_id=row.endpoint_id,
        )

    @field(description="The endpoint it is for.")
    async def endpoint(self, info: Info) -> WebhookEndpoint | None:
        return await load(info, WebhookEndpoint, self.endpoint_id)

    @field(description="Every attempt, first to last.")
    async def attempts(self, info: Info) -> list[WebhookAttempt]:
        loader = info.context.loaders.children(models.WebhookAttempt, "delivery_id", ("number",))
        return [
            WebhookAttempt(
                number=row.number,
                attempted_at=row.attempted_at,
                duration_ms=row.duration_ms,
                status_code=row.status_code,
                response_body=row.response_body,
                error=row.error,
                outcome=AttemptOutcome(row.outcome),
            )
            for row in await loader.load(self.id)
        ]


@strawberry.input(description="Narrows a list of webhook endpoints.")
class WebhookEndpointFilter:
    enabled: bool | None = strawberry.field(
        default=None, description="Only enabled (true) or disabled (false) endpoints."
    )


@strawberry.input(description="Narrows a list of webhook deliveries.")
class WebhookDeliveryFilter:
    endpoint_id: GlobalID | None = strawberry.field(
        default=None, description="Only deliveries to this endpoint."
    )
    event_type: EventType | None = strawberry.field(
        default=None, description="Only events of this type."
    )
    status: DeliveryStatus | None = strawberry.field(
        default=None, description="Only deliveries in this state."
    )
    since: datetime | None = strawberry.field(
        default=None, description="Only deliveries created at or after this time."
    )


# The fields each list sorts by (``<Type>Order``), and the column each stands for.
ENDPOINT_COLUMNS = {"CREATED_AT": "created_at", "URL": "url"}
WebhookEndpointOrder = order_input("WebhookEndpoint", ENDPOINT_COLUMNS)
DELIVERY_COLUMNS = {"CREATED_AT": "created_at"}
WebhookDeliveryOrder = order_input("WebhookDelivery", DELIVERY_COLUMNS)


@strawberry.input(description="A new webhook endpoint, owned by the caller.")
class CreateWebhookEndpointInput:
    url: str = strawberry.field(
        description="http(s) URL; it may not resolve to a private, loopback, link-local or "
        "metadata address."
    )
    event_types: list[EventType] = strawberry.field(
        description="The event types to receive; at least one."
    )
    description: str = strawberry.field(default="", description="What the endpoint is for.")


@strawberry.input(description="Changes to a webhook endpoint; omitted fields stay as they are.")
class UpdateWebhookEndpointInput:
    id: GlobalID = strawberry.field(description="The endpoint to change.")
    url: str | None = strawberry.field(default=None, description="A new URL.")
    event_types: list[EventType] | None = strawberry.field(
        default=None, description="A new set of event types."
    )
    description: str | None = strawberry.field(default=None, description="A new description.")
    enabled: bool | None = strawberry.field(
        default=None,
        description="false disables it; true enables it again (clearing the reason) and "
        "resumes delivery.",
    )
    expected_version: int | None = expected_version_field()


@strawberry.input(description="The webhook endpoint to act on.")
class WebhookEndpointIdInput:
    id: GlobalID = strawberry.field(description="The endpoint.")


@strawberry.input(
    description="What to deliver again: one delivery (deliveryId), or every failed delivery "
    "of an endpoint created in [since, until) (endpointId)."
)
class RedeliverWebhookInput:
    delivery_id: GlobalID | None = strawberry.field(
        default=None, description="One finished delivery to send again."
    )
    endpoint_id: GlobalID | None = strawberry.field(
        default=None, description="An endpoint whose failed deliveries to send again."
    )
    since: datetime | None = strawberry.field(
        default=None, description="With endpointId: deliveries created at or after this time."
    )
    until: datetime | None = strawberry.field(
        default=None, description="With endpointId: deliveries created before this time."
    )


@strawberry.type(description="The new endpoint and its secret, shown only this once.")
class CreateWebhookEndpointPayload:
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(
        default=None, description="The endpoint."
    )
    secret: str | None = strawberry.field(
        default=None,
        description="The whsec_ signing secret; store it now, it cannot be shown again.",
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Why not.")


@strawberry.type(description="The endpoint after the change.")
class UpdateWebhookEndpointPayload:
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(
        default=None, description="The endpoint."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Why not.")


@strawberry.type(description="The deleted endpoint, as it was.")
class DeleteWebhookEndpointPayload:
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(
        default=None, description="The endpoint."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Why not.")


@strawberry.type(description="The endpoint's new secret, shown only this once.")
class RotateWebhookSecretPayload:
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(
        default=None, description="The endpoint."
    )
    secret: str | None = strawberry.field(
        default=None,
        description="The new whsec_ secret. The previous one signs too until "
        "previousSecretExpiresAt.",
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Why not.")


@strawberry.type(description="The ping's delivery with its one attempt.")
class PingWebhookEndpointPayload:
    delivery: WebhookDelivery | None = strawberry.field(
        default=None, description="SUCCEEDED if the endpoint answered 2xx, else FAILED."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Why not.")


@strawberry.type(description="The deliveries queued again.")
class RedeliverWebhookPayload:
    deliveries: list[WebhookDelivery] = strawberry.field(
        default_factory=list, description="Each is PENDING again, due now."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Why not.")
