"""The load-and-fault suite (bench/reliability): its invariant checker on hand-made database
states, and a smoke run of the whole suite on SQLite."""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from bench.reliability.invariants import Baseline, check, load_state
from bench.reliability.load import ACK, IN_DOUBT, Write
from ids import to_global_id

ROOT = Path(__file__).resolve().parent.parent

TABLES = """
CREATE TABLE opportunity (id INTEGER PRIMARY KEY, stage_id INT, name TEXT, amount TEXT,
    next_step TEXT, archived_at TEXT);
CREATE TABLE account (id INTEGER PRIMARY KEY, name TEXT, annual_recurring_value TEXT);
CREATE TABLE opportunity_stage_change (id INTEGER PRIMARY KEY, opportunity_id INT,
    from_stage_id INT, to_stage_id INT, event_id TEXT);
CREATE TABLE audit_log_entry (id INTEGER PRIMARY KEY, action TEXT, record_type TEXT,
    record_id INT, changes TEXT);
CREATE TABLE outbox_event (id INTEGER PRIMARY KEY, event_id TEXT, type TEXT, published_at TEXT);
CREATE TABLE activity (id INTEGER PRIMARY KEY);
CREATE TABLE "lead" (id INTEGER PRIMARY KEY);
"""
# Rows up to these ids were there before the scenario.
BASELINE = Baseline(stage_change=2, audit=0, outbox=0, activity=0, lead=0)


def stage(pk: int) -> str:
    return to_global_id("Stage", pk)


def database(path: Path, *, broken_chain: bool, lost_write: bool) -> str:
    """Two deals, each created in stage 1 and moved once during the scenario, and two
    updates of deal 1 (its name, then its amount).

    ``broken_chain``: deal 2's move says it left stage 2, where it never was.
    ``lost_write``: the amount update wrote deal 1's whole row from a stale read, putting its
    name back to 'A' without an audit entry: the acknowledged name 'B' is lost.
    """
    db = sqlite3.connect(path)
    db.executescript(TABLES)
    name = "A" if lost_write else "B"
    db.executemany(
        "INSERT INTO opportunity VALUES (?, ?, ?, ?, ?, NULL)",
        [(1, 2, name, "200.00", None), (2, 3, "Deal two", "50.00", None)],
    )
    db.executemany(
        "INSERT INTO opportunity_stage_change VALUES (?, ?, ?, ?, ?)",
        [
            (1, 1, None, 1, "created-1"),
            (2, 2, None, 1, "created-2"),
            (3, 1, 1, 2, "move-a"),
            (4, 2, 2 if broken_chain else 1, 3, "move-b"),
        ],
    )
    audit = [
        (1, "STAGE_MOVE", "Opportunity", 1, {"stageId": {"before": stage(1), "after": stage(2)}}),
        (2, "STAGE_MOVE", "Opportunity", 2, {"stageId": {"before": stage(1), "after": stage(3)}}),
        (3, "UPDATE", "Opportunity", 1, {"name": {"before": "A", "after": "B"}}),
        (4, "UPDATE", "Opportunity", 1, {"amount": {"before": "100.00", "after": "200.00"}}),
    ]
    db.executemany(
        "INSERT INTO audit_log_entry VALUES (?, ?, ?, ?, ?)",
        [(*row[:4], json.dumps(row[4])) for row in audit],
    )
    db.executemany(
        "INSERT INTO outbox_event VALUES (?, ?, ?, '2026-01-01T00:00:00+00:00')",
        [
            (1, "move-a", "opportunity.stage_changed"),
            (2, "move-b", "opportunity.stage_changed"),
            (3, "update-1", "opportunity.updated"),
            (4, "update-2", "opportunity.updated"),
        ],
    )
    db.commit()
    db.close()
    return f"sqlite://{path}"


