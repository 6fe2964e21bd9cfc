"""``importLeads``: a CSV file of leads, uploaded with the GraphQL multipart request spec."""

from typing import Any

import strawberry
from starlette.datastructures import UploadFile
from strawberry import UNSET
from strawberry.file_uploads import Upload
from strawberry.relay import GlobalID

from events.snapshot import camel
from models import Lead, User
from resolvers.mutation import respond
from schema.base import Info, UserError
from services.errors import DomainError
from services.errors import ErrorCode as DomainErrorCode
from services.lead_import import ImportOptions, LeadColumn, check_owner, import_leads
from services.lead_import.report import ImportReport, RejectedRow
from settings import get_settings


@strawberry.input(description="A file column and the lead field it holds.")
class ImportColumnInput:
    column: str = strawberry.field(description="The column's header, as in the file.")
    field: LeadColumn = strawberry.field(description="The lead field the column holds.")


@strawberry.input(description="A CSV file of leads and how to read it.")
class ImportLeadsInput:
    file: Upload = strawberry.field(
        description="The CSV file, with a header row; sent as a multipart upload."
    )
    owner_id: GlobalID | None = strawberry.field(
        default=UNSET,
        description="Who owns the new leads: yourself by default; a sales manager may name a "
        "member of their team, an administrator anyone. Existing leads keep their owner.",
    )
    encoding: str | None = strawberry.field(
        default=UNSET, description="The file's encoding, e.g. cp1252; UTF-8 by default."
    )
    mapping: list[ImportColumnInput] | None = strawberry.field(
        default=UNSET,
        description="Columns the header aliases do not recognise, or that should win over them.",
    )
    batch_size: int | None = strawberry.field(
        default=UNSET,
        description="Rows per all-or-nothing batch (1..10000); the server's setting by default.",
    )
    dry_run: bool | None = strawberry.field(
        default=UNSET, description="Check and count everything, store nothing."
    )


@strawberry.type(description="One reason a row of the file was not imported.")
class ImportLeadsRejection:
    row: int = strawberry.field(description="The row's number in the file; the header is row 1.")
    column: str | None = strawberry.field(
        description="The header of the column at fault; null for the whole row."
    )
    field: str | None = strawberry.field(
        description="The lead field at fault, e.g. 'email'; null for the whole row."
    )
    message: str = strawberry.field(description="What is wrong and how to fix it, for people.")
    code: DomainErrorCode = strawberry.field(description="A stable code, for programs.")


@strawberry.type(
    description="What importLeads did: every data row is counted once as created, updated, "
    "unchanged or rejected; or, in errors, why the file was refused (then nothing changed)."
)
class ImportLeadsPayload:
    rows: int | None = strawberry.field(default=None, description="Data rows in the file.")
    created: int | None = strawberry.field(default=None, description="Rows that made a lead.")
    updated: int | None = strawberry.field(
        default=None,
        description="Rows that changed a lead with their email (stored, or made by an earlier "
        "row of the file: the later row wins).",
    )
    unchanged: int | None = strawberry.field(
        default=None, description="Rows matching a lead without changing it."
    )
    rejected: int | None = strawberry.field(
        default=None, description="Rows left out; rejectedRows says why."
    )
    duplicates: int | None = strawberry.field(
        default=None, description="Rows whose email an earlier row of the file already had."
    )
    ignored_columns: list[str] | None = strawberry.field(
        default=None, description="Columns of the file that were not imported."
    )
    rejected_rows: list[ImportLeadsRejection] | None = strawberry.field(
        default=None,
        description="Each problem of each rejected row, in row order; the first rows only when "
        "there are very many (rejected has the full count).",
    )
    dry_run: bool | None = strawberry.field(
        default=None, description="True when nothing was stored."
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the file was refused; empty on success."
    )


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


def _payload(report: ImportReport) -> dict[str, Any]:
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


async def _owner(info: Info, owner_id: GlobalID | None) -> User | None:
    from resolvers.mutation import visible_pk

    if owner_id is None or owner_id is UNSET:
        return info.context.viewer
    return await User.get_or_none(pk=await visible_pk(info, owner_id, "User", "owner_id"))


async def resolve_import_leads(info: Info, input: ImportLeadsInput) -> ImportLeadsPayload:
    # Imported here: schema.mutations composes this module's mutation into the root type.
    from schema.mutations import ensure_may_write

    ensure_may_write(info, Lead)

    async def call() -> dict[str, Any]:
        upload: Any = input.file
        if not isinstance(upload, UploadFile):
            raise DomainError.single(
                "send the file as a multipart upload (the GraphQL multipart request spec)",
                field="file",
            )
        settings = get_settings()
        visibility = info.context.visibility
        owner = check_owner(await _owner(info, input.owner_id), assigned_by=visibility)
        options = ImportOptions(
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
        return _payload(await import_leads(upload.file, options))

    return await respond(ImportLeadsPayload, call)


IMPORT_LEADS = strawberry.mutation(
    resolver=resolve_import_leads,
    description="Import leads from a CSV file (multipart upload): a row whose email a lead you "
    "can see already has updates that lead; any other row makes a new lead. The file is "
    "refused whole when it does not decode, is not CSV or lacks a required column; rows that "
    "break a lead rule are reported and left out. Rows are stored in all-or-nothing batches.",
)
