"""Accounts in the graph: the commercial relationships account managers own, with their
team, deals, plans, satisfaction answers and coordination requests."""

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

import models
from resolvers.core.errors import bad_input
from resolvers.core.pagination import PageArgs, PaginationError
from resolvers.core.timeline import timeline_page
from schema.activities import ACTIVITIES, TIMELINE, Activity, ActivityOrder
from schema.base import (
    Above,
    Connection,
    Info,
    RecordNode,
    field,
    load_children,
    load_required,
)
from schema.coordination import REQUESTS, CoordinationRequest, CoordinationRequestOrder
from schema.enums import AccountStatus, AccountTier
from schema.figures import (
    AccountHealth,
    AccountSatisfaction,
    PeriodInput,
    resolve_account_health,
    resolve_account_satisfaction,
)
from schema.filters import AccountFilter, account_condition
from schema.listing import Listing, order_input
from schema.opportunities import OPPORTUNITIES, OpportunityOrder, OpportunityStageChange
from schema.people import User
from schema.planning import PLANS, AccountPlanOrder
from schema.satisfaction import RESPONSES, SatisfactionResponse, SatisfactionResponseOrder

if TYPE_CHECKING:
    from schema.clients import Client

CLIENT: "Above[Client]" = Above(models.Client)


TimelineNode = Activity | OpportunityStageChange | CoordinationRequest | SatisfactionResponse
TimelineItem = Annotated[
    TimelineNode,
    strawberry.union(
        "TimelineItem",
        description="Something that happened on an account: an activity (at its occurredAt), "
        "a deal's stage change (changedAt), a coordination request (createdAt) or a "
        "satisfaction answer (receivedAt).",
    ),
]
TIMELINE_TYPES: dict[str, type[TimelineNode]] = {
    node.__name__: node
    for node in (Activity, OpportunityStageChange, CoordinationRequest, SatisfactionResponse)
}


async def resolve_timeline(
    info: Info,
    account_id: int,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[TimelineItem]:
    """One page of an account's timeline (``resolvers/core/timeline.py``)."""
    try:
        page = await timeline_page(
            info.context.loaders, account_id, PageArgs(first, after, last, before)
        )
    except PaginationError as exc:
        raise bad_input(str(exc)) from None
    edges = [
        relay.Edge(cursor=cursor, node=TIMELINE_TYPES[source.kind].from_row(row))
        for source, row, cursor in page.items
    ]
    page_info = relay.PageInfo(
        has_next_page=page.has_next,
        has_previous_page=page.has_previous,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, page_info=page_info, total=page.total)


@strawberry.type(description="A user's role on an account's team.")
class AccountTeamMember(RecordNode):
    model = models.AccountTeamMember
    role: str
    user_id: strawberry.Private[int]

    @strawberry.field
    async def user(self, info: Info) -> User:
        return await load_required(info, User, self.user_id)


@strawberry.type(
    description="A commercial relationship with a client, owned by an account manager."
)
class Account(RecordNode):
    model = models.Account
    name: str
    tier: AccountTier
    status: AccountStatus
    annual_recurring_value: Decimal
    currency: str
    renewal_date: date | None
    archived_at: datetime | None
    client_id: strawberry.Private[int]
    owner_id: strawberry.Private[int]

    @strawberry.field
    async def client(self, info: Info) -> Annotated["Client", strawberry.lazy("schema.clients")]:
        return await load_required(info, CLIENT, self.client_id)

    @field(description="The account manager who owns the account.")
    async def owner(self, info: Info) -> User:
        return await load_required(info, User, self.owner_id)

    @field(description="Users with a role on the account's team.")
    async def account_team(self, info: Info) -> list[AccountTeamMember]:
        return await load_children(info, AccountTeamMember, "account_id", self.id, "id")

    opportunities = OPPORTUNITIES.child_field(
        OpportunityOrder,
        "account_id",
        "The account's deals, newest first unless ordered otherwise.",
    )
    activities = ACTIVITIES.child_field(ActivityOrder, "account_id", TIMELINE)
    plans = PLANS.child_field(
        AccountPlanOrder, "account_id", "The account's plans, latest period first."
    )
    satisfaction_responses = RESPONSES.child_field(
        SatisfactionResponseOrder, "account_id", "NPS and CSAT answers, newest first."
    )
    coordination_requests = REQUESTS.child_field(
        CoordinationRequestOrder,
        "account_id",
        "Requests to internal teams about the account, newest first.",
    )

    @field(
        description="What happened on the account, newest first: activities, its deals' stage "
        "changes, coordination requests and satisfaction answers, as the caller may see them. "
        "Cursors are positions (time, type, id), so items added or removed between pages "
        "shift nothing; `first`/`after` walk towards older items, `last`/`before` towards "
        "newer ones; 20 items by default, at most 100."
    )
    async def timeline(
        self,
        info: Info,
        first: Annotated[
            int | None, strawberry.argument(description="How many items, going back in time.")
        ] = None,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="An item's cursor: the page starts with the next older item."
            ),
        ] = None,
        last: Annotated[
            int | None, strawberry.argument(description="How many items, going forward in time.")
        ] = None,
        before: Annotated[
            str | None,
            strawberry.argument(
                description="An item's cursor: the page ends with the next newer item."
            ),
        ] = None,
    ) -> Connection[TimelineItem]:
        return await resolve_timeline(info, self.id, first, after, last, before)

    @field(
        description="How the account is doing now: score, status and the weighted components "
        "it is computed from."
    )
    async def health(self, info: Info) -> AccountHealth:
        return await resolve_account_health(info, self.id)  # type: ignore[return-value]

    @field(description="NPS and CSAT over a period, and the trend.")
    async def satisfaction(
        self,
        info: Info,
        period: Annotated[
            PeriodInput | None,
            strawberry.argument(description="The period; the current quarter by default."),
        ] = None,
    ) -> AccountSatisfaction:
        return await resolve_account_satisfaction(info, self.id, period)  # type: ignore[return-value]


ACCOUNT_COLUMNS = {
    "NAME": "name",
    "ANNUAL_RECURRING_VALUE": "annual_recurring_value",
    "RENEWAL_DATE": "renewal_date",
    "CREATED_AT": "created_at",
    "UPDATED_AT": "updated_at",
}
ACCOUNTS = Listing(Account, AccountFilter, account_condition, ACCOUNT_COLUMNS, ("name",))
AccountOrder = order_input("Account", ACCOUNT_COLUMNS)
