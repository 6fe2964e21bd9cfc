"""Mutations of the account manager's day: plans, satisfaction, coordination requests, targets.

Imported by ``schema.mutations`` once its generic machinery is defined.
"""

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.relay import GlobalID

from models import User
from resolvers.mutation import respond
from schema.base import Info
from schema.coordination import CoordinationComment, CoordinationRequest
from schema.enums import (
    ObjectiveStatus,
    PlanStatus,
    RequestPriority,
    RequestStatus,
    SatisfactionKind,
    TargetMetric,
)
from schema.inputs import expected_version_field, id_input, opt, update_input
from schema.mutations import (
    create_work,
    ensure_may_write,
    entity_mutations,
    input_values,
    payload_type,
    record_mutation,
    update_work,
)
from schema.planning import AccountPlan, PlanAction, PlanObjective
from schema.satisfaction import SatisfactionResponse
from schema.targets import Target
from services import coordination, planning, satisfaction, targets
from services.errors import Forbidden

# ---- inputs ---------------------------------------------------------------------------------


@strawberry.input(description="A new plan for an account and period.")
class CreateAccountPlanInput:
    account_id: GlobalID
    name: str
    period_start: date = strawberry.field(description="First day of the plan's period.")
    period_end: date = strawberry.field(description="Last day; after the first.")
    owner_id: GlobalID | None = opt("Who runs the plan; the account's owner when omitted.")
    status: PlanStatus | None = opt("DRAFT when omitted.")
    revenue_target: Decimal | None = opt("Revenue the plan aims to win over its period.")
    currency: str | None = opt("ISO 4217 code; the account's currency when omitted.")
    summary: str | None = opt("The plan in a few sentences.")


@strawberry.input(description="A new objective of an account plan.")
class CreatePlanObjectiveInput:
    plan_id: GlobalID
    title: str = strawberry.field(description="What the objective is.")
    owner_id: GlobalID | None = opt("Who is responsible; must be an active user.")
    due_date: date | None = opt("When it is to be reached.")
    status: ObjectiveStatus | None = opt("NOT_STARTED when omitted.")
    measure: str | None = opt("How reaching it is measured, in words.")
    position: int | None = opt("Order among the plan's objectives, from 0.")


@strawberry.input(description="A new action of an account plan.")
class CreatePlanActionInput:
    plan_id: GlobalID
    title: str = strawberry.field(description="What is to be done.")
    objective_id: GlobalID | None = opt("The plan's objective it works towards.")
    owner_id: GlobalID | None = opt("Who does it; must be an active user.")
    due_date: date | None = opt("When it is due.")
    completed_at: datetime | None = opt("When it was done; null while still to do.")


@strawberry.input(description="A deal and an objective of a plan on the deal's account.")
class LinkOpportunityToObjectiveInput:
    objective_id: GlobalID
    opportunity_id: GlobalID


@strawberry.input(description="The deal to stop counting towards an objective.")
class UnlinkOpportunityFromObjectiveInput:
    objective_id: GlobalID
    opportunity_id: GlobalID


@strawberry.input(description="An NPS or CSAT answer about an account.")
class RecordSatisfactionInput:
    account_id: GlobalID
    kind: SatisfactionKind = strawberry.field(description="NPS (0..10) or CSAT (1..5).")
    score: int = strawberry.field(description="A whole number on the kind's scale.")
    contact_id: GlobalID | None = opt("Who answered; a contact of the account's client.")
    comment: str | None = opt("What the client said.")
    received_at: datetime | None = opt("When the answer was given; now when omitted.")


@strawberry.input(description="Help to ask of an internal team about an account.")
class CreateCoordinationRequestInput:
    account_id: GlobalID
    team_id: GlobalID = strawberry.field(description="The internal team asked; not a sales team.")
    title: str = strawberry.field(description="What is asked, in one line.")
    description: str | None = opt("The details of what is asked.")
    priority: RequestPriority | None = opt("NORMAL when omitted.")
    opportunity_id: GlobalID | None = opt("The deal of the account the request is about.")
    assignee_id: GlobalID | None = opt("An active member of the team asked.")
    due_date: date | None = opt("When it is needed by; not in the past.")


