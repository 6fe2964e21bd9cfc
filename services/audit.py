"""The audit log: who changed what, when, with before and after values."""

from datetime import datetime
from typing import Any

from tortoise.models import Model

from events.snapshot import field_values
from models import AuditLogEntry
from models.enums import AuditAction

_NOT_AUDITED = frozenset({"createdAt", "updatedAt", "version"})


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{field: {"before": old, "after": new}}`` for each field whose value differs."""
    return {
        key: {"before": before.get(key), "after": value}
        for key, value in after.items()
        if key not in _NOT_AUDITED and before.get(key) != value
    }


async def record_audit(
    action: AuditAction,
    *,
    record: Model,
    actor_id: int | None,
    before: dict[str, Any] | None,
    occurred_at: datetime,
) -> dict[str, dict[str, Any]]:
    """Write one audit entry for ``record`` compared with ``before`` (its earlier field values).

    Returns the changed fields, which update events reuse for their previous values.
    """
    entry = audit_entry(
        action, record=record, actor_id=actor_id, before=before, occurred_at=occurred_at
    )
    await entry.save()
    return entry.changes


def audit_entry(
    action: AuditAction,
    *,
    record: Model,
    actor_id: int | None,
    before: dict[str, Any] | None,
    occurred_at: datetime,
) -> AuditLogEntry:
    """The audit entry ``record_audit`` writes, not yet saved (for writing many at once)."""
    return AuditLogEntry(
        occurred_at=occurred_at,
        actor_id=actor_id,
        action=action,
        record_type=type(record).__name__,
        record_id=record.pk,
        changes=changed_fields(before or {}, field_values(record)),
    )
