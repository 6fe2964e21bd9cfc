"""Keyset pagination: cursors that name a row's place in an ordering, not an offset.

Every list is read in a stable ``Ordering``: sort keys (``SortKey``: an SQL expression, a
direction, whether it may be missing) ending with a unique one, the id. A cursor carries
the values of those keys for one row, as opaque base64 of a small versioned JSON document,
``{"v": 1, "o": "<entity>(<key names>)", "k": [<value of each key>, ...]}`` (the id last).
A page resumes *after* (or *before*) that place with a keyset condition, so rows inserted
or archived between two requests are never shown twice nor skipped, and a cursor stays
good when its own row is gone. A cursor made for another list or another ordering, an old
offset cursor (``base64("cursor:N")``) or a damaged one is refused, naming the argument.

The same placement on SQLite and PostgreSQL: missing values sort last in both directions
(a "key is missing" flag before each nullable key), text by its folded form with a byte
collation (``services/search.py``), decimals as numbers; the cursor keeps each value as the
database computed it, so the comparison is the one the ``ORDER BY`` made.

How to page a new list:

- A ``Listing`` (``schema/listing.py``) pages itself: its ``columns`` map an ``orderBy`` field
  to a model field ("amount") or to a ``listing.SortExpression`` (SQL computed per row, e.g.
  a correlated subquery over ``{table}``, with its ``ValueKind``); ``listing.ordering`` makes
  the ``Ordering`` (ending with the id), ``listing.list_page`` and ``listing.child_page`` the
  ``Page`` of a top-level or a nested list (one statement per level, batched by loaders).
- Any other Tortoise queryset: ``loaders.keyset_rows(queryset, request, partition)`` with
  ``request = PageArgs(...).request(ordering, postgres=loaders.is_postgres())``, then
  ``pages_from_rows`` (after ``group_rows`` when partitioned by a parent column).
- Rows that are not one model's (a union timeline of several tables): write the inner
  ``SELECT`` yourself, selecting each sort key as ``_k0``, ``_k1``... (``Ordering.columns``)
  and ending with a unique key (e.g. a kind and an id folded into one text or number key);
  ``keyset_statement(inner_sql, inner_params, request, postgres=..., partition=...)`` wraps it
  into one statement: the page (one more row, to tell whether more follow) and, when a
  cursor was given, one row from its other side, so ``hasPreviousPage`` and ``hasNextPage``
  are both exact. ``pages_from_rows(rows, request, total, make)`` builds the ``Page`` and
  ``Connection.from_page`` shows it.
"""

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from settings import get_settings

CURSOR_VERSION = 1
_OLD_OFFSET_PREFIX = "cursor:"


class PaginationError(ValueError):
    """Arguments a client must fix: shown to it as a GraphQL error."""


