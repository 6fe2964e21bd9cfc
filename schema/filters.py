"""Typed filters of every list, and the query condition each one stands for."""

import datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.relay import GlobalID
from tortoise.expressions import Q

from resolvers.core.listing import conditions, pks, search_condition
from schema.enums import (
    AccountStatus,
    AccountTier,
    ActivityKind,
    ArchiveState,
    BuyingRole,
    ClientStatus,
    DealStatus,
    LeadSource,
    LeadStatus,
    OpportunityType,
    Role,
)

ARCHIVED_HELP = "Archived records are hidden unless asked for."


def values(items: list[Any] | None) -> list[Any] | None:
    return [getattr(item, "value", item) for item in items] if items is not None else None


@strawberry.input(description="Narrows a list of users.")
class UserFilter:
    search: str | None = strawberry.field(default=None, description="Words in the name or email.")
    roles: list[Role] | None = None
    team_ids: list[GlobalID] | None = None
    is_active: bool | None = None


def user_condition(f: UserFilter | None) -> Q:
    if f is None:
        return Q()
    return search_condition(f.search, "name", "email") & conditions(
        role__in=values(f.roles), team_id__in=pks(f.team_ids, "Team"), is_active=f.is_active
    )


@strawberry.input(description="Narrows a list of teams.")
class TeamFilter:
    search: str | None = strawberry.field(default=None, description="Words in the name.")


def team_condition(f: TeamFilter | None) -> Q:
    return search_condition(f.search, "name") if f else Q()


@strawberry.input(description="Narrows a list of clients.")
class ClientFilter:
    ids: list[GlobalID] | None = None
    search: str | None = strawberry.field(default=None, description="Words in the name or domain.")
    statuses: list[ClientStatus] | None = None
    industries: list[str] | None = None
    countries: list[str] | None = None
    archived: ArchiveState = strawberry.field(
        default=ArchiveState.ACTIVE, description=ARCHIVED_HELP
    )


def client_condition(f: ClientFilter | None) -> Q:
    if f is None:
        return Q()
    return search_condition(f.search, "name", "domain") & conditions(
        id__in=pks(f.ids, "Client"),
        status__in=values(f.statuses),
        industry__in=f.industries,
        country__in=[c.upper() for c in f.countries] if f.countries is not None else None,
    )


@strawberry.input(description="Narrows a list of contacts.")
class ContactFilter:
    ids: list[GlobalID] | None = None
    search: str | None = strawberry.field(
        default=None, description="Words in the name, email, title or phone number."
    )
    client_ids: list[GlobalID] | None = None
    buying_roles: list[BuyingRole] | None = None
    archived: ArchiveState = strawberry.field(
        default=ArchiveState.ACTIVE, description=ARCHIVED_HELP
    )


def contact_condition(f: ContactFilter | None) -> Q:
    if f is None:
        return Q()
    return search_condition(f.search, "name", "email", "title", "phone") & conditions(
        id__in=pks(f.ids, "Contact"),
        client_id__in=pks(f.client_ids, "Client"),
        buying_role__in=values(f.buying_roles),
    )


@strawberry.input(description="Narrows a list of accounts.")
class AccountFilter:
    ids: list[GlobalID] | None = None
    search: str | None = strawberry.field(
        default=None, description="Words in the account or client name."
    )
    owner_ids: list[GlobalID] | None = None
    client_ids: list[GlobalID] | None = None
    tiers: list[AccountTier] | None = None
    statuses: list[AccountStatus] | None = None
    renewal_after: datetime.date | None = strawberry.field(
        default=None, description="Renewal on or after."
    )
    renewal_before: datetime.date | None = strawberry.field(
        default=None, description="Renewal on or before."
    )
    archived: ArchiveState = strawberry.field(
        default=ArchiveState.ACTIVE, description=ARCHIVED_HELP
    )


def account_condition(f: AccountFilter | None) -> Q:
    if f is None:
        return Q()
    return search_condition(f.search, "name", "client__name") & conditions(
        id__in=pks(f.ids, "Account"),
        owner_id__in=pks(f.owner_ids, "User"),
        client_id__in=pks(f.client_ids, "Client"),
        tier__in=values(f.tiers),
        status__in=values(f.statuses),
        renewal_date__gte=f.renewal_after,
        renewal_date__lte=f.renewal_before,
    )


@strawberry.input(description="Narrows a list of leads.")
class LeadFilter:
    ids: list[GlobalID] | None = None
    search: str | None = strawberry.field(
        default=None,
        description="Words in the person's or company's name, the email or the phone number.",
    )
    statuses: list[LeadStatus] | None = None
    sources: list[LeadSource] | None = None
    owner_ids: list[GlobalID] | None = None
    follow_up_before: datetime.datetime | None = strawberry.field(
        default=None, description="Next follow-up due before this time."
    )
    archived: ArchiveState = strawberry.field(
        default=ArchiveState.ACTIVE, description=ARCHIVED_HELP
    )


def lead_condition(f: LeadFilter | None) -> Q:
    if f is None:
        return Q()
    return search_condition(f.search, "person_name", "company_name", "email", "phone") & conditions(
        id__in=pks(f.ids, "Lead"),
        status__in=values(f.statuses),
        source__in=values(f.sources),
        owner_id__in=pks(f.owner_ids, "User"),
        next_follow_up_at__lt=f.follow_up_before,
    )


