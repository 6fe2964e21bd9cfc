"""Per-request DataLoaders: every relation is read in one batched query per request level.

Each loader returns results aligned with its keys. ``Loaders`` creates them lazily, one per
(model, key) pair, so a request that never touches a relation never builds its loader.
"""

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar, cast

from strawberry.dataloader import DataLoader
from tortoise import Tortoise
from tortoise.expressions import Q, RawSQL
from tortoise.fields import CharField, DecimalField, TextField
from tortoise.fields.data import CharEnumFieldInstance
from tortoise.functions import Count
from tortoise.models import Model

from resolvers.core.pagination import Page, page_from_rows
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


def order_terms(model: type[Model], ordering: Sequence[str]) -> list[tuple[str, bool]]:
    """SQL sort keys, as (expression, descending), for ORM ordering terms ("-amount").

    The same on both databases: missing values last in either direction (a key "is null"
    before each nullable column), text by its folded form (case and accents ignored, as in
    search: ``services/search.py``), decimals as numbers.
    """
    table = model._meta.db_table
    postgres = Tortoise.get_connection("default").capabilities.dialect == "postgres"
    terms = []
    for term in ordering:
        column = term.lstrip("-")
        field = model._meta.fields_map[column]
        sql = f'"{table}"."{field.source_field or column}"'
        if field.null:
            terms.append((f"CASE WHEN {sql} IS NULL THEN 1 ELSE 0 END", False))
        if isinstance(field, DecimalField):
            # SQLite stores decimals as text; compare them as numbers, as Tortoise does.
            sql = f"CAST({sql} AS NUMERIC)"
        elif isinstance(field, CharField | TextField) and not isinstance(
            field, CharEnumFieldInstance
        ):
            sql = folded_sql(sql, postgres=postgres)
        terms.append((sql, term.startswith("-")))
    return terms


def _order_sql(model: type[Model], ordering: Sequence[str]) -> str:
    return ", ".join(
        f"{sql} {'DESC' if descending else 'ASC'}"
        for sql, descending in order_terms(model, ordering)
    )


# A page of one parent's children: (parent_id, start, stop, ordering, filter_key).
PageKey = tuple[int, int, int | None, tuple[str, ...], Hashable]
# A page without its parent, shared by siblings: (start, stop, ordering, filter_key).
PageShape = tuple[int, int | None, tuple[str, ...], Hashable]
# How many children one parent has under a filter: (parent_id, filter_key).
CountKey = tuple[int, Hashable]


def child_page_loader(model: type[Model], parent: str) -> "FilteredLoader[PageKey, Page]":
    """One page of each parent's children in a single window-function query per page shape.

    Keys are ``(parent_id, start, stop, ordering, filter_key)``; ``filters`` maps a filter key
    to its Q so unhashable filters can share a batch.
    """
    filters: dict[Hashable, Q] = {}

    async def load(keys: Sequence[PageKey]) -> list[Page]:
        by_shape: dict[PageShape, list[int]] = defaultdict(list)
        for parent_id, start, stop, ordering, filter_key in keys:
            by_shape[(start, stop, ordering, filter_key)].append(parent_id)
        pages: dict[PageKey, Page] = {}
        for (start, stop, ordering, filter_key), parent_ids in by_shape.items():
            rows_by_parent = await _window_rows(
                model, parent, set(parent_ids), filters[filter_key], ordering, start, stop
            )
            for parent_id in parent_ids:
                rows = rows_by_parent.get(parent_id, [])
                pages[(parent_id, start, stop, ordering, filter_key)] = page_from_rows(
                    rows, start, stop, _no_total
                )
        return [pages[key] for key in keys]

    return FilteredLoader(load, filters)


async def _no_total() -> int:  # replaced by the count loader where totalCount is asked for
    raise RuntimeError("total not loaded")


async def _window_rows(
    model: type[Model],
    parent: str,
    parent_ids: set[int],
    condition: Q,
    ordering: tuple[str, ...],
    start: int,
    stop: int | None,
) -> dict[int, list[Any]]:
    table = model._meta.db_table
    number = RawSQL(
        f'ROW_NUMBER() OVER (PARTITION BY "{table}"."{parent}" '
        f"ORDER BY {_order_sql(model, ordering)})"
    )
    query = model.filter(condition, **{f"{parent}__in": parent_ids}).annotate(row_number=number)
    # Parameterised, never inlined: conditions may hold subqueries and user-given values.
    query._choose_db_if_not_chosen()
    query._make_query()
    inner, params = query.query.get_parameterized_sql()
    upper = f' AND "page"."row_number" <= {stop + 1}' if stop is not None else ""
    sql = (
        f'SELECT * FROM ({inner}) AS "page" WHERE "page"."row_number" > {int(start)}{upper} '
        f'ORDER BY "page"."{parent}", "page"."row_number"'
    )
    _, rows = await query._db.execute_query(sql, params)
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        record = model._init_from_db(**dict(row))
        grouped[getattr(record, parent)].append(record)
    return grouped


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
