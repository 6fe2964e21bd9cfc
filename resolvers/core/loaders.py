"""Per-request DataLoaders: every relation is read in one batched query per request level.

Each loader returns results aligned with its keys. ``Loaders`` creates them lazily, one per
(model, key) pair, so a request that never touches a relation never builds its loader.
"""

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar, cast

from strawberry.dataloader import DataLoader
from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q, RawSQL
from tortoise.fields import (
    BigIntField,
    CharField,
    DateField,
    DatetimeField,
    DecimalField,
    FloatField,
    IntField,
    SmallIntField,
    TextField,
)
from tortoise.fields.data import CharEnumFieldInstance
from tortoise.functions import Count
from tortoise.models import Model
from tortoise.queryset import QuerySet

from resolvers.core.pagination import (
    Page,
    PageRequest,
    SortKey,
    ValueKind,
    group_rows,
    keyset_statement,
    pages_from_rows,
)
from services.search import folded_sql
from services.visibility import Visibility


def record_loader(model: type[Model], visible: Q) -> DataLoader[int, Any]:
    """Records by primary key; a missing or unseen key gives None."""

    async def load(keys: Sequence[int]) -> list[Any]:
        rows = {row.pk: row for row in await model.filter(visible, pk__in=set(keys))}
        return [rows.get(key) for key in keys]

    return DataLoader(load_fn=load)


