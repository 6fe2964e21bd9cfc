"""GraphQL enums: the domain's vocabularies, exposed under the same names."""

from enum import Enum

import strawberry

from events.catalogue import EventType as DomainEventType
from models import enums
from models.enums import (
    AccountStatus,
    AccountTier,
    ActivityKind,
    AuditAction,
    BuyingRole,
    ClientStatus,
    CompetitorStatus,
    HealthStatus,
    LeadSource,
    LeadStatus,
    ObjectiveStatus,
    OpportunityType,
    PlanStatus,
    RequestPriority,
    RequestStatus,
    Role,
    SatisfactionKind,
    SizeBand,
    StageCategory,
    TargetMetric,
    TeamKind,
)
from services.analytics.follow_ups import FollowUpKind
from services.analytics.period import PeriodUnit
from services.analytics.satisfaction import Trend
from services.auth import Scope
from services.errors import ErrorCode as DomainErrorCode
from services.lead_import.columns import LeadColumn
from webhooks.policy import AttemptOutcome, DeliveryStatus

strawberry.enum(enums.Role, description="What a user may do.")
strawberry.enum(enums.TeamKind, description="What a team does.")
strawberry.enum(enums.ClientStatus, description="Where a client stands with us.")
strawberry.enum(
    enums.SizeBand,
    description="Head count: MICRO 1-9, SMALL 10-49, MEDIUM 50-249, LARGE 250-999, "
    "ENTERPRISE 1000+.",
)
strawberry.enum(enums.BuyingRole, description="A contact's part in buying decisions.")
strawberry.enum(enums.AccountTier, description="How much attention an account gets.")
strawberry.enum(enums.AccountStatus, description="An account's life-cycle state.")
strawberry.enum(enums.LeadSource, description="Where a lead came from.")
strawberry.enum(enums.LeadStatus, description="How far a lead has got.")
strawberry.enum(
    enums.StageCategory, description="Whether a stage is open, or closes a deal as won or lost."
)
strawberry.enum(enums.OpportunityType, description="The kind of deal.")
strawberry.enum(enums.CompetitorStatus, description="A competitor's position on a deal.")
strawberry.enum(enums.ActivityKind, description="What kind of activity; tasks have due dates.")
strawberry.enum(enums.AuditAction, description="What a change did.")
strawberry.enum(enums.PlanStatus, description="Where an account plan stands.")
strawberry.enum(enums.ObjectiveStatus, description="How an objective of an account plan is going.")
strawberry.enum(
    enums.SatisfactionKind,
    description="NPS: 0..10, how likely the client is to recommend us; "
    "CSAT: 1..5, how satisfied the client is.",
)
strawberry.enum(enums.RequestPriority, description="How urgent a coordination request is.")
strawberry.enum(
    enums.RequestStatus,
    description="Where a coordination request stands; DONE and DECLINED are resolved.",
)
strawberry.enum(
    enums.TargetMetric,
    description="What a target measures: revenue won (an amount in a currency), deals won or "
    "activities completed (counts).",
)
strawberry.enum(
    enums.HealthStatus,
    description="Health bands: HEALTHY from 75, NEEDS_ATTENTION from 50, AT_RISK below.",
)

strawberry.enum(
    DomainErrorCode, description="Why a mutation refused its input; stable for programs to test."
)
strawberry.enum(Scope, name="ApiKeyScope", description="What an API key may do.")
strawberry.enum(
    LeadColumn,
    name="LeadImportField",
    description="A lead field a file column can fill; FIRST_NAME and LAST_NAME are joined "
    "into the person's name.",
)
strawberry.enum(PeriodUnit, description="A calendar month, quarter or year.")
strawberry.enum(FollowUpKind, description="A lead to follow up or a task to do.")
strawberry.enum(Trend, description="How satisfaction moved against the period before.")
strawberry.enum(
    DeliveryStatus,
    name="WebhookDeliveryStatus",
    description="PENDING (will be attempted, now or at nextAttemptAt), SUCCEEDED (a 2xx "
    "answer) or FAILED (no retry left, or a failure that is not retried).",
)
strawberry.enum(
    AttemptOutcome,
    name="WebhookAttemptOutcome",
    description="What one attempt led to: SUCCEEDED, RETRYING (failed, tried again later), "
    "FAILED (failed, not tried again) or INTERRUPTED (the sending worker stopped).",
)

EventType = strawberry.enum(  # type: ignore[call-overload]
    Enum("EventType", {member.name: member.value for member in DomainEventType}),
    description="The event catalogue; each value stands for the dotted event name in lower case.",
)


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.enum(description="Which records a list shows by their archive state.")
class ArchiveState(Enum):
    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"
    ALL = "ALL"


@strawberry.enum(description="Deals by outcome: still open, won or lost.")
class DealStatus(Enum):
    OPEN = "OPEN"
    WON = "WON"
    LOST = "LOST"


__all__ = [
    "AccountStatus",
    "AccountTier",
    "ActivityKind",
    "ArchiveState",
    "AuditAction",
    "BuyingRole",
    "ClientStatus",
    "CompetitorStatus",
    "DealStatus",
    "DomainErrorCode",
    "EventType",
    "HealthStatus",
    "LeadSource",
    "LeadStatus",
    "ObjectiveStatus",
    "OpportunityType",
    "OrderDirection",
    "PlanStatus",
    "RequestPriority",
    "RequestStatus",
    "Role",
    "SatisfactionKind",
    "SizeBand",
    "StageCategory",
    "TargetMetric",
    "TeamKind",
]
