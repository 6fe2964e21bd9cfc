"""JSON-ready pictures of records, shared by event payloads and the audit log.

Keys are the GraphQL field names and ids are the global ids clients see, so a webhook
consumer can pass any id it receives straight to ``node(id:)``.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, cast
from uuid import UUID

from tortoise.models import Model

from ids import to_global_id

# Never copied into events or the audit log.
_SKIPPED = frozenset({"id", "password_hash"})


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID):
        return str(value)
    return value


@cache
def _columns(model: type[Model]) -> tuple[tuple[str, str, str | None], ...]:
    """(attribute, GraphQL name, related type name or None) for each stored column."""
    meta = model._meta
    related = {
        meta.fields_map[fk].source_field: cast(Any, meta.fields_map[fk]).related_model.__name__
        for fk in meta.fk_fields
    }
    return tuple(
        (name, camel(name), related.get(name))
        for name in meta.fields_db_projection
        if name not in _SKIPPED
    )


def field_values(record: Model) -> dict[str, Any]:
    """Every stored column of ``record`` by its GraphQL name, foreign keys as global ids."""
    values: dict[str, Any] = {}
    for attribute, key, related_type in _columns(type(record)):
        value = getattr(record, attribute)
        if related_type is not None and value is not None:
            value = to_global_id(related_type, value)
        values[key] = json_value(value)
    return values


def snapshot(record: Model) -> dict[str, Any]:
    """The record as an event or audit payload: its global id and every field."""
    return {"id": to_global_id(type(record).__name__, record.pk), **field_values(record)}
