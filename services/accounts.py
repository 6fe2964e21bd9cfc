"""Accounts: the commercial relationships account managers own."""

from collections.abc import Mapping
from typing import Any

from events.catalogue import EventType
from models import Account, Client, User
from models.enums import AccountStatus, AccountTier
from services import validation as v
from services.records import RecordKind, Reference, create_record
from settings import get_settings

ACCOUNT = RecordKind(
    model=Account,
    label="account",
    validators={
        "name": v.text(200),
        "tier": v.choice(AccountTier),
        "status": v.choice(AccountStatus),
        "annual_recurring_value": v.money(required=True),
        "currency": v.currency,
        "renewal_date": v.passthrough,
    },
    references={"client_id": Reference(Client, "client"), "owner_id": Reference(User, "owner")},
    required=frozenset({"name", "client_id", "owner_id", "currency"}),
    created_event=EventType.ACCOUNT_CREATED,
    updated_event=EventType.ACCOUNT_UPDATED,
    defaults={"currency": lambda: get_settings().base_currency},
)


async def create_account(*, actor_id: int | None, values: Mapping[str, Any]) -> Account:
    """Open an account under a client; its owner defaults to the caller (who may give it
    only to whom the assignment rule of services/visibility.py allows)."""
    values = dict(values)
    if values.get("owner_id") is None and actor_id is not None:
        values["owner_id"] = actor_id
    return await create_record(ACCOUNT, actor_id=actor_id, values=values)
