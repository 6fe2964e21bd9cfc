"""Domain errors: what went wrong, on which input field, and a stable code."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE = "DUPLICATE"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    INVALID_STAGE_MOVE = "INVALID_STAGE_MOVE"
    INVALID_STATE = "INVALID_STATE"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    RATE_LIMITED = "RATE_LIMITED"
    # The record changed since the caller read it (expectedVersion); nothing was changed.
    CONFLICT = "CONFLICT"
    # Other writers held the database too long; nothing was changed, send it again.
    DATABASE_BUSY = "DATABASE_BUSY"
    FORBIDDEN = "FORBIDDEN"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request. ``field`` is the path of the input field, if any."""

    message: str
    code: ErrorCode = ErrorCode.INVALID
    field: tuple[str, ...] | None = None


class DomainError(Exception):
    """A request the domain refuses; nothing was changed."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)

    def under(self, prefix: str, fields: Collection[str]) -> "DomainError":
        """The same refusal, for a nested input: the problems on its ``fields`` (the nested
        input's own) moved under ``prefix``, so that ``["name"]`` reads ``["opportunity",
        "name"]``; problems on other fields stay where they are."""
        return DomainError(
            [
                replace(p, field=(prefix, *p.field)) if p.field and p.field[0] in fields else p
                for p in self.problems
            ]
        )

    @classmethod
    def single(
        cls, message: str, *, code: ErrorCode = ErrorCode.INVALID, field: str | None = None
    ) -> "DomainError":
        return cls([Problem(message, code, (field,) if field else None)])


def not_found(what: str, field: str | None = None) -> DomainError:
    return DomainError.single(f"{what} not found", code=ErrorCode.NOT_FOUND, field=field)


class Forbidden(Exception):
    """The caller may see the record but may not make this change; nothing was changed.

    The GraphQL layer answers it like a refused role: in a mutation's payload, a FORBIDDEN
    ``UserError`` on no field (``resolvers.core.permissions.MayWrite``).
    """
