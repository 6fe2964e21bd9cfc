"""The event catalogue. Names are public API: webhook consumers rely on them."""

from enum import StrEnum


class EventType(StrEnum):
    OPPORTUNITY_CREATED = "opportunity.created"
    OPPORTUNITY_STAGE_CHANGED = "opportunity.stage_changed"
    OPPORTUNITY_WON = "opportunity.won"
    OPPORTUNITY_LOST = "opportunity.lost"
    OPPORTUNITY_UPDATED = "opportunity.updated"
    LEAD_CREATED = "lead.created"
    LEAD_CONVERTED = "lead.converted"
    ACCOUNT_CREATED = "account.created"
    ACCOUNT_HEALTH_CHANGED = "account.health_changed"
    # Not in the first catalogue; added so that every account update emits an event, as
    # opportunity and coordination request updates do.
    ACCOUNT_UPDATED = "account.updated"
    ACTIVITY_LOGGED = "activity.logged"
    COORDINATION_REQUEST_CREATED = "coordination_request.created"
    COORDINATION_REQUEST_UPDATED = "coordination_request.updated"
    WEBHOOK_PING = "webhook.ping"
