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

Timelines of several accounts asked for in one request with the same page arguments (a list
of accounts, each with its latest items) are read together: still one statement per source,
numbering each account's rows with a window function and keeping the first of each.
"""

from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from strawberry.dataloader import DataLoader
from tortoise.expressions import Q, RawSQL, Subquery
from tortoise.models import Model

from models import (
    Activity,
    CoordinationRequest,
    Opportunity,
    OpportunityStageChange,
    SatisfactionResponse,
)
from resolvers.core.loaders import Loaders
from resolvers.core.pagination import PageArgs, PaginationError, decode_tagged, encode_tagged
from services.visibility import Visibility

_PREFIX = "position:"

# (when the item happened, its GraphQL type name, its primary key)
Position = tuple[datetime, str, int]


def encode_position(position: Position) -> str:
    time, kind, pk = position
    return encode_tagged(_PREFIX, [time.isoformat(), kind, pk])


def decode_position(cursor: str, kinds: Sequence[str]) -> Position:
    """The position a cursor of this list names; ``kinds`` are the list's type names."""
    try:
        time, kind, pk = decode_tagged(cursor, _PREFIX)
        moment = datetime.fromisoformat(time)
        if kind not in kinds or type(pk) is not int or moment.tzinfo is None:
            raise ValueError
    except (ValueError, TypeError):
        raise PaginationError(f"'{cursor}' is not a valid cursor of this list") from None
    return moment, kind, pk


@dataclass(frozen=True)
class Source:
    """One table of an account's timeline: the rows of some accounts, the SQL saying whose
    account a row is on, and the column saying when it happened."""

    kind: str
    model: type[Model]
    time: str
    visible: Q
    of_accounts: Callable[[Collection[int]], Q]
    account_sql: str

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

    async def rows(
        self, accounts: Collection[int], after: Position | None, *, older: bool, limit: int
    ) -> dict[int, list[Any]]:
        """The first ``limit`` rows past ``after`` of each account, in one statement."""
        condition = self.visible & self.of_accounts(accounts)
        if after is not None:
            condition &= self.beyond(after, older=older)
        table = self.model._meta.db_table
        direction = "DESC" if older else "ASC"
        order = f'"{table}"."{self.time}" {direction}, "{table}"."id" {direction}'
        query = self.model.filter(condition).annotate(
            timeline_account=RawSQL(self.account_sql),
            timeline_rank=RawSQL(
                f"ROW_NUMBER() OVER (PARTITION BY {self.account_sql} ORDER BY {order})"
            ),
        )
        # Parameterised, never inlined: conditions hold user-given values.
        query._choose_db_if_not_chosen()
        query._make_query()
        inner, params = query.query.get_parameterized_sql()
        sql = f'SELECT * FROM ({inner}) AS "ranked" WHERE "ranked"."timeline_rank" <= {int(limit)}'
        _, found = await query._db.execute_query(sql, params)
        grouped: dict[int, list[Any]] = defaultdict(list)
        for values in found:
            values = dict(values)
            account = values.pop("timeline_account")
            values.pop("timeline_rank")
            grouped[int(account)].append(self.model._init_from_db(**values))
        return grouped

    async def count(self, account_id: int) -> int:
        return await self.model.filter(self.visible & self.of_accounts([account_id])).count()


def account_timeline(visibility: Visibility) -> list[Source]:
    """What an account's timeline merges, as the viewer may see it: its activities (not
    archived), its deals' stage changes, its coordination requests and satisfaction answers,
    each placed at the time it happened."""

    def on(table: str) -> str:
        return f'"{table}"."account_id"'

    def deals_of(accounts: Collection[int]) -> Q:
        deals = Opportunity.filter(account_id__in=list(accounts)).values("id")
        return Q(opportunity_id__in=Subquery(deals))

    def accounts_in(accounts: Collection[int]) -> Q:
        return Q(account_id__in=list(accounts))

    def active_in(accounts: Collection[int]) -> Q:
        return Q(account_id__in=list(accounts), archived_at__isnull=True)

    deal_account = (
        '(SELECT "opportunity"."account_id" FROM "opportunity" '
        'WHERE "opportunity"."id" = "opportunity_stage_change"."opportunity_id")'
    )
    parts: list[tuple[str, type[Model], str, Callable[[Collection[int]], Q], str]] = [
        ("Activity", Activity, "occurred_at", active_in, on("activity")),
        ("OpportunityStageChange", OpportunityStageChange, "changed_at", deals_of, deal_account),
        (
            "CoordinationRequest",
            CoordinationRequest,
            "created_at",
            accounts_in,
            on("coordination_request"),
        ),
        (
            "SatisfactionResponse",
            SatisfactionResponse,
            "received_at",
            accounts_in,
            on("satisfaction_response"),
        ),
    ]
    return [
        Source(kind, model, time, visibility.condition(model), of_accounts, account_sql)
        for kind, model, time, of_accounts, account_sql in parts
    ]


