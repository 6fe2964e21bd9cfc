"""The Subscription root: live deal-stage changes, an account's timeline, any event.

Every subscription takes ``afterEventId``: the ``eventId`` of the last event a client
received. The events published since then (within the resume window) come first, then live
ones, so a client that reconnects misses nothing and receives nothing twice.
"""

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from datetime import datetime
from typing import Annotated, TypeVar, cast

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.relay import GlobalID
from strawberry.scalars import JSON
from strawberry.types.graphql import OperationType

from events.catalogue import EventType as DomainEventType
from events.published import PublishedEvent
from events.relay import notify_committed
from ids import to_global_id
from models import Account as AccountModel
from models import OpportunityStageChange as StageChangeModel
from resolvers.core.listing import pk, pks
from resolvers.core.subscriptions import (
    Delivery,
    EventView,
    aggregate_record,
    bad_input,
    follow,
    snapshot_pk,
)
from schema.activities import Activity
from schema.base import Info, load
from schema.enums import EventType
from schema.opportunities import OpportunityStageChange
from schema.people import User

T = TypeVar("T")

AfterEventId = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="The eventId of the last event received: what was published since comes "
        "first (within the resume window), then live events. Omit to start from now."
    ),
]


@strawberry.input(description="Which deal-stage changes to receive; omitted fields match all.")
class OpportunityStageChangedFilter:
    pipeline_ids: list[GlobalID] | None = strawberry.field(
        default=None, description="Only deals in these pipelines."
    )
    owner_ids: list[GlobalID] | None = strawberry.field(
        default=None, description="Only deals owned by these users (when the move was made)."
    )
    account_ids: list[GlobalID] | None = strawberry.field(
        default=None, description="Only deals on these accounts."
    )


@strawberry.type(description="One event of the catalogue, as stored in the outbox.")
class DomainEvent:
    event_id: strawberry.ID = strawberry.field(description="The event's unique id.")
    type: EventType = strawberry.field(description="What happened.")
    occurred_at: datetime = strawberry.field(description="When it happened (UTC).")
    subject_id: strawberry.ID = strawberry.field(
        description="The global id of the record the event is about."
    )
    data: JSON = strawberry.field(
        description="The record as it was after the change (object) and, for updates, the "
        "changed fields' previous values (previous)."
    )
    actor_id: strawberry.Private[int | None]

    @strawberry.field(description="Who made the change; null for the system.")
    async def actor(self, info: Info) -> User | None:
        return await load(info, User, self.actor_id)

    @classmethod
    def from_event(cls, event: PublishedEvent) -> "DomainEvent":
        return cls(
            event_id=strawberry.ID(str(event.event_id)),
            type=EventType(event.type),
            occurred_at=event.occurred_at,
            subject_id=strawberry.ID(to_global_id(event.aggregate_type, event.aggregate_id)),
            data=cast(JSON, event.data),
            actor_id=event.actor_id,
        )


def _in(keys: list[int] | None, value: int | None) -> bool:
    return keys is None or value in keys


async def _stage_change(event: PublishedEvent, view: EventView) -> StageChangeModel | None:
    change_id = snapshot_pk(event, "stageChange", "id")
    if change_id is None:
        return None
    return await view.loaders.record(StageChangeModel).load(change_id)


async def _activity(event: PublishedEvent, view: EventView) -> object:
    return await view.loaders.record(Activity.model).load(event.aggregate_id)


STAGE_CHANGED = frozenset({DomainEventType.OPPORTUNITY_STAGE_CHANGED.value})
ACTIVITY_LOGGED = frozenset({DomainEventType.ACTIVITY_LOGGED.value})


@strawberry.type(description="Live updates over WebSocket (graphql-transport-ws).")
class Subscription:
    @strawberry.subscription(
        description="Deal-stage moves the caller may see, in commit order per deal, each once."
    )
    async def opportunity_stage_changed(
        self,
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

    @strawberry.subscription(description="Activities logged on an account the caller may see.")
    async def activity_logged(
        self,
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

    @strawberry.subscription(
        description="Events of the catalogue about records the caller may see, in publication "
        "order."
    )
    async def events(
        self,
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
        return _as(deliveries, lambda d: DomainEvent.from_event(d.event))


async def _as(
    deliveries: AsyncIterator[Delivery], build: Callable[[Delivery], T]
) -> AsyncGenerator[T, None]:
    """The deliveries as the subscription's GraphQL objects."""
    async for delivery in deliveries:
        yield build(delivery)


class WakeRelayAfterMutations(SchemaExtension):
    """Tells the relay a mutation has finished, so its committed events go out at once."""

    def on_execute(self) -> Iterator[None]:
        yield
        if self.execution_context.operation_type == OperationType.MUTATION:
            notify_committed()
