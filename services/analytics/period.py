"""The period an analytics question is asked about.

A period is a range of whole UTC calendar days, both ends included: ``Period(start, end)``.
Timestamps belong to it when their UTC day does (``closed_at`` of a won deal, ``completed_at``
of a task), dates when they fall between the two ends (``expected_close_date``). Calendar
conveniences build the month, quarter or year containing a given day.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from services.errors import DomainError, ErrorCode


class PeriodUnit(StrEnum):
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    YEAR = "YEAR"


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise DomainError.single(
                f"the period ends ({self.end}) before it starts ({self.start}); "
                "give an end on or after the start",
                field="period",
                code=ErrorCode.INVALID,
            )

    @classmethod
    def containing(cls, day: date, unit: PeriodUnit) -> "Period":
        """The calendar month, quarter or year that ``day`` falls in."""
        if unit == PeriodUnit.YEAR:
            return cls(date(day.year, 1, 1), date(day.year, 12, 31))
        first_month = day.month if unit == PeriodUnit.MONTH else 3 * ((day.month - 1) // 3) + 1
        start = date(day.year, first_month, 1)
        months = 1 if unit == PeriodUnit.MONTH else 3
        year, month = divmod(first_month - 1 + months, 12)
        return cls(start, date(day.year + year, month + 1, 1) - timedelta(days=1))

    @property
    def starts_at(self) -> datetime:
        """The first instant of the period (UTC)."""
        return datetime.combine(self.start, time(), UTC)

    @property
    def ends_before(self) -> datetime:
        """The first instant after the period (UTC)."""
        return datetime.combine(self.end + timedelta(days=1), time(), UTC)
