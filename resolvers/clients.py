"""Mutations of clients and their contacts: create, change, archive, restore."""

from resolvers.mutation import (
    archive_record,
    create_record,
    mutate_record,
    restore_record,
    update_record,
)
from schema.base import Info
from schema.inputs import (
    ArchiveClientInput,
    ArchiveContactInput,
    CreateClientInput,
    CreateContactInput,
    RestoreClientInput,
    RestoreContactInput,
    UpdateClientInput,
    UpdateContactInput,
)
from schema.payloads import (
    ArchiveClientPayload,
    ArchiveContactPayload,
    CreateClientPayload,
    CreateContactPayload,
    RestoreClientPayload,
    RestoreContactPayload,
    UpdateClientPayload,
    UpdateContactPayload,
)
from services import clients
from services.clients import CLIENT, CONTACT


async def create_client(info: Info, input: CreateClientInput) -> CreateClientPayload:
    return await mutate_record(
        info,
        CreateClientPayload,
        input,
        lambda values, actor_id: clients.create_client(actor_id=actor_id, values=values),
    )


async def update_client(info: Info, input: UpdateClientInput) -> UpdateClientPayload:
    return await mutate_record(
        info, UpdateClientPayload, input, update_record(CLIENT), id_type="Client"
    )


async def archive_client(info: Info, input: ArchiveClientInput) -> ArchiveClientPayload:
    return await mutate_record(
        info, ArchiveClientPayload, input, archive_record(CLIENT), id_type="Client"
    )


async def restore_client(info: Info, input: RestoreClientInput) -> RestoreClientPayload:
    return await mutate_record(
        info, RestoreClientPayload, input, restore_record(CLIENT), id_type="Client"
    )


async def create_contact(info: Info, input: CreateContactInput) -> CreateContactPayload:
    return await mutate_record(info, CreateContactPayload, input, create_record(CONTACT))


async def update_contact(info: Info, input: UpdateContactInput) -> UpdateContactPayload:
    return await mutate_record(
        info, UpdateContactPayload, input, update_record(CONTACT), id_type="Contact"
    )


async def archive_contact(info: Info, input: ArchiveContactInput) -> ArchiveContactPayload:
    return await mutate_record(
        info, ArchiveContactPayload, input, archive_record(CONTACT), id_type="Contact"
    )


async def restore_contact(info: Info, input: RestoreContactInput) -> RestoreContactPayload:
    return await mutate_record(
        info, RestoreContactPayload, input, restore_record(CONTACT), id_type="Contact"
    )
