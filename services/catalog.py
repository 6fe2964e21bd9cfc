"""Products we sell and competitors we meet."""

from models import Competitor, Product
from services import validation as v
from services.records import RecordKind
from settings import get_settings

PRODUCT = RecordKind(
    model=Product,
    label="product",
    validators={
        "name": v.text(200),
        "sku": v.text(64),
        "category": v.text(100, required=False),
        "list_price": v.money(required=True),
        "currency": v.currency,
        "is_active": v.boolean,
    },
    required=frozenset({"name", "sku", "list_price"}),
    unique=("sku",),
    defaults={"currency": lambda: get_settings().base_currency},
)

COMPETITOR = RecordKind(
    model=Competitor,
    label="competitor",
    validators={
        "name": v.text(200),
        "website": v.text(500, required=False),
        "strengths": v.text(5000, required=False),
        "weaknesses": v.text(5000, required=False),
    },
    required=frozenset({"name"}),
    unique=("name",),
)
