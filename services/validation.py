"""Field validators. Each takes the input value and returns the value to store.

They raise ``ValueError`` with a message a user can act on; the record services turn it into
a ``Problem`` on the right field.
"""

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

import pycountry
from email_validator import EmailNotValidError, validate_email

Validator = Callable[[Any], Any]

_DOMAIN = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")
# The largest amount: under a trillion, so that every amount (14 significant digits at most)
# is added up to the exact cent on both databases (see services/analytics/sql.py).
MAX_AMOUNT = Decimal("999999999999.99")


def text(max_length: int, *, required: bool = True) -> Validator:
    def check(value: Any) -> str | None:
        if value is None:
            if required:
                raise ValueError("is required")
            return None
        cleaned = str(value).strip()
        if "\x00" in cleaned:
            raise ValueError("must not contain NUL characters")
        if not cleaned:
            if required:
                raise ValueError("must not be blank")
            return None
        if len(cleaned) > max_length:
            raise ValueError(f"must be at most {max_length} characters")
        return cleaned

    return check


def email(value: Any) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        result = validate_email(str(value).strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"'{value}' is not a valid email address: {exc}") from None
    return result.normalized.lower()


def domain(value: Any) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    cleaned = str(value).strip().lower().removeprefix("www.")
    if not _DOMAIN.match(cleaned):
        raise ValueError(f"'{value}' is not a valid domain name, e.g. 'example.com'")
    return cleaned


def currency(value: Any) -> str:
    code = str(value or "").strip().upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError(f"'{value}' is not an ISO 4217 currency code, e.g. 'USD' or 'EUR'")
    return code


def country(value: Any) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    code = str(value).strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"'{value}' is not an ISO 3166 country code, e.g. 'US' or 'DE'")
    return code


def money(*, required: bool = False) -> Validator:
    def check(value: Any) -> Decimal | None:
        if value is None:
            if required:
                raise ValueError("is required")
            return None
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(f"'{value}' is not a number") from None
        if not amount.is_finite():
            raise ValueError("must be a finite number")
        if amount < 0:
            raise ValueError("must not be negative")
        if amount > MAX_AMOUNT:
            raise ValueError(f"must be at most {MAX_AMOUNT}")
        if amount != amount.quantize(Decimal("0.01")):
            raise ValueError("must have at most two decimal places")
        # Two places, as stored: "77.5" is answered "77.50" at once, not after a reload.
        return amount.quantize(Decimal("0.01"))

    return check


def integer_range(low: int, high: int, *, required: bool = True) -> Validator:
    def check(value: Any) -> int | None:
        if value is None:
            if required:
                raise ValueError("is required")
            return None
        if not low <= int(value) <= high:
            raise ValueError(f"must be between {low} and {high}")
        return int(value)

    return check


def percent(value: Any) -> Decimal:
    amount: Decimal = money(required=True)(value)
    if amount > 100:
        raise ValueError("must be between 0 and 100")
    return amount


def choice(enum: type[StrEnum], *, required: bool = True) -> Validator:
    def check(value: Any) -> StrEnum | None:
        if value is None:
            if required:
                raise ValueError("is required")
            return None
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            raise ValueError(f"'{value}' is not one of {allowed}") from None

    return check


def tags(value: Any) -> list[str]:
    cleaned = []
    for tag in value or []:
        tag = str(tag).strip()
        if not tag or len(tag) > 50 or "\x00" in tag:
            raise ValueError("each tag must be 1 to 50 characters")
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > 50:
        raise ValueError("at most 50 tags")
    return cleaned


def passthrough(value: Any) -> Any:
    """For values the caller has already typed (GraphQL's Date and DateTime scalars)."""
    return value


def boolean(value: Any) -> bool:
    if value is None:
        raise ValueError("must be true or false")
    return bool(value)
