"""Users and teams in the graph: the directory every signed-in user reads."""

from typing import Annotated

import strawberry

import models
from schema.base import Info, RecordNode, field, load
from schema.enums import Role, TeamKind
from schema.figures import PeriodInput, Portfolio, resolve_portfolio
from schema.filters import TeamFilter, UserFilter, team_condition, user_condition
from schema.listing import Listing, order_input


@strawberry.type(description="A person who works in AccountGraph.")
class User(RecordNode):
    model = models.User
    email: str = strawberry.field(description="Sign-in email, unique regardless of case.")
    name: str
    role: Role
    is_active: bool = strawberry.field(description="Inactive users cannot sign in.")
    team_id: strawberry.Private[int | None]
    manager_id: strawberry.Private[int | None]

    @field(description="The team the user belongs to.")
    async def team(self, info: Info) -> "Team | None":
        return await load(info, Team, self.team_id)

    @field(description="The user's manager.")
    async def manager(self, info: Info) -> "User | None":
        return await load(info, User, self.manager_id)

    @field(
        description="The accounts the signed-in user looks after, in figures; null on any "
        "other user."
    )
    async def portfolio(
        self,
        info: Info,
        period: Annotated[
            PeriodInput | None,
            strawberry.argument(description="Period of the attainment; the current quarter."),
        ] = None,
    ) -> Portfolio | None:
        viewer = info.context.viewer
        if viewer is None or viewer.pk != self.id:
            return None
        return await resolve_portfolio(info, period)


USER_COLUMNS = {"NAME": "name", "EMAIL": "email", "CREATED_AT": "created_at"}
USERS = Listing(User, UserFilter, user_condition, USER_COLUMNS, ("name",), archivable=False)
UserOrder = order_input("User", USER_COLUMNS)


@strawberry.type(description="A group of users: a sales team or an internal team.")
class Team(RecordNode):
    model = models.Team
    name: str
    kind: TeamKind

    members = USERS.child_field(UserOrder, "team_id", "The team's members.")


TEAM_COLUMNS = {"NAME": "name", "CREATED_AT": "created_at"}
TEAMS = Listing(Team, TeamFilter, team_condition, TEAM_COLUMNS, ("name",), archivable=False)
TeamOrder = order_input("Team", TEAM_COLUMNS)