@strawberry.input(description="Narrows a list of opportunities (deals).")
class OpportunityFilter:
    ids: list[GlobalID] | None = None
    search: str | None = strawberry.field(
        default=None, description="Words in the deal or account name."
    )
    stage_ids: list[GlobalID] | None = None
    owner_ids: list[GlobalID] | None = None
    account_ids: list[GlobalID] | None = None
    pipeline_ids: list[GlobalID] | None = None
    status: DealStatus | None = strawberry.field(
        default=None, description="Open, won or lost deals."
    )
    types: list[OpportunityType] | None = None
    amount_gte: Decimal | None = None
    amount_lte: Decimal | None = None
    forecast_commit: bool | None = strawberry.field(
        default=None, description="Only deals committed (true) or not committed (false)."
    )
    close_date_after: datetime.date | None = strawberry.field(
        default=None, description="Expected close on or after."
    )
    close_date_before: datetime.date | None = strawberry.field(
        default=None, description="Expected close on or before."
    )
    archived: ArchiveState = strawberry.field(
        default=ArchiveState.ACTIVE, description=ARCHIVED_HELP
    )


def opportunity_condition(f: OpportunityFilter | None) -> Q:
    if f is None:
        return Q()
    return search_condition(f.search, "name", "account__name") & conditions(
        id__in=pks(f.ids, "Opportunity"),
        stage_id__in=pks(f.stage_ids, "Stage"),
        owner_id__in=pks(f.owner_ids, "User"),
        account_id__in=pks(f.account_ids, "Account"),
        pipeline_id__in=pks(f.pipeline_ids, "Pipeline"),
        stage__category=f.status.value if f.status else None,
        type__in=values(f.types),
        amount__gte=f.amount_gte,
        amount__lte=f.amount_lte,
        forecast_commit=f.forecast_commit,
        expected_close_date__gte=f.close_date_after,
        expected_close_date__lte=f.close_date_before,
    )


@strawberry.input(description="Narrows a list of activities.")
class ActivityFilter:
    ids: list[GlobalID] | None = None
    search: str | None = strawberry.field(
        default=None, description="Words in the subject or the body."
    )
    kinds: list[ActivityKind] | None = None
    owner_ids: list[GlobalID] | None = None
    client_ids: list[GlobalID] | None = None
    contact_ids: list[GlobalID] | None = None
    account_ids: list[GlobalID] | None = None
    opportunity_ids: list[GlobalID] | None = None
    lead_ids: list[GlobalID] | None = None
    occurred_after: datetime.datetime | None = None
    occurred_before: datetime.datetime | None = None
    completed: bool | None = strawberry.field(
        default=None, description="Tasks done (true) or still to do (false)."
    )
    due_before: datetime.datetime | None = strawberry.field(
        default=None, description="Tasks due before this time."
    )
    archived: ArchiveState = strawberry.field(
        default=ArchiveState.ACTIVE, description=ARCHIVED_HELP
    )


def activity_condition(f: ActivityFilter | None) -> Q:
    if f is None:
        return Q()
    return search_condition(f.search, "subject", "body") & conditions(
        id__in=pks(f.ids, "Activity"),
        kind__in=values(f.kinds),
        owner_id__in=pks(f.owner_ids, "User"),
        client_id__in=pks(f.client_ids, "Client"),
        contact_id__in=pks(f.contact_ids, "Contact"),
        account_id__in=pks(f.account_ids, "Account"),
        opportunity_id__in=pks(f.opportunity_ids, "Opportunity"),
        lead_id__in=pks(f.lead_ids, "Lead"),
        occurred_at__gte=f.occurred_after,
        occurred_at__lt=f.occurred_before,
        completed_at__isnull=None if f.completed is None else not f.completed,
        due_at__lt=f.due_before,
    )


@strawberry.input(description="Narrows a list of products.")
class ProductFilter:
    search: str | None = strawberry.field(default=None, description="Words in the name or SKU.")
    categories: list[str] | None = None
    is_active: bool | None = None
    archived: ArchiveState = strawberry.field(
        default=ArchiveState.ACTIVE, description=ARCHIVED_HELP
    )


def product_condition(f: ProductFilter | None) -> Q:
    if f is None:
        return Q()
    return search_condition(f.search, "name", "sku") & conditions(
        category__in=f.categories, is_active=f.is_active
    )


@strawberry.input(description="Narrows a list of competitors.")
class CompetitorFilter:
    search: str | None = strawberry.field(default=None, description="Words in the name.")
    archived: ArchiveState = strawberry.field(
        default=ArchiveState.ACTIVE, description=ARCHIVED_HELP
    )


def competitor_condition(f: CompetitorFilter | None) -> Q:
    return search_condition(f.search, "name") if f else Q()


@strawberry.input(description="Narrows a deal's stage history.")
class StageChangeFilter:
    changed_after: datetime.datetime | None = None
    changed_before: datetime.datetime | None = None


def stage_change_condition(f: StageChangeFilter | None) -> Q:
    if f is None:
        return Q()
    return conditions(changed_at__gte=f.changed_after, changed_at__lt=f.changed_before)


@strawberry.input(description="Narrows the audit log.")
class AuditLogFilter:
    record_ids: list[GlobalID] | None = strawberry.field(
        default=None, description="Changes to these records."
    )
    actor_ids: list[GlobalID] | None = None
    after: datetime.datetime | None = strawberry.field(
        default=None, description="Only changes made at or after this time."
    )
    before: datetime.datetime | None = strawberry.field(
        default=None, description="Only changes made before this time."
    )


def audit_condition(f: AuditLogFilter | None) -> Q:
    if f is None:
        return Q()
    records = Q()
    if f.record_ids is not None:
        records = (
            Q(
                *[
                    Q(record_type=gid.type_name, record_id=int(gid.node_id))
                    for gid in f.record_ids
                    if str(gid.node_id).isdigit()
                ],
                join_type="OR",
            )
            if f.record_ids
            else Q(pk__in=[])
        )
    return records & conditions(
        actor_id__in=pks(f.actor_ids, "User"), occurred_at__gte=f.after, occurred_at__lt=f.before
    )
