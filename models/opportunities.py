"""Deals, what they contain, whom they compete with, and how they moved."""

from decimal import Decimal

from tortoise import fields

from models.accounts import Account
from models.base import ArchivableRecord, Record
from models.catalog import Competitor, Product
from models.enums import CompetitorStatus, OpportunityType
from models.people import User
from models.pipelines import Pipeline, Stage


class Opportunity(ArchivableRecord):
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="opportunities", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=200)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="owned_opportunities", on_delete=fields.RESTRICT
    )
    pipeline: fields.ForeignKeyRelation[Pipeline] = fields.ForeignKeyField(
        "models.Pipeline", related_name="opportunities", on_delete=fields.RESTRICT
    )
    stage: fields.ForeignKeyRelation[Stage] = fields.ForeignKeyField(
        "models.Stage", related_name="opportunities", on_delete=fields.RESTRICT
    )
    amount = fields.DecimalField(max_digits=18, decimal_places=2, null=True)
    currency = fields.CharField(max_length=3)
    probability = fields.IntField()
    expected_close_date = fields.DateField(null=True)
    type = fields.CharEnumField(
        OpportunityType, max_length=16, default=OpportunityType.NEW_BUSINESS
    )
    next_step = fields.CharField(max_length=500, null=True)
    # The owner commits the deal to the forecast, whatever its probability.
    forecast_commit = fields.BooleanField(default=False)
    lost_reason = fields.CharField(max_length=500, null=True)
    closed_at = fields.DatetimeField(null=True)
    stage_entered_at = fields.DatetimeField()

    account_id: int
    owner_id: int
    pipeline_id: int
    stage_id: int

    class Meta:
        table = "opportunity"
        indexes = (
            ("account_id", "created_at"),
            ("owner_id", "stage_id"),
            ("stage_id", "amount"),
            ("pipeline_id", "stage_id"),
            ("name", "id"),
            ("amount", "id"),
            ("expected_close_date", "id"),
            ("probability", "id"),
            ("created_at", "id"),
            ("updated_at", "id"),
            ("stage_entered_at", "id"),
            ("type",),
            ("archived_at",),
        )


class OpportunityLineItem(Record):
    opportunity: fields.ForeignKeyRelation[Opportunity] = fields.ForeignKeyField(
        "models.Opportunity", related_name="line_items", on_delete=fields.CASCADE
    )
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="line_items", on_delete=fields.RESTRICT
    )
    quantity = fields.DecimalField(max_digits=12, decimal_places=2)
    unit_price = fields.DecimalField(max_digits=18, decimal_places=2)
    discount_percent = fields.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))

    opportunity_id: int
    product_id: int

    class Meta:
        table = "opportunity_line_item"
        indexes = (("opportunity_id", "id"), ("product_id",))


class OpportunityCompetitor(Record):
    opportunity: fields.ForeignKeyRelation[Opportunity] = fields.ForeignKeyField(
        "models.Opportunity", related_name="competitors", on_delete=fields.CASCADE
    )
    competitor: fields.ForeignKeyRelation[Competitor] = fields.ForeignKeyField(
        "models.Competitor", related_name="opportunities", on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(CompetitorStatus, max_length=16, default=CompetitorStatus.ACTIVE)
    notes = fields.TextField(null=True)

    opportunity_id: int
    competitor_id: int

    class Meta:
        table = "opportunity_competitor"
        unique_together = (("opportunity_id", "competitor_id"),)


class OpportunityStageChange(Record):
    """One move of a deal between stages. Written for every move, never edited."""

    opportunity: fields.ForeignKeyRelation[Opportunity] = fields.ForeignKeyField(
        "models.Opportunity", related_name="stage_changes", on_delete=fields.CASCADE
    )
    from_stage: fields.ForeignKeyNullableRelation[Stage] = fields.ForeignKeyField(
        "models.Stage", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    to_stage: fields.ForeignKeyRelation[Stage] = fields.ForeignKeyField(
        "models.Stage", related_name=False, on_delete=fields.RESTRICT
    )
    changed_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    changed_at = fields.DatetimeField()
    amount = fields.DecimalField(max_digits=18, decimal_places=2, null=True)
    currency = fields.CharField(max_length=3)
    seconds_in_previous_stage = fields.BigIntField(null=True)
    event_id = fields.UUIDField(unique=True)

    opportunity_id: int
    from_stage_id: int | None
    to_stage_id: int
    changed_by_id: int | None

    class Meta:
        table = "opportunity_stage_change"
        indexes = (("opportunity_id", "changed_at"), ("changed_at", "id"))
