"""Targets (quotas) that users and teams are measured against."""

from tortoise import fields

from models.base import Record
from models.enums import TargetMetric
from models.people import Team, User


class Target(Record):
    """An amount to reach over a period, for one user or one team, by one metric.

    Revenue targets carry a currency, counts of deals or activities do not.
    """

    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="targets", null=True, on_delete=fields.CASCADE
    )
    team: fields.ForeignKeyNullableRelation[Team] = fields.ForeignKeyField(
        "models.Team", related_name="targets", null=True, on_delete=fields.CASCADE
    )
    period_start = fields.DateField()
    period_end = fields.DateField()
    metric = fields.CharEnumField(TargetMetric, max_length=24, default=TargetMetric.REVENUE_WON)
    amount = fields.DecimalField(max_digits=18, decimal_places=2)
    currency = fields.CharField(max_length=3, null=True)

    user_id: int | None
    team_id: int | None

    class Meta:
        table = "target"
        indexes = (
            ("user_id", "period_start"),
            ("team_id", "period_start"),
            ("period_start", "id"),
        )
