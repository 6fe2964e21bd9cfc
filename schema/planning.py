"""Account plans in the graph: plans, their objectives, actions, linked deals and progress.

Below ``Account`` (which lists an account's plans), so a plan refers to its account upward.
"""

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.relay import GlobalID
from tortoise.expressions import Q

import models
from ids import to_global_id
from resolvers.core.analytics import plan_progress_loader
from resolvers.core.listing import conditions, pks, search_condition
from schema.base import Above, Info, RecordNode, field, load, load_children, load_required
from schema.enums import ArchiveState, ObjectiveStatus, PlanStatus
from schema.filters import ARCHIVED_HELP, values
from schema.listing import Listing, order_input
from schema.opportunities import Opportunity
from schema.people import User
from services.analytics import plans as plans_service

if TYPE_CHECKING:
    from schema.accounts import Account

ACCOUNT: "Above[Account]" = Above(models.Account)


@strawberry.type(description="A step of an account plan; done once it has a completion time.")
class PlanAction(RecordNode):
    model = models.PlanAction
    title: str = strawberry.field(description="What is to be done.")
    due_date: datetime.date | None = strawberry.field(description="When it is due.")
    completed_at: datetime.datetime | None = strawberry.field(
        description="When it was done; null while still to do."
    )
    plan_id: strawberry.Private[int]
    objective_id: strawberry.Private[int | None]
    owner_id: strawberry.Private[int | None]

    @field(description="True once the action is done.")
    def is_done(self) -> bool:
        return self.completed_at is not None

    @field(description="Who does it.")
    async def owner(self, info: Info) -> User | None:
        return await load(info, User, self.owner_id)

    @field(description="The plan the action belongs to.")
    async def plan(self, info: Info) -> "AccountPlan":
        return await load_required(info, AccountPlan, self.plan_id)

    @field(description="The objective the action works towards, if any.")
    async def objective(self, info: Info) -> "PlanObjective | None":
        return await load(info, PlanObjective, self.objective_id)


@strawberry.type(
    description="What an account plan aims at: a title, an owner, a due date, a status and a "
    "measure, with the deals whose progress counts towards it."
)
class PlanObjective(RecordNode):
    model = models.PlanObjective
    title: str = strawberry.field(description="What the objective is.")
    due_date: datetime.date | None = strawberry.field(description="When it is to be reached.")
    status: ObjectiveStatus
    measure: str | None = strawberry.field(
        description="How reaching it is measured, in words, e.g. 'Platform expansion signed'."
    )
    position: int
    plan_id: strawberry.Private[int]
    owner_id: strawberry.Private[int | None]

    @field(description="Who is responsible for the objective.")
    async def owner(self, info: Info) -> User | None:
        return await load(info, User, self.owner_id)

    @field(description="The plan the objective belongs to.")
    async def plan(self, info: Info) -> "AccountPlan":
        return await load_required(info, AccountPlan, self.plan_id)

    @field(description="Deals of the account whose progress counts towards it.")
    async def opportunities(self, info: Info) -> list[Opportunity]:
        links = await info.context.loaders.children(
            models.PlanObjectiveOpportunity, "objective_id", ("id",)
        ).load(self.id)
        deals = await info.context.loaders.record(models.Opportunity).load_many(
            [link.opportunity_id for link in links]
        )
        return [Opportunity.from_row(deal) for deal in deals if deal is not None]

    @field(description="The plan's actions towards this objective, in order added.")
    async def actions(self, info: Info) -> list[PlanAction]:
        return await load_children(info, PlanAction, "objective_id", self.id, "id")


@strawberry.type(description="Linked deals in one currency.")
class DealProgress:
    currency: str = strawberry.field(description="ISO 4217 code of the amounts.")
    open_amount: Decimal = strawberry.field(description="Amount of the open deals.")
    weighted_amount: Decimal = strawberry.field(
        description="Open amount x probability / 100, rounded to the cent after adding."
    )
    won_amount: Decimal = strawberry.field(description="Amount of the deals won.")
    open_count: int = strawberry.field(description="How many open deals.")
    won_count: int = strawberry.field(description="How many deals won.")

    @classmethod
    def many(cls, items: list[plans_service.DealProgress]) -> list["DealProgress"]:
        return [cls(**vars(x)) for x in items]


@strawberry.type(description="Progress of one objective, from the deals linked to it.")
class ObjectiveProgress:
    objective_pk: strawberry.Private[int]
    amounts: list[DealProgress] = strawberry.field(description="Per currency.")

    @field(description="The objective's global id.")
    def objective_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("PlanObjective", self.objective_pk))


