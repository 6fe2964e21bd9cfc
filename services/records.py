"""Create, update, archive and restore, written once for every kind of record.

A ``RecordKind`` declares how one entity's fields are validated, which other records they
point at, which fields must be unique and which events a change emits. The functions here
apply it: validate everything first, then change the row, its audit entry and its events in
one transaction, so a refused request changes nothing.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from events.catalogue import EventType
from events.outbox import record_event
from events.snapshot import camel, field_values
from models import AuditLogEntry
from models.base import ArchivableRecord, Record
from models.enums import AuditAction
from services.audit import record_audit
from services.clock import now
from services.errors import DomainError, ErrorCode, Problem, not_found
from services.validation import Validator
from services.visibility import ensure_may_assign
from services.writes import ensure_version, locked, write_transaction

M = TypeVar("M", bound=Model)
R = TypeVar("R", bound=Record)
A = TypeVar("A", bound=ArchivableRecord)

# A rule that looks at several fields at once: (cleaned values, existing record or None).
Rule = Callable[[dict[str, Any], Any], Awaitable[list[Problem]]]


@dataclass(frozen=True)
class Reference:
    """A field holding the key of another record, which must exist and not be archived."""

    model: type[Model]
    label: str


@dataclass(frozen=True)
class RecordKind(Generic[R]):
    model: type[R]
    label: str
    validators: Mapping[str, Validator]
    references: Mapping[str, Reference] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    unique: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    # Values a new record takes when the caller leaves the field out.
    defaults: Mapping[str, Callable[[], Any]] = field(default_factory=dict)
    created_event: EventType | None = None
    updated_event: EventType | None = None


def describe(name: str) -> str:
    return name.removesuffix("_id").replace("_", " ")


def problem_at(name: str, message: str, code: ErrorCode = ErrorCode.INVALID) -> Problem:
    return Problem(message, code, (name,))


async def get_record(model: type[M], pk: int | None, label: str, field: str | None = None) -> M:
    """The record with key ``pk``, or a NOT_FOUND domain error naming ``field``."""
    record = await model.get_or_none(pk=pk) if pk is not None else None
    if record is None:
        raise not_found(label.capitalize(), field)
    return record


async def clean_values(
    kind: RecordKind[R], values: Mapping[str, Any], existing: R | None
) -> dict[str, Any]:
    """Validate ``values`` against ``kind``; raise one DomainError listing every problem."""
    problems: list[Problem] = []
    clean: dict[str, Any] = {}
    if existing is None:
        values = {**{k: make() for k, make in kind.defaults.items()}, **values}
    for name, value in values.items():
        validator = kind.validators.get(name)
        if validator is None and name not in kind.references:
            problems.append(problem_at(name, f"{describe(name)} cannot be set here"))
            continue
        if validator is not None:
            try:
                value = validator(value)
            except ValueError as exc:
                problems.append(problem_at(name, f"{describe(name)} {exc}"))
                continue
        clean[name] = value
    if existing is None:
        for name in sorted(kind.required - values.keys()):
            problems.append(problem_at(name, f"{describe(name)} is required", ErrorCode.REQUIRED))
    else:
        for name in sorted(kind.required & clean.keys()):
            if clean[name] is None:
                problems.append(
                    problem_at(name, f"{describe(name)} cannot be removed", ErrorCode.REQUIRED)
                )
    problems += await _check_references(kind, clean)
    problems += await _check_unique(kind, clean, existing)
    if not problems:
        for rule in kind.rules:
            problems += await rule(clean, existing)
    if problems:
        raise DomainError(problems)
    return clean


async def _check_references(kind: RecordKind[R], clean: dict[str, Any]) -> list[Problem]:
    problems = []
    for name, reference in kind.references.items():
        pk = clean.get(name)
        if pk is None:
            continue
        target = await reference.model.get_or_none(pk=pk)
        if target is None:
            problems.append(
                problem_at(name, f"{reference.label.capitalize()} not found", ErrorCode.NOT_FOUND)
            )
        elif getattr(target, "archived_at", None) is not None:
            problems.append(
                problem_at(name, f"{reference.label.capitalize()} is archived; restore it first")
            )
    return problems


async def _check_unique(
    kind: RecordKind[R], clean: dict[str, Any], existing: R | None
) -> list[Problem]:
    problems = []
    for name in kind.unique:
        value = clean.get(name)
        if value is None:
            continue
        query = kind.model.filter(**{name: value})
        if existing is not None:
            query = query.exclude(pk=existing.pk)
        if await query.exists():
            problems.append(
                problem_at(
                    name,
                    f"another {kind.label} already has {describe(name)} '{value}'",
                    ErrorCode.DUPLICATE,
                )
            )
    return problems


async def save_new(kind: RecordKind[R], clean: dict[str, Any], *, actor_id: int | None) -> R:
    """Insert a validated record with its audit entry and creation event.

    Call it inside a transaction when it is part of a larger change.
    """
    at = now()
    try:
        record = await kind.model.create(**clean)
    except IntegrityError as exc:
        raise DomainError.single(
            f"this {kind.label} conflicts with an existing one", code=ErrorCode.DUPLICATE
        ) from exc
    await record_audit(
        AuditAction.CREATE, record=record, actor_id=actor_id, before=None, occurred_at=at
    )
    if kind.created_event is not None:
        await record_event(kind.created_event, record=record, actor_id=actor_id, occurred_at=at)
    return record


async def create_record(
    kind: RecordKind[R], *, actor_id: int | None, values: Mapping[str, Any]
) -> R:
    """Validate and insert a new record of ``kind``."""
    await ensure_may_assign(kind.model, values, actor_id=actor_id)
    async with write_transaction():
        clean = await clean_values(kind, values, None)
        return await save_new(kind, clean, actor_id=actor_id)


async def apply_changes(
    kind: RecordKind[R],
    record: R,
    clean: Mapping[str, Any],
    *,
    actor_id: int | None,
    action: AuditAction = AuditAction.UPDATE,
    emit_update: bool = True,
) -> dict[str, dict[str, Any]]:
    """Write validated changes to ``record`` with audit entry and update event.

    ``record`` was read under a lock in the current transaction (``services.writes``), so
    the audit entry's "before" values are the ones replaced. Only the changed columns are
    written, and the record's ``version`` goes up by one. Returns the changed fields; writes
    nothing when no value actually changes.
    """
    before = field_values(record)
    for name, value in clean.items():
        setattr(record, name, value)
    after = field_values(record)
    changed = [name for name in clean if before.get(camel(name)) != after.get(camel(name))]
    if not changed:
        return {}
    at = now()
    record.version += 1
    await record.save(update_fields=[*changed, "updated_at", "version"])
    changes = await record_audit(
        action, record=record, actor_id=actor_id, before=before, occurred_at=at
    )
    if emit_update and kind.updated_event is not None:
        previous = {key: change["before"] for key, change in changes.items()}
        await record_event(
            kind.updated_event, record=record, actor_id=actor_id, occurred_at=at, previous=previous
        )
    return changes


async def update_record(
    kind: RecordKind[R],
    *,
    record_id: int,
    actor_id: int | None,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
) -> R:
    """Validate and apply a partial update; only the fields present in ``changes`` move.

    With ``expected_version``, a record changed since the caller read it is refused
    (``CONFLICT``) instead of overwritten.
    """
    async with write_transaction():
        record = await locked(kind.model, record_id, kind.label, "id")
        ensure_not_archived(kind, record)
        ensure_version(record, expected_version, kind.label)
        await ensure_may_assign(kind.model, changes, actor_id=actor_id, existing=record)
        clean = await clean_values(kind, changes, record)
        await apply_changes(kind, record, clean, actor_id=actor_id)
    return record


def ensure_not_archived(kind: RecordKind[R], record: R) -> None:
    if getattr(record, "archived_at", None) is not None:
        raise DomainError.single(
            f"this {kind.label} is archived; restore it before changing it",
            code=ErrorCode.INVALID_STATE,
        )


async def archive_record(kind: RecordKind[A], *, record_id: int, actor_id: int | None) -> A:
    """Hide a record from default listings; nothing is deleted and it can be restored."""
    async with write_transaction():
        record = await locked(kind.model, record_id, kind.label, "id")
        if record.archived_at is not None:
            raise DomainError.single(
                f"this {kind.label} is already archived", code=ErrorCode.INVALID_STATE
            )
        await apply_changes(
            kind,
            record,
            {"archived_at": now()},
            actor_id=actor_id,
            action=AuditAction.ARCHIVE,
            emit_update=False,
        )
    return record


async def restore_record(kind: RecordKind[A], *, record_id: int, actor_id: int | None) -> A:
    """Bring an archived record back."""
    async with write_transaction():
        record = await locked(kind.model, record_id, kind.label, "id")
        if record.archived_at is None:
            raise DomainError.single(
                f"this {kind.label} is not archived", code=ErrorCode.INVALID_STATE
            )
        await apply_changes(
            kind,
            record,
            {"archived_at": None},
            actor_id=actor_id,
            action=AuditAction.RESTORE,
            emit_update=False,
        )
    return record


async def delete_record(kind: RecordKind[R], *, record_id: int, actor_id: int | None) -> R:
    """Remove a part of another record (a deal's line item, say).

    The audit entry keeps every value it had, so nothing written is lost.
    """
    async with write_transaction():
        record = await locked(kind.model, record_id, kind.label, "id")
        before = field_values(record)
        await record.delete()
        await AuditLogEntry.create(
            occurred_at=now(),
            actor_id=actor_id,
            action=AuditAction.DELETE,
            record_type=type(record).__name__,
            record_id=record_id,
            changes={key: {"before": value, "after": None} for key, value in before.items()},
        )
    return record