@strawberry.input(
    description="Fields to change; omitted fields stay as they are, null clears a value. The "
    "team asked may change only status and assignee."
)
class UpdateCoordinationRequestInput:
    id: GlobalID
    status: RequestStatus | None = opt(
        "DONE or DECLINED stamps resolvedAt; OPEN or IN_PROGRESS clears it."
    )
    assignee_id: GlobalID | None = opt("An active member of the team asked; null unassigns.")
    title: str | None = opt("What is asked, in one line.")
    description: str | None = opt("The details of what is asked.")
    priority: RequestPriority | None = opt("How urgent it is.")
    team_id: GlobalID | None = opt("Send the request to another internal team.")
    opportunity_id: GlobalID | None = opt("The deal of the account the request is about.")
    due_date: date | None = opt("When it is needed by.")
    expected_version: int | None = expected_version_field()


@strawberry.input(description="A comment on a coordination request.")
class CommentOnCoordinationRequestInput:
    request_id: GlobalID = strawberry.field(description="The request to comment on.")
    body: str


@strawberry.input(
    description="A target for one user or one team (give exactly one of userId and teamId). "
    "Setting it again for the same period and metric changes its amount."
)
class SetTargetInput:
    period_start: date = strawberry.field(description="First day of the period.")
    period_end: date = strawberry.field(description="Last day of the period; after the first.")
    amount: Decimal = strawberry.field(
        description="Revenue for REVENUE_WON, a whole count otherwise; not negative."
    )
    user_id: GlobalID | None = opt("The user the target is for.")
    team_id: GlobalID | None = opt("The team the target is for.")
    metric: TargetMetric | None = opt("REVENUE_WON when omitted.")
    currency: str | None = opt(
        "ISO 4217 code of a REVENUE_WON target (the base currency when omitted); "
        "leave it out for counts."
    )


UpdateAccountPlanInput = update_input(
    "UpdateAccountPlan", CreateAccountPlanInput, omit=("account_id",)
)
UpdatePlanObjectiveInput = update_input(
    "UpdatePlanObjective", CreatePlanObjectiveInput, omit=("plan_id",)
)
UpdatePlanActionInput = update_input("UpdatePlanAction", CreatePlanActionInput, omit=("plan_id",))


# ---- mutations that act as the signed-in user ------------------------------------------------

ViewerWork = Callable[[dict[str, Any], User], Awaitable[dict[str, Any]]]


def viewer_mutation(
    mutation: str,
    input_type: type,
    model: type,
    fields: dict[str, Any],
    work: ViewerWork,
    description: str,
    *,
    id_type: str | None = None,
) -> tuple[str, Any]:
    """A mutation whose rules depend on who the caller is, not only on their role.

    A refusal of the caller (``Forbidden``) is a top-level FORBIDDEN error, as for roles.
    """
    name = mutation[0].lower() + mutation[1:]
    payload = payload_type(mutation, fields, f"The result of {name}, or why nothing changed.")

    async def resolve(info: Info, input: input_type) -> payload:  # type: ignore[valid-type]
        ensure_may_write(info, model)
        viewer = info.context.viewer
        assert viewer is not None

        async def call() -> dict[str, Any]:
            values = await input_values(info, input, id_type)
            try:
                return await work(values, viewer)
            except Forbidden as exc:
                raise GraphQLError(str(exc), extensions={"code": "FORBIDDEN"}) from None

        return await respond(payload, call)

    return name, strawberry.mutation(resolver=resolve, description=description)


async def _create_request(values: dict[str, Any], viewer: User) -> dict[str, Any]:
    request = await coordination.create_coordination_request(actor=viewer, values=values)
    return {"coordination_request": CoordinationRequest.from_row(request)}


async def _update_request(values: dict[str, Any], viewer: User) -> dict[str, Any]:
    request_id = values.pop("id")
    request = await coordination.update_coordination_request(
        actor=viewer,
        request_id=request_id,
        expected_version=values.pop("expected_version", None),
        changes=values,
    )
    return {"coordination_request": CoordinationRequest.from_row(request)}


async def _comment(values: dict[str, Any], viewer: User) -> dict[str, Any]:
    comment, request = await coordination.comment_on_request(actor=viewer, **values)
    return {
        "comment": CoordinationComment.from_row(comment),
        "coordination_request": CoordinationRequest.from_row(request),
    }


async def _set_target(values: dict[str, Any], viewer: User) -> dict[str, Any]:
    return {"target": Target.from_row(await targets.set_target(actor=viewer, values=values))}


def _remove(kind: Any) -> Any:
    async def work(values: dict[str, Any], actor_id: int | None) -> Any:
        return await planning.remove_part(kind, record_id=values["id"], actor_id=actor_id)

    return work


