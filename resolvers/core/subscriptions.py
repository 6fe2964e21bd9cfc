"""Glue of the subscriptions: where a client resumes, what each event is checked against.

A WebSocket's context lives as long as the socket, so nothing read for one event is kept
for the next: for every event the socket's credential is checked again (a deactivated user,
an ended session, an expired token, a revoked or expired API key ends the subscription with
an ``UNAUTHENTICATED`` error carrying the refusal's ``reason``, as HTTP's 401 does; the socket
itself is closed with 4401 by web/websocket.py within a keep-alive interval), and
visibility and loaders are made afresh (an account reassigned away stops flowing). That work
is shared by all of this process's subscribers with the same viewer, through the event's
``shared`` memo.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from prometheus_client import Counter, Gauge
from tortoise.models import Model

import models
from events.live import LiveEvents
from events.published import PublishedEvent
from events.relay import Relay
from ids import from_global_id, parse_pk
from models import OutboxEvent, User
from resolvers.core.context import Context, connection_credential
from resolvers.core.errors import bad_input, forbidden, unauthenticated
from resolvers.core.loaders import Loaders
from services.auth import (
    SIGN_IN_FIRST,
    AuthenticationError,
    CredentialRefusal,
    Scope,
    authenticate,
    missing_credential,
)
from services.clock import now
from services.visibility import Visibility

ACTIVE_SUBSCRIPTIONS = Gauge(
    "accountgraph_active_subscriptions", "Subscriptions being served, by field.", ("field",)
)
EVENTS_PUSHED = Counter(
    "accountgraph_subscription_events_pushed_total",
    "Events sent to subscribers (one per subscriber and event), by field.",
    ("field",),
)

T = TypeVar("T")


def live_events(context: Context) -> LiveEvents:
    assert context.request is not None
    events: LiveEvents = context.request.app.state.live_events
    return events


# How long resuming waits for the relay to number an event it has not numbered yet.
RESUME_WAIT_SECONDS = 10.0


async def resume_position(
    event_id: str | None, window_seconds: int, relay: Relay | None = None
) -> int | None:
    """The publication number to resume after, for the last event a client received.

    An event committed but not yet numbered (the client subscribed as soon as a mutation
    answered, before the relay's round) is numbered first, by waking ``relay``."""
    if event_id is None:
        return None
    try:
        key = uuid.UUID(str(event_id))
    except ValueError:
        raise bad_input(
            f"'{event_id}' is not an event id; pass the eventId of an event you received"
        ) from None
    row = await OutboxEvent.get_or_none(event_id=key).only("publication", "published_at", "id")
    if row is not None and row.publication is None and relay is not None:
        await relay.publication_of(row.id, within_seconds=RESUME_WAIT_SECONDS)
        row = await OutboxEvent.get_or_none(event_id=key).only("publication", "published_at", "id")
    if row is None or row.publication is None or row.published_at is None:
        raise bad_input(
            f"event {key} is unknown: resume from the eventId of an event this API sent, "
            "or subscribe without afterEventId"
        )
    oldest = now() - timedelta(seconds=window_seconds)
    if row.published_at < oldest:
        raise bad_input(
            f"event {key} is older than the resume window of {window_seconds} seconds: "
            "reload the data, then subscribe without afterEventId"
        )
    publication: int = row.publication
    return publication


@dataclass
class EventView:
    """What one viewer may see at the time of one event."""

    viewer: User | None
    visibility: Visibility
    loaders: Loaders
    # Why the credential no longer works, when it does not.
    refusal: AuthenticationError | None = None


async def shared(event: PublishedEvent, key: Hashable, make: Callable[[], Awaitable[T]]) -> T:
    """``make()``, computed once per event in this process whoever asks first."""
    task = event.shared.get(key)
    if task is None:
        task = event.shared[key] = asyncio.ensure_future(make())
    return await asyncio.shield(task)


async def _fresh_view(credential: str | None) -> EventView:
    viewer: User | None = None
    refusal: AuthenticationError | None = None
    if credential is not None:
        # Checked again in full: an ended session, an expired token, a revoked or expired key
        # or a deactivated user ends the subscription.
        try:
            viewer = (await authenticate(credential)).user
        except AuthenticationError as exc:
            refusal = exc
    visibility = Visibility(viewer)
    return EventView(viewer, visibility, Loaders(visibility), refusal)


def model_named(name: str) -> type[Model] | None:
    """The model an event's ``aggregate_type`` names, if there is one."""
    found = getattr(models, name, None)
    return found if isinstance(found, type) and issubclass(found, Model) else None


def snapshot_pk(event: PublishedEvent, *path: str) -> int | None:
    """The primary key behind a global id in the event's data, e.g. ("object", "accountId")."""
    value: Any = event.data
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    if not isinstance(value, str):
        return None
    try:
        return parse_pk(from_global_id(value)[1])
    except ValueError:
        return None


@dataclass
class Delivery:
    """An event one subscriber may see, with the record it concerns, loaded for them."""

    event: PublishedEvent
    record: Any


Loader = Callable[[PublishedEvent, EventView], Awaitable[Any]]


async def aggregate_record(event: PublishedEvent, view: EventView) -> Any:
    """The record the event is about, if the viewer may see it (admins see every event)."""
    model = model_named(event.aggregate_type)
    if model is None:
        return event if view.visibility.sees_everything else None
    record = await view.loaders.record(model).load(event.aggregate_id)
    if record is None and view.visibility.sees_everything:
        return event  # a record deleted since: administrators still see the event
    return record


async def follow(
    context: Context,
    *,
    field: str,
    after_event_id: str | None,
    types: frozenset[str],
    matches: Callable[[PublishedEvent], bool],
    load: Loader,
) -> AsyncIterator[Delivery]:
    """Events of ``types`` that match and that the subscriber may see, in order, forever.

    Raises before anything is followed when the resume point is unknown or expired.
    """
    if context.viewer is None:
        raise unauthenticated(SIGN_IN_FIRST, CredentialRefusal.MISSING)
    if not context.can(Scope.READ):
        raise forbidden("This credential may not read; use one with the read scope.")
    live = live_events(context)
    after = await resume_position(after_event_id, live.resume_window_seconds, live.relay)
    return _deliveries(context, live.hub.follow(after), field, types, matches, load)


async def _deliveries(
    context: Context,
    published: AsyncIterator[PublishedEvent],
    field: str,
    types: frozenset[str],
    matches: Callable[[PublishedEvent], bool],
    load: Loader,
) -> AsyncIterator[Delivery]:
    assert context.viewer is not None
    viewer_id = context.viewer.pk
    credential = connection_credential(context.connection_params)
    gauge = ACTIVE_SUBSCRIPTIONS.labels(field)
    gauge.inc()
    try:
        async for event in published:
            if event.type not in types or not matches(event):
                continue
            view = await shared(event, ("view", credential), lambda: _fresh_view(credential))
            if view.viewer is None:
                refusal = view.refusal or missing_credential()
                raise unauthenticated(f"The subscription ended: {refusal}", refusal.reason)
            record = await shared(event, ("record", viewer_id, load), lambda: load(event, view))  # noqa: B023
            if record is None:
                continue
            # Resolvers of the yielded object read through the context: give it this view.
            context.viewer, context.visibility, context.loaders = (
                view.viewer,
                view.visibility,
                view.loaders,
            )
            EVENTS_PUSHED.labels(field).inc()
            yield Delivery(event, record)
    finally:
        gauge.dec()
