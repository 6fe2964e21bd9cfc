"""The invariants, checked in the database after a scenario (and a few through the API).

``load_state`` reads what the checks need with plain SQL (SQLite or PostgreSQL);
``check`` compares it with the ledger of what the writers were told. Both are plain
functions so a hand-made database state can be checked too (tests/test_reliability_suite.py).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from bench.reliability.load import ACK, IN_DOUBT, Write
from bench.run import fetch_rows

STAGE_CHANGED = "opportunity.stage_changed"
# Writes whose audit action and outbox event type are counted against the acknowledgements.
AUDITED = {
    "updateOpportunity": ("UPDATE", "Opportunity", "opportunity.updated"),
    "updateAccount": ("UPDATE", "Account", None),  # accounts have no update event
    "archive": ("ARCHIVE", "Opportunity", None),
    "restore": ("RESTORE", "Opportunity", None),
}


@dataclass
class Baseline:
    """The largest ids before the scenario: rows above them were written during it."""

    stage_change: int = 0
    audit: int = 0
    outbox: int = 0
    activity: int = 0
    lead: int = 0


@dataclass
class State:
    opportunities: dict[int, dict[str, Any]]  # id -> stage, name, amount, nextStep, archived
    accounts: dict[int, dict[str, Any]]  # id -> name, annualRecurringValue
    history: list[tuple[int, int, int | None, int, str]]  # id, deal, from, to, event id
    audit: list[tuple[int, str, str, int, dict]]  # id, action, record type, record id, changes
    events: list[tuple[int, str, str, bool]]  # id, event id, type, published
    activities: set[int]
    leads: set[int]


@dataclass
class Result:
    name: str
    violations: int
    detail: str = ""
    examples: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.violations == 0


async def baseline(url: str) -> Baseline:
    async def top(table: str) -> int:
        return (await fetch_rows(url, f'SELECT COALESCE(MAX(id), 0) FROM "{table}"'))[0][0]

    return Baseline(
        stage_change=await top("opportunity_stage_change"),
        audit=await top("audit_log_entry"),
        outbox=await top("outbox_event"),
        activity=await top("activity"),
        lead=await top("lead"),
    )


def _json(value: Any) -> dict:
    if isinstance(value, str | bytes):
        return json.loads(value)
    return dict(value or {})


async def load_state(url: str, base: Baseline) -> State:
    opportunities = {
        row[0]: {
            "stage": row[1],
            "name": row[2],
            "amount": row[3],
            "nextStep": row[4],
            "archived": bool(row[5]),
        }
        for row in await fetch_rows(
            url,
            "SELECT id, stage_id, name, amount, next_step, "
            "CASE WHEN archived_at IS NULL THEN 0 ELSE 1 END FROM opportunity",
        )
    }
    accounts = {
        row[0]: {"name": row[1], "annualRecurringValue": row[2]}
        for row in await fetch_rows(url, "SELECT id, name, annual_recurring_value FROM account")
    }
    history = [
        (row[0], row[1], row[2], row[3], str(row[4]))
        for row in await fetch_rows(
            url,
            "SELECT id, opportunity_id, from_stage_id, to_stage_id, event_id "
            "FROM opportunity_stage_change ORDER BY opportunity_id, id",
        )
    ]
    audit = [
        (row[0], str(row[1]), row[2], row[3], _json(row[4]))
        for row in await fetch_rows(
            url,
            "SELECT id, action, record_type, record_id, changes FROM audit_log_entry "
            "WHERE record_type IN ('Opportunity', 'Account') ORDER BY id",
        )
    ]
    events = [
        (row[0], str(row[1]), row[2], bool(row[3]))
        for row in await fetch_rows(
            url,
            "SELECT id, event_id, type, CASE WHEN published_at IS NULL THEN 0 ELSE 1 END "
            "FROM outbox_event WHERE id > ? ORDER BY id",
            base.outbox,
        )
    ]
    activities = {
        r[0] for r in await fetch_rows(url, "SELECT id FROM activity WHERE id > ?", base.activity)
    }
    leads = {r[0] for r in await fetch_rows(url, 'SELECT id FROM "lead" WHERE id > ?', base.lead)}
    return State(opportunities, accounts, history, audit, events, activities, leads)


def _same(a: Any, b: Any) -> bool:
    if a == b:
        return True
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except (InvalidOperation, ValueError):
        return False


def _final(state: State, w: Write) -> Any:
    if w.model == "Opportunity":
        return state.opportunities.get(w.record_id or 0, {}).get(w.field or "")
    return state.accounts.get(w.record_id or 0, {}).get(w.field or "")


def lost_writes(state: State, writes: list[Write]) -> Result:
    """Every acknowledged field write is the final value, or a later acknowledged write of
    the same field superseded it (or a write whose outcome is in doubt may have)."""
    by_key: dict[tuple[str, int, str], list[Write]] = defaultdict(list)
    for w in writes:
        if w.model in ("Opportunity", "Account") and w.record_id is not None and w.field:
            by_key[(w.model, w.record_id, w.field)].append(w)
    violations = 0
    examples: list[str] = []
    for (model, record, column), group in sorted(by_key.items()):
        acked = [w for w in group if w.outcome == ACK]
        if not acked:
            continue
        # The acknowledged writes no other acknowledged write followed (answered before it
        # was sent): one of them, or a write in doubt, must be what the database holds.
        latest = [w for w in acked if not any(w.ended < o.started for o in acked)]
        candidates = [w.value for w in latest]
        candidates += [w.value for w in group if w.outcome == IN_DOUBT]
        final = _final(state, acked[0])
        if not any(_same(final, value) for value in candidates):
            violations += 1
            if len(examples) < 5:
                examples.append(
                    f"{model} {record} {column} = {final!r}; last acknowledged "
                    f"{sorted({str(w.value) for w in latest})}"
                )
    return Result("no acknowledged write lost", violations, f"{len(by_key)} fields", examples)


def stage_matches_history(state: State, deals: set[int] | None = None) -> Result:
    latest: dict[int, int] = {}
    for _, deal, _, to_stage, _ in state.history:
        latest[deal] = to_stage  # rows are in id order per deal
    violations = 0
    examples: list[str] = []
    for deal, row in sorted(state.opportunities.items()):
        if deals is not None and deal not in deals:
            continue
        if latest.get(deal) != row["stage"]:
            violations += 1
            if len(examples) < 5:
                examples.append(
                    f"Opportunity {deal}: stage {row['stage']}, latest history {latest.get(deal)}"
                )
    checked = len(state.opportunities) if deals is None else len(deals)
    return Result("stage = latest history row", violations, f"{checked} deals", examples)


def history_chains(state: State) -> Result:
    violations = 0
    examples: list[str] = []
    previous: dict[int, int] = {}
    for row_id, deal, from_stage, to_stage, _ in state.history:
        expected = previous.get(deal)
        if from_stage != expected:
            violations += 1
            if len(examples) < 5:
                examples.append(
                    f"Opportunity {deal} change {row_id}: from {from_stage}, "
                    f"previous change went to {expected}"
                )
        previous[deal] = to_stage
    return Result("history chains", violations, f"{len(state.history)} rows", examples)


def moves_recorded(state: State, writes: list[Write], base: Baseline) -> Result:
    """Each acknowledged move has its history row and its outbox event, and the run's
    history rows, STAGE_MOVE audit entries and stage_changed events are equally many,
    between the acknowledged moves and those plus the moves in doubt."""
    moves = [w for w in writes if w.kind == "move"]
    acked = [w for w in moves if w.outcome == ACK]
    doubt = sum(1 for w in moves if w.outcome == IN_DOUBT)
    history = {row[4] for row in state.history if row[0] > base.stage_change}
    events = {e[1] for e in state.events if e[2] == STAGE_CHANGED}
    audits = sum(1 for a in state.audit if a[0] > base.audit and a[1] == "STAGE_MOVE")
    missing_history = [w for w in acked if w.event_id not in history]
    missing_event = [w for w in acked if w.event_id not in events]
    violations = len(missing_history) + len(missing_event)
    counts = {len(history), len(events), audits}
    if len(counts) != 1:
        violations += max(counts) - min(counts)
    if not len(acked) <= len(history) <= len(acked) + doubt:
        violations += max(len(acked) - len(history), len(history) - len(acked) - doubt)
    detail = (
        f"acknowledged {len(acked)} (+{doubt} in doubt), history {len(history)}, "
        f"audit {audits}, events {len(events)}"
    )
    examples = [f"move {w.event_id} has no history row" for w in missing_history[:3]]
    examples += [f"move {w.event_id} has no outbox event" for w in missing_event[:3]]
    return Result("events = history = audit = acknowledged moves", violations, detail, examples)


def writes_recorded(state: State, writes: list[Write], base: Baseline) -> Result:
    """Acknowledged updates, archives and restores each wrote one audit entry (and one
    event where the write has one); creates are all there."""
    violations, detail = 0, []
    for kind, (action, record_type, event_type) in AUDITED.items():
        acked = sum(1 for w in writes if w.kind == kind and w.outcome == ACK)
        doubt = sum(1 for w in writes if w.kind == kind and w.outcome == IN_DOUBT)
        audits = sum(
            1 for a in state.audit if a[0] > base.audit and a[1] == action and a[2] == record_type
        )
        if not acked <= audits <= acked + doubt:
            violations += max(acked - audits, audits - acked - doubt)
        if event_type is None:
            detail.append(f"{kind} {acked}/{audits}")
            continue
        events = sum(1 for e in state.events if e[2] == event_type)
        violations += abs(events - audits)
        detail.append(f"{kind} {acked}/{audits}/{events}")
    for kind, found in (("logActivity", state.activities), ("createLead", state.leads)):
        acked_ids = [w.record_id for w in writes if w.kind == kind and w.outcome == ACK]
        missing = sum(1 for pk in acked_ids if pk not in found)
        violations += missing
        detail.append(f"{kind} {len(acked_ids)} acked, {missing} missing")
    return Result(
        "audit/events = acknowledged updates; creates kept",
        violations,
        "acked/audit/events: " + ", ".join(detail),
    )


def audit_before_chain(state: State, base: Baseline) -> Result:
    """Each audit entry's "before" of a field is the "after" of the previous entry of that
    field on the same record."""
    last_after: dict[tuple[str, int, str], Any] = {}
    violations = checked = 0
    examples: list[str] = []
    for entry_id, _action, record_type, record_id, changes in state.audit:
        for key, change in changes.items():
            if not isinstance(change, dict) or "before" not in change:
                continue
            slot = (record_type, record_id, key)
            if entry_id > base.audit and slot in last_after:
                checked += 1
                if not _same(change["before"], last_after[slot]):
                    violations += 1
                    if len(examples) < 5:
                        examples.append(
                            f"{record_type} {record_id} audit {entry_id} {key}: before "
                            f"{change['before']!r}, previous after {last_after[slot]!r}"
                        )
            last_after[slot] = change.get("after")
    return Result("audit before = previous after", violations, f"{checked} links", examples)


def events_published(state: State) -> Result:
    unpublished = sum(1 for e in state.events if not e[3])
    return Result(
        "outbox relayed everything",
        unpublished,
        f"{len(state.events)} events, {unpublished} unpublished",
    )


def check(state: State, writes: list[Write], base: Baseline, deals: set[int]) -> list[Result]:
    return [
        stage_matches_history(state),
        history_chains(state),
        moves_recorded(state, writes, base),
        writes_recorded(state, writes, base),
        lost_writes(state, writes),
        audit_before_chain(state, base),
        events_published(state),
    ]
