"""Configurable sales pipelines and their ordered stages."""

from tortoise import fields

from models.base import Record
from models.enums import StageCategory


class Pipeline(Record):
    name = fields.CharField(max_length=120, unique=True)
    position = fields.IntField(default=0)

    stages: fields.ReverseRelation["Stage"]

    class Meta:
        table = "pipeline"
        ordering = ("position", "id")


class Stage(Record):
    pipeline: fields.ForeignKeyRelation[Pipeline] = fields.ForeignKeyField(
        "models.Pipeline", related_name="stages", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=120)
    position = fields.IntField()
    probability = fields.IntField()
    category = fields.CharEnumField(StageCategory, max_length=8, default=StageCategory.OPEN)
    rotting_days = fields.IntField(null=True)

    pipeline_id: int

    class Meta:
        table = "stage"
        unique_together = (("pipeline_id", "position"),)
        ordering = ("pipeline_id", "position", "id")