@dataclass
class MergedPage:
    """Rows of a merged list, newest first, each with its source and cursor."""

    items: list[tuple[Source, Any, str]]
    has_next: bool
    has_previous: bool
    total: Callable[[], Awaitable[int]]


@dataclass(frozen=True)
class Shape:
    """What a page asks for, whichever account it is of: past which position, which way,
    how many."""

    position: Position | None
    backward: bool
    size: int


def _newest_first(item: tuple[Source, Any]) -> tuple[datetime, str, int]:
    return item[0].position(item[1])


def _shape(args: PageArgs, kinds: Sequence[str]) -> Shape:
    if args.first is not None and args.last is not None:
        raise PaginationError("pass either 'first' or 'last', not both")
    if args.after and args.before:
        raise PaginationError("pass either 'after' or 'before', not both")
    if args.first is not None and args.before:
        raise PaginationError("'before' goes with 'last'; use 'after' with 'first'")
    if args.last is not None and args.after:
        raise PaginationError("'after' goes with 'first'; use 'before' with 'last'")
    backward = args.last is not None or (bool(args.before) and args.first is None)
    checked = args.check()
    # Without first or last, ``check`` gives the default page size as ``first``.
    size = (checked.last if checked.last is not None else checked.first) or 0
    cursor = args.before if backward else args.after
    position = decode_position(cursor, kinds) if cursor else None
    return Shape(position, backward, size)


TimelineRows = list[tuple[Source, Any]]


def timeline_loader(sources: Sequence[Source]) -> DataLoader[tuple[int, Shape], TimelineRows]:
    """Pages of many accounts' timelines; keys are (account id, ``Shape``), and each shape
    costs one statement per source whatever the number of accounts."""

    async def load(keys: Sequence[tuple[int, Shape]]) -> list[TimelineRows]:
        by_shape: dict[Shape, set[int]] = defaultdict(set)
        for account, shape in keys:
            by_shape[shape].add(account)
        found: dict[tuple[int, Shape], TimelineRows] = defaultdict(list)
        for shape, accounts in by_shape.items():
            for source in sources:
                rows = await source.rows(
                    accounts, shape.position, older=not shape.backward, limit=shape.size + 1
                )
                for account, account_rows in rows.items():
                    found[(account, shape)].extend((source, row) for row in account_rows)
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


async def timeline_page(loaders: Loaders, account_id: int, args: PageArgs) -> MergedPage:
    """One page of an account's timeline: ``first``/``after`` walk towards older items,
    ``last``/``before`` towards newer ones. One statement per source for all the accounts
    of a request that ask for the same page (and, for ``totalCount``, one count per source
    and account, only when asked)."""
    sources = account_timeline(loaders.visibility)
    shape = _shape(args, [source.kind for source in sources])
    key: tuple[Hashable, ...] = ("timeline",)
    loader = loaders.named(key, lambda: timeline_loader(sources))
    found = list(await loader.load((account_id, shape)))
    found.sort(key=_newest_first, reverse=not shape.backward)
    more = len(found) > shape.size
    page = found[: shape.size]
    if shape.backward:
        page.reverse()
    counted: list[int] = []

    async def total() -> int:
        if not counted:
            counted.append(sum([await source.count(account_id) for source in sources]))
        return counted[0]

    return MergedPage(
        items=[(s, row, encode_position(s.position(row))) for s, row in page],
        has_next=bool(args.before) if shape.backward else more,
        has_previous=more if shape.backward else bool(args.after),
        total=total,
    )
