"""`accountgraph import-leads`: the lead import with a progress bar and a printed report.

Exit status: 0 when every row was imported, 3 when some rows were rejected (the others were
imported), 1 when nothing could be imported (the file or the options were refused) or the
import stopped part-way. Usage errors exit with 2, as with every command.
"""

import csv
from contextlib import ExitStack
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from models import User
from services.errors import DomainError
from services.lead_import import (
    ImportInterrupted,
    ImportOptions,
    ImportReport,
    LeadColumn,
    RejectedRow,
    check_owner,
    import_leads,
    lead_column,
)

ALL_IMPORTED, REFUSED, SOME_REJECTED = 0, 1, 3
SHOWN_REJECTIONS = 20


def parse_mapping(pairs: list[str]) -> dict[str, LeadColumn]:
    """``COLUMN=field`` options as a column mapping (raises DomainError on a bad one)."""
    mapping = {}
    for pair in pairs:
        column, equals, name = pair.rpartition("=")
        if not equals or not column.strip():
            raise DomainError.single(
                f"'{pair}' is not COLUMN=field, e.g. 'Contact=personName'", field="mapping"
            )
        mapping[column.strip()] = lead_column(name)
    return mapping


class RejectsFile:
    """The rejected rows as CSV: the row number, the row as it was, and what is wrong, so the
    file can be corrected and imported again (the extra columns are ignored then)."""

    def __init__(self, stream: TextIO) -> None:
        self.writer = csv.writer(stream)

    def start(self, header: tuple[str, ...]) -> None:
        self.writer.writerow(["row", *header, "problems"])

    def write(self, row: RejectedRow) -> None:
        problems = "; ".join(
            f"{p.column}: {p.message}" if p.column else p.message for p in row.problems
        )
        self.writer.writerow([row.number, *row.cells, problems])


async def run_import(
    console: Console,
    path: Path,
    *,
    owner_email: str,
    batch_size: int,
    encoding: str,
    mapping: list[str],
    dry_run: bool,
    rejects: Path | None,
) -> int:
    """Import ``path``; print the progress and the report; return the exit status."""
    owner = await User.get_or_none(email=owner_email.strip().lower())
    try:
        if owner is None:
            raise DomainError.single(f"there is no user with the email {owner_email}")
        options = ImportOptions(
            owner_id=check_owner(owner, assigned_by=None).pk,
            actor_id=None,
            batch_size=batch_size,
            encoding=encoding,
            mapping=parse_mapping(mapping),
            dry_run=dry_run,
            keep_rejected=SHOWN_REJECTIONS,
        )
    except DomainError as exc:
        console.print(f"[red]Not imported:[/red] {escape(str(exc))}", soft_wrap=True)
        return REFUSED
    with ExitStack() as stack:
        source = stack.enter_context(path.open("rb"))
        rejects_file = (
            RejectsFile(stack.enter_context(rejects.open("w", newline="", encoding="utf-8")))
            if rejects
            else None
        )
        progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("rows"),
            console=console,
        )
        task: TaskID | None = None

        def stop_progress() -> None:
            nonlocal task
            if task is not None:
                progress.stop()
                task = None

        stack.callback(stop_progress)

        def on_progress(report: ImportReport) -> None:
            nonlocal task
            if task is None:  # the file has been checked: the import starts
                progress.start()
                task = progress.add_task(f"Importing {path.name}", total=report.total_rows)
                if rejects_file is not None:
                    rejects_file.start(report.header)
            progress.update(task, completed=report.rows)

        try:
            report = await import_leads(
                source,
                options,
                on_progress=on_progress,
                on_rejected=rejects_file.write if rejects_file else None,
            )
        except DomainError as exc:
            stop_progress()
            console.print(f"[red]Not imported:[/red] {escape(str(exc))}", soft_wrap=True)
            return REFUSED
        except ImportInterrupted as exc:
            stop_progress()
            print_report(console, exc.report, rejects)
            console.print(
                f"[red]Stopped:[/red] {exc} ({escape(repr(exc.__cause__))}). The rows before "
                "were imported; run the same command again to finish: rows already imported "
                "are matched by email, not duplicated.",
                soft_wrap=True,
            )
            return REFUSED
    print_report(console, report, rejects)
    return SOME_REJECTED if report.rejected else ALL_IMPORTED


def print_report(console: Console, report: ImportReport, rejects: Path | None) -> None:
    title = "Dry run: nothing was stored" if report.dry_run else "Lead import"
    table = Table(title=title, show_header=False)
    for label, count in (
        ("created", report.created),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
        ("rejected", report.rejected),
        ("rows repeating an earlier row's email", report.duplicates),
    ):
        table.add_row(label, str(count))
    console.print(table)
    if report.ignored_columns:
        names = ", ".join(report.ignored_columns)
        console.print(f"Columns not imported: {escape(names)}")
    for row in report.rejected_rows:
        for problem in row.problems:
            where = f"row {row.number}" + (f", {problem.column}" if problem.column else "")
            console.print(f"  {escape(where)}: {escape(problem.message)}", soft_wrap=True)
    hidden = report.rejected - len(report.rejected_rows)
    if hidden > 0:
        console.print(f"  ... and {hidden} more rejected rows")
    if rejects is not None and report.rejected:
        console.print(f"Rejected rows written to {rejects}")
    elif hidden > 0:
        console.print("Add --rejects FILE to write every rejected row to a CSV file.")
