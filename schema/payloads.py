"""Mutation payloads: one named class each, with the changed records and ``errors``."""

import strawberry

from schema.base import UserError
from schema.coordination import CoordinationComment, CoordinationRequest
from schema.planning import AccountPlan, PlanAction, PlanObjective
from schema.satisfaction import SatisfactionResponse
from schema.targets import Target

# ---- plans, coordination requests, satisfaction, targets ----


@strawberry.type(
    description="The result of createAccountPlan: the accountPlan, or why nothing changed."
)
class CreateAccountPlanPayload:
    account_plan: AccountPlan | None = None
    errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(
    description="The result of updateAccountPlan: the accountPlan, or why nothing changed."
)
class UpdateAccountPlanPayload:
    account_plan: AccountPlan | None = None
    errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(
    description="The result of archiveAccountPlan: the accountPlan, or why nothing changed."
)
class ArchiveAccountPlanPayload:
    account_plan: AccountPlan | None = None
    errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(
    description="The result of restoreAccountPlan: the accountPlan, or why nothing changed."
)
class RestoreAccountPlanPayload:
    account_plan: AccountPlan | None = None
    errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(
    description="The result of createPlanObjective: the planObjective, or why nothing changed."
)
class CreatePlanObjectivePayload:
    plan_objective: PlanObjective | None = None
    errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(
    description="The result of updatePlanObjective: the planObjective, or why nothing changed."
)
class UpdatePlanObjectivePayload:
    plan_objective: PlanObjective | None = None
    errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(
    description="The result of deletePlanObjective: the planObjective, or why nothing changed."
)
class DeletePlanObjectivePayload:
    plan_objective: PlanObjective | None = None
    errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(
    description="The result of linkOpportunityToObjective: the planObjective, or why nothing "
    "changed."
)
class LinkOpportunityToObjectivePayload:
    plan_objective: PlanObjective | None = None
    errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(
    description="The result of unlinkOpportunityFromObjective: the planObjective, or why nothing "
    "changed."
)
class UnlinkOpportunityFromObjectivePayload:
    plan_objective: PlanObjective | None = None
    errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(
    description="The result of createPlanAction: the planAction, or why nothing changed."
)
class CreatePlanActionPayload:
    plan_action: PlanAction | None = None
    errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(
    description="The result of updatePlanAction: the planAction, or why nothing changed."
)
class UpdatePlanActionPayload:
    plan_action: PlanAction | None = None
    errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(
    description="The result of deletePlanAction: the planAction, or why nothing changed."
)
class DeletePlanActionPayload:
    plan_action: PlanAction | None = None
    errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(
    description="The result of recordSatisfaction: the satisfactionResponse, or why nothing "
    "changed."
)
class RecordSatisfactionPayload:
    satisfaction_response: SatisfactionResponse | None = None
    errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(description="The result of createCoordinationRequest, or why nothing changed.")
class CreateCoordinationRequestPayload:
    coordination_request: CoordinationRequest | None = None
    errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(description="The result of updateCoordinationRequest, or why nothing changed.")
class UpdateCoordinationRequestPayload:
    coordination_request: CoordinationRequest | None = None
    errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(description="The result of commentOnCoordinationRequest, or why nothing changed.")
class CommentOnCoordinationRequestPayload:
    comment: CoordinationComment | None = None
    coordination_request: CoordinationRequest | None = None
    errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(description="The result of setTarget, or why nothing changed.")
class SetTargetPayload:
    target: Target | None = None
    errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")
