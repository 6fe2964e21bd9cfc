"""Mutation payloads: one named type per mutation, carrying the records it changed (null when
nothing changed) and ``errors``, why nothing changed (empty on success). One section per
domain."""

from typing import Any

import strawberry

from schema.accounts import Account
from schema.activities import Activity
from schema.base import UserError
from schema.catalog import Competitor, Product
from schema.clients import Client, Contact
from schema.coordination import CoordinationComment, CoordinationRequest
from schema.leads import Lead
from schema.opportunities import (
    Opportunity,
    OpportunityCompetitor,
    OpportunityLineItem,
    OpportunityStageChange,
)
from schema.people import Team, User
from schema.planning import AccountPlan, PlanAction, PlanObjective
from schema.satisfaction import SatisfactionResponse
from schema.targets import Target


def errors_field() -> Any:
    """The ``errors`` field every payload ends with."""
    return strawberry.field(description="Why nothing changed; empty on success.")


# ---- clients and contacts ----


@strawberry.type(description="The result of createClient: the client, or why nothing changed.")
class CreateClientPayload:
    client: Client | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of updateClient: the client, or why nothing changed.")
class UpdateClientPayload:
    client: Client | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of archiveClient: the client, or why nothing changed.")
class ArchiveClientPayload:
    client: Client | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of restoreClient: the client, or why nothing changed.")
class RestoreClientPayload:
    client: Client | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of createContact: the contact, or why nothing changed.")
class CreateContactPayload:
    contact: Contact | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of updateContact: the contact, or why nothing changed.")
class UpdateContactPayload:
    contact: Contact | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of archiveContact: the contact, or why nothing changed.")
class ArchiveContactPayload:
    contact: Contact | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of restoreContact: the contact, or why nothing changed.")
class RestoreContactPayload:
    contact: Contact | None = None
    errors: list[UserError] = errors_field()


# ---- accounts ----


@strawberry.type(description="The result of createAccount: the account, or why nothing changed.")
class CreateAccountPayload:
    account: Account | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of updateAccount: the account, or why nothing changed.")
class UpdateAccountPayload:
    account: Account | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of archiveAccount: the account, or why nothing changed.")
class ArchiveAccountPayload:
    account: Account | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of restoreAccount: the account, or why nothing changed.")
class RestoreAccountPayload:
    account: Account | None = None
    errors: list[UserError] = errors_field()


# ---- catalog: products and competitors ----


@strawberry.type(description="The result of createProduct: the product, or why nothing changed.")
class CreateProductPayload:
    product: Product | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of updateProduct: the product, or why nothing changed.")
class UpdateProductPayload:
    product: Product | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of archiveProduct: the product, or why nothing changed.")
class ArchiveProductPayload:
    product: Product | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of restoreProduct: the product, or why nothing changed.")
class RestoreProductPayload:
    product: Product | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of createCompetitor: the competitor, or why nothing changed."
)
class CreateCompetitorPayload:
    competitor: Competitor | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of updateCompetitor: the competitor, or why nothing changed."
)
class UpdateCompetitorPayload:
    competitor: Competitor | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of archiveCompetitor: the competitor, or why nothing changed."
)
class ArchiveCompetitorPayload:
    competitor: Competitor | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of restoreCompetitor: the competitor, or why nothing changed."
)
class RestoreCompetitorPayload:
    competitor: Competitor | None = None
    errors: list[UserError] = errors_field()


# ---- deals: the deal, its stage, its line items and competitors ----


@strawberry.type(
    description="The result of createOpportunity: the opportunity, or why nothing changed."
)
class CreateOpportunityPayload:
    opportunity: Opportunity | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of updateOpportunity: the opportunity, or why nothing changed."
)
class UpdateOpportunityPayload:
    opportunity: Opportunity | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of archiveOpportunity: the opportunity, or why nothing changed."
)
class ArchiveOpportunityPayload:
    opportunity: Opportunity | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of restoreOpportunity: the opportunity, or why nothing changed."
)
class RestoreOpportunityPayload:
    opportunity: Opportunity | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The deal after the move and the stage change written for it.")
class MoveOpportunityStagePayload:
    opportunity: Opportunity | None = None
    stage_change: OpportunityStageChange | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of createOpportunityLineItem: the opportunityLineItem, or why nothing "
    "changed."
)
class CreateOpportunityLineItemPayload:
    opportunity_line_item: OpportunityLineItem | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of updateOpportunityLineItem: the opportunityLineItem, or why nothing "
    "changed."
)
class UpdateOpportunityLineItemPayload:
    opportunity_line_item: OpportunityLineItem | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of deleteOpportunityLineItem: the opportunityLineItem, or why nothing "
    "changed."
)
class DeleteOpportunityLineItemPayload:
    opportunity_line_item: OpportunityLineItem | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of createOpportunityCompetitor: the opportunityCompetitor, or why "
    "nothing changed."
)
class CreateOpportunityCompetitorPayload:
    opportunity_competitor: OpportunityCompetitor | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of updateOpportunityCompetitor: the opportunityCompetitor, or why "
    "nothing changed."
)
class UpdateOpportunityCompetitorPayload:
    opportunity_competitor: OpportunityCompetitor | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of deleteOpportunityCompetitor: the opportunityCompetitor, or why "
    "nothing changed."
)
class DeleteOpportunityCompetitorPayload:
    opportunity_competitor: OpportunityCompetitor | None = None
    errors: list[UserError] = errors_field()


