"""GraphQL enums: the domain's vocabularies, exposed under the same names."""

from collections.abc import Mapping
from enum import Enum

import strawberry
from strawberry.types.enum import has_enum_definition

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


def described(
    cls: type[Enum], values: Mapping[str, str], *, description: str, name: str | None = None
) -> None:
    """Register a domain enum with a description for each of its values, written here next to
    the enum's own; a value left out (or one that is not in the enum) fails at import."""
    strawberry.enum(cls, name=name, description=description)
    assert has_enum_definition(cls)
    definition = cls.__strawberry_definition__
    names = [value.name for value in definition.values]
    if sorted(values) != sorted(names):
        raise ValueError(f"{definition.name}: describe exactly {names}, not {sorted(values)}")
    for value in definition.values:
        value.description = values[value.name]


described(
    enums.Role,
    {
        "ACCOUNT_MANAGER": "Works the accounts they own or are on the team of, and their own "
        "leads.",
        "SALES_MANAGER": "Sees and changes what their team sees; assigns owners within the team "
        "and sets its targets.",
        "TEAM_MEMBER": "Works the coordination requests sent to their team and sees the "
        "accounts those requests concern.",
        "ADMIN": "Sees and changes everything, including users, teams, products and competitors.",
        "VIEWER": "Reads what their team sees; changes nothing.",
    },
    description="What a user may do.",
)
described(
    enums.TeamKind,
    {
        "SALES": "Sells: owns accounts, deals and leads.",
        "DELIVERY": "Delivers what was sold.",
        "SUPPORT": "Helps clients with problems.",
        "LEGAL": "Contracts and legal questions.",
        "FINANCE": "Invoices, payments and pricing approvals.",
        "PRODUCT": "Product questions and feature requests.",
        "OTHER": "Any other kind of team.",
    },
    description="What a team does.",
)
described(
    enums.ClientStatus,
    {
        "PROSPECT": "Not a customer yet.",
        "ACTIVE": "A customer now.",
        "CHURNED": "A former customer.",
    },
    description="Where a client stands with us.",
)
described(
    enums.SizeBand,
    {
        "MICRO": "1-9 employees.",
        "SMALL": "10-49 employees.",
        "MEDIUM": "50-249 employees.",
        "LARGE": "250-999 employees.",
        "ENTERPRISE": "1000 employees or more.",
    },
    description="Head count: MICRO 1-9, SMALL 10-49, MEDIUM 50-249, LARGE 250-999, "
    "ENTERPRISE 1000+.",
)
described(
    enums.BuyingRole,
    {
        "DECISION_MAKER": "Signs off the purchase.",
        "CHAMPION": "Argues for us inside the client.",
        "INFLUENCER": "Shapes the decision without making it.",
        "USER": "Uses what we sell.",
        "BLOCKER": "Opposes the purchase; win them over or work around them.",
    },
    description="A contact's part in buying decisions.",
)
described(
    enums.AccountTier,
    {
        "STRATEGIC": "Most attention: the accounts that matter most.",
        "KEY": "More attention than standard.",
        "STANDARD": "The usual attention.",
    },
    description="How much attention an account gets.",
)
described(
    enums.AccountStatus,
    {
        "ONBOARDING": "Newly won, being set up.",
        "ACTIVE": "A working relationship.",
        "AT_RISK": "Might be lost; needs attention.",
        "CHURNED": "Lost: the client left.",
    },
    description="An account's life-cycle state.",
)
described(
    enums.LeadSource,
    {
        "WEBSITE": "Came in through our website.",
        "REFERRAL": "Recommended by someone.",
        "EVENT": "Met at an event.",
        "OUTBOUND": "We reached out first.",
        "PARTNER": "Passed on by a partner.",
        "INBOUND_CALL": "Called us.",
        "OTHER": "Any other source.",
    },
    description="Where a lead came from.",
)
described(
    enums.LeadStatus,
    {
        "NEW": "Not contacted yet.",
        "CONTACTED": "Contacted, not qualified yet.",
        "QUALIFIED": "Worth pursuing; ready to convert (convertLead).",
        "DISQUALIFIED": "Not worth pursuing.",
        "CONVERTED": "Turned into a client, contact and deal by convertLead; final.",
    },
    description="How far a lead has got.",
)
described(
    enums.StageCategory,
    {
        "OPEN": "The deal is still being worked.",
        "WON": "Moving a deal here wins it (it needs an amount).",
        "LOST": "Moving a deal here loses it (give a lost reason).",
    },
    description="Whether a stage is open, or closes a deal as won or lost.",
)
described(
    enums.OpportunityType,
    {
        "NEW_BUSINESS": "A sale to a client that does not buy this yet.",
        "EXPANSION": "More of what the client already buys, or something added to it.",
        "RENEWAL": "Renewing an existing contract.",
    },
    description="The kind of deal.",
)
described(
    enums.CompetitorStatus,
    {
        "ACTIVE": "Competing for the deal.",
        "PREFERRED": "The client's favourite so far.",
        "ELIMINATED": "Out of the running.",
        "WON_AGAINST": "We won the deal against them.",
        "LOST_TO": "They won the deal.",
    },
    description="A competitor's position on a deal.",
)
described(
    enums.ActivityKind,
    {
        "CALL": "A phone or video call.",
        "EMAIL": "An email.",
        "MEETING": "A meeting.",
        "NOTE": "A note for the record.",
        "TASK": "Something to do by its dueAt; completeTask marks it done.",
    },
    description="What kind of activity; tasks have due dates.",
)
described(
    enums.AuditAction,
    {
        "CREATE": "The record was created.",
        "UPDATE": "Fields of the record changed.",
        "ARCHIVE": "The record was archived.",
        "RESTORE": "The record was brought back from the archive.",
        "STAGE_MOVE": "The deal moved to another stage.",
        "CONVERT": "The lead was converted.",
        "COMPLETE": "The task was completed.",
        "DELETE": "The record was deleted.",
    },
    description="What a change did.",
)
described(
    enums.PlanStatus,
    {
        "DRAFT": "Being written; not in force yet.",
        "ACTIVE": "The plan being followed.",
        "COMPLETED": "Finished.",
    },
    description="Where an account plan stands.",
)
described(
    enums.ObjectiveStatus,
    {
        "NOT_STARTED": "No work on it yet.",
        "ON_TRACK": "Going as planned.",
        "AT_RISK": "Might not be reached; needs attention.",
        "ACHIEVED": "Reached.",
        "MISSED": "Not reached.",
    },
    description="How an objective of an account plan is going.",
)
described(
    enums.SatisfactionKind,
    {
        "NPS": "Net Promoter Score answer: 0..10, how likely the client is to recommend us.",
        "CSAT": "Customer satisfaction answer: 1..5, how satisfied the client is.",
    },
    description="NPS: 0..10, how likely the client is to recommend us; "
    "CSAT: 1..5, how satisfied the client is.",
)
described(
    enums.RequestPriority,
    {
        "LOW": "When there is time.",
        "NORMAL": "The usual urgency.",
        "HIGH": "Before normal requests.",
        "URGENT": "Now, before anything else.",
    },
    description="How urgent a coordination request is.",
)
described(
    enums.RequestStatus,
    {
        "OPEN": "Sent, nobody working on it yet.",
        "IN_PROGRESS": "Being worked on.",
        "DONE": "Resolved: done as asked.",
        "DECLINED": "Resolved: the team will not do it.",
    },
    description="Where a coordination request stands; DONE and DECLINED are resolved.",
)
described(
    enums.TargetMetric,
    {
        "REVENUE_WON": "Amount of the deals won in the period, in the target's currency.",
        "DEALS_WON": "Number of deals won in the period.",
        "ACTIVITIES_COMPLETED": "Number of activities completed in the period.",
    },
    description="What a target measures: revenue won (an amount in a currency), deals won or "
    "activities completed (counts).",
)
described(
    enums.HealthStatus,
    {
        "HEALTHY": "Health score 75 or more.",
        "NEEDS_ATTENTION": "Health score from 50 to 74.",
        "AT_RISK": "Health score below 50.",
    },
    description="Health bands: HEALTHY from 75, NEEDS_ATTENTION from 50, AT_RISK below.",
)

