"""Products and competitors in the graph: the directory deals refer to."""

from datetime import datetime
from decimal import Decimal

import strawberry

import models
from schema.base import RecordNode


@strawberry.type(description="Something we sell.")
class Product(RecordNode):
    model = models.Product
    name: str
    sku: str
    category: str | None
    list_price: Decimal
    currency: str
    is_active: bool
    archived_at: datetime | None


@strawberry.type(description="A company we compete with for deals.")
class Competitor(RecordNode):
    model = models.Competitor
    name: str
    website: str | None
    strengths: str | None
    weaknesses: str | None
    archived_at: datetime | None
