"""Tortoise models: fields, relations and indexes; no business rules."""

from models.accounts import Account, AccountTeamMember
from models.activities import Activity
from models.audit import AuditLogEntry, OutboxEvent
from models.auth import ApiKey, LoginThrottle, RefreshToken
from models.catalog import Competitor, Product
from models.clients import Client, Contact
from models.coordination import CoordinationComment, CoordinationRequest
from models.leads import Lead
from models.opportunities import (
    Opportunity,
    OpportunityCompetitor,
    OpportunityLineItem,
    OpportunityStageChange,
)
from models.people import Team, User
from models.pipelines import Pipeline, Stage
from models.planning import AccountPlan, PlanAction, PlanObjective, PlanObjectiveOpportunity
from models.satisfaction import SatisfactionResponse
from models.targets import Target
from models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__models__ = [
    Team,
    User,
    Client,
    Contact,
    Account,
    AccountTeamMember,
    Lead,
    Pipeline,
    Stage,
    Product,
    Competitor,
    Opportunity,
    OpportunityLineItem,
    OpportunityCompetitor,
    OpportunityStageChange,
    Activity,
    AuditLogEntry,
    OutboxEvent,
    RefreshToken,
    ApiKey,
    LoginThrottle,
    AccountPlan,
    PlanObjective,
    PlanObjectiveOpportunity,
    PlanAction,
    SatisfactionResponse,
    CoordinationRequest,
    CoordinationComment,
    Target,
    WebhookEndpoint,
    WebhookDelivery,
    WebhookAttempt,
]

__all__ = [
    "Account",
    "AccountPlan",
    "AccountTeamMember",
    "Activity",
    "ApiKey",
    "AuditLogEntry",
    "Client",
    "Competitor",
    "Contact",
    "CoordinationComment",
    "CoordinationRequest",
    "Lead",
    "LoginThrottle",
    "Opportunity",
    "OpportunityCompetitor",
    "OpportunityLineItem",
    "OpportunityStageChange",
    "OutboxEvent",
    "Pipeline",
    "PlanAction",
    "PlanObjective",
    "PlanObjectiveOpportunity",
    "Product",
    "RefreshToken",
    "SatisfactionResponse",
    "Stage",
    "Target",
    "Team",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
