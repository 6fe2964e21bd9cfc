"""Account plans: writing a plan for an account and period, its objectives and actions, and
the deals that count towards an objective."""

from typing import Any

from resolvers.mutation import (
    Work,
    archive_record,
    create_record,
    mutate_record,
    restore_record,
    update_record,
)
from schema.base import Info
from schema.inputs import (
    ArchiveAccountPlanInput,
    CreateAccountPlanInput,
    CreatePlanActionInput,
    CreatePlanObjectiveInput,
    DeletePlanActionInput,
    DeletePlanObjectiveInput,
    LinkOpportunityToObjectiveInput,
    RestoreAccountPlanInput,
    UnlinkOpportunityFromObjectiveInput,
    UpdateAccountPlanInput,
    UpdatePlanActionInput,
    UpdatePlanObjectiveInput,
)
from schema.payloads import (
    ArchiveAccountPlanPayload,
    CreateAccountPlanPayload,
    CreatePlanActionPayload,
    CreatePlanObjectivePayload,
    DeletePlanActionPayload,
    DeletePlanObjectivePayload,
    LinkOpportunityToObjectivePayload,
    RestoreAccountPlanPayload,
    UnlinkOpportunityFromObjectivePayload,
    UpdateAccountPlanPayload,
    UpdatePlanActionPayload,
    UpdatePlanObjectivePayload,
)
from services import planning
from services.records import RecordKind


async def create_account_plan(
    info: Info, input: CreateAccountPlanInput
) -> CreateAccountPlanPayload:
    async def work(values: dict[str, Any], actor_id: int | None) -> Any:
        return await planning.create_account_plan(actor_id=actor_id, values=values)

    return await mutate_record(info, CreateAccountPlanPayload, input, work)


async def update_account_plan(
    info: Info, input: UpdateAccountPlanInput
) -> UpdateAccountPlanPayload:
    return await mutate_record(
        info,
        UpdateAccountPlanPayload,
        input,
        update_record(planning.PLAN),
        id_type="AccountPlan",
    )


async def archive_account_plan(
    info: Info, input: ArchiveAccountPlanInput
) -> ArchiveAccountPlanPayload:
    return await mutate_record(
        info,
        ArchiveAccountPlanPayload,
        input,
        archive_record(planning.PLAN),
        id_type="AccountPlan",
    )


async def restore_account_plan(
    info: Info, input: RestoreAccountPlanInput
) -> RestoreAccountPlanPayload:
    return await mutate_record(
        info,
        RestoreAccountPlanPayload,
        input,
        restore_record(planning.PLAN),
        id_type="AccountPlan",
    )


async def create_plan_objective(
    info: Info, input: CreatePlanObjectiveInput
) -> CreatePlanObjectivePayload:
    return await mutate_record(
        info, CreatePlanObjectivePayload, input, create_record(planning.OBJECTIVE)
    )


async def update_plan_objective(
    info: Info, input: UpdatePlanObjectiveInput
) -> UpdatePlanObjectivePayload:
    return await mutate_record(
        info,
        UpdatePlanObjectivePayload,
        input,
        update_record(planning.OBJECTIVE),
        id_type="PlanObjective",
    )


async def delete_plan_objective(
    info: Info, input: DeletePlanObjectiveInput
) -> DeletePlanObjectivePayload:
    return await mutate_record(
        info,
        DeletePlanObjectivePayload,
        input,
        remove_part(planning.OBJECTIVE),
        id_type="PlanObjective",
    )


async def create_plan_action(info: Info, input: CreatePlanActionInput) -> CreatePlanActionPayload:
    return await mutate_record(info, CreatePlanActionPayload, input, create_record(planning.ACTION))


async def update_plan_action(info: Info, input: UpdatePlanActionInput) -> UpdatePlanActionPayload:
    return await mutate_record(
        info,
        UpdatePlanActionPayload,
        input,
        update_record(planning.ACTION),
        id_type="PlanAction",
    )


async def delete_plan_action(info: Info, input: DeletePlanActionInput) -> DeletePlanActionPayload:
    return await mutate_record(
        info,
        DeletePlanActionPayload,
        input,
        remove_part(planning.ACTION),
        id_type="PlanAction",
    )


async def link_opportunity_to_objective(
    info: Info, input: LinkOpportunityToObjectiveInput
) -> LinkOpportunityToObjectivePayload:
    async def work(values: dict[str, Any], actor_id: int | None) -> Any:
        return await planning.link_opportunity(actor_id=actor_id, **values)

    return await mutate_record(info, LinkOpportunityToObjectivePayload, input, work)


async def unlink_opportunity_from_objective(
    info: Info, input: UnlinkOpportunityFromObjectiveInput
) -> UnlinkOpportunityFromObjectivePayload:
    async def work(values: dict[str, Any], actor_id: int | None) -> Any:
        return await planning.unlink_opportunity(actor_id=actor_id, **values)

    return await mutate_record(info, UnlinkOpportunityFromObjectivePayload, input, work)


def remove_part(kind: RecordKind[Any]) -> Work:
    """The work of removing an objective or action from a plan that is not archived."""

    async def work(values: dict[str, Any], actor_id: int | None) -> Any:
        return await planning.remove_part(kind, record_id=values["id"], actor_id=actor_id)

    return work
