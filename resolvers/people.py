"""Mutations of users and teams (administrators only)."""

from resolvers.mutation import create_record, mutate_record, update_record
from schema.base import Info
from schema.inputs import (
    CreateTeamInput,
    CreateUserInput,
    DeactivateUserInput,
    UpdateTeamInput,
    UpdateUserInput,
)
from schema.payloads import (
    CreateTeamPayload,
    CreateUserPayload,
    DeactivateUserPayload,
    UpdateTeamPayload,
    UpdateUserPayload,
)
from services import users
from services.people import TEAM, USER


async def create_user(info: Info, input: CreateUserInput) -> CreateUserPayload:
    return await mutate_record(
        info,
        CreateUserPayload,
        input,
        lambda values, actor_id: users.create_user(actor_id=actor_id, values=values),
    )


async def update_user(info: Info, input: UpdateUserInput) -> UpdateUserPayload:
    return await mutate_record(info, UpdateUserPayload, input, update_record(USER), id_type="User")


async def deactivate_user(info: Info, input: DeactivateUserInput) -> DeactivateUserPayload:
    return await mutate_record(
        info,
        DeactivateUserPayload,
        input,
        lambda values, actor_id: users.deactivate_user(user_id=values["id"], actor_id=actor_id),
        id_type="User",
    )


async def create_team(info: Info, input: CreateTeamInput) -> CreateTeamPayload:
    return await mutate_record(info, CreateTeamPayload, input, create_record(TEAM))


async def update_team(info: Info, input: UpdateTeamInput) -> UpdateTeamPayload:
    return await mutate_record(info, UpdateTeamPayload, input, update_record(TEAM), id_type="Team")