def _link(operation: Callable[..., Awaitable[Any]]) -> Any:
    async def work(values: dict[str, Any], actor_id: int | None) -> Any:
        return await operation(actor_id=actor_id, **values)

    return work


REQUEST_FIELDS = {"coordination_request": CoordinationRequest}

ACCOUNT_WORK_MUTATIONS: dict[str, Any] = {
    **entity_mutations("AccountPlan", AccountPlan, planning.PLAN, None, UpdateAccountPlanInput),
    **dict(
        [
            record_mutation(
                "CreateAccountPlan",
                CreateAccountPlanInput,
                AccountPlan,
                lambda values, actor_id: planning.create_account_plan(
                    actor_id=actor_id, values=values
                ),
                "Write a plan for an account and period (a DRAFT unless said otherwise).",
            ),
            record_mutation(
                "CreatePlanObjective",
                CreatePlanObjectiveInput,
                PlanObjective,
                create_work(planning.OBJECTIVE),
                "Add an objective to an account plan.",
            ),
            record_mutation(
                "UpdatePlanObjective",
                UpdatePlanObjectiveInput,
                PlanObjective,
                update_work(planning.OBJECTIVE),
                "Change an objective of an account plan.",
                id_type="PlanObjective",
            ),
            record_mutation(
                "DeletePlanObjective",
                id_input("DeletePlanObjective", "The objective to remove."),
                PlanObjective,
                _remove(planning.OBJECTIVE),
                "Remove an objective (its actions stay on the plan, unattached); the audit log "
                "keeps its values. Returns it as it was.",
                id_type="PlanObjective",
            ),
            record_mutation(
                "CreatePlanAction",
                CreatePlanActionInput,
                PlanAction,
                create_work(planning.ACTION),
                "Add an action to an account plan.",
            ),
            record_mutation(
                "UpdatePlanAction",
                UpdatePlanActionInput,
                PlanAction,
                update_work(planning.ACTION),
                "Change an action of an account plan; set completedAt to mark it done.",
                id_type="PlanAction",
            ),
            record_mutation(
                "DeletePlanAction",
                id_input("DeletePlanAction", "The action to remove."),
                PlanAction,
                _remove(planning.ACTION),
                "Remove an action; the audit log keeps its values. Returns it as it was.",
                id_type="PlanAction",
            ),
            record_mutation(
                "LinkOpportunityToObjective",
                LinkOpportunityToObjectiveInput,
                PlanObjective,
                _link(planning.link_opportunity),
                "Count a deal of the plan's account towards an objective.",
            ),
            record_mutation(
                "UnlinkOpportunityFromObjective",
                UnlinkOpportunityFromObjectiveInput,
                PlanObjective,
                _link(planning.unlink_opportunity),
                "Stop counting a deal towards an objective.",
            ),
            record_mutation(
                "RecordSatisfaction",
                RecordSatisfactionInput,
                SatisfactionResponse,
                lambda values, actor_id: satisfaction.record_satisfaction(
                    actor_id=actor_id, values=values
                ),
                "Record an NPS (0..10) or CSAT (1..5) answer about an account.",
            ),
            viewer_mutation(
                "CreateCoordinationRequest",
                CreateCoordinationRequestInput,
                CoordinationRequest.model,
                REQUEST_FIELDS,
                _create_request,
                "Ask an internal team for help with an account; emits "
                "coordination_request.created.",
            ),
            viewer_mutation(
                "UpdateCoordinationRequest",
                UpdateCoordinationRequestInput,
                CoordinationRequest.model,
                REQUEST_FIELDS,
                _update_request,
                "Change a request: the team asked may change its status and assignee, the "
                "requester's side anything. Emits coordination_request.updated.",
                id_type="CoordinationRequest",
            ),
            viewer_mutation(
                "CommentOnCoordinationRequest",
                CommentOnCoordinationRequestInput,
                CoordinationComment.model,
                {"comment": CoordinationComment, **REQUEST_FIELDS},
                _comment,
                "Comment on a request, from the requester's side or the team asked.",
            ),
            viewer_mutation(
                "SetTarget",
                SetTargetInput,
                Target.model,
                {"target": Target},
                _set_target,
                "Set the target of a user or team for a period and metric, replacing the one "
                "set before for the same (sales managers: their team; administrators: anyone).",
            ),
        ]
    ),
}
