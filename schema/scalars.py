"""The wire formats of ``DateTime``, ``Date`` and ``Decimal``: one way out, a strict way in.

Strawberry's built-in scalars answer ``isoformat()`` (``+00:00``, and a fraction only when the
microseconds are not zero) and ``str(Decimal)`` (``1E+2``), and they take ``NaN``, ``Infinity``
and naive date-times. A front end generating types from the schema needs one format per
scalar, stated in the schema (``@specifiedBy``) and kept on every response, over HTTP and
WebSocket alike. The GraphQL names stay, so existing operations keep working.

- ``DateTime``: RFC 3339, always in UTC with ``Z`` and always six fraction digits
  (microseconds, what both databases store): ``2026-03-01T09:30:00.000000Z``. Inputs must carry
  ``Z`` or an offset (a naive time is ambiguous and refused); they are converted to UTC.
  Fractions beyond microseconds are cut, not rounded.
- ``Date``: RFC 3339 ``full-date``, ``2026-03-01``, nothing else (Python's ``fromisoformat``
  would also take ``20260301`` and week dates).
- ``Decimal``: a string in decimal notation (the lexical form of XML Schema's ``decimal``:
  digits, an optional point and sign, no exponent), written with the value's own scale: money
  has two places (``"1250.00"``), percentages and day counts say theirs in the field's
  description. Inputs are such a string (a JSON number is taken too, if it is written the same
  way) with at most ``MAX_DIGITS`` digits on each side of the point; ``NaN``, infinities,
  exponents and anything else are refused.

The events' JSON payloads (the ``events`` subscription's ``payload``, webhooks, the audit log)
are built by ``events.snapshot`` and keep their own format.
"""

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

import strawberry
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.types.scalar import ScalarDefinition

MAX_DIGITS = 18

RFC_3339 = "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6"
XSD_DECIMAL = "https://www.w3.org/TR/xmlschema11-2/#decimal"

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))?"
)
_DECIMAL = re.compile(r"[+-]?(?:(\d+)(?:\.(\d*))?|\.(\d+))")


def _refuse(scalar: str, value: object, reason: str) -> StrawberryInputCoercionError:
    shown = value if isinstance(value, str) else repr(value)
    return StrawberryInputCoercionError(f'{scalar} cannot represent "{shown}": {reason}')


def serialize_date_time(value: datetime) -> str:
    """RFC 3339 in UTC, ``Z``, microseconds. A naive value is taken as UTC, the time every
    column stores."""
    if not isinstance(value, datetime):
        raise TypeError(f"DateTime cannot serialize {value!r}")
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds") + "Z"


def parse_date_time(value: object) -> datetime:
    if not isinstance(value, str):
        raise _refuse("DateTime", value, "expected a string.")
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        raise _refuse(
            "DateTime",
            value,
            "expected an RFC 3339 date and time such as 2026-03-01T09:30:00Z.",
        )
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    if not zulu and not sign:
        raise _refuse(
            "DateTime",
            value,
            'the time has no UTC offset; add "Z" (UTC) or an offset such as "+02:00".',
        )
    try:
        offset = timedelta(hours=int(off_h or 0), minutes=int(off_m or 0))
        zone = timezone(-offset if sign == "-" else offset)
        micro = int((fraction or "0").ljust(6, "0")[:6])
        parsed = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro, zone
        )
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise _refuse("DateTime", value, f"{exc}.") from None


def serialize_date(value: date) -> str:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"Date cannot serialize {value!r}")
    return value.isoformat()


def parse_date(value: object) -> date:
    if not isinstance(value, str):
        raise _refuse("Date", value, "expected a string.")
    match = _DATE.fullmatch(value)
    if match is None:
        raise _refuse("Date", value, "expected an RFC 3339 full-date such as 2026-03-01.")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError as exc:
        raise _refuse("Date", value, f"{exc}.") from None


def serialize_decimal(value: Decimal) -> str:
    """Decimal notation with the value's own scale, never an exponent: ``Decimal("1E+2")``
    is ``"100"``, ``Decimal("12.50")`` is ``"12.50"``."""
    if not isinstance(value, Decimal | int) or isinstance(value, bool):
        raise TypeError(f"Decimal cannot serialize {value!r}")
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"Decimal cannot serialize {value!r}")
    return format(value, "f")


def parse_decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _refuse("Decimal", value, 'expected a string such as "1250.00".')
    text = value if isinstance(value, str) else repr(value)
    match = _DECIMAL.fullmatch(text)
    if match is None:
        raise _refuse(
            "Decimal",
            value,
            'expected a finite number in decimal notation such as "1250.00" '
            "(no NaN, Infinity or exponent).",
        )
    whole, fraction, bare_fraction = match.groups()
    if len((whole or "").lstrip("0")) > MAX_DIGITS or len(fraction or bare_fraction or "") > (
        MAX_DIGITS
    ):
        raise _refuse("Decimal", value, f"at most {MAX_DIGITS} digits before and after the point.")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
        raise _refuse("Decimal", value, "not a number.") from None


DATE_TIME = strawberry.scalar(
    name="DateTime",
    description="A point in time: an RFC 3339 date-time, answered in UTC with `Z` and six "
    "fraction digits (microseconds), e.g. `2026-03-01T09:30:00.000000Z`. Inputs must carry `Z` "
    "or an offset (`2026-03-01T10:30:00+01:00`); times without one are refused. Inputs are "
    "converted to UTC; digits beyond microseconds are cut.",
    specified_by_url=RFC_3339,
    serialize=serialize_date_time,
    parse_value=parse_date_time,
)

DATE = strawberry.scalar(
    name="Date",
    description="A calendar day without a time or zone: an RFC 3339 full-date, `YYYY-MM-DD`, "
    "e.g. `2026-03-01`.",
    specified_by_url=RFC_3339,
    serialize=serialize_date,
    parse_value=parse_date,
)

DECIMAL = strawberry.scalar(
    name="Decimal",
    description='An exact decimal number as a string in decimal notation, e.g. `"1250.00"`, '
    "answered with the field's scale (money: two places). Inputs: a string (or a JSON number "
    f"written the same way) with at most {MAX_DIGITS} digits before and after the point; NaN, "
    "Infinity and exponents are refused.",
    specified_by_url=XSD_DECIMAL,
    serialize=serialize_decimal,
    parse_value=parse_decimal,
)

SCALARS: dict[object, ScalarDefinition] = {datetime: DATE_TIME, date: DATE, Decimal: DECIMAL}
"""For ``StrawberryConfig(scalar_map=...)``: the Python types these scalars stand for."""

__all__ = ["MAX_DIGITS", "SCALARS"]
