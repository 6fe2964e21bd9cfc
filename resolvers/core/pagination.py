"""Cursor pagination over ordered querysets, for top-level lists and per-parent lists.

Cursors are opaque; they encode the position in a stable ordering that always ends with
the primary key, so equal sort values never make rows jump between pages.
"""

import base64
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from settings import get_settings

_PREFIX = "cursor:"


class PaginationError(ValueError):
    """Arguments a client must fix: shown to it as a GraphQL error."""


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"{_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.b64decode(cursor, validate=True).decode()
        if not text.startswith(_PREFIX):
            raise ValueError
        offset = int(text.removeprefix(_PREFIX))
        if offset < 0:
            raise ValueError
    except ValueError:
        raise PaginationError(f"'{cursor}' is not a valid cursor") from None
    return offset


@dataclass(frozen=True)
class PageArgs:
    """Relay arguments, checked: a page size within the limit, well-formed cursors."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def check(self) -> "PageArgs":
        limit = get_settings().max_page_size
        for name in ("first", "last"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= limit:
                raise PaginationError(f"'{name}' must be between 0 and {limit}, got {value}")
        if self.first is None and self.last is None:
            return PageArgs(get_settings().default_page_size, self.after, None, self.before)
        return self

    def window(self, total: int | None) -> tuple[int, int | None]:
        """(start, stop) offsets of the requested slice; stop is None when open-ended."""
        start = decode_cursor(self.after) + 1 if self.after else 0
        stop = decode_cursor(self.before) if self.before else None
        if self.first is not None:
            stop = start + self.first if stop is None else min(stop, start + self.first)
        if self.last is not None:
            end = stop if stop is not None else total
            assert end is not None
            start = max(start, end - self.last)
            stop = end
        return start, max(stop, start) if stop is not None else None

    @property
    def needs_total(self) -> bool:
        """Paging from the end without a ``before`` cursor needs the total first (an empty
        cursor is no cursor, as ``window`` reads it)."""
        return self.last is not None and not self.before


@dataclass
class Page:
    rows: Sequence[Any]
    start: int
    has_next: bool
    total: Callable[[], Awaitable[int]]

    @property
    def has_previous(self) -> bool:
        return self.start > 0

    def cursors(self) -> list[str]:
        return [encode_cursor(self.start + i) for i in range(len(self.rows))]


def page_from_rows(
    rows: Sequence[Any], start: int, stop: int | None, total: Callable[[], Awaitable[int]]
) -> Page:
    """Build a page from rows fetched with one extra row past ``stop`` (to tell if more exist)."""
    size = (stop - start) if stop is not None else len(rows)
    return Page(list(rows[:size]), start, len(rows) > size, total)
