"""What we sell and whom we compete with."""

from tortoise import fields

from models.base import ArchivableRecord


class Product(ArchivableRecord):
    name = fields.CharField(max_length=200)
    sku = fields.CharField(max_length=64, unique=True)
    category = fields.CharField(max_length=100, null=True)
    list_price = fields.DecimalField(max_digits=18, decimal_places=2)
    currency = fields.CharField(max_length=3)
    is_active = fields.BooleanField(default=True)

    class Meta:
        table = "product"
        indexes = (("name", "id"), ("category", "name"), ("list_price", "id"), ("created_at", "id"))


class Competitor(ArchivableRecord):
    name = fields.CharField(max_length=200, unique=True)
    website = fields.CharField(max_length=500, null=True)
    strengths = fields.TextField(null=True)
    weaknesses = fields.TextField(null=True)

    class Meta:
        table = "competitor"
