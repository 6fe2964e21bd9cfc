"""Leads in the graph: prospects not yet clients, and what they were converted into."""

from datetime import datetime

import strawberry

import models
from schema.accounts import Account
from schema.activities import ACTIVITIES, TIMELINE, ActivityOrder
from schema.base import Info, RecordNode, field, load
from schema.clients import Client, Contact
from schema.enums import LeadSource, LeadStatus
from schema.filters import LeadFilter, lead_condition
from schema.listing import Listing, order_input
from schema.opportunities import Opportunity
from schema.people import User


@strawberry.type(description="A prospect not yet a client.")
class Lead(RecordNode):
    model = models.Lead
    person_name: str
    company_name: str
    company_domain: str | None = strawberry.field(
        description="The company's web domain; conversion reuses the client with this domain."
    )
    email: str | None
    phone: str | None
    source: LeadSource
    status: LeadStatus
    score: int = strawberry.field(description="Fit and interest, 0..100.")
    next_follow_up_at: datetime | None
    converted_at: datetime | None
    archived_at: datetime | None
    owner_id: strawberry.Private[int | None]
    converted_client_id: strawberry.Private[int | None]
    converted_contact_id: strawberry.Private[int | None]
    converted_account_id: strawberry.Private[int | None]
    converted_opportunity_id: strawberry.Private[int | None]

    @strawberry.field
    async def owner(self, info: Info) -> User | None:
        return await load(info, User, self.owner_id)

    @field(description="The client the lead was converted into.")
    async def converted_client(self, info: Info) -> Client | None:
        return await load(info, Client, self.converted_client_id)

    @strawberry.field
    async def converted_contact(self, info: Info) -> Contact | None:
        return await load(info, Contact, self.converted_contact_id)

    @strawberry.field
    async def converted_account(self, info: Info) -> Account | None:
        return await load(info, Account, self.converted_account_id)

    @strawberry.field
    async def converted_opportunity(self, info: Info) -> Opportunity | None:
        return await load(info, Opportunity, self.converted_opportunity_id)

    activities = ACTIVITIES.child_field(ActivityOrder, "lead_id", TIMELINE)


LEAD_COLUMNS = {
    "CREATED_AT": "created_at",
    "SCORE": "score",
    "NEXT_FOLLOW_UP_AT": "next_follow_up_at",
    "PERSON_NAME": "person_name",
}
LEADS = Listing(Lead, LeadFilter, lead_condition, LEAD_COLUMNS, ("-created_at",))
LeadOrder = order_input("Lead", LEAD_COLUMNS)
