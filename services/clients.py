"""Clients (customer organisations) and their contacts."""

from models import Client, Contact
from models.enums import BuyingRole, ClientStatus, SizeBand
from services import validation as v
from services.records import RecordKind, Reference

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
