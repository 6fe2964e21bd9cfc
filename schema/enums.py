"""GraphQL enums: the domain's vocabularies, exposed under the same names."""

from enum import Enum

import strawberry

from events.catalogue import EventType as DomainEventType
from models import enums

Role = strawberry.enum(enums.Role, description="What a user may do.")
TeamKind = strawberry.enum(enums.TeamKind, description="What a team does.")
ClientStatus = strawberry.enum(enums.ClientStatus, description="Where a client stands with us.")
SizeBand = strawberry.enum(
    enums.SizeBand,
    description="Head count: MICRO 1-9, SMALL 10-49, MEDIUM 50-249, LARGE 250-999, ENTERPRISE 1000+.",
)
BuyingRole = strawberry.enum(enums.BuyingRole, description="A contact's part in buying decisions.")
AccountTier = strawberry.enum(enums.AccountTier, description="How much attention an account gets.")
AccountStatus = strawberry.enum(enums.AccountStatus, description="An account's life-cycle state.")
LeadSource = strawberry.enum(enums.LeadSource, description="Where a lead came from.")
LeadStatus = strawberry.enum(enums.LeadStatus, description="How far a lead has got.")
StageCategory = strawberry.enum(
    enums.StageCategory, description="Whether a stage is open, or closes a deal as won or lost."
)
OpportunityType = strawberry.enum(enums.OpportunityType, description="The kind of deal.")
CompetitorStatus = strawberry.enum(
    enums.CompetitorStatus, description="A competitor's position on a deal."
)
ActivityKind = strawberry.enum(
    enums.ActivityKind, description="What kind of activity; tasks have due dates."
)
AuditAction = strawberry.enum(enums.AuditAction, description="What a change did.")

EventType = strawberry.enum(
    Enum("EventType", {member.name: member.value for member in DomainEventType}),  # type: ignore[misc]
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
