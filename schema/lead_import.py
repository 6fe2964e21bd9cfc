"""What ``importLeads`` takes and answers: a CSV file of leads, uploaded with the GraphQL
multipart request spec, and the report of what was done with each row."""

import strawberry
from strawberry import UNSET
from strawberry.file_uploads import Upload
from strawberry.relay import GlobalID

from schema.base import UserError
from services.errors import ErrorCode as DomainErrorCode
from services.lead_import import LeadColumn


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
