"""Activities in the graph: calls, emails, meetings, notes and tasks, and their timelines.

Below the records activities concern (they list them), so those are referenced upward."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

import models
from schema.base import Above, Info, RecordNode, field, load
from schema.enums import ActivityKind
from schema.filters import ActivityFilter, activity_condition
from schema.listing import Listing, order_input
from schema.people import User
from services import clock

if TYPE_CHECKING:
    from schema.accounts import Account
    from schema.clients import Client, Contact
    from schema.leads import Lead
    from schema.opportunities import Opportunity

ACCOUNT: "Above[Account]" = Above(models.Account)
CLIENT: "Above[Client]" = Above(models.Client)
CONTACT: "Above[Contact]" = Above(models.Contact)
LEAD: "Above[Lead]" = Above(models.Lead)
OPPORTUNITY: "Above[Opportunity]" = Above(models.Opportunity)


@strawberry.type(description="A call, email, meeting, note or task, on the records it concerns.")
class Activity(RecordNode):
    model = models.Activity
    kind: ActivityKind
    subject: str
    body: str | None
    occurred_at: datetime = strawberry.field(
        description="When it happened, or for a task when it was set; timelines sort by it."
    )
    due_at: datetime | None = strawberry.field(description="When a task is due.")
    completed_at: datetime | None = strawberry.field(description="When a task was completed.")
    outcome: str | None
    archived_at: datetime | None
    owner_id: strawberry.Private[int | None]
    client_id: strawberry.Private[int | None]
    contact_id: strawberry.Private[int | None]
    account_id: strawberry.Private[int | None]
    opportunity_id: strawberry.Private[int | None]
    lead_id: strawberry.Private[int | None]

    @field(description="True for a task past its due date and not completed.")
    def is_overdue(self) -> bool:
        return bool(self.due_at and not self.completed_at and self.due_at < clock.now())

    @field(description="Who did it or must do it.")
    async def owner(self, info: Info) -> User | None:
        return await load(info, User, self.owner_id)

    @strawberry.field
    async def client(
        self, info: Info
    ) -> Annotated["Client", strawberry.lazy("schema.clients")] | None:
        return await load(info, CLIENT, self.client_id)

    @strawberry.field
    async def contact(
        self, info: Info
    ) -> Annotated["Contact", strawberry.lazy("schema.clients")] | None:
        return await load(info, CONTACT, self.contact_id)

    @strawberry.field
    async def account(
        self, info: Info
    ) -> Annotated["Account", strawberry.lazy("schema.accounts")] | None:
        return await load(info, ACCOUNT, self.account_id)

    @strawberry.field
    async def opportunity(
        self, info: Info
    ) -> Annotated["Opportunity", strawberry.lazy("schema.opportunities")] | None:
        return await load(info, OPPORTUNITY, self.opportunity_id)

    @strawberry.field
    async def lead(self, info: Info) -> Annotated["Lead", strawberry.lazy("schema.leads")] | None:
        return await load(info, LEAD, self.lead_id)


ACTIVITY_COLUMNS = {"OCCURRED_AT": "occurred_at", "DUE_AT": "due_at", "CREATED_AT": "created_at"}
ACTIVITIES = Listing(
    Activity, ActivityFilter, activity_condition, ACTIVITY_COLUMNS, ("-occurred_at", "-id")
)
ActivityOrder = order_input("Activity", ACTIVITY_COLUMNS)
TIMELINE = "Activities, newest first unless ordered otherwise."
