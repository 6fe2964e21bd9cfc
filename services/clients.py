"""Clients (customer organisations) and their contacts."""

from collections.abc import Mapping
from typing import Any

from tortoise.transactions import in_transaction

from models import Client, Contact, User
from models.enums import BuyingRole, ClientStatus, SizeBand
from services import validation as v
from services.records import RecordKind, Reference, clean_values, save_new

CLIENT = RecordKind(
    model=Client,
    label="client",
    validators={
        "name": v.text(200),
        "domain": v.domain,
        "industry": v.text(100, required=False),
        "size_band": v.choice(SizeBand, required=False),
        "country": v.country,
        "status": v.choice(ClientStatus),
        "tags": v.tags,
    },
    required=frozenset({"name"}),
    unique=("domain",),
)

CONTACT = RecordKind(
    model=Contact,
    label="contact",
    validators={
        "name": v.text(200),
        "title": v.text(200, required=False),
        "email": v.email,
        "phone": v.text(50, required=False),
        "buying_role": v.choice(BuyingRole, required=False),
        "is_primary": v.boolean,
    },
    references={"client_id": Reference(Client, "client")},
    required=frozenset({"name", "client_id"}),
)


async def team_of(actor_id: int | None) -> int | None:
    """The team a client created by ``actor_id`` belongs to while it is a prospect."""
    if actor_id is None:
        return None
    actor = await User.get_or_none(pk=actor_id)
    return actor.team_id if actor is not None else None


async def save_new_client(clean: dict[str, Any], *, actor_id: int | None) -> Client:
    """Insert a validated client as a prospect of the creator's team (see
    services/visibility.py: other teams do not see it until an account is opened under it)."""
    return await save_new(CLIENT, {**clean, "team_id": await team_of(actor_id)}, actor_id=actor_id)


async def create_client(*, actor_id: int | None, values: Mapping[str, Any]) -> Client:
    """Create a client; it belongs to the creator's team while nobody has an account with it."""
    clean = await clean_values(CLIENT, values, None)
    async with in_transaction():
        return await save_new_client(clean, actor_id=actor_id)
