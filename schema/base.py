"""Building blocks of the schema: nodes made from rows, connections, user errors."""

import dataclasses
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from functools import cache
from typing import Any, ClassVar, Generic, Self, TypeVar, cast

import strawberry
from strawberry import relay
from strawberry.relay.types import NodeType
from strawberry.types import Info as StrawberryInfo
from tortoise.models import Model

from events.snapshot import camel
from ids import parse_pk
from resolvers.core.context import Context
from resolvers.core.pagination import Page
from schema.enums import DomainErrorCode
from services.errors import Problem

Info = StrawberryInfo[Context, None]

Resolver = TypeVar("Resolver", bound=Callable[..., Any])


def field(*, description: str, name: str | None = None) -> Callable[[Resolver], Resolver]:
    """``@strawberry.field(description=...)`` for a resolver method, as mypy should see it.

    Strawberry's overload for a field declared without a resolver returns ``Any`` (its issue
    #1929), so mypy takes every method it decorates as untyped. This is the same call, typed
    as leaving the method as it is: once ``@strawberry.type`` has read the class's fields, the
    class holds the plain method again.
    """
    declared: Callable[[Resolver], Resolver] = strawberry.field(description=description, name=name)
    return declared


@strawberry.type(description="A problem with a mutation's input; nothing was changed.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path to the input field at fault, e.g. ['amount']; null for the whole input."
    )
    message: str = strawberry.field(description="What is wrong and how to fix it, for people.")
    code: DomainErrorCode = strawberry.field(description="A stable code, for programs.")

    @classmethod
    def from_problem(cls, problem: Problem) -> "UserError":
        path = [camel(part) for part in problem.field] if problem.field else None
        return cls(field=path, message=problem.message, code=problem.code)


@cache
def _row_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if f.init)


@strawberry.interface(description="A stored record.")
class RecordNode(relay.Node):
    id: relay.NodeID[int]
    created_at: datetime = strawberry.field(description="When the record was created (UTC).")
    updated_at: datetime = strawberry.field(description="When the record last changed (UTC).")
    version: int = strawberry.field(
        description="Goes up by one with every change; pass it as an update's expectedVersion "
        "to be told (CONFLICT) instead of overwriting someone else's change."
    )

    model: ClassVar[type[Model]]
    # The node type declared for each model, so that a type can load one declared in a
    # module above its own (see ``Above``).
    declared: ClassVar[dict[type[Model], type["RecordNode"]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "model" in vars(cls):
            RecordNode.declared[cls.model] = cls

    @classmethod
    def from_row(cls, row: Any) -> Self:
        node_type: type = cls  # any class is hashable; mypy cannot tell through type[Self]
        return cls(**{name: getattr(row, name) for name in _row_fields(node_type)})

    @classmethod
    def from_rows(cls, rows: Iterable[Any]) -> list[Self]:
        return [cls.from_row(row) for row in rows]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        keys = [parse_pk(node_id) for node_id in node_ids]
        loader = info.context.loaders.record(cls.model)
        found = iter(await loader.load_many([key for key in keys if key is not None]))
        nodes: list[Self | None] = []
        for key in keys:
            row = next(found) if key is not None else None
            nodes.append(cls.from_row(row) if row is not None else None)
        return nodes


@strawberry.type(description="A page of a list: its edges, where it stands, and the list's size.")
class Connection(Generic[NodeType]):
    edges: list[relay.Edge[NodeType]] = strawberry.field(description="The items of this page.")
    page_info: relay.PageInfo = strawberry.field(description="Cursors to the pages around.")
    total: strawberry.Private[Callable[[], Awaitable[int]]]

    @field(description="The items of this page, without their cursors.")
    def nodes(self) -> list[NodeType]:
        return [edge.node for edge in self.edges]

    @field(description="How many items the whole list holds, across all pages.")
    async def total_count(self) -> int:
        return await self.total()

    @classmethod
    def from_page(cls, page: Page, node: Callable[[Any], NodeType]) -> "Connection[NodeType]":
        cursors = page.cursors
        edges = [
            relay.Edge(cursor=c, node=node(row)) for c, row in zip(cursors, page.rows, strict=True)
        ]
        info = relay.PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        )
        return cls(edges=edges, page_info=info, total=page.total)


T = TypeVar("T", bound=RecordNode)


class Above(Generic[T]):
    """A node type declared in a module above this one, named by its model.

    Types refer up the module order (a deal to its account, an activity to its deal) through
    ``strawberry.lazy`` in annotations; to load such a node at run time, ``load`` takes
    ``Above(models.Account)``, declared as ``Above[Account]`` with ``Account`` imported for
    the type checker only, and finds the node type by its model once the schema is built.
    """

    def __init__(self, model: type[Model]) -> None:
        self.model = model

    @property
    def node(self) -> type[T]:
        return cast(type[T], RecordNode.declared[self.model])


def _node(node: "type[T] | Above[T]") -> type[T]:
    return node.node if isinstance(node, Above) else node


async def load(info: Info, node: "type[T] | Above[T]", pk: int | None) -> T | None:
    """The node with primary key ``pk``, through the request's batching loader; None when
    there is no ``pk`` or the viewer may not see the row."""
    if pk is None:
        return None
    node_type = _node(node)
    row = await info.context.loaders.record(node_type.model).load(pk)
    return node_type.from_row(row) if row is not None else None


async def load_required(info: Info, node: "type[T] | Above[T]", pk: int) -> T:
    """The node a required relation points at, through the request's batching loader.

    Whoever sees a record sees what its required relations point at (services/visibility.py),
    and foreign keys keep the rows there, so a missing row is a broken invariant: it raises
    rather than answering null for a field the schema promises is never null.
    """
    node_type = _node(node)
    row = await info.context.loaders.record(node_type.model).load(pk)
    if row is None:
        raise LookupError(f"{node_type.__name__} {pk} is missing behind a required relation")
    return node_type.from_row(row)


async def load_children(info: Info, node: type[T], parent: str, pk: int, *order: str) -> list[T]:
    """The nodes whose ``parent`` column is ``pk``, in ``order``, through the batching loader."""
    rows = await info.context.loaders.children(node.model, parent, order).load(pk)
    return node.from_rows(rows)
