"""Domain errors: what went wrong, on which input field, and a stable code."""

from collections.abc import Sequence
from dataclasses import dataclass
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

    @classmethod
    def single(
        cls, message: str, *, code: ErrorCode = ErrorCode.INVALID, field: str | None = None
    ) -> "DomainError":
        return cls([Problem(message, code, (field,) if field else None)])


def not_found(what: str, field: str | None = None) -> DomainError:
    return DomainError.single(f"{what} not found", code=ErrorCode.NOT_FOUND, field=field)


class Forbidden(Exception):
    """The caller may see the record but may not make this change; nothing was changed.

    The GraphQL layer answers it with a top-level FORBIDDEN error, like a refused role.
    """