# ---- leads ----


@strawberry.type(description="The result of createLead: the lead, or why nothing changed.")
class CreateLeadPayload:
    lead: Lead | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of updateLead: the lead, or why nothing changed.")
class UpdateLeadPayload:
    lead: Lead | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of archiveLead: the lead, or why nothing changed.")
class ArchiveLeadPayload:
    lead: Lead | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of restoreLead: the lead, or why nothing changed.")
class RestoreLeadPayload:
    lead: Lead | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The converted lead and the records made or reused for it.")
class ConvertLeadPayload:
    lead: Lead | None = None
    client: Client | None = None
    contact: Contact | None = None
    account: Account | None = None
    opportunity: Opportunity | None = None
    errors: list[UserError] = errors_field()


# ---- activities ----


@strawberry.type(description="The result of logActivity: the activity, or why nothing changed.")
class LogActivityPayload:
    activity: Activity | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of completeTask: the activity, or why nothing changed.")
class CompleteTaskPayload:
    activity: Activity | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of updateActivity: the activity, or why nothing changed.")
class UpdateActivityPayload:
    activity: Activity | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of archiveActivity: the activity, or why nothing changed.")
class ArchiveActivityPayload:
    activity: Activity | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of restoreActivity: the activity, or why nothing changed.")
class RestoreActivityPayload:
    activity: Activity | None = None
    errors: list[UserError] = errors_field()


# ---- users and teams ----


@strawberry.type(description="The result of createUser: the user, or why nothing changed.")
class CreateUserPayload:
    user: User | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of updateUser: the user, or why nothing changed.")
class UpdateUserPayload:
    user: User | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of deactivateUser: the user, or why nothing changed.")
class DeactivateUserPayload:
    user: User | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of createTeam: the team, or why nothing changed.")
class CreateTeamPayload:
    team: Team | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of updateTeam: the team, or why nothing changed.")
class UpdateTeamPayload:
    team: Team | None = None
    errors: list[UserError] = errors_field()


# ---- plans, coordination requests, satisfaction, targets ----


@strawberry.type(
    description="The result of createAccountPlan: the accountPlan, or why nothing changed."
)
class CreateAccountPlanPayload:
    account_plan: AccountPlan | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of updateAccountPlan: the accountPlan, or why nothing changed."
)
class UpdateAccountPlanPayload:
    account_plan: AccountPlan | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of archiveAccountPlan: the accountPlan, or why nothing changed."
)
class ArchiveAccountPlanPayload:
    account_plan: AccountPlan | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of restoreAccountPlan: the accountPlan, or why nothing changed."
)
class RestoreAccountPlanPayload:
    account_plan: AccountPlan | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of createPlanObjective: the planObjective, or why nothing changed."
)
class CreatePlanObjectivePayload:
    plan_objective: PlanObjective | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of updatePlanObjective: the planObjective, or why nothing changed."
)
class UpdatePlanObjectivePayload:
    plan_objective: PlanObjective | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of deletePlanObjective: the planObjective, or why nothing changed."
)
class DeletePlanObjectivePayload:
    plan_objective: PlanObjective | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of linkOpportunityToObjective: the planObjective, or why nothing "
    "changed."
)
class LinkOpportunityToObjectivePayload:
    plan_objective: PlanObjective | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of unlinkOpportunityFromObjective: the planObjective, or why nothing "
    "changed."
)
class UnlinkOpportunityFromObjectivePayload:
    plan_objective: PlanObjective | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of createPlanAction: the planAction, or why nothing changed."
)
class CreatePlanActionPayload:
    plan_action: PlanAction | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of updatePlanAction: the planAction, or why nothing changed."
)
class UpdatePlanActionPayload:
    plan_action: PlanAction | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of deletePlanAction: the planAction, or why nothing changed."
)
class DeletePlanActionPayload:
    plan_action: PlanAction | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(
    description="The result of recordSatisfaction: the satisfactionResponse, or why nothing "
    "changed."
)
class RecordSatisfactionPayload:
    satisfaction_response: SatisfactionResponse | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of createCoordinationRequest, or why nothing changed.")
class CreateCoordinationRequestPayload:
    coordination_request: CoordinationRequest | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of updateCoordinationRequest, or why nothing changed.")
class UpdateCoordinationRequestPayload:
    coordination_request: CoordinationRequest | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of commentOnCoordinationRequest, or why nothing changed.")
class CommentOnCoordinationRequestPayload:
    comment: CoordinationComment | None = None
    coordination_request: CoordinationRequest | None = None
    errors: list[UserError] = errors_field()


@strawberry.type(description="The result of setTarget, or why nothing changed.")
class SetTargetPayload:
    target: Target | None = None
    errors: list[UserError] = errors_field()
