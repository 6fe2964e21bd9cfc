"""Which column of a lead file holds which lead field.

Headers are matched by their letters and digits only, case-insensitively, so "E-mail",
"email address" and "Email Address" all find the email column. An explicit mapping
(``column=field``) wins over these aliases.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from services.errors import DomainError, ErrorCode, Problem


class LeadColumn(StrEnum):
    """A lead field a file column can fill; first and last names are joined into the name."""

    PERSON_NAME = "person_name"
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    COMPANY_NAME = "company_name"
    COMPANY_DOMAIN = "company_domain"
    EMAIL = "email"
    PHONE = "phone"
    SOURCE = "source"
    STATUS = "status"
    SCORE = "score"
    NEXT_FOLLOW_UP_AT = "next_follow_up_at"

    @property
    def label(self) -> str:
        """The field's name as the API spells it (``personName``)."""
        head, *rest = self.value.split("_")
        return head + "".join(part.title() for part in rest)


# Headers people actually use, besides the field names themselves (personName, person_name).
ALIASES: dict[LeadColumn, tuple[str, ...]] = {
    LeadColumn.PERSON_NAME: (
        "name",
        "full name",
        "contact name",
        "contact",
        "person",
        "lead name",
    ),
    LeadColumn.FIRST_NAME: ("first name", "given name", "forename"),
    LeadColumn.LAST_NAME: ("last name", "surname", "family name"),
    LeadColumn.COMPANY_NAME: (
        "company",
        "company name",
        "organisation",
        "organization",
        "organisation name",
        "organization name",
        "account name",
    ),
    LeadColumn.COMPANY_DOMAIN: ("domain", "website", "company website", "web site", "url"),
    LeadColumn.EMAIL: ("e-mail", "email address", "e-mail address", "mail", "work email"),
    LeadColumn.PHONE: ("phone number", "telephone", "tel", "mobile", "work phone"),
    LeadColumn.SOURCE: ("lead source",),
    LeadColumn.STATUS: ("lead status",),
    LeadColumn.SCORE: ("lead score",),
    LeadColumn.NEXT_FOLLOW_UP_AT: (
        "next follow up",
        "next follow-up",
        "next follow up date",
        "follow up",
        "follow-up date",
        "follow up date",
    ),
}

# The columns a file must have: the fields every lead needs, and email, by which an import
# finds the lead again (without it, importing a file twice would duplicate every lead).
REQUIRED = (LeadColumn.PERSON_NAME, LeadColumn.COMPANY_NAME, LeadColumn.EMAIL)
_NAME_PARTS = (LeadColumn.PERSON_NAME, LeadColumn.FIRST_NAME, LeadColumn.LAST_NAME)


def normalise(header: str) -> str:
    return re.sub(r"[\W_]+", "", header).casefold()


_BY_ALIAS: dict[str, LeadColumn] = {
    normalise(alias): column
    for column in LeadColumn
    for alias in (column.value, column.label, *ALIASES.get(column, ()))
}


def refuse(message: str, field: str = "file", code: ErrorCode = ErrorCode.INVALID) -> DomainError:
    """The whole file is refused before anything is written."""
    return DomainError([Problem(message, code, (field,))])


def lead_column(name: str) -> LeadColumn:
    """The lead field a mapping names: ``personName``, ``person_name`` or ``person name``."""
    column = _BY_ALIAS.get(normalise(name))
    if column is None or normalise(name) not in (normalise(column.value), normalise(column.label)):
        known = ", ".join(c.label for c in LeadColumn)
        raise refuse(f"'{name}' is not a lead field; use one of {known}", "mapping")
    return column


@dataclass(frozen=True)
class ColumnMap:
    """Where each lead field is in a row, and which columns are not imported."""

    header: tuple[str, ...]
    positions: Mapping[LeadColumn, int]
    ignored: tuple[str, ...]

    def position_of(self, field: str | None) -> int:
        """Where a lead field's column is, to list a row's problems in column order."""
        if field == LeadColumn.PERSON_NAME and LeadColumn.PERSON_NAME not in self.positions:
            parts = (LeadColumn.FIRST_NAME, LeadColumn.LAST_NAME)
            return min((self.positions[p] for p in parts if p in self.positions), default=-1)
        try:
            return self.positions.get(LeadColumn(field), -1) if field else -1
        except ValueError:
            return -1

    def columns_of(self, field: str) -> str | None:
        """The header(s) a lead field was read from, for the report of rejected rows."""
        if field == LeadColumn.PERSON_NAME and LeadColumn.PERSON_NAME not in self.positions:
            parts = [LeadColumn.FIRST_NAME, LeadColumn.LAST_NAME]
            names = [self.header[self.positions[p]] for p in parts if p in self.positions]
            return " + ".join(names) or None
        try:
            return self.header[self.positions[LeadColumn(field)]]
        except (ValueError, KeyError):
            return None


def map_header(header: Sequence[str], mapping: Mapping[str, LeadColumn]) -> ColumnMap:
    """Match a file's header to lead fields; refuse a header that leaves a field ambiguous
    or lacks a required one."""
    header = tuple(h.strip() for h in header)
    keys = [normalise(h) for h in header]
    positions: dict[LeadColumn, int] = {}
    for column_name, field in mapping.items():
        matches = [i for i, key in enumerate(keys) if key == normalise(column_name)]
        if not matches:
            raise refuse(
                f"the mapping names column '{column_name}', which is not in the file; "
                f"its columns are: {', '.join(header)}",
                "mapping",
            )
        if len(matches) > 1:
            raise refuse(f"the file has {len(matches)} columns named '{column_name}'", "mapping")
        if field in positions:
            raise refuse(f"the mapping gives {field.label} twice", "mapping")
        positions[field] = matches[0]
    explicit = set(positions)
    taken = set(positions.values())
    for i, key in enumerate(keys):
        found = _BY_ALIAS.get(key)
        if i in taken or found is None or found in explicit:
            continue
        field = found
        if field in positions:
            first = header[positions[field]]
            raise refuse(
                f"columns '{first}' and '{header[i]}' both hold {field.label}; name the one "
                f"to use in the column mapping, e.g. '{header[i]}={field.label}'"
            )
        positions[field] = i
    missing = [
        c.label
        for c in REQUIRED
        if c not in positions
        and not (c == LeadColumn.PERSON_NAME and any(p in positions for p in _NAME_PARTS))
    ]
    if missing:
        raise refuse(
            f"the file has no column for {', '.join(missing)} (its columns are: "
            f"{', '.join(header)}); add the column, or name the column that holds it in the "
            "column mapping, e.g. 'Contact=personName'",
            code=ErrorCode.REQUIRED,
        )
    used = set(positions.values())
    ignored = tuple(h for i, h in enumerate(header) if i not in used)
    return ColumnMap(header=header, positions=positions, ignored=ignored)
