"""Webhooks: the code behind the root fields that list and manage endpoints and deliveries.

Who may manage endpoints is declared on each mutation in ``schema.root``; which endpoints a
manager may change, and the limits on them, are in ``webhooks.endpoints``.
"""

from typing import Any

from strawberry.relay import GlobalID
from tortoise.expressions import Q

import models
from resolvers.core.listing import InputError, conditions, pk
from resolvers.mutation import respond
from schema.base import Info
from schema.listing import Listing
from schema.webhooks import (
    DELIVERY_COLUMNS,
    ENDPOINT_COLUMNS,
    CreateWebhookEndpointInput,
    CreateWebhookEndpointPayload,
    DeleteWebhookEndpointPayload,
    PingWebhookEndpointPayload,
    RedeliverWebhookInput,
    RedeliverWebhookPayload,
    RotateWebhookSecretPayload,
    UpdateWebhookEndpointInput,
    UpdateWebhookEndpointPayload,
    WebhookDelivery,
    WebhookDeliveryFilter,
    WebhookEndpoint,
    WebhookEndpointFilter,
    WebhookEndpointIdInput,
)
from services.errors import not_found
from settings import get_settings
from webhooks import endpoints
from webhooks.delivery import Deliverer


def _endpoint_condition(f: WebhookEndpointFilter | None) -> Q:
    return conditions(enabled=f.enabled) if f else Q()


def _delivery_condition(f: WebhookDeliveryFilter | None) -> Q:
    if f is None:
        return Q()
    endpoint_id = None
    if f.endpoint_id is not None:
        endpoint_id = pk(f.endpoint_id, "WebhookEndpoint")
        if endpoint_id is None:
            raise InputError(f"'{f.endpoint_id}' is not a valid WebhookEndpoint id")
    return conditions(
        endpoint_id=endpoint_id,
        event_type=f.event_type.value if f.event_type is not None else None,
        status=f.status.value if f.status is not None else None,
        created_at__gte=f.since,
    )


# The lists behind the webhookEndpoints and webhookDeliveries root fields.
ENDPOINTS = Listing(
    WebhookEndpoint,
    WebhookEndpointFilter,
    _endpoint_condition,
    ENDPOINT_COLUMNS,
    ("created_at",),
    archivable=False,
)
DELIVERIES = Listing(
    WebhookDelivery,
    WebhookDeliveryFilter,
    _delivery_condition,
    DELIVERY_COLUMNS,
    ("-created_at",),
    archivable=False,
)


def _manager(info: Info) -> models.User:
    """The caller; the field's permission lets only those who may manage webhooks through."""
    viewer = info.context.viewer
    assert viewer is not None
    return viewer


def _key(gid: GlobalID | None, type_name: str, field: str) -> int | None:
    if gid is None:
        return None
    key = pk(gid, type_name)
    if key is None:
        what = "Webhook endpoint" if type_name == "WebhookEndpoint" else "Webhook delivery"
        raise not_found(what, field)
    return key


def _endpoint_key(gid: GlobalID) -> int:
    key = _key(gid, "WebhookEndpoint", "id")
    assert key is not None
    return key


async def create_webhook_endpoint(
    info: Info, input: CreateWebhookEndpointInput
) -> CreateWebhookEndpointPayload:
    owner = _manager(info)

    async def call() -> dict[str, Any]:
        made = await endpoints.create_endpoint(
            owner=owner,
            url=input.url,
            event_types=[e.value for e in input.event_types],
            description=input.description,
        )
        return {
            "webhook_endpoint": WebhookEndpoint.from_row(made.endpoint),
            "secret": made.secret,
        }

    return await respond(CreateWebhookEndpointPayload, call)


async def update_webhook_endpoint(
    info: Info, input: UpdateWebhookEndpointInput
) -> UpdateWebhookEndpointPayload:
    viewer = _manager(info)

    async def call() -> dict[str, Any]:
        changes = {
            "url": input.url,
            "event_types": [e.value for e in input.event_types]
            if input.event_types is not None
            else None,
            "description": input.description,
            "enabled": input.enabled,
        }
        endpoint = await endpoints.update_endpoint(
            endpoint_id=_endpoint_key(input.id),
            viewer=viewer,
            changes=changes,
            expected_version=input.expected_version,
        )
        return {"webhook_endpoint": WebhookEndpoint.from_row(endpoint)}

    return await respond(UpdateWebhookEndpointPayload, call)


async def delete_webhook_endpoint(
    info: Info, input: WebhookEndpointIdInput
) -> DeleteWebhookEndpointPayload:
    viewer = _manager(info)

    async def call() -> dict[str, Any]:
        endpoint = await endpoints.delete_endpoint(
            endpoint_id=_endpoint_key(input.id), viewer=viewer
        )
        return {"webhook_endpoint": WebhookEndpoint.from_row(endpoint)}

    return await respond(DeleteWebhookEndpointPayload, call)


async def rotate_webhook_secret(
    info: Info, input: WebhookEndpointIdInput
) -> RotateWebhookSecretPayload:
    viewer = _manager(info)

    async def call() -> dict[str, Any]:
        made = await endpoints.rotate_secret(endpoint_id=_endpoint_key(input.id), viewer=viewer)
        return {
            "webhook_endpoint": WebhookEndpoint.from_row(made.endpoint),
            "secret": made.secret,
        }

    return await respond(RotateWebhookSecretPayload, call)


async def ping_webhook_endpoint(
    info: Info, input: WebhookEndpointIdInput
) -> PingWebhookEndpointPayload:
    viewer = _manager(info)

    async def call() -> dict[str, Any]:
        deliverer = Deliverer.from_settings(get_settings())
        try:
            delivery = await endpoints.ping_endpoint(
                endpoint_id=_endpoint_key(input.id), viewer=viewer, deliverer=deliverer
            )
        finally:
            await deliverer.aclose()
        return {"delivery": WebhookDelivery.from_row(delivery)}

    return await respond(PingWebhookEndpointPayload, call)


async def redeliver_webhook(info: Info, input: RedeliverWebhookInput) -> RedeliverWebhookPayload:
    viewer = _manager(info)

    async def call() -> dict[str, Any]:
        found = await endpoints.redeliver(
            viewer=viewer,
            delivery_id=_key(input.delivery_id, "WebhookDelivery", "delivery_id"),
            endpoint_id=_key(input.endpoint_id, "WebhookEndpoint", "endpoint_id"),
            since=input.since,
            until=input.until,
        )
        return {"deliveries": [WebhookDelivery.from_row(d) for d in found]}

    return await respond(RedeliverWebhookPayload, call)
