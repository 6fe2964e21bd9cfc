"""Satisfaction responses in the graph (the NPS and CSAT figures are computed elsewhere).

Below ``Account`` (which lists its answers), so a response refers to its account and contact
upward."""

import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.relay import GlobalID
from tortoise.expressions import Q

import models
from resolvers.core.listing import conditions, pks
from schema.base import Above, Info, RecordNode, field, load, load_required
from schema.enums import SatisfactionKind
from schema.filters import values
from schema.listing import Listing, order_input
from schema.people import User

if TYPE_CHECKING:
    from schema.accounts import Account
    from schema.clients import Contact

ACCOUNT: "Above[Account]" = Above(models.Account)
CONTACT: "Above[Contact]" = Above(models.Contact)


@strawberry.type(description="One NPS (0..10) or CSAT (1..5) answer about an account.")
class SatisfactionResponse(RecordNode):
    model = models.SatisfactionResponse
    kind: SatisfactionKind = strawberry.field(description="NPS or CSAT.")
    score: int = strawberry.field(description="0..10 for NPS, 1..5 for CSAT.")
    comment: str | None = strawberry.field(description="What the client said, if anything.")
    received_at: datetime.datetime = strawberry.field(description="When the answer was given.")
    account_id: strawberry.Private[int]
    contact_id: strawberry.Private[int | None]
    recorded_by_id: strawberry.Private[int | None]

    @field(description="The account the answer is about.")
    async def account(self, info: Info) -> Annotated["Account", strawberry.lazy("schema.accounts")]:
        return await load_required(info, ACCOUNT, self.account_id)

    @field(description="Who answered, when known.")
    async def contact(
        self, info: Info
    ) -> Annotated["Contact", strawberry.lazy("schema.clients")] | None:
        return await load(info, CONTACT, self.contact_id)

    @field(description="Who recorded the answer.")
    async def recorded_by(self, info: Info) -> User | None:
        return await load(info, User, self.recorded_by_id)


@strawberry.input(description="Narrows a list of satisfaction responses.")
class SatisfactionResponseFilter:
    kinds: list[SatisfactionKind] | None = None
    contact_ids: list[GlobalID] | None = None
    received_after: datetime.datetime | None = strawberry.field(
        default=None, description="Only answers received at or after this time."
    )
    received_before: datetime.datetime | None = strawberry.field(
        default=None, description="Only answers received before this time."
    )


def response_condition(f: SatisfactionResponseFilter | None) -> Q:
    if f is None:
        return Q()
    return conditions(
        kind__in=values(f.kinds),
        contact_id__in=pks(f.contact_ids, "Contact"),
        received_at__gte=f.received_after,
        received_at__lt=f.received_before,
    )


RESPONSE_COLUMNS = {"RECEIVED_AT": "received_at", "SCORE": "score"}
RESPONSES: Listing = Listing(
    SatisfactionResponse,
    SatisfactionResponseFilter,
    response_condition,
    RESPONSE_COLUMNS,
    ("-received_at", "-id"),
    archivable=False,
)
SatisfactionResponseOrder: type = order_input("SatisfactionResponse", RESPONSE_COLUMNS)