def ledger() -> list[Write]:
    """What the writers were told: both moves, both updates acknowledged, one by one."""
    return [
        Write("move", "Opportunity", 1, "stage", 2, 1, 2, ACK, "200", "move-a"),
        Write("move", "Opportunity", 2, "stage", 3, 3, 4, ACK, "200", "move-b"),
        Write("updateOpportunity", "Opportunity", 1, "name", "B", 5, 6, ACK, "200"),
        Write("updateOpportunity", "Opportunity", 1, "amount", "200.00", 7, 8, ACK, "200"),
    ]


async def results(url: str, writes: list[Write]) -> dict[str, int]:
    state = await load_state(url, BASELINE)
    return {r.name: r.violations for r in check(state, writes, BASELINE, {1, 2})}


def expected(**violations: int) -> dict[str, int]:
    names = {
        "stage": "stage = latest history row",
        "chain": "history chains",
        "moves": "events = history = audit = acknowledged moves",
        "writes": "audit/events = acknowledged updates; creates kept",
        "lost": "no acknowledged write lost",
        "before": "audit before = previous after",
        "relayed": "outbox relayed everything",
    }
    return {full: violations.get(short, 0) for short, full in names.items()}


async def test_a_consistent_database_passes_every_invariant(tmp_path: Path) -> None:
    url = database(tmp_path / "good.db", broken_chain=False, lost_write=False)

    assert await results(url, ledger()) == expected()


async def test_the_checker_reports_exactly_a_broken_chain_and_a_lost_write(
    tmp_path: Path,
) -> None:
    url = database(tmp_path / "bad.db", broken_chain=True, lost_write=True)

    assert await results(url, ledger()) == expected(chain=1, lost=1)


async def test_a_write_in_doubt_may_be_the_final_value(tmp_path: Path) -> None:
    """An update whose answer never came may have committed: its value is not a lost write,
    but an acknowledged write that nothing followed still is."""
    url = database(tmp_path / "doubt.db", broken_chain=False, lost_write=True)
    writes = [*ledger(), Write("updateOpportunity", "Opportunity", 1, "name", "A", 9, 10, IN_DOUBT)]

    assert await results(url, writes) == expected()
    # An in-doubt write's audit entry may be missing, so only the acknowledged ones are counted.
    writes[-1].value = "Z"
    assert await results(url, writes) == expected(lost=1)


async def test_missing_history_audit_and_event_of_an_acknowledged_move_are_reported(
    tmp_path: Path,
) -> None:
    url = database(tmp_path / "moves.db", broken_chain=False, lost_write=False)
    writes = [*ledger(), Write("move", "Opportunity", 2, "stage", 3, 11, 12, ACK, "200", "gone")]
    writes.append(Write("updateOpportunity", "Opportunity", 2, "name", "Deal two", 13, 14, ACK))

    assert await results(url, writes) == expected(moves=3, writes=1)


def test_a_quick_run_on_sqlite_checks_every_invariant(tmp_path: Path) -> None:
    """`python -m bench.reliability --quick` on SQLite with one process: it runs to the end
    and reports each invariant (exit 0 when all hold, 1 when one fails; a crash is 2+)."""
    command = [sys.executable, "-m", "bench.reliability", "--quick", "--database", "sqlite"]
    command += ["--processes", "1", "--scenarios", "load", "--seconds", "2", "--writers", "4"]
    command += ["--logs"]
    done = subprocess.run(
        [*command, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )

    assert done.returncode in (0, 1), done.stdout + done.stderr
    (outcome,) = json.loads((tmp_path / "results.json").read_text())
    assert (outcome["scenario"], outcome["database"], outcome["layout"]) == (
        "load",
        "sqlite",
        "1 process",
    )
    assert [r["name"] for r in outcome["results"]] == [*expected(), "API agrees with the database"]
    assert outcome["tally"]["sent"] > 0
    assert outcome["tally"]["outcomes"]["ack"] > 0
    assert done.returncode == (0 if all(r["passed"] for r in outcome["results"]) else 1)