class ValueKind(Enum):
    """How a sort key's value travels in a cursor (JSON) and back to the database."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"  # decimals and floats; SQLite compares them as its numbers
    DATETIME = "datetime"
    DATE = "date"


@dataclass(frozen=True)
class SortKey:
    """One term of an ordering: ``sql`` is an expression over the inner query's row (e.g.
    ``"accounts"."name"`` folded), selected as a column of its own and compared there."""

    name: str
    sql: str
    descending: bool = False
    nullable: bool = False
    kind: ValueKind = ValueKind.INTEGER
    collation: str = ""  # e.g. ' COLLATE "C"', applied wherever the key is compared


@dataclass(frozen=True)
class Ordering:
    """A stable order: keys ending with a unique, never missing one (the id)."""

    scope: str
    keys: tuple[SortKey, ...]

    @property
    def signature(self) -> str:
        names = ",".join(f"-{k.name}" if k.descending else k.name for k in self.keys)
        return f"{self.scope}({names})"

    def columns(self) -> list[str]:
        """Column names the keys are selected as: ``_k0``, ``_k1``..."""
        return [f"_k{i}" for i in range(len(self.keys))]

    def cursor(self, row: Mapping[str, Any]) -> str:
        values = [_to_json(row[column]) for column in self.columns()]
        document = {"v": CURSOR_VERSION, "o": self.signature, "k": values}
        text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def position(self, cursor: str, argument: str, *, postgres: bool) -> "Position":
        """The place a cursor names, refused with a message naming ``argument``."""
        document = _read(cursor, argument)
        if document.get("o") != self.signature:
            raise PaginationError(
                f"'{argument}' is a cursor of another list or another orderBy; pass a cursor "
                "from a page of this list read with the same orderBy"
            )
        values = document.get("k")
        if not isinstance(values, list) or len(values) != len(self.keys):
            raise PaginationError(_damaged(argument))
        try:
            decoded = tuple(
                _from_json(value, key, postgres=postgres)
                for value, key in zip(values, self.keys, strict=True)
            )
        except (TypeError, ValueError, InvalidOperation):
            raise PaginationError(_damaged(argument)) from None
        if decoded[-1] is None:
            raise PaginationError(_damaged(argument))
        return Position(decoded)


def encode_tagged(tag: str, value: Any) -> str:
    """The cursor of a merged list (the timeline, the event feed): base64 of ``tag`` and the
    compact JSON of ``value``, which names the item in that list's own order."""
    return base64.b64encode(f"{tag}{json.dumps(value, separators=(',', ':'))}".encode()).decode()


