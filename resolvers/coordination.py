"""Coordination requests: asking an internal team for help with an account, working the
request from either side, and commenting on it. What each side may change depends on who the
caller is, so these run as the signed-in user (``mutate_as_viewer``)."""

from typing import Any

from models import User
from resolvers.mutation import mutate_as_viewer
from schema.base import Info
from schema.coordination import CoordinationComment, CoordinationRequest
from schema.inputs import (
    CommentOnCoordinationRequestInput,
    CreateCoordinationRequestInput,
    UpdateCoordinationRequestInput,
)
from schema.payloads import (
    CommentOnCoordinationRequestPayload,
    CreateCoordinationRequestPayload,
    UpdateCoordinationRequestPayload,
)
from services import coordination


async def create_coordination_request(
    info: Info, input: CreateCoordinationRequestInput
) -> CreateCoordinationRequestPayload:
    async def work(values: dict[str, Any], viewer: User) -> dict[str, Any]:
        request = await coordination.create_coordination_request(actor=viewer, values=values)
        return {"coordination_request": CoordinationRequest.from_row(request)}

    return await mutate_as_viewer(info, CreateCoordinationRequestPayload, input, work)


async def update_coordination_request(
    info: Info, input: UpdateCoordinationRequestInput
) -> UpdateCoordinationRequestPayload:
    async def work(values: dict[str, Any], viewer: User) -> dict[str, Any]:
        request_id = values.pop("id")
        request = await coordination.update_coordination_request(
            actor=viewer,
            request_id=request_id,
            expected_version=values.pop("expected_version", None),
            changes=values,
        )
        return {"coordination_request": CoordinationRequest.from_row(request)}

    return await mutate_as_viewer(
        info, UpdateCoordinationRequestPayload, input, work, id_type="CoordinationRequest"
    )


async def comment_on_coordination_request(
    info: Info, input: CommentOnCoordinationRequestInput
) -> CommentOnCoordinationRequestPayload:
    async def work(values: dict[str, Any], viewer: User) -> dict[str, Any]:
        comment, request = await coordination.comment_on_request(actor=viewer, **values)
        return {
            "comment": CoordinationComment.from_row(comment),
            "coordination_request": CoordinationRequest.from_row(request),
        }

    return await mutate_as_viewer(info, CommentOnCoordinationRequestPayload, input, work)
