"""Mutations of the catalog, products and competitors: create, change, archive, restore."""

from resolvers.mutation import (
    archive_record,
    create_record,
    mutate_record,
    restore_record,
    update_record,
)
from schema.base import Info
from schema.inputs import (
    ArchiveCompetitorInput,
    ArchiveProductInput,
    CreateCompetitorInput,
    CreateProductInput,
    RestoreCompetitorInput,
    RestoreProductInput,
    UpdateCompetitorInput,
    UpdateProductInput,
)
from schema.payloads import (
    ArchiveCompetitorPayload,
    ArchiveProductPayload,
    CreateCompetitorPayload,
    CreateProductPayload,
    RestoreCompetitorPayload,
    RestoreProductPayload,
    UpdateCompetitorPayload,
    UpdateProductPayload,
)
from services.catalog import COMPETITOR, PRODUCT


async def create_product(info: Info, input: CreateProductInput) -> CreateProductPayload:
    return await mutate_record(info, CreateProductPayload, input, create_record(PRODUCT))


async def update_product(info: Info, input: UpdateProductInput) -> UpdateProductPayload:
    return await mutate_record(
        info, UpdateProductPayload, input, update_record(PRODUCT), id_type="Product"
    )


async def archive_product(info: Info, input: ArchiveProductInput) -> ArchiveProductPayload:
    return await mutate_record(
        info, ArchiveProductPayload, input, archive_record(PRODUCT), id_type="Product"
    )


async def restore_product(info: Info, input: RestoreProductInput) -> RestoreProductPayload:
    return await mutate_record(
        info, RestoreProductPayload, input, restore_record(PRODUCT), id_type="Product"
    )


async def create_competitor(info: Info, input: CreateCompetitorInput) -> CreateCompetitorPayload:
    return await mutate_record(info, CreateCompetitorPayload, input, create_record(COMPETITOR))


async def update_competitor(info: Info, input: UpdateCompetitorInput) -> UpdateCompetitorPayload:
    return await mutate_record(
        info, UpdateCompetitorPayload, input, update_record(COMPETITOR), id_type="Competitor"
    )


async def archive_competitor(info: Info, input: ArchiveCompetitorInput) -> ArchiveCompetitorPayload:
    return await mutate_record(
        info, ArchiveCompetitorPayload, input, archive_record(COMPETITOR), id_type="Competitor"
    )


async def restore_competitor(info: Info, input: RestoreCompetitorInput) -> RestoreCompetitorPayload:
    return await mutate_record(
        info, RestoreCompetitorPayload, input, restore_record(COMPETITOR), id_type="Competitor"
    )
