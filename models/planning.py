"""Account plans: how an account manager means to grow an account over a period."""

from tortoise import fields

from models.accounts import Account
from models.base import ArchivableRecord, Record
from models.enums import ObjectiveStatus, PlanStatus
from models.opportunities import Opportunity
from models.people import User


class AccountPlan(ArchivableRecord):
    """A plan for one account and period, with a revenue target and objectives."""

    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="plans", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=200)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="account_plans", on_delete=fields.RESTRICT
    )
    period_start = fields.DateField()
    period_end = fields.DateField()
    status = fields.CharEnumField(PlanStatus, max_length=16, default=PlanStatus.DRAFT)
    revenue_target = fields.DecimalField(max_digits=18, decimal_places=2, null=True)
    currency = fields.CharField(max_length=3)
    summary = fields.TextField(null=True)

    account_id: int
    owner_id: int
    objectives: fields.ReverseRelation["PlanObjective"]
    actions: fields.ReverseRelation["PlanAction"]

    class Meta:
        table = "account_plan"
        indexes = (
            ("account_id", "period_start"),
            ("owner_id", "period_start"),
            ("status", "period_start"),
            ("period_start", "id"),
            ("name", "id"),
            ("created_at", "id"),
            ("archived_at",),
        )


class PlanObjective(Record):
    """What the plan aims at: a title, an owner, a due date, a status and how it is measured."""

    plan: fields.ForeignKeyRelation[AccountPlan] = fields.ForeignKeyField(
        "models.AccountPlan", related_name="objectives", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=200)
    owner: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="plan_objectives", null=True, on_delete=fields.SET_NULL
    )
    due_date = fields.DateField(null=True)
    status = fields.CharEnumField(
        ObjectiveStatus, max_length=16, default=ObjectiveStatus.NOT_STARTED
    )
    measure = fields.CharField(max_length=500, null=True)
    position = fields.IntField(default=0)

    plan_id: int
    owner_id: int | None

    class Meta:
        table = "plan_objective"
        indexes = (("plan_id", "position"), ("owner_id", "due_date"))


class PlanObjectiveOpportunity(Record):
    """A deal whose progress counts towards an objective's measure."""

    objective: fields.ForeignKeyRelation[PlanObjective] = fields.ForeignKeyField(
        "models.PlanObjective", related_name="opportunity_links", on_delete=fields.CASCADE
    )
    opportunity: fields.ForeignKeyRelation[Opportunity] = fields.ForeignKeyField(
        "models.Opportunity", related_name="objective_links", on_delete=fields.CASCADE
    )

    objective_id: int
    opportunity_id: int

    class Meta:
        table = "plan_objective_opportunity"
        unique_together = (("objective_id", "opportunity_id"),)
        indexes = (("opportunity_id",),)


class PlanAction(Record):
    """A step of the plan, optionally towards one objective, done when completed_at is set."""

    plan: fields.ForeignKeyRelation[AccountPlan] = fields.ForeignKeyField(
        "models.AccountPlan", related_name="actions", on_delete=fields.CASCADE
    )
    objective: fields.ForeignKeyNullableRelation[PlanObjective] = fields.ForeignKeyField(
        "models.PlanObjective", related_name="actions", null=True, on_delete=fields.SET_NULL
    )
    title = fields.CharField(max_length=200)
    owner: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="plan_actions", null=True, on_delete=fields.SET_NULL
    )
    due_date = fields.DateField(null=True)
    completed_at = fields.DatetimeField(null=True)

    plan_id: int
    objective_id: int | None
    owner_id: int | None

    class Meta:
        table = "plan_action"
        indexes = (("plan_id", "due_date"), ("objective_id",), ("owner_id", "due_date"))
