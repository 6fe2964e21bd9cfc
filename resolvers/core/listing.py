"""Reading lists: filters to query conditions, orderings, and pages of rows."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from tortoise.expressions import Q, RawSQL
from tortoise.models import Model
from tortoise.queryset import QuerySet

from ids import parse_pk
from resolvers.core.loaders import Loaders, order_terms
from resolvers.core.pagination import Page, PageArgs, PaginationError, page_from_rows

M = TypeVar("M", bound=Model)


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


def ordering(
    order_by: Sequence[Any] | None, columns: Mapping[str, str], default: Sequence[str]
) -> tuple[str, ...]:
    """ORM ordering terms for an ``orderBy`` list, always ending with the primary key."""
    terms = []
    for order in order_by or []:
        column = columns[order.field.value]
        terms.append(f"-{column}" if order.direction.value == "DESC" else column)
    if not terms:
        terms = list(default)
    if terms[-1].lstrip("-") != "id":
        terms.append("-id" if terms[-1].startswith("-") else "id")
    return tuple(terms)


def ordered(queryset: QuerySet[M], order: tuple[str, ...]) -> QuerySet[M]:
    """``queryset`` sorted by ``order`` as ``loaders.order_terms`` says (missing values last,
    text folded), in one statement."""
    keys: dict[str, Any] = {}
    names = []
    for i, (sql, descending) in enumerate(order_terms(queryset.model, order)):
        keys[f"_order_{i}"] = RawSQL(sql)
        names.append(f"-_order_{i}" if descending else f"_order_{i}")
    return queryset.annotate(**keys).order_by(*names)


async def list_page(queryset: QuerySet[Any], order: tuple[str, ...], args: PageArgs) -> Page:
    """One page of a top-level list; the total is counted only if the client asks for it."""
    args = args.check()
    counted: list[int] = []

    async def total() -> int:
        if not counted:
            counted.append(await queryset.count())
        return counted[0]

    start, stop = args.window(await total() if args.needs_total else None)
    query = ordered(queryset, order).offset(start)
    if stop is not None:
        query = query.limit(stop - start + 1)
    return page_from_rows(await query, start, stop, total)


async def child_page(
    loaders: Loaders,
    model: type[Model],
    parent: str,
    parent_id: int,
    condition: Q,
    filter_key: Any,
    order: tuple[str, ...],
    args: PageArgs,
) -> Page:
    """One page of a parent's children, batched with the same page of its siblings."""
    args = args.check()
    counts = loaders.child_counts(model, parent)
    counts.filters[filter_key] = condition

    async def total() -> int:
        return await counts.load((parent_id, filter_key))

    start, stop = args.window(await total() if args.needs_total else None)
    pages = loaders.child_pages(model, parent)
    pages.filters[filter_key] = condition
    page = await pages.load((parent_id, start, stop, order, filter_key))
    return Page(page.rows, page.start, page.has_next, total)
