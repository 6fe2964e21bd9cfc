"""The subscriptions: live deal-stage changes, an account's timeline, any event.

Every subscription takes ``afterEventId``: the ``eventId`` of the last event a client
received. The events published since then (within the resume window) come first, then live
ones, so a client that reconnects misses nothing and receives nothing twice.
"""

from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Annotated, TypeVar

import strawberry
from strawberry.relay import GlobalID

from events.catalogue import EventType as DomainEventType
from events.published import PublishedEvent
from models import Account as AccountModel
from models import OpportunityStageChange as StageChangeModel
from resolvers.core.errors import bad_input
from resolvers.core.listing import pk, pks
from resolvers.core.subscriptions import (
    Delivery,
    EventView,
    aggregate_record,
    follow,
    snapshot_pk,
)
from schema.activities import Activity
from schema.base import Info
from schema.enums import EventType
from schema.events import DomainEvent, domain_event
from schema.opportunities import OpportunityStageChange
from schema.subscriptions import AfterEventId, OpportunityStageChangedFilter

T = TypeVar("T")

STAGE_CHANGED = frozenset({DomainEventType.OPPORTUNITY_STAGE_CHANGED.value})
ACTIVITY_LOGGED = frozenset({DomainEventType.ACTIVITY_LOGGED.value})


def _in(keys: list[int] | None, value: int | None) -> bool:
    return keys is None or value in keys


async def _stage_change(event: PublishedEvent, view: EventView) -> StageChangeModel | None:
    change_id = snapshot_pk(event, "stageChange", "id")
    if change_id is None:
        return None
    change: StageChangeModel | None = await view.loaders.record(StageChangeModel).load(change_id)
    return change


async def _activity(event: PublishedEvent, view: EventView) -> object:
    return await view.loaders.record(Activity.model).load(event.aggregate_id)


async def _as(
    deliveries: AsyncIterator[Delivery], build: Callable[[Delivery], T]
) -> AsyncGenerator[T, None]:
    """The deliveries as the subscription's GraphQL objects."""
    async for delivery in deliveries:
        yield build(delivery)


async def opportunity_stage_changed(
    info: Info,
    filter: OpportunityStageChangedFilter | None = None,
    after_event_id: AfterEventId = None,
) -> AsyncGenerator[OpportunityStageChange, None]:
    f = filter or OpportunityStageChangedFilter()
    pipelines = pks(f.pipeline_ids, "Pipeline")
    owners = pks(f.owner_ids, "User")
    accounts = pks(f.account_ids, "Account")

    def matches(event: PublishedEvent) -> bool:
        return (
            _in(pipelines, snapshot_pk(event, "object", "pipelineId"))
            and _in(owners, snapshot_pk(event, "object", "ownerId"))
            and _in(accounts, snapshot_pk(event, "object", "accountId"))
        )

    deliveries = await follow(
        info.context,
        field="opportunityStageChanged",
        after_event_id=after_event_id,
        types=STAGE_CHANGED,
        matches=matches,
        load=_stage_change,
    )
    return _as(deliveries, lambda d: OpportunityStageChange.from_row(d.record))


async def activity_logged(
    info: Info,
    account_id: Annotated[
        GlobalID, strawberry.argument(description="The account whose timeline to follow.")
    ],
    after_event_id: AfterEventId = None,
) -> AsyncGenerator[Activity, None]:
    account = pk(account_id, "Account")
    if account is None or await info.context.loaders.record(AccountModel).load(account) is None:
        raise bad_input(f"No account with id '{account_id}'")
    deliveries = await follow(
        info.context,
        field="activityLogged",
        after_event_id=after_event_id,
        types=ACTIVITY_LOGGED,
        matches=lambda event: snapshot_pk(event, "object", "accountId") == account,
        load=_activity,
    )
    return _as(deliveries, lambda d: Activity.from_row(d.record))


async def events(
    info: Info,
    types: Annotated[
        list[EventType] | None,
        strawberry.argument(description="Only events of these types; omit for all."),
    ] = None,
    after_event_id: AfterEventId = None,
) -> AsyncGenerator[DomainEvent, None]:
    wanted = (
        frozenset(t.value for t in types)
        if types is not None
        else frozenset(t.value for t in DomainEventType)
    )
    deliveries = await follow(
        info.context,
        field="events",
        after_event_id=after_event_id,
        types=wanted,
        matches=lambda event: True,
        load=aggregate_record,
    )
    return _as(deliveries, lambda d: domain_event(d.event))
