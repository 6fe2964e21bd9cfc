"""Importing leads from a CSV file, for the command line and the ``importLeads`` mutation.

A file is checked whole before anything is written: it must decode (UTF-8 by default, with
or without a byte order mark, or the encoding given), parse as CSV, and have columns for the
lead's required fields and its email; otherwise it is refused with a message saying what
to fix. Then its rows are imported in batches, each in one transaction: a batch is stored
whole or not at all. Rows are matched to leads by email, case-insensitively: a row whose
email belongs to a lead the importer may see updates that lead (its owner stays); any other
row creates a lead owned by the import's owner. Rows apply in file order, so when two rows
share an email the later one wins. Rows that break a lead rule are left out and reported
with their row number, column and reason; the rest of their batch is imported.
"""

import asyncio
import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import BinaryIO

from tortoise.expressions import Q

from models import Lead, User
from services.errors import DomainError, ErrorCode, Problem
from services.lead_import.batch import BatchRow, write_batch
from services.lead_import.columns import ColumnMap, LeadColumn, lead_column, refuse
from services.lead_import.reader import FileShape, check_file, data_rows
from services.lead_import.report import ImportReport, RejectedRow, RowProblem
from services.lead_import.rows import FileRow, read_row
from services.leads import LEAD
from services.records import clean_values
from services.visibility import Visibility
from services.writes import write_transaction

__all__ = [
    "ImportInterrupted",
    "ImportOptions",
    "ImportReport",
    "LeadColumn",
    "RejectedRow",
    "RowProblem",
    "check_owner",
    "import_leads",
    "lead_column",
]


@dataclass(frozen=True)
class ImportOptions:
    """How to import one file.

    ``scope`` is the condition on the leads the import may match and update (the importer's
    visibility); a matching lead outside it is treated as absent, like anywhere else.
    ``keep_rejected`` bounds how many rejected rows the report keeps (``on_rejected`` sees
    them all).
    """

    owner_id: int
    actor_id: int | None
    scope: Q = field(default_factory=Q)
    batch_size: int = 500
    encoding: str = "utf-8"
    mapping: Mapping[str, LeadColumn] = field(default_factory=dict)
    dry_run: bool = False
    keep_rejected: int | None = 1000


MAX_BATCH_SIZE = 10_000


class ImportInterrupted(Exception):
    """A batch failed unexpectedly: it and the rows after it were not imported; the batches
    before it were. Importing the file again is safe: imported rows are matched by email."""

    def __init__(self, report: ImportReport, first_row: int, last_row: int) -> None:
        super().__init__(
            f"the import stopped at rows {first_row} to {last_row}; none of those rows nor "
            "any after them were imported"
        )
        self.report = report
        self.first_row = first_row
        self.last_row = last_row


class _Rollback(Exception):
    """Ends a dry run, undoing everything it wrote."""


def check_owner(owner: User | None, *, assigned_by: Visibility | None) -> User:
    """The owner of an import's new leads: an active user whom the importer may give leads to
    (``assigned_by`` None: the command line, which may name anyone)."""
    if owner is None or not owner.is_active:
        raise DomainError(
            [Problem("the owner must be an active user", ErrorCode.INVALID, ("owner_id",))]
        )
    if assigned_by is not None and not assigned_by.can_assign_to(owner):
        raise DomainError(
            [Problem(assigned_by.assignment_refusal(owner), ErrorCode.FORBIDDEN, ("owner_id",))]
        )
    return owner


