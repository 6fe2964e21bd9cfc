"""Writing one batch of rows: all of it in one transaction, or none of it.

The number of SQL statements per batch does not depend on how many rows it has: one query
finds the leads the batch's emails already belong to, one statement inserts the new leads,
one updates the changed ones, and one each writes their audit entries and events (the
insert and the update are split only where they would pass the databases' limit on
parameters per statement, at about 1,800 rows). Each row
is validated by the lead's own rules (``clean_values`` with ``LEAD``) first.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pypika_tortoise.dialects.postgresql import PostgreSQLQueryBuilder
from pypika_tortoise.dialects.sqlite import SQLLiteQueryBuilder
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from events.outbox import outbox_event, record_events
from events.snapshot import field_values
from models import AuditLogEntry, Lead
from models.enums import AuditAction
from services.audit import audit_entry
from services.clock import now
from services.errors import DomainError, ErrorCode, Problem
from services.leads import LEAD
from services.records import clean_values, problem_at

# Parameters per statement stay below the limit of PostgreSQL (32767) and SQLite (32766), so
# a batch of more than about 1,800 new leads takes a second INSERT.
_MAX_PARAMETERS = 30_000


@dataclass
class Target:
    """The lead a batch's rows with one email end up in, new or already stored."""

    lead: Lead
    new: bool
    before: dict[str, Any] | None = None
    fields: set[str] = field(default_factory=set)


@dataclass
class BatchResult:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    rejected: list[tuple[int, list[Problem]]] = field(default_factory=list)


@dataclass(frozen=True)
class BatchRow:
    """A row that has read cleanly enough to be matched: its email (validated and normalised
    by the lead's email validator) and its other values."""

    number: int
    email: str
    values: dict[str, Any]
    problems: list[Problem]


async def write_batch(
    connection: BaseDBAsyncClient,
    rows: Sequence[BatchRow],
    *,
    scope: Q,
    owner_id: int,
    actor_id: int | None,
) -> BatchResult:
    """Create or update a lead for each row; call it inside the batch's transaction."""
    result = BatchResult()
    if not rows:
        return result
    stored: dict[str, list[Lead]] = {}
    query = Lead.filter(scope, email__in=sorted({row.email for row in rows})).order_by("id")
    for lead in await query.using_db(connection).select_for_update():
        stored.setdefault(lead.email or "", []).append(lead)
    targets: dict[str, Target] = {}
    for row in rows:
        target = targets.get(row.email)
        if target is None:
            try:
                found = _match(row.email, stored.get(row.email, []))
            except DomainError as exc:
                result.rejected.append((row.number, row.problems + exc.problems))
                continue
            if found is not None:
                target = Target(found, new=False, before=field_values(found))
        try:
            if target is None:
                clean = await clean_values(LEAD, row.values, None)
                if row.problems:
                    raise DomainError([])
                lead = Lead(**clean, email=row.email, owner_id=owner_id)
                targets[row.email] = Target(lead, new=True)
                result.created.append(row.number)
                continue
            changes = _differences(target.lead, row.values)
            clean = await clean_values(LEAD, changes, target.lead) if changes else {}
            if row.problems:
                raise DomainError([])
        except DomainError as exc:
            result.rejected.append((row.number, row.problems + exc.problems))
            continue
        targets[row.email] = target
        if not clean:
            result.unchanged.append(row.number)
            continue
        for name, value in clean.items():
            setattr(target.lead, name, value)
        target.fields |= clean.keys()
        result.updated.append(row.number)
    await _store(connection, list(targets.values()), actor_id)
    return result


def _match(email: str, leads: list[Lead]) -> Lead | None:
    """The one stored lead a row's email names, if any."""
    active = [lead for lead in leads if lead.archived_at is None]
    if len(active) > 1:
        raise DomainError(
            [
                problem_at(
                    "email",
                    f"{len(active)} leads already have the email {email}; archive all but one "
                    "of them, then import this row again",
                    ErrorCode.DUPLICATE,
                )
            ]
        )
    if not active and leads:
        raise DomainError(
            [
                problem_at(
                    "email",
                    f"the lead with the email {email} is archived; restore it to update it "
                    "from a file",
                    ErrorCode.INVALID_STATE,
                )
            ]
        )
    return active[0] if active else None


