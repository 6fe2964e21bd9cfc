"""The events a viewer may see, read from the outbox a page at a time, newest first.

Which events: those the ``events`` subscription would send the viewer, as a query
condition. The subscription checks each event by loading the record it is about through the
viewer's loaders (``resolvers.core.subscriptions.aggregate_record``): an administrator sees
every event, anyone else an event whose record exists and is visible to them. Here the same
rule is one condition on the outbox: the event's ``aggregate_type`` names a model and its
``aggregate_id`` is among that model's rows the viewer sees.

Order and cursors: events are listed in the order they were published (``publication``,
the relay's gap-free sequence, the one subscribers resume from), newest first, and only once
published. A cursor is that publication number, so a page resumes with a keyset condition
on it: events published between two pages never shift a page, and ``afterEventId`` (the
last event a client received, as with the subscription) and the cursors speak of one order.
Times are not used for the order: two transactions may commit in the other order than the
one their clocks say, and the feed must match what the subscription delivers next.
"""

import uuid
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q, Subquery

import models
from models import OutboxEvent
from resolvers.core.pagination import PageArgs, PaginationError, decode_tagged, encode_tagged
from services.visibility import NOTHING, Visibility

_PREFIX = "event:"


def encode_event_cursor(publication: int) -> str:
    return encode_tagged(_PREFIX, publication)


def decode_event_cursor(cursor: str) -> int:
    try:
        publication = decode_tagged(cursor, _PREFIX)
        if type(publication) is not int or publication < 1:
            raise ValueError
    except ValueError:
        raise PaginationError(f"'{cursor}' is not a valid cursor of this list") from None
    return publication


def visible_events(visibility: Visibility) -> Q:
    """The outbox rows whose events ``visibility``'s viewer may see (see the module's text)."""
    if visibility.viewer is None:
        return NOTHING
    if visibility.sees_everything:
        return Q()
    seen = []
    for model in models.__models__:
        condition = visibility.condition(model)
        if condition is NOTHING:
            continue
        rows = Subquery(model.filter(condition).values("id"))
        seen.append(Q(aggregate_type=model.__name__, aggregate_id__in=rows))
    return Q(*seen, join_type="OR") if seen else NOTHING


async def publication_after(event_id: str) -> int:
    """The publication number of the event a client last received."""
    try:
        key = uuid.UUID(str(event_id))
    except ValueError:
        raise PaginationError(
            f"'{event_id}' is not an event id; pass the eventId of an event you received"
        ) from None
    row = await OutboxEvent.get_or_none(event_id=key).only("id", "publication")
    if row is None:
        raise PaginationError(
            f"event {key} is unknown: pass the eventId of an event this API sent, or omit "
            "afterEventId"
        )
    if row.publication is None:
        raise PaginationError(f"event {key} is not published yet: try again in a moment")
    return int(row.publication)


@dataclass
class EventPage:
    rows: list[OutboxEvent]
    has_next: bool
    has_previous: bool
    total: Callable[[], Awaitable[int]]

    def cursors(self) -> list[str]:
        return [encode_event_cursor(row.publication or 0) for row in self.rows]


async def event_page(
    visibility: Visibility,
    *,
    types: Collection[str] | None,
    after_event_id: str | None,
    args: PageArgs,
) -> EventPage:
    """One page of the viewer's events, newest first: ``first``/``after`` walk towards older
    events, ``last``/``before`` towards newer ones; ``afterEventId`` keeps only the events
    published after that one."""
    if args.first is not None and args.last is not None:
        raise PaginationError("pass either 'first' or 'last', not both")
    if args.first is not None and args.before:
        raise PaginationError("'before' goes with 'last'; use 'after' with 'first'")
    if args.last is not None and args.after:
        raise PaginationError("'after' goes with 'first'; use 'before' with 'last'")
    backward = args.last is not None or (bool(args.before) and args.first is None)
    checked = args.check()
    size = (checked.last if backward and checked.last is not None else checked.first) or 0
    condition = visible_events(visibility) & Q(publication__isnull=False)
    if types is not None:
        condition &= Q(type__in=list(types))
    if after_event_id is not None:
        condition &= Q(publication__gt=await publication_after(after_event_id))
    listed = OutboxEvent.filter(condition)
    query: Any = listed
    if backward:
        if args.before:
            query = query.filter(publication__gt=decode_event_cursor(args.before))
        rows = list(await query.order_by("publication").limit(size + 1))
        more = len(rows) > size
        page = rows[:size][::-1]
        has_next, has_previous = bool(args.before), more
    else:
        if args.after:
            query = query.filter(publication__lt=decode_event_cursor(args.after))
        rows = list(await query.order_by("-publication").limit(size + 1))
        more = len(rows) > size
        page = rows[:size]
        has_next, has_previous = more, bool(args.after)
    counted: list[int] = []

    async def total() -> int:
        if not counted:
            counted.append(await listed.count())
        return counted[0]

    return EventPage(page, has_next, has_previous, total)