described(
    DomainErrorCode,
    {
        "INVALID": "The value is not acceptable; the message says why. Correct it and send again.",
        "REQUIRED": "A value is missing; supply it.",
        "NOT_FOUND": "No such record, or one the caller may not see.",
        "DUPLICATE": "Another record already holds this value; choose another.",
        "OUT_OF_RANGE": "The value is outside the allowed range given in the message.",
        "INVALID_STAGE_MOVE": "The deal cannot move to that stage; the message says why.",
        "INVALID_STATE": "The record's current state does not allow this; reload it.",
        "INVALID_CREDENTIALS": "Wrong email or password, or an unusable token.",
        "RATE_LIMITED": "Too many attempts; wait (retryAfter, where given, says how many "
        "seconds) and try again.",
        "CONFLICT": "The record changed since it was read (expectedVersion); nothing was "
        "changed. Reload it and apply the change again.",
        "DATABASE_BUSY": "The database was busy; nothing was changed. Send it again.",
        "FORBIDDEN": "The caller may not do this; nothing was changed.",
    },
    description="Why a mutation refused its input; stable for programs to test.",
)
described(
    Scope,
    {
        "READ": "Queries and subscriptions.",
        "WRITE": "Mutations.",
        "ADMIN": "Both READ and WRITE; only administrators' keys may have it.",
    },
    name="ApiKeyScope",
    description="What an API key may do.",
)
described(
    LeadColumn,
    {
        "PERSON_NAME": "The person's full name (personName).",
        "FIRST_NAME": "The first name, joined with LAST_NAME into personName.",
        "LAST_NAME": "The last name, joined with FIRST_NAME into personName.",
        "COMPANY_NAME": "The person's company (companyName).",
        "COMPANY_DOMAIN": "The company's domain (companyDomain); a web address gives its host.",
        "EMAIL": "Email address.",
        "PHONE": "Phone number.",
        "SOURCE": "Where the lead came from: a LeadSource value.",
        "STATUS": "How far the lead has got: a LeadStatus value.",
        "SCORE": "The lead's score, 0..100.",
        "NEXT_FOLLOW_UP_AT": "When to follow up next (nextFollowUpAt).",
    },
    name="LeadImportField",
    description="A lead field a file column can fill; FIRST_NAME and LAST_NAME are joined "
    "into the person's name.",
)
described(
    PeriodUnit,
    {
        "MONTH": "A calendar month.",
        "QUARTER": "A calendar quarter: January to March, April to June, and so on.",
        "YEAR": "A calendar year.",
    },
    description="A calendar month, quarter or year.",
)
described(
    FollowUpKind,
    {
        "LEAD": "A lead to follow up, by its nextFollowUpAt.",
        "TASK": "An open task to do, by its dueAt.",
    },
    description="A lead to follow up or a task to do.",
)
described(
    Trend,
    {
        "IMPROVING": "Up on the period before (by NPS, or by CSAT for accounts without NPS).",
        "STABLE": "No change from the period before.",
        "DECLINING": "Down on the period before.",
    },
    description="How satisfaction moved against the period before.",
)
described(
    DeliveryStatus,
    {
        "PENDING": "Will be attempted, now or at nextAttemptAt.",
        "SUCCEEDED": "The endpoint answered 2xx.",
        "FAILED": "No retry left, or a failure that is not retried.",
    },
    name="WebhookDeliveryStatus",
    description="PENDING (will be attempted, now or at nextAttemptAt), SUCCEEDED (a 2xx "
    "answer) or FAILED (no retry left, or a failure that is not retried).",
)
described(
    AttemptOutcome,
    {
        "SUCCEEDED": "The endpoint answered 2xx.",
        "RETRYING": "Failed; it will be tried again later.",
        "FAILED": "Failed; it will not be tried again.",
        "INTERRUPTED": "The sending worker stopped mid-send; the delivery is sent again with "
        "the same webhook-id.",
    },
    name="WebhookAttemptOutcome",
    description="What one attempt led to: SUCCEEDED, RETRYING (failed, tried again later), "
    "FAILED (failed, not tried again) or INTERRUPTED (the sending worker stopped).",
)