def _differences(lead: Lead, values: dict[str, Any]) -> dict[str, Any]:
    """The values that would change ``lead``, compared after the lead's own validators.

    A value its validator refuses is kept, so that ``clean_values`` reports it.
    """
    changes = {}
    for name, value in values.items():
        try:
            clean = LEAD.validators[name](value)
        except ValueError:
            changes[name] = value
            continue
        if clean != getattr(lead, name):
            changes[name] = value
    return changes


async def _store(
    connection: BaseDBAsyncClient, targets: list[Target], actor_id: int | None
) -> None:
    at = now()
    new = [t.lead for t in targets if t.new]
    changed = [t for t in targets if t.fields and not t.new]
    for lead in new:
        lead.created_at = lead.updated_at = at
    await _insert(connection, new)
    if changed:
        for t in changed:
            t.lead.version += 1
        fields = sorted({name for t in changed for name in t.fields} | {"updated_at", "version"})
        await Lead.bulk_update(
            [t.lead for t in changed],
            fields=fields,
            # each row takes its key, and its key and value for each field
            batch_size=max(1, _MAX_PARAMETERS // (2 * len(fields) + 1)),
            using_db=connection,
        )
    entries = [
        audit_entry(AuditAction.CREATE, record=lead, actor_id=actor_id, before=None, occurred_at=at)
        for lead in new
    ] + [
        audit_entry(
            AuditAction.UPDATE, record=t.lead, actor_id=actor_id, before=t.before, occurred_at=at
        )
        for t in changed
    ]
    if entries:
        await AuditLogEntry.bulk_create(entries, using_db=connection)
    events = []
    if LEAD.created_event is not None:
        events += [
            outbox_event(LEAD.created_event, record=lead, actor_id=actor_id, occurred_at=at)
            for lead in new
        ]
    if LEAD.updated_event is not None:
        for t, entry in zip(changed, entries[len(new) :], strict=True):
            previous = {key: change["before"] for key, change in entry.changes.items()}
            events.append(
                outbox_event(
                    LEAD.updated_event,
                    record=t.lead,
                    actor_id=actor_id,
                    occurred_at=at,
                    previous=previous,
                )
            )
    await record_events(events)


async def _insert(connection: BaseDBAsyncClient, leads: list[Lead]) -> None:
    """Insert new leads with one statement and learn their ids (matched by email, which is
    unique among a batch's new leads)."""
    if not leads:
        return
    executor = connection.executor_class(model=Lead, db=connection)
    meta = Lead._meta
    names = list(executor.regular_columns)
    columns = [meta.fields_db_projection[name] for name in names]
    per_statement = max(1, _MAX_PARAMETERS // len(columns))
    by_email = {lead.email: lead for lead in leads}
    for start in range(0, len(leads), per_statement):
        values: list[Any] = []
        rows = []
        for lead in leads[start : start + per_statement]:
            first = len(values)
            values += [
                meta.fields_map[name].to_db_value(getattr(lead, name), lead) for name in names
            ]
            rows.append(tuple(executor.parameter(first + i) for i in range(len(names))))
        # One insert() call: the query builder copies itself on every call.
        query = connection.query_class.into(meta.basetable).columns(*columns).insert(*rows)
        # Both databases served (SQLite, PostgreSQL) build queries that can return rows.
        assert isinstance(query, SQLLiteQueryBuilder | PostgreSQLQueryBuilder)
        query = query.returning("id", "email")
        inserted = await connection.execute_query_dict(query.get_sql(), values)
        for row in inserted:
            lead = by_email[row["email"]]
            lead.pk = row["id"]
            lead._saved_in_db = True