async def import_leads(
    source: BinaryIO,
    options: ImportOptions,
    *,
    on_rejected: Callable[[RejectedRow], None] | None = None,
    on_progress: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import the CSV file ``source`` (binary, seekable); see the module's description.

    ``on_progress`` is called once the file has been checked, and after each batch;
    ``on_rejected`` for each rejected row, in row order.
    """
    if not 1 <= options.batch_size <= MAX_BATCH_SIZE:
        raise refuse(f"the batch size must be between 1 and {MAX_BATCH_SIZE}", "batch_size")
    shape = await asyncio.to_thread(check_file, source, options.encoding, dict(options.mapping))
    report = ImportReport(
        header=shape.columns.header,
        ignored_columns=shape.columns.ignored,
        total_rows=shape.rows,
        dry_run=options.dry_run,
    )
    if on_progress is not None:
        on_progress(report)
    if not options.dry_run:
        await _import_rows(source, shape, options, report, on_rejected, on_progress)
        return report
    try:
        async with write_transaction():
            await _import_rows(source, shape, options, report, on_rejected, on_progress)
            raise _Rollback
    except _Rollback:
        pass
    return report


async def _import_rows(
    source: BinaryIO,
    shape: FileShape,
    options: ImportOptions,
    report: ImportReport,
    on_rejected: Callable[[RejectedRow], None] | None,
    on_progress: Callable[[ImportReport], None] | None,
) -> None:
    seen: set[int] = set()

    def reject(row: FileRow, problems: list[Problem]) -> None:
        report.rejected += 1
        rejected = RejectedRow(
            number=row.number,
            cells=tuple(row.cells),
            problems=tuple(
                sorted(
                    (_row_problem(p, shape.columns) for p in problems),
                    key=lambda p: shape.columns.position_of(p.field),
                )
            ),
        )
        if options.keep_rejected is None or len(report.rejected_rows) < options.keep_rejected:
            report.rejected_rows.append(rejected)
        if on_rejected is not None:
            on_rejected(rejected)

    for batch in _batches(data_rows(source, options.encoding), shape, options.batch_size):
        rows: list[BatchRow] = []
        read: dict[int, FileRow] = {}
        unreadable: list[tuple[int, list[Problem]]] = []
        for row in batch:
            read[row.number] = row
            email = await _email(row)
            if isinstance(email, list):
                unreadable.append((row.number, email))
                continue
            fingerprint = int.from_bytes(hashlib.blake2b(email.encode(), digest_size=8).digest())
            if fingerprint in seen:
                report.duplicates += 1
            seen.add(fingerprint)
            values = {name: value for name, value in row.values.items() if name != "email"}
            rows.append(BatchRow(row.number, email, values, row.problems))
        try:
            async with write_transaction() as connection:
                result = await write_batch(
                    connection,
                    rows,
                    scope=options.scope,
                    owner_id=options.owner_id,
                    actor_id=options.actor_id,
                )
        except Exception as exc:
            raise ImportInterrupted(report, batch[0].number, batch[-1].number) from exc
        report.batches += 1
        report.created += len(result.created)
        report.updated += len(result.updated)
        report.unchanged += len(result.unchanged)
        for number, problems in sorted(unreadable + result.rejected, key=lambda r: r[0]):
            reject(read[number], problems)
        if on_progress is not None:
            on_progress(report)


def _batches(
    rows: Iterator[tuple[int, list[str]]], shape: FileShape, size: int
) -> Iterator[list[FileRow]]:
    batch: list[FileRow] = []
    for number, cells in rows:
        batch.append(read_row(number, cells, shape.columns))
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# Stands for the lead a row may change; clean_values only reads it.
_ANY_LEAD = Lead()


async def _email(row: FileRow) -> str | list[Problem]:
    """The row's email as leads store it, or the problems that leave the row out."""
    if row.malformed:
        return row.problems
    value = row.values.get("email")
    if value is None:
        return [
            *row.problems,
            Problem(
                "email is required to import a lead: it is how an import finds the lead again",
                ErrorCode.REQUIRED,
                ("email",),
            ),
        ]
    try:
        # Validated as a change to a lead, so that only the email's own rules apply here.
        clean = await clean_values(LEAD, {"email": value}, _ANY_LEAD)
    except DomainError as exc:
        return [*row.problems, *exc.problems]
    email: str = clean["email"]
    return email


def _row_problem(problem: Problem, columns: ColumnMap) -> RowProblem:
    name = problem.field[0] if problem.field else None
    return RowProblem(
        message=problem.message,
        code=problem.code,
        field=name,
        column=columns.columns_of(name) if name else None,
    )
