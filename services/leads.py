"""Leads and their conversion into a client, contact, account and deal."""

from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from events.catalogue import EventType
from events.outbox import record_event
from models import Account, Client, Contact, Lead, Opportunity, User
from models.enums import AuditAction, ClientStatus, LeadSource, LeadStatus
from services import validation as v
from services.accounts import ACCOUNT
from services.activities import carry_over_lead_activities
from services.audit import now
from services.clients import CLIENT, CONTACT
from services.errors import DomainError, ErrorCode, Problem
from services.opportunities import create_opportunity
from services.records import (
    RecordKind,
    Reference,
    apply_changes,
    clean_values,
    ensure_not_archived,
    get_record,
    problem_at,
    save_new,
)


async def _status_rules(clean: dict[str, Any], existing: Lead | None) -> list[Problem]:
    if clean.get("status") == LeadStatus.CONVERTED:
        return [problem_at("status", "a lead becomes CONVERTED only through convertLead")]
    if existing is not None and existing.status == LeadStatus.CONVERTED and clean:
        return [problem_at("status", "a converted lead cannot be changed", ErrorCode.INVALID_STATE)]
    return []


LEAD = RecordKind(
    model=Lead,
    label="lead",
    validators={
        "person_name": v.text(200),
        "company_name": v.text(200),
        "company_domain": v.domain,
        "email": v.email,
        "phone": v.text(50, required=False),
        "source": v.choice(LeadSource),
        "status": v.choice(LeadStatus),
        "score": v.integer_range(0, 100),
        "next_follow_up_at": v.passthrough,
    },
    references={"owner_id": Reference(User, "owner")},
    required=frozenset({"person_name", "company_name"}),
    rules=(_status_rules,),
    created_event=EventType.LEAD_CREATED,
)


@dataclass(frozen=True)
class Conversion:
    lead: Lead
    client: Client
    contact: Contact
    account: Account
    opportunity: Opportunity | None
    client_created: bool


async def _client_for(lead: Lead, client_id: int | None) -> Client | None:
    """The client to attach to: the one named, else one matching the lead's company domain."""
    if client_id is not None:
        client = await get_record(Client, client_id, "client", "client_id")
        ensure_not_archived(CLIENT, client)
        return client
    if lead.company_domain:
        client = await Client.get_or_none(domain=lead.company_domain)
        if client is not None and client.archived_at is not None:
            raise DomainError(
                [
                    problem_at(
                        "client_id",
                        f"client '{client.name}' with domain {client.domain} is archived; "
                        "restore it or name another client",
                        ErrorCode.INVALID_STATE,
                    )
                ]
            )
        return client
    return None


async def convert_lead(
    *,
    lead_id: int,
    actor_id: int | None,
    client_id: int | None = None,
    account_name: str | None = None,
    owner_id: int | None = None,
    opportunity: dict[str, Any] | None = None,
) -> Conversion:
    """Turn a lead into a client (reused when its domain matches), contact, account and,
    optionally, a deal, all in one transaction; the lead is marked CONVERTED and linked."""
    lead = await get_record(Lead, lead_id, "lead", "lead_id")
    ensure_not_archived(LEAD, lead)
    if lead.status in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED):
        raise DomainError.single(
            f"a {lead.status.value.lower()} lead cannot be converted"
            + ("; requalify it first" if lead.status == LeadStatus.DISQUALIFIED else ""),
            code=ErrorCode.INVALID_STATE,
            field="lead_id",
        )
    owner_id = owner_id or lead.owner_id or actor_id
    if owner_id is None:
        raise DomainError.single(
            "the new account needs an owner", code=ErrorCode.REQUIRED, field="owner_id"
        )
    client = await _client_for(lead, client_id)
    async with in_transaction():
        created = client is None
        if client is None:
            client = await save_new(
                CLIENT,
                await clean_values(
                    CLIENT,
                    {
                        "name": lead.company_name,
                        "domain": lead.company_domain,
                        "status": ClientStatus.PROSPECT,
                    },
                    None,
                ),
                actor_id=actor_id,
            )
        contact = await _contact_for(lead, client, actor_id)
        account = await save_new(
            ACCOUNT,
            await clean_values(
                ACCOUNT,
                {
                    "name": account_name or lead.company_name,
                    "client_id": client.pk,
                    "owner_id": owner_id,
                },
                None,
            ),
            actor_id=actor_id,
        )
        deal = None
        if opportunity is not None:
            deal = await create_opportunity(
                actor_id=actor_id,
                values={**opportunity, "account_id": account.pk, "owner_id": owner_id},
            )
        await carry_over_lead_activities(
            lead_id=lead.pk, client_id=client.pk, contact_id=contact.pk, account_id=account.pk
        )
        at = now()
        await apply_changes(
            LEAD,
            lead,
            {
                "status": LeadStatus.CONVERTED,
                "converted_at": at,
                "converted_client_id": client.pk,
                "converted_contact_id": contact.pk,
                "converted_account_id": account.pk,
                "converted_opportunity_id": deal.pk if deal else None,
            },
            actor_id=actor_id,
            action=AuditAction.CONVERT,
            emit_update=False,
        )
        await record_event(EventType.LEAD_CONVERTED, record=lead, actor_id=actor_id, occurred_at=at)
    return Conversion(lead, client, contact, account, deal, created)


async def _contact_for(lead: Lead, client: Client, actor_id: int | None) -> Contact:
    """The client's contact with the lead's email, else a new one (primary if it is the first)."""
    if lead.email:
        existing = await Contact.get_or_none(
            client_id=client.pk, email=lead.email, archived_at=None
        )
        if existing is not None:
            return existing
    first = not await Contact.filter(client_id=client.pk, archived_at=None).exists()
    values = {
        "client_id": client.pk,
        "name": lead.person_name,
        "email": lead.email,
        "phone": lead.phone,
        "is_primary": first,
    }
    return await save_new(CONTACT, await clean_values(CONTACT, values, None), actor_id=actor_id)