def children_loader(
    model: type[Model], parent: str, ordering: tuple[str, ...], visible: Q
) -> DataLoader[int, list[Any]]:
    """Every child row of each parent, for short lists such as a pipeline's stages."""

    async def load(keys: Sequence[int]) -> list[list[Any]]:
        grouped: dict[int, list[Any]] = defaultdict(list)
        query = model.filter(visible, **{f"{parent}__in": set(keys)}).order_by(*ordering)
        for row in await query:
            grouped[getattr(row, parent)].append(row)
        return [grouped.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


def is_postgres() -> bool:
    return Tortoise.get_connection("default").capabilities.dialect == "postgres"


def field_sort_key(model: type[Model], term: str) -> SortKey:
    """The sort key of an ORM ordering term ("-amount") over ``model``'s table.

    The same on both databases: text by its folded form (case and accents ignored, as in
    search: ``services/search.py``) in code point order, decimals as numbers; whether a value
    may be missing comes from the field, and missing values sort last (``pagination.py``).
    """
    column = term.lstrip("-")
    field = model._meta.fields_map[column]
    sql = f'"{model._meta.db_table}"."{field.source_field or column}"'
    postgres = is_postgres()
    collation = ""
    if isinstance(field, DecimalField | FloatField):
        # SQLite stores decimals as text; compare them as numbers, as Tortoise does.
        sql, kind = f"CAST({sql} AS NUMERIC)", ValueKind.NUMBER
    elif isinstance(field, CharField | TextField):
        if not isinstance(field, CharEnumFieldInstance):
            sql = folded_sql(sql, postgres=postgres)
        kind, collation = ValueKind.TEXT, ' COLLATE "C"' if postgres else ""
    elif isinstance(field, DatetimeField):
        kind = ValueKind.DATETIME
    elif isinstance(field, DateField):
        kind = ValueKind.DATE
    elif isinstance(field, IntField | SmallIntField | BigIntField):
        kind = ValueKind.INTEGER
    else:
        raise TypeError(f"{model.__name__}.{column} cannot be a sort key")
    return SortKey(column, sql, term.startswith("-"), bool(field.null), kind, collation)


def keyset_sql(
    queryset: QuerySet[Any], request: PageRequest, partition: str | None
) -> tuple[BaseDBAsyncClient, str, list[Any]]:
    """The statement of a page of ``queryset`` (``pagination.keyset_statement``), parameterised,
    never inlined: conditions may hold subqueries and user-given values."""
    keys = request.ordering.keys
    annotated = queryset.annotate(
        **{
            column: RawSQL(key.sql)
            for column, key in zip(request.ordering.columns(), keys, strict=True)
        }
    )
    annotated._choose_db_if_not_chosen()
    annotated._make_query()
    inner, params = annotated.query.get_parameterized_sql()
    sql, values = keyset_statement(
        inner, params, request, postgres=is_postgres(), partition=partition
    )
    return annotated._db, sql, values


async def keyset_rows(
    queryset: QuerySet[Any], request: PageRequest, partition: str | None = None
) -> list[dict[str, Any]]:
    """The rows of one page of ``queryset`` (of each ``partition`` value), in one statement."""
    db, sql, values = keyset_sql(queryset, request, partition)
    _, rows = await db.execute_query(sql, values)
    return [dict(row) for row in rows]


# A page of one parent's children: (parent_id, request, filter_key).
PageKey = tuple[int, PageRequest, Hashable]
# A page without its parent, shared by siblings: (request, filter_key).
PageShape = tuple[PageRequest, Hashable]
# How many children one parent has under a filter: (parent_id, filter_key).
CountKey = tuple[int, Hashable]


def child_page_loader(model: type[Model], parent: str) -> "FilteredLoader[PageKey, Page]":
    """One page of each parent's children in a single statement per page shape.

    Keys are ``(parent_id, request, filter_key)`` (``pagination.PageRequest``); ``filters``
    maps a filter key to its Q so unhashable filters can share a batch.
    """
    filters: dict[Hashable, Q] = {}

    async def load(keys: Sequence[PageKey]) -> list[Page]:
        by_shape: dict[PageShape, set[int]] = defaultdict(set)
        for parent_id, request, filter_key in keys:
            by_shape[(request, filter_key)].add(parent_id)
        pages: dict[PageKey, Page] = {}
        for (request, filter_key), parent_ids in by_shape.items():
            query = model.filter(filters[filter_key], **{f"{parent}__in": parent_ids})
            grouped = group_rows(await keyset_rows(query, request, parent), parent)
            for parent_id in parent_ids:
                pages[(parent_id, request, filter_key)] = pages_from_rows(
                    grouped.get(parent_id, []),
                    request,
                    _no_total,
                    lambda row: model._init_from_db(**row),
                )
        return [pages[key] for key in keys]

    return FilteredLoader(load, filters)


async def _no_total() -> int:  # replaced by the count loader where totalCount is asked for
    raise RuntimeError("total not loaded")


def child_count_loader(model: type[Model], parent: str) -> "FilteredLoader[CountKey, int]":
    """How many children each parent has under a filter; keys are (parent_id, filter_key)."""
    filters: dict[Hashable, Q] = {}

    async def load(keys: Sequence[CountKey]) -> list[int]:
        by_filter: dict[Hashable, set[int]] = defaultdict(set)
        for parent_id, filter_key in keys:
            by_filter[filter_key].add(parent_id)
        counts: dict[CountKey, int] = {}
        for filter_key, parent_ids in by_filter.items():
            rows = (
                await model.filter(filters[filter_key], **{f"{parent}__in": parent_ids})
                .annotate(n=Count("id"))
                .group_by(parent)
                .values(parent, "n")
            )
            for row in rows:
                counts[(row[parent], filter_key)] = row["n"]
        return [counts.get((parent_id, filter_key), 0) for parent_id, filter_key in keys]

    return FilteredLoader(load, filters)


K = TypeVar("K")
V = TypeVar("V")


class FilteredLoader(DataLoader[K, V]):
    """A loader whose keys name their filter by a hashable key; ``filters`` maps it to the Q."""

    def __init__(
        self, load_fn: Callable[[list[K]], Awaitable[Sequence[V]]], filters: dict[Hashable, Q]
    ) -> None:
        super().__init__(load_fn=load_fn)
        self.filters = filters


L = TypeVar("L", bound=DataLoader[Any, Any])


class Loaders:
    """The loaders of one request, created on first use, held to what its viewer may see."""

    def __init__(self, visibility: Visibility) -> None:
        self.visibility = visibility
        self._loaders: dict[tuple[Hashable, ...], DataLoader[Any, Any]] = {}

    def _get(
        self, key: tuple[Hashable, ...], make: Callable[[], DataLoader[Any, Any]]
    ) -> DataLoader[Any, Any]:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = make()
        return loader

    def named(self, key: tuple[Hashable, ...], make: Callable[[], L]) -> L:
        """A loader defined elsewhere (e.g. ``resolvers/core/analytics.py``), one per request."""
        return cast(L, self._get(key, make))

    def record(self, model: type[Model]) -> DataLoader[int, Any]:
        return self._get(
            ("record", model),
            lambda: record_loader(model, self.visibility.condition(model)),
        )

    def children(
        self, model: type[Model], parent: str, ordering: tuple[str, ...]
    ) -> DataLoader[int, list[Any]]:
        return self._get(
            ("children", model, parent, ordering),
            lambda: children_loader(model, parent, ordering, self.visibility.condition(model)),
        )

    def child_pages(self, model: type[Model], parent: str) -> FilteredLoader[PageKey, Page]:
        loader = self._get(("pages", model, parent), lambda: child_page_loader(model, parent))
        return cast(FilteredLoader[PageKey, Page], loader)

    def child_counts(self, model: type[Model], parent: str) -> FilteredLoader[CountKey, int]:
        loader = self._get(("counts", model, parent), lambda: child_count_loader(model, parent))
        return cast(FilteredLoader[CountKey, int], loader)
