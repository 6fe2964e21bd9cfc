"""Leads and their conversion into a client, contact, account and deal."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q

from events.catalogue import EventType
from events.outbox import record_event
from models import Account, Client, Contact, Lead, Opportunity, User
from models.enums import AuditAction, ClientStatus, LeadSource, LeadStatus
from services import validation as v
from services.accounts import ACCOUNT
from services.activities import carry_over_lead_activities
from services.clients import CLIENT, CONTACT, save_new_client
from services.clock import now
from services.errors import DomainError, ErrorCode, Problem, not_found
from services.opportunities import create_opportunity
from services.records import (
    RecordKind,
    Reference,
    apply_changes,
    clean_values,
    create_record,
    ensure_not_archived,
    problem_at,
    save_new,
)
from services.visibility import Visibility, ensure_may_assign
from services.writes import locked, write_transaction


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


async def create_lead(*, actor_id: int | None, values: Mapping[str, Any]) -> Lead:
    """Record a new lead; its owner defaults to the caller (as for imported leads), so the
    caller sees what they recorded."""
    values = dict(values)
    if values.get("owner_id") is None and actor_id is not None:
        values["owner_id"] = actor_id
    return await create_record(LEAD, actor_id=actor_id, values=values)


@dataclass(frozen=True)
class Conversion:
    lead: Lead
    client: Client
    contact: Contact
    account: Account
    opportunity: Opportunity | None
    client_created: bool


async def _client_for(lead: Lead, client_id: int | None, seen: Q) -> Client | None:
    """The client to attach to: the one named, else the one holding the lead's company domain,
    if the caller sees it (``seen``). A domain held by a client the caller does not see is
    refused without naming that client (services/visibility.py)."""
    if client_id is not None:
        client = await Client.filter(seen, pk=client_id).first()
        if client is None:
            raise not_found("Client", "client_id")
        ensure_not_archived(CLIENT, client)
        return client
    if not lead.company_domain:
        return None
    client = await Client.filter(seen, domain=lead.company_domain).first()
    if client is None:
        if await Client.filter(domain=lead.company_domain).exists():
            raise DomainError(
                [
                    problem_at(
                        "client_id",
                        f"another client already has domain '{lead.company_domain}'; name the "
                        "client to convert into with clientId, or ask an administrator",
                        ErrorCode.DUPLICATE,
                    )
                ]
            )
        return None
    if client.archived_at is not None:
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


async def _clients_seen_by(actor_id: int | None) -> Q:
    """What of the clients the actor sees (the system, ``actor_id`` None, sees all)."""
    if actor_id is None:
        return Q()
    return Visibility(await User.get_or_none(pk=actor_id)).condition(Client)


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
    optionally, a deal, all in one transaction; the lead is marked CONVERTED and linked.

    Only clients the caller sees are matched. The account's (and deal's) owner defaults to
    the lead's owner, else the caller; a named owner follows the assignment rule."""
    async with write_transaction():
        lead = await locked(Lead, lead_id, "lead", "lead_id")
        ensure_not_archived(LEAD, lead)
        if lead.status in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED):
            raise DomainError.single(
                f"a {lead.status.value.lower()} lead cannot be converted"
                + ("; requalify it first" if lead.status == LeadStatus.DISQUALIFIED else ""),
                code=ErrorCode.INVALID_STATE,
                field="lead_id",
            )
        await ensure_may_assign(Account, {"owner_id": owner_id}, actor_id=actor_id)
        owner_id = owner_id or lead.owner_id or actor_id
        if owner_id is None:
            raise DomainError.single(
                "the new account needs an owner", code=ErrorCode.REQUIRED, field="owner_id"
            )
        client = await _client_for(lead, client_id, await _clients_seen_by(actor_id))
        created = client is None
        if client is None:
            client = await save_new_client(
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
            try:
                deal = await create_opportunity(
                    actor_id=actor_id,
                    values={**opportunity, "account_id": account.pk, "owner_id": owner_id},
                )
            except DomainError as exc:
                raise exc.under("opportunity", opportunity.keys()) from None
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
