"""Closed vocabularies of the domain, shared by the database and the GraphQL schema."""

from enum import StrEnum


class Role(StrEnum):
    ACCOUNT_MANAGER = "ACCOUNT_MANAGER"
    SALES_MANAGER = "SALES_MANAGER"
    TEAM_MEMBER = "TEAM_MEMBER"
    ADMIN = "ADMIN"
    VIEWER = "VIEWER"


class TeamKind(StrEnum):
    SALES = "SALES"
    DELIVERY = "DELIVERY"
    SUPPORT = "SUPPORT"
    LEGAL = "LEGAL"
    FINANCE = "FINANCE"
    PRODUCT = "PRODUCT"
    OTHER = "OTHER"


class ClientStatus(StrEnum):
    PROSPECT = "PROSPECT"
    ACTIVE = "ACTIVE"
    CHURNED = "CHURNED"


class SizeBand(StrEnum):
    MICRO = "MICRO"  # 1-9 employees
    SMALL = "SMALL"  # 10-49
    MEDIUM = "MEDIUM"  # 50-249
    LARGE = "LARGE"  # 250-999
    ENTERPRISE = "ENTERPRISE"  # 1000+


class BuyingRole(StrEnum):
    DECISION_MAKER = "DECISION_MAKER"
    CHAMPION = "CHAMPION"
    INFLUENCER = "INFLUENCER"
    USER = "USER"
    BLOCKER = "BLOCKER"


class AccountTier(StrEnum):
    STRATEGIC = "STRATEGIC"
    KEY = "KEY"
    STANDARD = "STANDARD"


class AccountStatus(StrEnum):
    ONBOARDING = "ONBOARDING"
    ACTIVE = "ACTIVE"
    AT_RISK = "AT_RISK"
    CHURNED = "CHURNED"


class LeadSource(StrEnum):
    WEBSITE = "WEBSITE"
    REFERRAL = "REFERRAL"
    EVENT = "EVENT"
    OUTBOUND = "OUTBOUND"
    PARTNER = "PARTNER"
    INBOUND_CALL = "INBOUND_CALL"
    OTHER = "OTHER"


class LeadStatus(StrEnum):
    NEW = "NEW"
    CONTACTED = "CONTACTED"
    QUALIFIED = "QUALIFIED"
    DISQUALIFIED = "DISQUALIFIED"
    CONVERTED = "CONVERTED"


class StageCategory(StrEnum):
    OPEN = "OPEN"
    WON = "WON"
    LOST = "LOST"


class OpportunityType(StrEnum):
    NEW_BUSINESS = "NEW_BUSINESS"
    EXPANSION = "EXPANSION"
    RENEWAL = "RENEWAL"


class CompetitorStatus(StrEnum):
    ACTIVE = "ACTIVE"
    PREFERRED = "PREFERRED"
    ELIMINATED = "ELIMINATED"
    WON_AGAINST = "WON_AGAINST"
    LOST_TO = "LOST_TO"


class ActivityKind(StrEnum):
    CALL = "CALL"
    EMAIL = "EMAIL"
    MEETING = "MEETING"
    NOTE = "NOTE"
    TASK = "TASK"


class AuditAction(StrEnum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    ARCHIVE = "ARCHIVE"
    RESTORE = "RESTORE"
    STAGE_MOVE = "STAGE_MOVE"
    CONVERT = "CONVERT"
    COMPLETE = "COMPLETE"
    DELETE = "DELETE"


class PlanStatus(StrEnum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"


class ObjectiveStatus(StrEnum):
    NOT_STARTED = "NOT_STARTED"
    ON_TRACK = "ON_TRACK"
    AT_RISK = "AT_RISK"
    ACHIEVED = "ACHIEVED"
    MISSED = "MISSED"


class SatisfactionKind(StrEnum):
    NPS = "NPS"  # 0..10: how likely to recommend
    CSAT = "CSAT"  # 1..5: how satisfied


class RequestPriority(StrEnum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    URGENT = "URGENT"


class RequestStatus(StrEnum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    DECLINED = "DECLINED"


class TargetMetric(StrEnum):
    REVENUE_WON = "REVENUE_WON"
    DEALS_WON = "DEALS_WON"
    ACTIVITIES_COMPLETED = "ACTIVITIES_COMPLETED"


class HealthStatus(StrEnum):
    HEALTHY = "HEALTHY"
    NEEDS_ATTENTION = "NEEDS_ATTENTION"
    AT_RISK = "AT_RISK"
