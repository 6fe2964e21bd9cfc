"""What the scalars write, for values the API tests cannot easily produce."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from schema.scalars import serialize_date, serialize_date_time, serialize_decimal


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (datetime(2026, 3, 1, 9, 30, tzinfo=UTC), "2026-03-01T09:30:00.000000Z"),
        (datetime(2026, 3, 1, 9, 30, 0, 5, tzinfo=UTC), "2026-03-01T09:30:00.000005Z"),
        (
            datetime(2026, 3, 1, 0, 30, tzinfo=timezone(timedelta(hours=2))),
            "2026-02-28T22:30:00.000000Z",
        ),
        (datetime(2026, 3, 1, 9, 30), "2026-03-01T09:30:00.000000Z"),  # stored times are UTC
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00.000000Z"),
    ],
)
def test_a_date_time_is_written_in_utc_with_z_and_microseconds(value, wire):
    assert serialize_date_time(value) == wire


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (Decimal("12.50"), "12.50"),
        (Decimal("1E+2"), "100"),
        (Decimal("1.5E-7"), "0.00000015"),
        (Decimal("-0.00"), "-0.00"),
        (Decimal("42.0"), "42.0"),
        (7, "7"),
    ],
)
def test_a_decimal_is_written_in_decimal_notation_with_its_scale(value, wire):
    assert serialize_decimal(value) == wire


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), 1.5, True, "1"])
def test_a_decimal_that_cannot_be_written_exactly_is_an_error(value):
    with pytest.raises((TypeError, ValueError)):
        serialize_decimal(value)


def test_a_date_is_a_full_date_and_never_a_date_time():
    assert serialize_date(date(2026, 3, 1)) == "2026-03-01"
    with pytest.raises(TypeError):
        serialize_date(datetime(2026, 3, 1, tzinfo=UTC))
    a_day: Any = date(2026, 3, 1)
    with pytest.raises(TypeError):
        serialize_date_time(a_day)
