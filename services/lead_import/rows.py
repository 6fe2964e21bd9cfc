"""One file row as lead values: text cells read into the types the lead fields take.

Only reading happens here (whole numbers, dates, enum spellings such as "Inbound call");
whether a value is acceptable is decided by the lead's own validators, exactly as for
``createLead``. A blank cell is left out: a new lead takes the field's default, an existing
lead keeps its value.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any
from urllib.parse import urlsplit

from services.errors import ErrorCode, Problem
from services.lead_import.columns import ColumnMap, LeadColumn
from services.records import describe, problem_at

_WHOLE_NUMBER = re.compile(r"[+-]?\d+(\.0*)?")


@dataclass
class FileRow:
    """A row of the file: its number (the header is row 1), cells, and values read from them."""

    number: int
    cells: list[str]
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    malformed: bool = False


def read_row(number: int, cells: list[str], columns: ColumnMap) -> FileRow:
    row = FileRow(number, cells)
    width = len(columns.header)
    if len(cells) < width or any(c.strip() for c in cells[width:]):
        row.problems.append(
            Problem(
                f"the row has {len(cells)} values but the header names {width} columns; "
                "check for an unquoted comma or a missing value",
                ErrorCode.INVALID,
            )
        )
        row.malformed = True
        return row
    text = {column: cells[i].strip() for column, i in columns.positions.items() if cells[i].strip()}
    name = text.get(LeadColumn.PERSON_NAME) or " ".join(
        text[part] for part in (LeadColumn.FIRST_NAME, LeadColumn.LAST_NAME) if part in text
    )
    if name:
        row.values["person_name"] = name
    for column, value in text.items():
        if column in (LeadColumn.PERSON_NAME, LeadColumn.FIRST_NAME, LeadColumn.LAST_NAME):
            continue
        try:
            row.values[column.value] = _READERS.get(column, _as_text)(value)
        except ValueError as exc:
            row.problems.append(problem_at(column.value, f"{describe(column.value)} {exc}"))
    return row


def _as_text(value: str) -> str:
    return value


def _enum_spelling(value: str) -> str:
    """'Inbound call' and 'inbound-call' name INBOUND_CALL."""
    return re.sub(r"[\s-]+", "_", value).upper()


def _whole_number(value: str) -> int:
    if not _WHOLE_NUMBER.fullmatch(value):
        raise ValueError(f"'{value}' is not a whole number")
    return int(float(value))


def _date_time(value: str) -> datetime:
    """An ISO 8601 date or date and time; without a time zone it is UTC."""
    try:
        moment = datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        raise ValueError(
            f"'{value}' is not a date or time; write it like 2026-12-01 or 2026-12-01T09:30Z"
        ) from None
    if len(value) == 10:
        moment = datetime.combine(moment.date(), time(0))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _domain(value: str) -> str:
    """A website address gives its host name: https://www.initech.example/ is initech.example
    (the lead validator drops the www.)."""
    if "/" in value:
        host = urlsplit(value if "://" in value else f"//{value}").hostname
        return host or value
    return value


_READERS = {
    LeadColumn.SOURCE: _enum_spelling,
    LeadColumn.STATUS: _enum_spelling,
    LeadColumn.SCORE: _whole_number,
    LeadColumn.NEXT_FOLLOW_UP_AT: _date_time,
    LeadColumn.COMPANY_DOMAIN: _domain,
}
