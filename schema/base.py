"""Building blocks of the schema: nodes made from rows, connections, user errors."""

import dataclasses
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from functools import cache
from typing import Any, ClassVar, Generic, Self

import strawberry
from strawberry import relay
from strawberry.relay.types import NodeType
from strawberry.types import Info as StrawberryInfo
from tortoise.models import Model

from events.snapshot import camel
from ids import parse_pk
from resolvers.core.context import Context
from resolvers.core.pagination import Page
from services.errors import ErrorCode as DomainErrorCode
from services.errors import Problem

Info = StrawberryInfo[Context, None]

strawberry.enum(
    DomainErrorCode, description="Why a mutation refused its input; stable for programs to test."
)


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

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(**{name: getattr(row, name) for name in _row_fields(cls)})  # type: ignore[arg-type]

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

    @strawberry.field(description="The items of this page, without their cursors.")
    def nodes(self) -> list[NodeType]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="How many items the whole list holds, across all pages.")
    async def total_count(self) -> int:
        return await self.total()

    @classmethod
    def from_page(cls, page: Page, node: Callable[[Any], NodeType]) -> "Connection[NodeType]":
        cursors = page.cursors()
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
