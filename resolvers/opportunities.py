"""Mutations of deals: create, change, archive, restore, move to another stage, and the
products and competitors on a deal."""

from typing import Any

from models import Opportunity as OpportunityRow
from resolvers.mutation import (
    archive_record,
    create_record,
    delete_record,
    mutate,
    mutate_record,
    restore_record,
    update_record,
)
from schema.base import Info
from schema.inputs import (
    ArchiveOpportunityInput,
    CreateOpportunityCompetitorInput,
    CreateOpportunityInput,
    CreateOpportunityLineItemInput,
    DeleteOpportunityCompetitorInput,
    DeleteOpportunityLineItemInput,
    MoveOpportunityStageInput,
    RestoreOpportunityInput,
    UpdateOpportunityCompetitorInput,
    UpdateOpportunityInput,
    UpdateOpportunityLineItemInput,
)
from schema.opportunities import Opportunity, OpportunityStageChange
from schema.payloads import (
    ArchiveOpportunityPayload,
    CreateOpportunityCompetitorPayload,
    CreateOpportunityLineItemPayload,
    CreateOpportunityPayload,
    DeleteOpportunityCompetitorPayload,
    DeleteOpportunityLineItemPayload,
    MoveOpportunityStagePayload,
    RestoreOpportunityPayload,
    UpdateOpportunityCompetitorPayload,
    UpdateOpportunityLineItemPayload,
    UpdateOpportunityPayload,
)
from services import opportunities
from services.opportunities import DEAL_COMPETITOR, LINE_ITEM, OPPORTUNITY


async def create_opportunity(info: Info, input: CreateOpportunityInput) -> CreateOpportunityPayload:
    return await mutate_record(
        info,
        CreateOpportunityPayload,
        input,
        lambda values, actor_id: opportunities.create_opportunity(actor_id=actor_id, values=values),
    )


async def update_opportunity(info: Info, input: UpdateOpportunityInput) -> UpdateOpportunityPayload:
    return await mutate_record(
        info, UpdateOpportunityPayload, input, update_record(OPPORTUNITY), id_type="Opportunity"
    )


async def archive_opportunity(
    info: Info, input: ArchiveOpportunityInput
) -> ArchiveOpportunityPayload:
    return await mutate_record(
        info, ArchiveOpportunityPayload, input, archive_record(OPPORTUNITY), id_type="Opportunity"
    )


async def restore_opportunity(
    info: Info, input: RestoreOpportunityInput
) -> RestoreOpportunityPayload:
    return await mutate_record(
        info, RestoreOpportunityPayload, input, restore_record(OPPORTUNITY), id_type="Opportunity"
    )


async def move_opportunity_stage(
    info: Info, input: MoveOpportunityStageInput
) -> MoveOpportunityStagePayload:
    async def work(values: dict[str, Any]) -> dict[str, Any]:
        change = await opportunities.move_opportunity_stage(
            actor_id=info.context.actor_id, **values
        )
        deal = await OpportunityRow.get(pk=change.opportunity_id)
        return {
            "opportunity": Opportunity.from_row(deal),
            "stage_change": OpportunityStageChange.from_row(change),
        }

    return await mutate(info, MoveOpportunityStagePayload, input, work)


async def create_opportunity_line_item(
    info: Info, input: CreateOpportunityLineItemInput
) -> CreateOpportunityLineItemPayload:
    return await mutate_record(
        info, CreateOpportunityLineItemPayload, input, create_record(LINE_ITEM)
    )


async def update_opportunity_line_item(
    info: Info, input: UpdateOpportunityLineItemInput
) -> UpdateOpportunityLineItemPayload:
    return await mutate_record(
        info,
        UpdateOpportunityLineItemPayload,
        input,
        update_record(LINE_ITEM),
        id_type="OpportunityLineItem",
    )


async def delete_opportunity_line_item(
    info: Info, input: DeleteOpportunityLineItemInput
) -> DeleteOpportunityLineItemPayload:
    return await mutate_record(
        info,
        DeleteOpportunityLineItemPayload,
        input,
        delete_record(LINE_ITEM),
        id_type="OpportunityLineItem",
    )


async def create_opportunity_competitor(
    info: Info, input: CreateOpportunityCompetitorInput
) -> CreateOpportunityCompetitorPayload:
    return await mutate_record(
        info, CreateOpportunityCompetitorPayload, input, create_record(DEAL_COMPETITOR)
    )


async def update_opportunity_competitor(
    info: Info, input: UpdateOpportunityCompetitorInput
) -> UpdateOpportunityCompetitorPayload:
    return await mutate_record(
        info,
        UpdateOpportunityCompetitorPayload,
        input,
        update_record(DEAL_COMPETITOR),
        id_type="OpportunityCompetitor",
    )


async def delete_opportunity_competitor(
    info: Info, input: DeleteOpportunityCompetitorInput
) -> DeleteOpportunityCompetitorPayload:
    return await mutate_record(
        info,
        DeleteOpportunityCompetitorPayload,
        input,
        delete_record(DEAL_COMPETITOR),
        id_type="OpportunityCompetitor",
    )
