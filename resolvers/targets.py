"""Targets (quotas): setting the target of a user or team for a period and metric. Who may set
whose target depends on who the caller is, so this runs as the signed-in user."""

from typing import Any

from models import User
from resolvers.mutation import mutate_as_viewer
from schema.base import Info
from schema.inputs import SetTargetInput
from schema.payloads import SetTargetPayload
from schema.targets import Target
from services import targets


async def set_target(info: Info, input: SetTargetInput) -> SetTargetPayload:
    async def work(values: dict[str, Any], viewer: User) -> dict[str, Any]:
        return {"target": Target.from_row(await targets.set_target(actor=viewer, values=values))}

    return await mutate_as_viewer(info, SetTargetPayload, input, work)
