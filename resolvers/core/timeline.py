"""Pages of lists merged from several tables, newest first, with keyset cursors.

An account's timeline mixes activities, stage changes, coordination requests and
satisfaction answers. Offsets into such a merge shift whenever any table gains or loses a
row, so a cursor here is the position of an item in the merged order instead:
``(time, type, id)``, where time is when the item happened (each source names its column),
type the GraphQL type name and id the row's primary key. The order is that triple,
descending; the type breaks ties between tables, the id within one. A page is read with one
statement per source, each asking for the rows past the cursor in the same order and one
more than the page needs; the merge keeps the page and tells whether more exist. Rows
inserted or removed between two pages shift nothing: no item is skipped or repeated.
"""

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.models import Model

from models import (
    Activity,
    CoordinationRequest,
    Opportunity,
    OpportunityStageChange,
    SatisfactionResponse,
)
from resolvers.core.pagination import PageArgs, PaginationError
from services.visibility import Visibility

_PREFIX = "position:"

# (when the item happened, its GraphQL type name, its primary key)
Position = tuple[datetime, str, int]


def encode_position(position: Position) -> str:
    time, kind, pk = position
    text = _PREFIX + json.dumps([time.isoformat(), kind, pk], separators=(",", ":"))
    return base64.b64encode(text.encode()).decode()


def decode_position(cursor: str, kinds: Sequence[str]) -> Position:
    """The position a cursor of this list names; ``kinds`` are the list's type names."""
    try:
        text = base64.b64decode(cursor, validate=True).decode()
        if not text.startswith(_PREFIX):
            raise ValueError
        time, kind, pk = json.loads(text.removeprefix(_PREFIX))
        moment = datetime.fromisoformat(time)
        if kind not in kinds or type(pk) is not int or moment.tzinfo is None:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise PaginationError(f"'{cursor}' is not a valid cursor of this list") from None
    return moment, kind, pk


@dataclass(frozen=True)
class Source:
    """One table of a merged list: its rows of interest and the column saying when each
    happened."""

    kind: str
    model: type[Model]
    time: str
    condition: Q

    def position(self, row: Any) -> Position:
        return getattr(row, self.time), self.kind, row.pk

    def beyond(self, position: Position, *, older: bool) -> Q:
        """Rows strictly older (or newer) than ``position`` in the merged order."""
        time, kind, pk = position
        lt = "lt" if older else "gt"
        if self.kind == kind:
            earlier: dict[str, Any] = {f"{self.time}__{lt}": time}
            same_time: dict[str, Any] = {self.time: time, f"id__{lt}": pk}
            return Q(**earlier) | Q(**same_time)
        # Between tables, equal times are ordered by type name.
        include_equal = (self.kind < kind) if older else (self.kind > kind)
        bound: dict[str, Any] = {f"{self.time}__{lt}{'e' if include_equal else ''}": time}
        return Q(**bound)

    async def rows(self, after: Position | None, *, older: bool, limit: int) -> list[Any]:
        query = self.model.filter(self.condition)
        if after is not None:
            query = query.filter(self.beyond(after, older=older))
        direction = "-" if older else ""
        return await query.order_by(f"{direction}{self.time}", f"{direction}id").limit(limit)

    async def count(self) -> int:
        return await self.model.filter(self.condition).count()


@dataclass
class MergedPage:
    """Rows of a merged list, newest first, each with its source and cursor."""

    items: list[tuple[Source, Any, str]]
    has_next: bool
    has_previous: bool
    total: Callable[[], Awaitable[int]]


def _newest_first(item: tuple[Source, Any]) -> tuple[datetime, str, int]:
    return item[0].position(item[1])


async def merged_page(sources: Sequence[Source], args: PageArgs) -> MergedPage:
    """One page of the merge of ``sources``: ``first``/``after`` walk towards older items,
    ``last``/``before`` towards newer ones. One statement per source (and one more per
    source for ``totalCount``, only when asked)."""
    if args.first is not None and args.last is not None:
        raise PaginationError("pass either 'first' or 'last', not both")
    if args.after and args.before:
        raise PaginationError("pass either 'after' or 'before', not both")
    backward = args.last is not None or (bool(args.before) and args.first is None)
    if args.first is not None and args.before:
        raise PaginationError("'before' goes with 'last'; use 'after' with 'first'")
    if args.last is not None and args.after:
        raise PaginationError("'after' goes with 'first'; use 'before' with 'last'")
    args = args.check()
    size = (args.last if backward else args.first) or 0
    if backward and args.last is None:
        size = args.first or 0  # ``check`` gave the default page size as ``first``
    kinds = [source.kind for source in sources]
    cursor = args.before if backward else args.after
    position = decode_position(cursor, kinds) if cursor else None
    found: list[tuple[Source, Any]] = []
    for source in sources:
        rows = await source.rows(position, older=not backward, limit=size + 1)
        found.extend((source, row) for row in rows)
    found.sort(key=_newest_first, reverse=not backward)
    more = len(found) > size
    page = found[:size]
    if backward:
        page.reverse()
    counted: list[int] = []

    async def total() -> int:
        if not counted:
            counted.append(sum([await source.count() for source in sources]))
        return counted[0]

    return MergedPage(
        items=[(s, row, encode_position(s.position(row))) for s, row in page],
        has_next=bool(args.before) if backward else more,
        has_previous=more if backward else bool(args.after),
        total=total,
    )


def account_timeline(visibility: Visibility, account_id: int) -> list[Source]:
    """What an account's timeline merges, as the viewer may see it: its activities (not
    archived), its deals' stage changes, its coordination requests and satisfaction answers,
    each placed at the time it happened."""
    deals = Subquery(Opportunity.filter(account_id=account_id).values("id"))
    parts: list[tuple[str, type[Model], str, Q]] = [
        ("Activity", Activity, "occurred_at", Q(account_id=account_id, archived_at__isnull=True)),
        (
            "OpportunityStageChange",
            OpportunityStageChange,
            "changed_at",
            Q(opportunity_id__in=deals),
        ),
        ("CoordinationRequest", CoordinationRequest, "created_at", Q(account_id=account_id)),
        ("SatisfactionResponse", SatisfactionResponse, "received_at", Q(account_id=account_id)),
    ]
    return [
        Source(kind, model, time, condition & visibility.condition(model))
        for kind, model, time, condition in parts
    ]
