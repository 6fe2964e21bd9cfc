"""Reading lists: filters to query conditions, orderings, and pages of rows."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from ids import parse_pk
from resolvers.core.loaders import Loaders, field_sort_key, is_postgres, keyset_rows
from resolvers.core.pagination import (
    Ordering,
    Page,
    PageArgs,
    PaginationError,
    SortKey,
    ValueKind,
    pages_from_rows,
)


class InputError(PaginationError):
    """A list argument the client must fix (an id of the wrong type, for example)."""


def pks(global_ids: Iterable[Any] | None, type_name: str) -> list[int] | None:
    """Primary keys of global ids that must all name ``type_name`` records."""
    if global_ids is None:
        return None
    keys = []
    for gid in global_ids:
        key = parse_pk(gid.node_id) if gid.type_name == type_name else None
        if key is None:
            raise InputError(f"'{gid}' is not a valid {type_name} id")
        keys.append(key)
    return keys


def pk(global_id: Any, type_name: str) -> int | None:
    """The primary key behind one global id, or None when it names another type."""
    if global_id is None or global_id.type_name != type_name:
        return None
    return parse_pk(global_id.node_id)


def archived_condition(state: Any) -> Q:
    value = getattr(state, "value", state) or "ACTIVE"
    if value == "ACTIVE":
        return Q(archived_at__isnull=True)
    if value == "ARCHIVED":
        return Q(archived_at__isnull=False)
    return Q()


def conditions(**lookups: Any) -> Q:
    """AND of the lookups whose value was given (None means 'not filtered')."""
    return Q(*[Q(**{name: value}) for name, value in lookups.items() if value is not None])


# A search looks for at most this many words of at most this many characters each: longer
# patterns make SQLite give up ("LIKE or GLOB pattern too complex") and cost every database.
SEARCH_WORDS = 5
SEARCH_WORD_CHARACTERS = 100


def search_condition(text: str | None, *columns: str) -> Q:
    """Every word of ``text`` appears in one of ``columns``, ignoring case and accents
    (``__icontains`` compares folded text: ``services/search.py``)."""
    if not text or not text.strip():
        return Q()
    words = text.split()[:SEARCH_WORDS]
    longest = max(len(word) for word in words)
    if longest > SEARCH_WORD_CHARACTERS:
        raise InputError(
            f"search words may be at most {SEARCH_WORD_CHARACTERS} characters long "
            f"(one has {longest}); search for a shorter part of it"
        )
    return Q(*[Q(*[Q(**{f"{c}__icontains": w}) for c in columns], join_type="OR") for w in words])


@dataclass(frozen=True)
class SortExpression:
    """A sort field computed in SQL rather than read from a column (for a ``*_COLUMNS`` map):
    ``sql`` may name the model's table as ``{table}``, e.g. a correlated subquery."""

    sql: str
    kind: ValueKind
    nullable: bool = True
    collation: str = ""


def sort_key(model: type[Model], name: str, column: str | SortExpression, desc: bool) -> SortKey:
    if isinstance(column, SortExpression):
        sql = column.sql.format(table=f'"{model._meta.db_table}"')
        return SortKey(name, sql, desc, column.nullable, column.kind, column.collation)
    return field_sort_key(model, f"-{column}" if desc else column)


def ordering(
    order_by: Sequence[Any] | None,
    columns: Mapping[str, str | SortExpression],
    default: Sequence[str],
    model: type[Model],
) -> Ordering:
    """The stable ordering of an ``orderBy`` list (``default`` if empty, ORM terms like
    "-created_at"), always ending with the primary key (in the last term's direction)."""
    keys = []
    for order in order_by or []:
        name = order.field.value
        descending = order.direction.value == "DESC"
        keys.append(sort_key(model, name.lower(), columns[name], descending))
    if not keys:
        keys = [field_sort_key(model, term) for term in default]
    if keys[-1].name != "id":
        keys.append(field_sort_key(model, "-id" if keys[-1].descending else "id"))
    return Ordering(model.__name__, tuple(keys))


async def list_page(queryset: QuerySet[Any], order: Ordering, args: PageArgs) -> Page:
    """One page of a top-level list, in one statement; the total is counted (one more) only
    if the client asks for it."""
    request = args.request(order, postgres=is_postgres())
    counted: list[int] = []

    async def total() -> int:
        if not counted:
            counted.append(await queryset.count())
        return counted[0]

    rows = await keyset_rows(queryset, request)
    return pages_from_rows(rows, request, total, lambda row: queryset.model._init_from_db(**row))


async def child_page(
    loaders: Loaders,
    model: type[Model],
    parent: str,
    parent_id: int,
    condition: Q,
    filter_key: Any,
    order: Ordering,
    args: PageArgs,
) -> Page:
    """One page of a parent's children, batched with the same page of its siblings."""
    request = args.request(order, postgres=is_postgres())
    counts = loaders.child_counts(model, parent)
    counts.filters[filter_key] = condition

    async def total() -> int:
        return await counts.load((parent_id, filter_key))

    pages = loaders.child_pages(model, parent)
    pages.filters[filter_key] = condition
    page = await pages.load((parent_id, request, filter_key))
    return Page(page.rows, page.cursors, page.has_next, page.has_previous, total)
