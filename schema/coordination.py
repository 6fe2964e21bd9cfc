"""Coordination requests in the graph: requests to internal teams and their comments.

Below ``Account`` (which lists its requests), so a request refers to its account upward."""

import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.relay import GlobalID
from tortoise.expressions import Q

import models
from resolvers.core.listing import conditions, pks, search_condition
from schema.base import Above, Info, RecordNode, field, load, load_required
from schema.enums import RequestPriority, RequestStatus
from schema.filters import values
from schema.listing import Listing, order_input
from schema.opportunities import Opportunity
from schema.people import Team, User
from services import clock
from services.coordination import UNRESOLVED, is_overdue, not_overdue_condition, overdue_condition

if TYPE_CHECKING:
    from schema.accounts import Account

ACCOUNT: "Above[Account]" = Above(models.Account)


@strawberry.type(description="A comment on a coordination request, from either side of it.")
class CoordinationComment(RecordNode):
    model = models.CoordinationComment
    body: str
    request_id: strawberry.Private[int]
    author_id: strawberry.Private[int]

    @field(description="Who wrote the comment.")
    async def author(self, info: Info) -> User:
        return await load_required(info, User, self.author_id)

    @field(description="The request commented on.")
    async def request(self, info: Info) -> "CoordinationRequest":
        return await load_required(info, CoordinationRequest, self.request_id)


@strawberry.input(description="Narrows a request's comments.")
class CoordinationCommentFilter:
    author_ids: list[GlobalID] | None = None


def comment_condition(f: CoordinationCommentFilter | None) -> Q:
    return conditions(author_id__in=pks(f.author_ids, "User")) if f else Q()


COMMENT_COLUMNS = {"CREATED_AT": "created_at"}
COMMENTS: Listing = Listing(
    CoordinationComment,
    CoordinationCommentFilter,
    comment_condition,
    COMMENT_COLUMNS,
    ("created_at", "id"),
    archivable=False,
)
CoordinationCommentOrder: type = order_input("CoordinationComment", COMMENT_COLUMNS)


@strawberry.type(
    description="Help asked of an internal team (delivery, support, legal, finance, product) "
    "about an account or one of its deals."
)
class CoordinationRequest(RecordNode):
    model = models.CoordinationRequest
    title: str = strawberry.field(description="What is asked, in one line.")
    description: str | None = strawberry.field(description="The details of what is asked.")
    priority: RequestPriority = strawberry.field(description="How urgent it is.")
    status: RequestStatus
    due_date: datetime.date | None = strawberry.field(description="When it is needed by.")
    resolved_at: datetime.datetime | None = strawberry.field(
        description="When it became DONE or DECLINED; null while open."
    )
    team_id: strawberry.Private[int]
    account_id: strawberry.Private[int]
    opportunity_id: strawberry.Private[int | None]
    requester_id: strawberry.Private[int]
    assignee_id: strawberry.Private[int | None]

    @field(description="True when it is still open after its due date (UTC).")
    def is_overdue(self) -> bool:
        return is_overdue(self, clock.today())

    @field(description="The team asked.")
    async def team(self, info: Info) -> Team:
        return await load_required(info, Team, self.team_id)

    @field(description="The account the request is about.")
    async def account(self, info: Info) -> Annotated["Account", strawberry.lazy("schema.accounts")]:
        return await load_required(info, ACCOUNT, self.account_id)

    @field(description="The deal the request is about, if any.")
    async def opportunity(self, info: Info) -> Opportunity | None:
        return await load(info, Opportunity, self.opportunity_id)

    @field(description="Who asked.")
    async def requester(self, info: Info) -> User:
        return await load_required(info, User, self.requester_id)

    @field(description="The team member working on it, if assigned.")
    async def assignee(self, info: Info) -> User | None:
        return await load(info, User, self.assignee_id)

    comments = COMMENTS.child_field(
        CoordinationCommentOrder, "request_id", "Comments on the request, oldest first."
    )


@strawberry.input(description="Narrows a list of coordination requests.")
class CoordinationRequestFilter:
    ids: list[GlobalID] | None = None
    search: str | None = strawberry.field(default=None, description="Words in the title.")
    team_ids: list[GlobalID] | None = None
    account_ids: list[GlobalID] | None = None
    opportunity_ids: list[GlobalID] | None = None
    requester_ids: list[GlobalID] | None = None
    assignee_ids: list[GlobalID] | None = None
    statuses: list[RequestStatus] | None = None
    priorities: list[RequestPriority] | None = strawberry.field(
        default=None, description="Only requests of these priorities."
    )
    unassigned: bool | None = strawberry.field(
        default=None, description="Only requests nobody (true) or somebody (false) is assigned."
    )
    overdue: bool | None = strawberry.field(
        default=None,
        description="Only requests still OPEN or IN_PROGRESS after their due date (true), or "
        "only the others (false).",
    )
    due_before: datetime.date | None = strawberry.field(
        default=None, description="Only requests due before this day."
    )


def request_condition(f: CoordinationRequestFilter | None) -> Q:
    if f is None:
        return Q()
    condition = search_condition(f.search, "title") & conditions(
        id__in=pks(f.ids, "CoordinationRequest"),
        team_id__in=pks(f.team_ids, "Team"),
        account_id__in=pks(f.account_ids, "Account"),
        opportunity_id__in=pks(f.opportunity_ids, "Opportunity"),
        requester_id__in=pks(f.requester_ids, "User"),
        assignee_id__in=pks(f.assignee_ids, "User"),
        status__in=values(f.statuses),
        priority__in=values(f.priorities),
        assignee_id__isnull=f.unassigned,
        due_date__lt=f.due_before,
    )
    if f.overdue is not None:
        today = clock.today()
        condition &= overdue_condition(today) if f.overdue else not_overdue_condition(today)
    return condition


def queue_condition(info: Info) -> Q:
    """What waits on the caller: unresolved requests sent to their team or assigned to them."""
    viewer = info.context.viewer
    if viewer is None:
        return Q(pk__in=[])
    waiting = Q(assignee_id=viewer.pk)
    if viewer.team_id is not None:
        waiting |= Q(team_id=viewer.team_id)
    return waiting & Q(status__in=UNRESOLVED)


REQUEST_COLUMNS = {"DUE_DATE": "due_date", "CREATED_AT": "created_at", "UPDATED_AT": "updated_at"}
REQUESTS: Listing = Listing(
    CoordinationRequest,
    CoordinationRequestFilter,
    request_condition,
    REQUEST_COLUMNS,
    ("-created_at", "-id"),
    archivable=False,
)
CoordinationRequestOrder: type = order_input("CoordinationRequest", REQUEST_COLUMNS)
