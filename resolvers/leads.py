"""Mutations of leads: create, change, archive, restore, convert, and import from a file."""

from typing import Any

from starlette.datastructures import UploadFile
from strawberry import UNSET
from strawberry.relay import GlobalID

from events.snapshot import camel
from models import Lead, User
from resolvers.mutation import (
    archive_record,
    mutate,
    mutate_record,
    respond,
    restore_record,
    update_record,
    visible_pk,
)
from schema.accounts import Account
from schema.base import Info
from schema.clients import Client, Contact
from schema.inputs import (
    ArchiveLeadInput,
    ConvertLeadInput,
    CreateLeadInput,
    RestoreLeadInput,
    UpdateLeadInput,
)
from schema.lead_import import ImportLeadsInput, ImportLeadsPayload, ImportLeadsRejection
from schema.leads import Lead as LeadNode
from schema.opportunities import Opportunity
from schema.payloads import (
    ArchiveLeadPayload,
    ConvertLeadPayload,
    CreateLeadPayload,
    RestoreLeadPayload,
    UpdateLeadPayload,
)
from services import lead_import, leads
from services.errors import DomainError
from services.lead_import.report import ImportReport, RejectedRow
from services.leads import LEAD
from settings import get_settings


async def create_lead(info: Info, input: CreateLeadInput) -> CreateLeadPayload:
    return await mutate_record(
        info,
        CreateLeadPayload,
        input,
        lambda values, actor_id: leads.create_lead(actor_id=actor_id, values=values),
    )


async def update_lead(info: Info, input: UpdateLeadInput) -> UpdateLeadPayload:
    return await mutate_record(info, UpdateLeadPayload, input, update_record(LEAD), id_type="Lead")


async def archive_lead(info: Info, input: ArchiveLeadInput) -> ArchiveLeadPayload:
    return await mutate_record(
        info, ArchiveLeadPayload, input, archive_record(LEAD), id_type="Lead"
    )


async def restore_lead(info: Info, input: RestoreLeadInput) -> RestoreLeadPayload:
    return await mutate_record(
        info, RestoreLeadPayload, input, restore_record(LEAD), id_type="Lead"
    )


async def convert_lead(info: Info, input: ConvertLeadInput) -> ConvertLeadPayload:
    async def work(values: dict[str, Any]) -> dict[str, Any]:
        done = await leads.convert_lead(actor_id=info.context.actor_id, **values)
        return {
            "lead": LeadNode.from_row(done.lead),
            "client": Client.from_row(done.client),
            "contact": Contact.from_row(done.contact),
            "account": Account.from_row(done.account),
            "opportunity": Opportunity.from_row(done.opportunity) if done.opportunity else None,
        }

    return await mutate(info, ConvertLeadPayload, input, work)


async def import_leads(info: Info, input: ImportLeadsInput) -> ImportLeadsPayload:
    async def call() -> dict[str, Any]:
        upload: Any = input.file
        if not isinstance(upload, UploadFile):
            raise DomainError.single(
                "send the file as a multipart upload (the GraphQL multipart request spec)",
                field="file",
            )
        settings = get_settings()
        visibility = info.context.visibility
        owner = lead_import.check_owner(
            await _import_owner(info, input.owner_id), assigned_by=visibility
        )
        options = lead_import.ImportOptions(
            owner_id=owner.pk,
            actor_id=info.context.actor_id,
            scope=visibility.condition(Lead),
            batch_size=(
                settings.import_batch_size
                if input.batch_size in (None, UNSET)
                else input.batch_size
            ),
            encoding=input.encoding or "utf-8",
            mapping={m.column: m.field for m in input.mapping or []},
            dry_run=bool(input.dry_run),
            keep_rejected=settings.import_listed_rejections,
        )
        return _import_payload(await lead_import.import_leads(upload.file, options))

    return await respond(ImportLeadsPayload, call)


async def _import_owner(info: Info, owner_id: GlobalID | None) -> User | None:
    if owner_id is None or owner_id is UNSET:
        return info.context.viewer
    return await User.get_or_none(pk=await visible_pk(info, owner_id, "User", ("owner_id",)))


def _import_payload(report: ImportReport) -> dict[str, Any]:
    return {
        "rows": report.total_rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": report.rejected,
        "duplicates": report.duplicates,
        "ignored_columns": list(report.ignored_columns),
        "rejected_rows": _rejections(report.rejected_rows),
        "dry_run": report.dry_run,
    }


def _rejections(rows: list[RejectedRow]) -> list[ImportLeadsRejection]:
    return [
        ImportLeadsRejection(
            row=row.number,
            column=problem.column,
            field=camel(problem.field) if problem.field else None,
            message=problem.message,
            code=problem.code,
        )
        for row in rows
        for problem in row.problems
    ]
