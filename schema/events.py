"""The events of the catalogue as graph types: one object type per event type, each carrying
the records the event is about, behind the ``DomainEvent`` interface.

Used by the ``events`` subscription and the ``events`` query alike. The records are read when
the event is sent, through the request's loaders, so they are as they are now and as the
caller may see them; ``data`` keeps the event's payload as it was written (the one webhooks
receive), for clients that want the values at the time of the change.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from events.catalogue import EventType as DomainEventType
from events.published import PublishedEvent
from ids import to_global_id
from resolvers.core.subscriptions import snapshot_pk
from schema.accounts import Account
from schema.activities import Activity
from schema.base import Info, field, load
from schema.coordination import CoordinationRequest
from schema.enums import EventType
from schema.leads import Lead
from schema.opportunities import Opportunity, OpportunityStageChange
from schema.people import User

RECORD_HELP = "null if it was deleted since (only administrators see such events)."


@strawberry.interface(
    description="One event of the catalogue: what happened, when, by whom, about which "
    "record. Each event type is an object type of its own (OpportunityStageChangedEvent, "
    "...) with the records it concerns as graph types."
)
class DomainEvent:
    event_id: strawberry.ID = strawberry.field(
        description="The event's unique id: pass it as afterEventId to resume from it."
    )
    type: EventType = strawberry.field(description="What happened.")
    occurred_at: datetime = strawberry.field(description="When it happened (UTC).")
    subject_id: strawberry.ID = strawberry.field(
        description="The global id of the record the event is about."
    )
    data: JSON = strawberry.field(
        description="The payload as stored and sent to webhooks: the record as it was after "
        "the change (object) and, for updates, the changed fields' previous values (previous)."
    )
    actor_id: strawberry.Private[int | None]
    subject_pk: strawberry.Private[int]
    # The stage change a deal's move, win or loss event names in its data.
    stage_change_pk: strawberry.Private[int | None]

    @field(description="Who made the change; null for the system.")
    async def actor(self, info: Info) -> User | None:
        return await load(info, User, self.actor_id)

    def _changed_fields(self) -> list[str]:
        previous = cast(dict[str, Any], self.data).get("previous")
        return sorted(previous) if isinstance(previous, dict) else []


CHANGED_FIELDS = "The fields the change touched (GraphQL names); their previous values are in "
CHANGED_FIELDS += "data.previous."


@strawberry.type(description="opportunity.created: a deal was created.")
class OpportunityCreatedEvent(DomainEvent):
    @field(description=f"The deal; {RECORD_HELP}")
    async def opportunity(self, info: Info) -> Opportunity | None:
        return await load(info, Opportunity, self.subject_pk)


@strawberry.type(description="opportunity.stage_changed: a deal moved to another stage.")
class OpportunityStageChangedEvent(DomainEvent):
    @field(description=f"The deal; {RECORD_HELP}")
    async def opportunity(self, info: Info) -> Opportunity | None:
        return await load(info, Opportunity, self.subject_pk)

    @field(description=f"The move, from and to which stage; {RECORD_HELP}")
    async def stage_change(self, info: Info) -> OpportunityStageChange | None:
        return await load(info, OpportunityStageChange, self.stage_change_pk)


@strawberry.type(description="opportunity.won: a deal moved to a WON stage.")
class OpportunityWonEvent(DomainEvent):
    @field(description=f"The deal; {RECORD_HELP}")
    async def opportunity(self, info: Info) -> Opportunity | None:
        return await load(info, Opportunity, self.subject_pk)

    @field(description=f"The move that won it; {RECORD_HELP}")
    async def stage_change(self, info: Info) -> OpportunityStageChange | None:
        return await load(info, OpportunityStageChange, self.stage_change_pk)


@strawberry.type(description="opportunity.lost: a deal moved to a LOST stage.")
class OpportunityLostEvent(DomainEvent):
    @field(description=f"The deal; {RECORD_HELP}")
    async def opportunity(self, info: Info) -> Opportunity | None:
        return await load(info, Opportunity, self.subject_pk)

    @field(description=f"The move that lost it; {RECORD_HELP}")
    async def stage_change(self, info: Info) -> OpportunityStageChange | None:
        return await load(info, OpportunityStageChange, self.stage_change_pk)


@strawberry.type(description="opportunity.updated: a deal's fields changed.")
class OpportunityUpdatedEvent(DomainEvent):
    @field(description=f"The deal; {RECORD_HELP}")
    async def opportunity(self, info: Info) -> Opportunity | None:
        return await load(info, Opportunity, self.subject_pk)

    @field(description=CHANGED_FIELDS)
    def changed_fields(self) -> list[str]:
        return self._changed_fields()


@strawberry.type(description="lead.created: a lead was created or imported.")
class LeadCreatedEvent(DomainEvent):
    @field(description=f"The lead; {RECORD_HELP}")
    async def lead(self, info: Info) -> Lead | None:
        return await load(info, Lead, self.subject_pk)


@strawberry.type(
    description="lead.converted: a lead became a client, contact, account and perhaps a deal."
)
class LeadConvertedEvent(DomainEvent):
    @field(description=f"The lead, with what it was converted to; {RECORD_HELP}")
    async def lead(self, info: Info) -> Lead | None:
        return await load(info, Lead, self.subject_pk)


@strawberry.type(description="account.created: an account was created.")
class AccountCreatedEvent(DomainEvent):
    @field(description=f"The account; {RECORD_HELP}")
    async def account(self, info: Info) -> Account | None:
        return await load(info, Account, self.subject_pk)


@strawberry.type(description="account.updated: an account's fields changed.")
class AccountUpdatedEvent(DomainEvent):
    @field(description=f"The account; {RECORD_HELP}")
    async def account(self, info: Info) -> Account | None:
        return await load(info, Account, self.subject_pk)

    @field(description=CHANGED_FIELDS)
    def changed_fields(self) -> list[str]:
        return self._changed_fields()


@strawberry.type(description="account.health_changed: an account's health status changed.")
class AccountHealthChangedEvent(DomainEvent):
    @field(description=f"The account, with its health now; {RECORD_HELP}")
    async def account(self, info: Info) -> Account | None:
        return await load(info, Account, self.subject_pk)

    @field(description=CHANGED_FIELDS)
    def changed_fields(self) -> list[str]:
        return self._changed_fields()


@strawberry.type(description="activity.logged: a call, email, meeting, note or task was logged.")
class ActivityLoggedEvent(DomainEvent):
    @field(description=f"The activity; {RECORD_HELP}")
    async def activity(self, info: Info) -> Activity | None:
        return await load(info, Activity, self.subject_pk)


@strawberry.type(description="coordination_request.created: an internal team was asked for help.")
class CoordinationRequestCreatedEvent(DomainEvent):
    @field(description=f"The request; {RECORD_HELP}")
    async def coordination_request(self, info: Info) -> CoordinationRequest | None:
        return await load(info, CoordinationRequest, self.subject_pk)


@strawberry.type(description="coordination_request.updated: a request's fields changed.")
class CoordinationRequestUpdatedEvent(DomainEvent):
    @field(description=f"The request; {RECORD_HELP}")
    async def coordination_request(self, info: Info) -> CoordinationRequest | None:
        return await load(info, CoordinationRequest, self.subject_pk)

    @field(description=CHANGED_FIELDS)
    def changed_fields(self) -> list[str]:
        return self._changed_fields()


@strawberry.type(description="webhook.ping: a test event sent to a webhook endpoint.")
class WebhookPingEvent(DomainEvent):
    pass


EVENT_TYPES: dict[str, type[DomainEvent]] = {
    DomainEventType.OPPORTUNITY_CREATED: OpportunityCreatedEvent,
    DomainEventType.OPPORTUNITY_STAGE_CHANGED: OpportunityStageChangedEvent,
    DomainEventType.OPPORTUNITY_WON: OpportunityWonEvent,
    DomainEventType.OPPORTUNITY_LOST: OpportunityLostEvent,
    DomainEventType.OPPORTUNITY_UPDATED: OpportunityUpdatedEvent,
    DomainEventType.LEAD_CREATED: LeadCreatedEvent,
    DomainEventType.LEAD_CONVERTED: LeadConvertedEvent,
    DomainEventType.ACCOUNT_CREATED: AccountCreatedEvent,
    DomainEventType.ACCOUNT_HEALTH_CHANGED: AccountHealthChangedEvent,
    DomainEventType.ACCOUNT_UPDATED: AccountUpdatedEvent,
    DomainEventType.ACTIVITY_LOGGED: ActivityLoggedEvent,
    DomainEventType.COORDINATION_REQUEST_CREATED: CoordinationRequestCreatedEvent,
    DomainEventType.COORDINATION_REQUEST_UPDATED: CoordinationRequestUpdatedEvent,
    DomainEventType.WEBHOOK_PING: WebhookPingEvent,
}


def domain_event(event: PublishedEvent) -> DomainEvent:
    """The graph object of a stored event, of the type its event type names."""
    make: Callable[..., DomainEvent] = EVENT_TYPES[event.type]
    return make(
        event_id=strawberry.ID(str(event.event_id)),
        type=EventType(event.type),
        occurred_at=event.occurred_at,
        subject_id=strawberry.ID(to_global_id(event.aggregate_type, event.aggregate_id)),
        data=cast(JSON, event.data),
        actor_id=event.actor_id,
        subject_pk=event.aggregate_id,
        stage_change_pk=snapshot_pk(event, "stageChange", "id"),
    )


@strawberry.type(description="An event in a page of events, with its cursor.")
class DomainEventEdge:
    cursor: str = strawberry.field(description="Where the event stands in the list.")
    node: DomainEvent = strawberry.field(description="The event.")


@strawberry.type(description="A page of events: its edges, where it stands, and the list's size.")
class DomainEventConnection:
    edges: list[DomainEventEdge] = strawberry.field(description="The events of this page.")
    page_info: relay.PageInfo = strawberry.field(description="Cursors to the pages around.")
    total: strawberry.Private[Callable[[], Awaitable[int]]]

    @field(description="The events of this page, without their cursors.")
    def nodes(self) -> list[DomainEvent]:
        return [edge.node for edge in self.edges]

    @field(description="How many events the whole list holds, across all pages.")
    async def total_count(self) -> int:
        return await self.total()


# Every type, for the schema: an interface's implementations are only in the schema when
# something names them.
ALL_EVENT_TYPES = tuple(EVENT_TYPES.values())