EVENT_DESCRIPTIONS = {
    "OPPORTUNITY_CREATED": "A deal was created.",
    "OPPORTUNITY_STAGE_CHANGED": "A deal moved to another stage.",
    "OPPORTUNITY_WON": "A deal was won.",
    "OPPORTUNITY_LOST": "A deal was lost.",
    "OPPORTUNITY_UPDATED": "Fields of a deal changed; the payload has the previous values.",
    "LEAD_CREATED": "A lead was created.",
    "LEAD_CONVERTED": "A lead was converted into a client, contact and deal.",
    "ACCOUNT_CREATED": "An account was opened.",
    "ACCOUNT_HEALTH_CHANGED": "An account's health status changed.",
    "ACCOUNT_UPDATED": "Fields of an account changed; the payload has the previous values.",
    "ACTIVITY_LOGGED": "An activity was logged.",
    "COORDINATION_REQUEST_CREATED": "A coordination request was sent to a team.",
    "COORDINATION_REQUEST_UPDATED": "A coordination request changed; the payload has the "
    "previous values.",
    "WEBHOOK_PING": "A test event sent by pingWebhookEndpoint.",
}
EventType = Enum(  # type: ignore[misc]
    "EventType", {member.name: member.value for member in DomainEventType}
)
described(
    EventType,
    EVENT_DESCRIPTIONS,
    description="The event catalogue; each value stands for the dotted event name in lower case.",
)


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Smallest, earliest or A first.")
    DESC = strawberry.enum_value("DESC", description="Largest, latest or Z first.")


@strawberry.enum(description="Which records a list shows by their archive state.")
class ArchiveState(Enum):
    ACTIVE = strawberry.enum_value(
        "ACTIVE",
        description="Only active records: not archived, nor under an archived account "
        "or client; the default.",
    )
    ARCHIVED = strawberry.enum_value("ARCHIVED", description="Only archived records.")
    ALL = strawberry.enum_value("ALL", description="Archived or not.")


@strawberry.enum(description="Deals by outcome: still open, won or lost.")
class DealStatus(Enum):
    OPEN = strawberry.enum_value("OPEN", description="Deals in an open stage.")
    WON = strawberry.enum_value("WON", description="Deals won.")
    LOST = strawberry.enum_value("LOST", description="Deals lost.")


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
