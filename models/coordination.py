"""Requests from account managers to the internal teams around them."""

from tortoise import fields

from models.accounts import Account
from models.base import Record
from models.enums import RequestPriority, RequestStatus
from models.opportunities import Opportunity
from models.people import Team, User


class CoordinationRequest(Record):
    """Help asked of a team (delivery, support, legal, finance, product) about an account."""

    team: fields.ForeignKeyRelation[Team] = fields.ForeignKeyField(
        "models.Team", related_name="coordination_requests", on_delete=fields.RESTRICT
    )
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="coordination_requests", on_delete=fields.RESTRICT
    )
    opportunity: fields.ForeignKeyNullableRelation[Opportunity] = fields.ForeignKeyField(
        "models.Opportunity",
        related_name="coordination_requests",
        null=True,
        on_delete=fields.SET_NULL,
    )
    title = fields.CharField(max_length=200)
    description = fields.TextField(null=True)
    priority = fields.CharEnumField(RequestPriority, max_length=8, default=RequestPriority.NORMAL)
    status = fields.CharEnumField(RequestStatus, max_length=16, default=RequestStatus.OPEN)
    requester: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="coordination_requests_made", on_delete=fields.RESTRICT
    )
    assignee: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User",
        related_name="coordination_requests_assigned",
        null=True,
        on_delete=fields.SET_NULL,
    )
    due_date = fields.DateField(null=True)
    resolved_at = fields.DatetimeField(null=True)

    team_id: int
    account_id: int
    opportunity_id: int | None
    requester_id: int
    assignee_id: int | None
    comments: fields.ReverseRelation["CoordinationComment"]

    class Meta:
        table = "coordination_request"
        indexes = (
            ("team_id", "status", "due_date"),
            ("account_id", "status"),
            ("assignee_id", "status"),
            ("requester_id", "created_at"),
            ("opportunity_id",),
            ("due_date", "id"),
            ("priority", "id"),
            ("created_at", "id"),
            ("updated_at", "id"),
        )


class CoordinationComment(Record):
    """A comment on a request, by the requester or the team working it."""

    request: fields.ForeignKeyRelation[CoordinationRequest] = fields.ForeignKeyField(
        "models.CoordinationRequest", related_name="comments", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.RESTRICT
    )
    body = fields.TextField()

    request_id: int
    author_id: int

    class Meta:
        table = "coordination_comment"
        indexes = (("request_id", "created_at"),)
