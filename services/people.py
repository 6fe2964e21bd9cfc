"""Users and teams as records (signing in is handled elsewhere)."""

from models import Team, User
from models.enums import Role, TeamKind
from services import validation as v
from services.records import RecordKind, Reference

TEAM = RecordKind(
    model=Team,
    label="team",
    validators={"name": v.text(120), "kind": v.choice(TeamKind)},
    required=frozenset({"name"}),
    unique=("name",),
)

USER = RecordKind(
    model=User,
    label="user",
    validators={
        "email": v.email,
        "name": v.text(200),
        "role": v.choice(Role),
        "is_active": v.boolean,
        "password_hash": v.passthrough,
    },
    references={"team_id": Reference(Team, "team"), "manager_id": Reference(User, "manager")},
    required=frozenset({"email", "name"}),
    unique=("email",),
)
