"""Products and competitors in the graph: the directory deals refer to."""

from datetime import datetime
from decimal import Decimal

import strawberry

import models
from schema.base import RecordNode
from schema.filters import CompetitorFilter, ProductFilter, competitor_condition, product_condition
from schema.listing import Listing, order_input


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


PRODUCT_COLUMNS = {"NAME": "name", "LIST_PRICE": "list_price", "CREATED_AT": "created_at"}
PRODUCTS = Listing(Product, ProductFilter, product_condition, PRODUCT_COLUMNS, ("name",))
ProductOrder = order_input("Product", PRODUCT_COLUMNS)
COMPETITOR_COLUMNS = {"NAME": "name", "CREATED_AT": "created_at"}
COMPETITORS = Listing(
    Competitor, CompetitorFilter, competitor_condition, COMPETITOR_COLUMNS, ("name",)
)
CompetitorOrder = order_input("Competitor", COMPETITOR_COLUMNS)
