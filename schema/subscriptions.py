"""What the subscriptions take and send: the resume point, the deal-stage filter and the
events of the catalogue (the subscriptions themselves are in ``resolvers.subscriptions``)."""

from datetime import datetime
from typing import Annotated, cast

import strawberry
from strawberry.relay import GlobalID
from strawberry.scalars import JSON

from events.published import PublishedEvent
from ids import to_global_id
from schema.base import Info, field, load
from schema.enums import EventType
from schema.people import User

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

    @field(description="Who made the change; null for the system.")
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
