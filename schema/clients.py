"""Clients in the graph: customer organisations and the people who work there."""

from datetime import datetime

import strawberry

import models
from schema.accounts import ACCOUNTS, AccountOrder
from schema.activities import ACTIVITIES, TIMELINE, ActivityOrder
from schema.base import Info, RecordNode, field, load, load_required
from schema.enums import BuyingRole, ClientStatus, SizeBand
from schema.filters import ClientFilter, ContactFilter, client_condition, contact_condition
from schema.listing import Listing, order_input
from schema.people import Team


@strawberry.type(description="A person at a client.")
class Contact(RecordNode):
    model = models.Contact
    name: str
    title: str | None
    email: str | None
    phone: str | None
    buying_role: BuyingRole | None
    is_primary: bool = strawberry.field(description="The client's main contact.")
    archived_at: datetime | None
    client_id: strawberry.Private[int]

    @strawberry.field
    async def client(self, info: Info) -> "Client":
        return await load_required(info, Client, self.client_id)

    activities = ACTIVITIES.child_field(ActivityOrder, "contact_id", TIMELINE)


CONTACT_COLUMNS = {"NAME": "name", "CREATED_AT": "created_at"}
CONTACTS = Listing(Contact, ContactFilter, contact_condition, CONTACT_COLUMNS, ("name",))
ContactOrder = order_input("Contact", CONTACT_COLUMNS)


@strawberry.type(description="A customer organisation.")
class Client(RecordNode):
    model = models.Client
    name: str
    domain: str | None = strawberry.field(description="Web domain, unique across clients.")
    industry: str | None
    size_band: SizeBand | None
    country: str | None = strawberry.field(description="ISO 3166 alpha-2 code.")
    status: ClientStatus
    tags: list[str]
    archived_at: datetime | None
    team_id: strawberry.Private[int | None]

    @field(
        description="The sales team that created the client; while nobody has an account with "
        "it (a prospect), only that team sees it. Null: administrators only."
    )
    async def team(self, info: Info) -> Team | None:
        return await load(info, Team, self.team_id)

    contacts = CONTACTS.child_field(ContactOrder, "client_id", "People at the client.")
    accounts = ACCOUNTS.child_field(AccountOrder, "client_id", "The client's accounts.")
    activities = ACTIVITIES.child_field(ActivityOrder, "client_id", TIMELINE)


CLIENT_COLUMNS = {"NAME": "name", "CREATED_AT": "created_at", "UPDATED_AT": "updated_at"}
CLIENTS = Listing(Client, ClientFilter, client_condition, CLIENT_COLUMNS, ("name",))
ClientOrder = order_input("Client", CLIENT_COLUMNS)
