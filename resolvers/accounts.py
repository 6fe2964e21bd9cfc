"""Mutations of accounts: create, change, archive, restore."""

from resolvers.mutation import archive_record, mutate_record, restore_record, update_record
from schema.base import Info
from schema.inputs import (
    ArchiveAccountInput,
    CreateAccountInput,
    RestoreAccountInput,
    UpdateAccountInput,
)
from schema.payloads import (
    ArchiveAccountPayload,
    CreateAccountPayload,
    RestoreAccountPayload,
    UpdateAccountPayload,
)
from services import accounts
from services.accounts import ACCOUNT


async def create_account(info: Info, input: CreateAccountInput) -> CreateAccountPayload:
    return await mutate_record(
        info,
        CreateAccountPayload,
        input,
        lambda values, actor_id: accounts.create_account(actor_id=actor_id, values=values),
    )


async def update_account(info: Info, input: UpdateAccountInput) -> UpdateAccountPayload:
    return await mutate_record(
        info, UpdateAccountPayload, input, update_record(ACCOUNT), id_type="Account"
    )


async def archive_account(info: Info, input: ArchiveAccountInput) -> ArchiveAccountPayload:
    return await mutate_record(
        info, ArchiveAccountPayload, input, archive_record(ACCOUNT), id_type="Account"
    )


async def restore_account(info: Info, input: RestoreAccountInput) -> RestoreAccountPayload:
    return await mutate_record(
        info, RestoreAccountPayload, input, restore_record(ACCOUNT), id_type="Account"
    )
