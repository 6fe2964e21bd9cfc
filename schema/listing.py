"""How a list field is declared once per entity: its filter, its orderings, its fields."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, cast

import strawberry
from tortoise.expressions import Q
from tortoise.models import Model

from resolvers.core.errors import bad_input
from resolvers.core.listing import (
    SortExpression,
    archived_condition,
    child_page,
    list_page,
    ordering,
)
from resolvers.core.pagination import PageArgs, PaginationError
from schema.base import Connection, Info
from schema.enums import OrderDirection

PAGE_ARGS_HELP = (
    "Lists are pages: `first`/`after` walk forward, `last`/`before` backward; "
    "20 items by default, at most 100."
)


LISTINGS: list["Listing"] = []


def order_input(entity: str, columns: Mapping[str, Any]) -> type:
    """``<Entity>Order { field, direction }`` with an enum of the sortable fields."""
    # Enum's functional form makes a class; mypy reads it as an instance when the members
    # are computed.
    field_enum = strawberry.enum(
        cast(type[Enum], Enum(f"{entity}OrderField", {name: name for name in columns})),
        description=f"Fields {entity.lower()} lists can be sorted by.",
    )
    cls = type(
        f"{entity}Order",
        (),
        {
            "__annotations__": {"field": field_enum, "direction": OrderDirection},
            "direction": strawberry.field(
                default=OrderDirection.ASC, description="Sort direction."
            ),
        },
    )
    return strawberry.input(cls, description=f"One sort key of a {entity.lower()} list.")


@dataclass(frozen=True)
class Listing:
    """One entity's list: node type, filter input and the query condition it stands for.

    Every one is kept in ``LISTINGS`` (tests page through each list in each order).
    """

    node: Any
    filter_input: type
    condition: Callable[[Any], Q]
    columns: Mapping[str, str | SortExpression]
    default_order: tuple[str, ...]
    archivable: bool = True
    # What a record shown by default (``archived: ACTIVE``) also needs beyond not being
    # archived itself: a deal's account and client not archived either, say.
    active: Q | None = None

    def __post_init__(self) -> None:
        LISTINGS.append(self)

    @property
    def model(self) -> type[Model]:
        model: type[Model] = self.node.model
        return model

    def where(self, filter: Any) -> Q:
        try:
            condition = self.condition(filter)
        except PaginationError as exc:
            raise bad_input(str(exc)) from None
        if self.archivable:
            state = getattr(filter, "archived", None)
            condition &= archived_condition(state)
            if self.active is not None and getattr(state, "value", state) in (None, "ACTIVE"):
                condition &= self.active
        return condition

    def root_field(
        self, order_input: type, description: str, scope: Callable[[Info], Q] | None = None
    ) -> Any:
        """A top-level list field, e.g. ``accounts``; ``scope`` narrows it by the caller
        (a team member's queue, say)."""
        return self._field(order_input, description, parent=None, scope=scope)

    def child_field(self, order_input: type, parent: str, description: str) -> Any:
        """A list under a parent record: an account's deals for ``parent='account_id'``."""
        return self._field(order_input, description, parent=parent)

    def _field(
        self,
        order_input: type,
        description: str,
        parent: str | None,
        scope: Callable[[Info], Q] | None = None,
    ) -> Any:
        listing, node, filter_input = self, self.node, self.filter_input

        async def resolve(
            root: Any,
            info: Info,
            filter: filter_input | None = None,  # type: ignore[valid-type]
            order_by: list[order_input] | None = None,  # type: ignore[valid-type]
            first: int | None = None,
            after: str | None = None,
            last: int | None = None,
            before: str | None = None,
        ) -> Connection[node]:  # type: ignore[valid-type]
            order = ordering(order_by, listing.columns, listing.default_order, listing.model)
            args = PageArgs(first, after, last, before)
            try:
                condition = listing.where(filter) & info.context.visibility.condition(listing.model)
                if scope is not None:
                    condition &= scope(info)
                if parent is None:
                    query = listing.model.filter(condition)
                    page = await list_page(query, order, args)
                else:
                    page = await child_page(
                        info.context.loaders,
                        listing.model,
                        parent,
                        root.id,
                        condition,
                        repr(filter),
                        order,
                        args,
                    )
            except PaginationError as exc:
                raise bad_input(str(exc)) from None
            return Connection.from_page(page, node.from_row)

        return strawberry.field(resolver=resolve, description=f"{description} {PAGE_ARGS_HELP}")