@strawberry.type(
    description="An account plan's progress: the deals linked to its objectives (each once) "
    "against its revenue target."
)
class PlanProgress:
    plan_pk: strawberry.Private[int]
    revenue_target: Decimal | None = strawberry.field(description="The plan's revenue target.")
    currency: str = strawberry.field(description="The plan's currency.")
    attainment: Decimal | None = strawberry.field(
        description="Won in the plan's currency as a percentage of the target; null without one."
    )
    amounts: list[DealProgress] = strawberry.field(description="The plan's deals, per currency.")
    objectives: list[ObjectiveProgress] = strawberry.field(description="Per objective, in order.")

    @field(description="The plan's global id.")
    def plan_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("AccountPlan", self.plan_pk))

    @classmethod
    def of(cls, p: plans_service.PlanProgress) -> "PlanProgress":
        return cls(
            plan_pk=p.plan_id,
            revenue_target=p.revenue_target,
            currency=p.currency,
            attainment=p.attainment,
            amounts=DealProgress.many(p.amounts),
            objectives=[
                ObjectiveProgress(objective_pk=o.objective_id, amounts=DealProgress.many(o.amounts))
                for o in p.objectives
            ],
        )


async def resolve_plan_progress(info: Info, plan_id: int) -> PlanProgress | None:
    """``AccountPlan.progress``, batched over the plans of the request."""
    found = await plan_progress_loader(info.context).load(plan_id)
    return PlanProgress.of(found) if found else None


@strawberry.type(description="How an account manager means to grow an account over a period.")
class AccountPlan(RecordNode):
    model = models.AccountPlan
    name: str
    period_start: datetime.date = strawberry.field(description="First day of the plan's period.")
    period_end: datetime.date = strawberry.field(description="Last day of the plan's period.")
    status: PlanStatus
    revenue_target: Decimal | None = strawberry.field(
        description="Revenue the plan aims to win over its period, in `currency`."
    )
    currency: str
    summary: str | None = strawberry.field(description="The plan in a few sentences.")
    archived_at: datetime.datetime | None
    account_id: strawberry.Private[int]
    owner_id: strawberry.Private[int]

    @field(description="The account the plan is for.")
    async def account(self, info: Info) -> Annotated["Account", strawberry.lazy("schema.accounts")]:
        return await load_required(info, ACCOUNT, self.account_id)

    @field(description="Who writes and runs the plan.")
    async def owner(self, info: Info) -> User:
        return await load_required(info, User, self.owner_id)

    @field(description="The plan's objectives, in order.")
    async def objectives(self, info: Info) -> list[PlanObjective]:
        return await load_children(info, PlanObjective, "plan_id", self.id, "position", "id")

    @field(description="The plan's actions, in the order they were added.")
    async def actions(self, info: Info) -> list[PlanAction]:
        return await load_children(info, PlanAction, "plan_id", self.id, "id")

    @field(
        description="Open, weighted and won amounts of the deals linked to the plan's "
        "objectives, against its revenue target: computed, never typed in."
    )
    async def progress(self, info: Info) -> PlanProgress | None:
        return await resolve_plan_progress(info, self.id)


@strawberry.input(description="Narrows a list of account plans.")
class AccountPlanFilter:
    ids: list[GlobalID] | None = None
    search: str | None = strawberry.field(default=None, description="Words in the plan's name.")
    account_ids: list[GlobalID] | None = None
    owner_ids: list[GlobalID] | None = None
    statuses: list[PlanStatus] | None = None
    active_on: datetime.date | None = strawberry.field(
        default=None, description="Only plans whose period includes this day."
    )
    archived: ArchiveState = strawberry.field(
        default=ArchiveState.ACTIVE, description=ARCHIVED_HELP
    )


def plan_condition(f: AccountPlanFilter | None) -> Q:
    if f is None:
        return Q()
    return search_condition(f.search, "name") & conditions(
        id__in=pks(f.ids, "AccountPlan"),
        account_id__in=pks(f.account_ids, "Account"),
        owner_id__in=pks(f.owner_ids, "User"),
        status__in=values(f.statuses),
        period_start__lte=f.active_on,
        period_end__gte=f.active_on,
    )


PLAN_COLUMNS = {
    "NAME": "name",
    "PERIOD_START": "period_start",
    "CREATED_AT": "created_at",
}
PLANS: Listing = Listing(
    AccountPlan, AccountPlanFilter, plan_condition, PLAN_COLUMNS, ("-period_start",)
)
AccountPlanOrder: type = order_input("AccountPlan", PLAN_COLUMNS)
