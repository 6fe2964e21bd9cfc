"""Mutations of activities: log one, complete a task, change, archive, restore."""

from resolvers.mutation import archive_record, mutate_record, restore_record, update_record
from schema.base import Info
from schema.inputs import (
    ArchiveActivityInput,
    CompleteTaskInput,
    LogActivityInput,
    RestoreActivityInput,
    UpdateActivityInput,
)
from schema.payloads import (
    ArchiveActivityPayload,
    CompleteTaskPayload,
    LogActivityPayload,
    RestoreActivityPayload,
    UpdateActivityPayload,
)
from services import activities
from services.activities import ACTIVITY


async def log_activity(info: Info, input: LogActivityInput) -> LogActivityPayload:
    return await mutate_record(
        info,
        LogActivityPayload,
        input,
        lambda values, actor_id: activities.log_activity(actor_id=actor_id, values=values),
    )


async def complete_task(info: Info, input: CompleteTaskInput) -> CompleteTaskPayload:
    return await mutate_record(
        info,
        CompleteTaskPayload,
        input,
        lambda values, actor_id: activities.complete_task(actor_id=actor_id, **values),
    )


async def update_activity(info: Info, input: UpdateActivityInput) -> UpdateActivityPayload:
    return await mutate_record(
        info, UpdateActivityPayload, input, update_record(ACTIVITY), id_type="Activity"
    )


async def archive_activity(info: Info, input: ArchiveActivityInput) -> ArchiveActivityPayload:
    return await mutate_record(
        info, ArchiveActivityPayload, input, archive_record(ACTIVITY), id_type="Activity"
    )


async def restore_activity(info: Info, input: RestoreActivityInput) -> RestoreActivityPayload:
    return await mutate_record(
        info, RestoreActivityPayload, input, restore_record(ACTIVITY), id_type="Activity"
    )