def decode_tagged(cursor: str, tag: str) -> Any:
    """The value ``encode_tagged`` put in ``cursor`` under ``tag``; ValueError when it holds
    none (the list refuses it in its own words)."""
    try:
        text = base64.b64decode(cursor, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError(cursor) from None
    if not text.startswith(tag):
        raise ValueError(cursor)
    return json.loads(text.removeprefix(tag))


@dataclass(frozen=True)
class Position:
    """The sort key values of one row (possibly gone since), decoded for the database."""

    values: tuple[Any, ...]


def _damaged(argument: str) -> str:
    return f"'{argument}' is not a valid cursor; pass a cursor from a page of this list"


def _read(cursor: str, argument: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        text = raw.decode()
    except (binascii.Error, ValueError):
        raise PaginationError(_damaged(argument)) from None
    if text.startswith(_OLD_OFFSET_PREFIX):
        raise PaginationError(
            f"'{argument}' is an old offset cursor, no longer accepted; read the list again "
            "from its first page to get current cursors"
        )
    try:
        document = json.loads(text)
    except ValueError:
        raise PaginationError(_damaged(argument)) from None
    if not isinstance(document, dict):
        raise PaginationError(_damaged(argument))
    if document.get("v") != CURSOR_VERSION:
        raise PaginationError(
            f"'{argument}' is a cursor of another version of the API; read the list again "
            "from its first page"
        )
    return document


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _from_json(value: Any, key: SortKey, *, postgres: bool) -> Any:
    """A cursor's value as the database compares it (SQLite keeps dates as text)."""
    if value is None:
        if not key.nullable:
            raise ValueError("a value is missing")
        return None
    kind = key.kind
    if kind is ValueKind.TEXT:
        if not isinstance(value, str):
            raise TypeError
        return value
    if kind is ValueKind.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError
        return value
    if kind is ValueKind.NUMBER:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise TypeError
        number = Decimal(str(value))
        if not number.is_finite():
            raise ValueError("not a number")
        if postgres:
            return number
        return value if isinstance(value, int | float) else float(number)
    if not isinstance(value, str):
        raise TypeError
    parsed: date = (
        datetime.fromisoformat(value) if kind is ValueKind.DATETIME else date.fromisoformat(value)
    )
    return parsed if postgres else value


@dataclass(frozen=True)
class PageRequest:
    """Checked Relay arguments with their cursors decoded; hashable, so loaders batch it."""

    ordering: Ordering
    first: int | None
    last: int | None
    after: Position | None
    before: Position | None

    @property
    def backward(self) -> bool:
        """Read from the end (``last`` without ``first``): the rows come reversed."""
        return self.first is None

    @property
    def size(self) -> int:
        size = self.first if self.first is not None else self.last
        assert size is not None
        return size

    @property
    def probe(self) -> Position | None:
        """The cursor whose other side tells the flag the page's size cannot."""
        return self.before if self.backward else self.after


@dataclass(frozen=True)
class PageArgs:
    """Relay arguments, checked: a page size within the limit, cursors of this list."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def check(self) -> "PageArgs":
        limit = get_settings().max_page_size
        for name in ("first", "last"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= limit:
                raise PaginationError(f"'{name}' must be between 0 and {limit}, got {value}")
        if self.first is None and self.last is None:
            return PageArgs(get_settings().default_page_size, self.after, None, self.before)
        return self

    def request(self, ordering: Ordering, *, postgres: bool) -> PageRequest:
        """The checked request; an empty cursor is no cursor."""
        args = self.check()
        after = ordering.position(args.after, "after", postgres=postgres) if args.after else None
        before = (
            ordering.position(args.before, "before", postgres=postgres) if args.before else None
        )
        return PageRequest(ordering, args.first, args.last, after, before)


@dataclass
class Page:
    rows: Sequence[Any]
    cursors: list[str]
    has_next: bool
    has_previous: bool
    total: Callable[[], Awaitable[int]] = field(repr=False)


class _Parameters:
    """Placeholders in the order they appear in the text: ``?`` on SQLite, ``$n`` on
    PostgreSQL (where the inner query's own ``$1``.. stay valid wherever it is repeated)."""

    def __init__(self, inner_params: Sequence[Any], postgres: bool) -> None:
        self.postgres = postgres
        self.inner_params = list(inner_params)
        self.values: list[Any] = list(inner_params) if postgres else []

    def inner(self, sql: str) -> str:
        if not self.postgres:
            self.values.extend(self.inner_params)
        return sql

    def add(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}" if self.postgres else "?"


def _column(ordering: Ordering, i: int) -> str:
    return f'"page"."_k{i}"{ordering.keys[i].collation}'


def _order_sql(ordering: Ordering, reverse: bool) -> str:
    terms = []
    for i, key in enumerate(ordering.keys):
        column = _column(ordering, i)
        if key.nullable:  # missing values last, whichever way the list runs
            terms.append(
                f'CASE WHEN "page"."_k{i}" IS NULL THEN 1 ELSE 0 END {"DESC" if reverse else "ASC"}'
            )
        terms.append(f"{column} {'ASC' if key.descending == reverse else 'DESC'}")
    return ", ".join(terms)


_Term = tuple[str, tuple[Any, ...]]  # SQL with a "{}" for each value, and the values


def _keyset_sql(
    ordering: Ordering, position: Position, later: bool, inclusive: bool, params: _Parameters
) -> str:
    """Rows after (``later``) or before ``position`` in ``ordering``, or at it if ``inclusive``:
    an OR, for each key, of "every earlier key equal, this one strictly beyond"."""
    disjuncts: list[list[_Term]] = []
    equal: list[_Term] = []
    for i, (key, value) in enumerate(zip(ordering.keys, position.values, strict=True)):
        column = _column(ordering, i)
        missing = f'"page"."_k{i}" IS NULL'
        beyond: _Term | None
        if value is None:
            # Missing values come last: nothing is beyond them later, everything present earlier.
            beyond = None if later else (f'"page"."_k{i}" IS NOT NULL', ())
            same: _Term = (missing, ())
        else:
            operator = ">" if later != key.descending else "<"
            beyond = (f"{column} {operator} {{}}", (value,))
            if later and key.nullable:
                beyond = (f"({column} {operator} {{}} OR {missing})", (value,))
            same = (f"{column} = {{}}", (value,))
        if beyond is not None:
            disjuncts.append([*equal, beyond])
        equal.append(same)
    if inclusive:
        disjuncts.append(equal)
    if not disjuncts:
        return "1 = 0"
    # Placeholders in the order of the text (SQLite's are positional).
    rendered = [
        " AND ".join(sql.format(*(params.add(v) for v in values)) for sql, values in terms)
        for terms in disjuncts
    ]
    return "(" + " OR ".join(f"({d})" for d in rendered) + ")"


def keyset_statement(
    inner_sql: str,
    inner_params: Sequence[Any],
    request: PageRequest,
    *,
    postgres: bool,
    partition: str | None = None,
) -> tuple[str, list[Any]]:
    """One statement for the page of ``request`` over the rows of ``inner_sql`` (which selects
    each sort key as ``_k0``, ``_k1``...), per ``partition`` value if given.

    Rows come with ``_side`` 0 (the page, in reading order, one more than asked for to tell
    whether more follow) or 1 (one row from the far side of the cursor, if any exists), and
    ``_row``, their place.
    """
    ordering = request.ordering
    params = _Parameters(inner_params, postgres)
    by = f'PARTITION BY "page"."{partition}" ' if partition else ""
    # Placeholders are made in the order of the text: the inner query's, then the keyset's.
    inner = params.inner(inner_sql)
    conditions = [
        _keyset_sql(ordering, position, later, False, params)
        for position, later in ((request.after, True), (request.before, False))
        if position is not None
    ]
    where = " AND ".join(conditions) or "1 = 1"
    sql = (
        f'SELECT * FROM (SELECT "page".*, ROW_NUMBER() OVER ({by}ORDER BY '
        f'{_order_sql(ordering, request.backward)}) AS "_row", 0 AS "_side" '
        f'FROM ({inner}) AS "page" WHERE {where}) AS "main" '
        f'WHERE "main"."_row" <= {request.size + 1}'
    )
    if request.probe is not None:
        inner = params.inner(inner_sql)
        other = _keyset_sql(ordering, request.probe, request.backward, True, params)
        sql += (
            f' UNION ALL SELECT * FROM (SELECT "page".*, ROW_NUMBER() OVER ({by}ORDER BY '
            f'"page"."_k{len(ordering.keys) - 1}") AS "_row", 1 AS "_side" '
            f'FROM ({inner}) AS "page" WHERE {other}) AS "probe" WHERE "probe"."_row" = 1'
        )
    ends = f'"{partition}", ' if partition else ""
    return f'{sql} ORDER BY {ends}"_side", "_row"', params.values


def pages_from_rows(
    rows: Sequence[Mapping[str, Any]],
    request: PageRequest,
    total: Callable[[], Awaitable[int]],
    make: Callable[[Mapping[str, Any]], Any] = lambda row: row,
) -> Page:
    """The page of one list (one partition) from the rows ``keyset_statement`` returned."""
    found = [row for row in rows if row["_side"] == 0]
    beyond_cursor = any(row["_side"] == 1 for row in rows)
    more = len(found) > request.size
    found = found[: request.size]
    if request.backward:
        found.reverse()
        has_previous, has_next = more, beyond_cursor
    else:
        has_next, has_previous = more, beyond_cursor
        if request.last is not None and request.last < len(found):
            found = found[len(found) - request.last :]
            has_previous = True
    return Page(
        rows=[make(row) for row in found],
        cursors=[request.ordering.cursor(row) for row in found],
        has_next=has_next,
        has_previous=has_previous,
        total=total,
    )


def group_rows(
    rows: Sequence[Mapping[str, Any]], partition: str
) -> dict[Hashable, list[Mapping[str, Any]]]:
    """Rows of a partitioned statement, by their partition value, in their order."""
    grouped: dict[Hashable, list[Mapping[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row[partition], []).append(row)
    return grouped
