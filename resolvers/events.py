"""The ``events`` query: the notifications feed, the events the caller may see, newest
first, typed per event type as the ``events`` subscription sends them."""

from typing import Annotated

import strawberry
from strawberry import relay

from events.published import PublishedEvent
from resolvers.core.errors import bad_input
from resolvers.core.event_feed import event_page
from resolvers.core.pagination import PageArgs, PaginationError
from schema.base import Info
from schema.enums import EventType
from schema.events import DomainEventConnection, DomainEventEdge, domain_event


async def events(
    info: Info,
    types: Annotated[
        list[EventType] | None,
        strawberry.argument(description="Only events of these types; omit for all."),
    ] = None,
    after_event_id: Annotated[
        strawberry.ID | None,
        strawberry.argument(
            description="The eventId of the last event received (from this query or the "
            "events subscription): only the events published since."
        ),
    ] = None,
    first: Annotated[
        int | None, strawberry.argument(description="How many events, going back in time.")
    ] = None,
    after: Annotated[
        str | None,
        strawberry.argument(description="An event's cursor: the page starts with the next older."),
    ] = None,
    last: Annotated[
        int | None, strawberry.argument(description="How many events, going forward in time.")
    ] = None,
    before: Annotated[
        str | None,
        strawberry.argument(description="An event's cursor: the page ends with the next newer."),
    ] = None,
) -> DomainEventConnection:
    wanted = [t.value for t in types] if types is not None else None
    try:
        page = await event_page(
            info.context.visibility,
            types=wanted,
            after_event_id=after_event_id,
            args=PageArgs(first, after, last, before),
        )
    except PaginationError as exc:
        raise bad_input(str(exc)) from None
    edges = [
        DomainEventEdge(cursor=cursor, node=domain_event(PublishedEvent.from_row(row)))
        for cursor, row in zip(page.cursors(), page.rows, strict=True)
    ]
    page_info = relay.PageInfo(
        has_next_page=page.has_next,
        has_previous_page=page.has_previous,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return DomainEventConnection(edges=edges, page_info=page_info, total=page.total)
