"""Concurrent writers and the ledger of everything they were told.

Each writer is an asyncio task with its own httpx client, sending a realistic mix of
mutations against a small working set of deals (so that writers collide on the same rows).
Every request is classified:

* **ack**: HTTP 200, JSON, no GraphQL error and an empty ``errors`` list in the payload:
  the server said the write happened;
* **rejected**: the server said it did not happen (a user error in the payload, or a 4xx);
* **in doubt**: no clear answer (a dropped connection, a timeout, a 5xx or an internal
  GraphQL error): the write may or may not have been committed;
* **refused**: the connection was refused, so nothing was sent.

Values written are unique (``name``, ``nextStep``, amounts), so the final database state
says exactly which write won.
"""

from __future__ import annotations

import asyncio
import base64
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from bench.run import gid

MOVE = """mutation Move($input: MoveOpportunityStageInput!) {
  moveOpportunityStage(input: $input) {
    stageChange { eventId toStage { id } }
    errors { code message }
  }
}"""
UPDATE_OPPORTUNITY = """mutation Update($input: UpdateOpportunityInput!) {
  updateOpportunity(input: $input) { opportunity { id } errors { code message } }
}"""
UPDATE_ACCOUNT = """mutation UpdateAccount($input: UpdateAccountInput!) {
  updateAccount(input: $input) { account { id } errors { code message } }
}"""
ARCHIVE = """mutation Archive($input: ArchiveOpportunityInput!) {
  archiveOpportunity(input: $input) { opportunity { id } errors { code message } }
}"""
RESTORE = """mutation Restore($input: RestoreOpportunityInput!) {
  restoreOpportunity(input: $input) { opportunity { id } errors { code message } }
}"""
LOG_ACTIVITY = """mutation Log($input: LogActivityInput!) {
  logActivity(input: $input) { activity { id } errors { code message } }
}"""
CREATE_LEAD = """mutation Lead($input: CreateLeadInput!) {
  createLead(input: $input) { lead { id } errors { code message } }
}"""
STAGE_OF = "query Stage($id: ID!) { opportunity(id: $id) { id stage { id } archivedAt } }"

ACK, REJECTED, IN_DOUBT, REFUSED = "ack", "rejected", "in doubt", "refused"


def pk_of(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().partition(":")[2])


@dataclass
class Write:
    """One write request and what became of it."""

    kind: str  # move, updateOpportunity, updateAccount, archive, restore, logActivity, createLead
    model: str  # Opportunity, Account, Activity, Lead
    record_id: int | None  # None for a create until it is acknowledged
    field: str | None  # the field written (stage, name, amount, nextStep, archived), or None
    value: Any
    started: float = 0.0
    ended: float = 0.0
    outcome: str = ""
    status: str = ""  # the HTTP status, or what went wrong on the connection
    event_id: str | None = None


@dataclass
class WorkingSet:
    """The deals and accounts the writers share, and each deal's open stages."""

    deals: list[int]
    open_stages: dict[int, list[int]]  # deal -> the open stages of its pipeline
    accounts: list[int]


@dataclass
class Tally:
    """Counts of responses, by kind."""

    sent: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    acked: Counter[str] = field(default_factory=Counter)
    http_status: Counter[int] = field(default_factory=Counter)
    graphql_codes: Counter[str] = field(default_factory=Counter)
    plain_text: int = 0
    dropped: int = 0
    refused: int = 0
    timeouts: int = 0
    # The first message seen of each error code, to tell the codes apart in the report.
    messages: dict[str, str] = field(default_factory=dict)


@dataclass
class Ledger:
    writes: list[Write] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)

    def acknowledged(self, kind: str | None = None) -> list[Write]:
        return [w for w in self.writes if w.outcome == ACK and kind in (None, w.kind)]


def classify(tally: Tally, response: httpx.Response, payload_key: str | None) -> tuple[str, Any]:
    """The outcome of a GraphQL response and the payload (or None)."""
    tally.http_status[response.status_code] += 1
    if "json" not in response.headers.get("content-type", ""):
        tally.plain_text += 1
        text = response.content[:120].decode(errors="replace")
        tally.messages.setdefault(f"HTTP {response.status_code} plain text", text)
        return (IN_DOUBT if response.status_code >= 500 else REJECTED), None
    try:
        answer = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        tally.plain_text += 1
        return IN_DOUBT, None
    if response.status_code >= 500:
        return IN_DOUBT, None
    if response.status_code != 200:
        return REJECTED, None
    errors = answer.get("errors") or []
    for error in errors:
        code = str((error.get("extensions") or {}).get("code") or "no code")
        tally.graphql_codes[code] += 1
        tally.messages.setdefault(code, str(error.get("message"))[:120])
    data = (answer.get("data") or {}).get(payload_key) if payload_key else answer.get("data")
    if errors or data is None:
        codes = {(e.get("extensions") or {}).get("code") for e in errors}
        internal = not codes or codes & {None, "INTERNAL_SERVER_ERROR", "INTERNAL"}
        return (IN_DOUBT if internal else REJECTED), None
    if payload_key and data.get("errors"):
        for error in data["errors"]:
            code = f"payload:{error.get('code')}"
            tally.graphql_codes[code] += 1
            tally.messages.setdefault(code, str(error.get("message"))[:120])
        return REJECTED, None
    return ACK, data


class Writer:
    """One client sending writes back to back until told to stop."""

    def __init__(
        self,
        number: int,
        bases: list[str],
        key: str,
        work: WorkingSet,
        ledger: Ledger,
        *,
        seed: int,
        timeout: float = 30,
    ) -> None:
        self.number = number
        self.bases = bases
        self.base = bases[number % len(bases)]
        self.headers = {"authorization": f"Bearer {key}", "content-type": "application/json"}
        self.work = work
        self.ledger = ledger
        self.random = random.Random(seed * 1000 + number)
        self.timeout = timeout
        self.sequence = 0

    def next_write(self) -> tuple[str, dict[str, Any], str, Write]:
        """(mutation, variables, payload key, the write it records)."""
        rnd, work = self.random, self.work
        self.sequence += 1
        tag = f"w{self.number}-{self.sequence}"
        deal = rnd.choice(work.deals)
        deal_id = gid("Opportunity", deal)
        roll = rnd.random()
        if roll < 0.35:
            stage = rnd.choice(work.open_stages[deal])
            variables = {"opportunityId": deal_id, "stageId": gid("Stage", stage)}
            return (
                MOVE,
                variables,
                "moveOpportunityStage",
                Write("move", "Opportunity", deal, "stage", stage),
            )
        if roll < 0.60:
            column = rnd.choice(("amount", "name", "nextStep"))
            value: Any
            if column == "amount":
                value = f"{rnd.randint(1_000, 900_000)}.{self.number:02d}"
            else:
                value = f"{column} {tag}"
            return (
                UPDATE_OPPORTUNITY,
                {"id": deal_id, column: value},
                "updateOpportunity",
                Write("updateOpportunity", "Opportunity", deal, column, value),
            )
        if roll < 0.70:
            account = rnd.choice(work.accounts)
            if rnd.random() < 0.5:
                column, value = "name", f"Account {tag}"
            else:
                column, value = "annualRecurringValue", f"{rnd.randint(1_000, 900_000)}.00"
            variables = {"id": gid("Account", account), column: value}
            return (
                UPDATE_ACCOUNT,
                variables,
                "updateAccount",
                Write("updateAccount", "Account", account, column, value),
            )
        if roll < 0.75:
            archive = rnd.random() < 0.5
            return (
                (ARCHIVE if archive else RESTORE),
                {"id": deal_id},
                ("archiveOpportunity" if archive else "restoreOpportunity"),
                Write(
                    "archive" if archive else "restore", "Opportunity", deal, "archived", archive
                ),
            )
        if roll < 0.90:
            variables = {"kind": "NOTE", "subject": f"Note {tag}", "opportunityId": deal_id}
            return (
                LOG_ACTIVITY,
                variables,
                "logActivity",
                Write("logActivity", "Activity", None, "subject", variables["subject"]),
            )
        variables = {
            "personName": f"Person {tag}",
            "companyName": f"Company {tag}",
            "email": f"lead-{tag}-{rnd.randrange(10**9)}@example.com",
        }
        return (
            CREATE_LEAD,
            variables,
            "createLead",
            Write("createLead", "Lead", None, "email", variables["email"]),
        )

    async def send(
        self, client: httpx.AsyncClient, query: str, variables: dict, key: str, w: Write
    ):
        tally = self.ledger.tally
        tally.sent += 1
        w.started = time.monotonic()
        content = orjson.dumps({"query": query, "variables": {"input": variables}})
        try:
            response = await client.post(f"{self.base}/graphql", content=content)
        except httpx.ConnectError:
            w.outcome, w.status = REFUSED, "refused"
            tally.refused += 1
        except httpx.TimeoutException:
            w.outcome, w.status = IN_DOUBT, "timeout"
            tally.timeouts += 1
        except httpx.TransportError:
            w.outcome, w.status = IN_DOUBT, "dropped"
            tally.dropped += 1
        else:
            w.status = str(response.status_code)
            if "json" not in response.headers.get("content-type", ""):
                w.status += " plain text"
            w.outcome, data = classify(tally, response, key)
            if w.outcome == ACK:
                self.remember(w, data)
        w.ended = time.monotonic()
        tally.outcomes[w.outcome] += 1
        if w.outcome == ACK:
            tally.acked[w.kind] += 1
        self.ledger.writes.append(w)

    @staticmethod
    def remember(w: Write, data: dict) -> None:
        if w.kind == "move":
            w.event_id = (data.get("stageChange") or {}).get("eventId")
        elif w.kind == "logActivity":
            w.record_id = pk_of(data["activity"]["id"])
        elif w.kind == "createLead":
            w.record_id = pk_of(data["lead"]["id"])

    async def run(self, stop: asyncio.Event) -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(
            timeout=self.timeout, limits=limits, headers=self.headers
        ) as client:
            while not stop.is_set():
                query, variables, key, write = self.next_write()
                await self.send(client, query, variables, key, write)
                if write.outcome == REFUSED:
                    await asyncio.sleep(0.2)  # the server is down: do not spin


async def run_writers(
    bases: list[str],
    key: str,
    work: WorkingSet,
    ledger: Ledger,
    *,
    writers: int,
    stop: asyncio.Event,
    seed: int = 42,
) -> None:
    tasks = [
        asyncio.create_task(Writer(n, bases, key, work, ledger, seed=seed).run(stop))
        for n in range(writers)
    ]
    await asyncio.gather(*tasks)


# --- malformed requests ----------------------------------------------------------------------


def malformed_bodies() -> list[tuple[str, bytes, str]]:
    """(name, body, content type) of requests no server should answer with a 5xx."""
    deep = 100_000
    return [
        ("invalid UTF-8", b'{"query": "{ viewer { email } }\xff\xfe"}', "application/json"),
        (
            "invalid UTF-8 in variables",
            b'{"query": "query($a: String) { viewer { email } }", "variables": {"a": "\xc3\x28"}}',
            "application/json",
        ),
        ("100,000-deep JSON array", b"[" * deep + b"]" * deep, "application/json"),
        ("100,000-deep JSON object", b'{"a":' * deep + b"1" + b"}" * deep, "application/json"),
        (
            "100,000-deep variables",
            b'{"query": "{ viewer { email } }", "variables": {"x": '
            + b"[" * deep
            + b"]" * deep
            + b"}}",
            "application/json",
        ),
        ("truncated JSON", b'{"query": "{ viewer { ', "application/json"),
        ("JSON array body", b'[{"query": "{ viewer { email } }"}]', "application/json"),
        ("query not a string", b'{"query": 42}', "application/json"),
        (
            "variables not an object",
            b'{"query": "{ viewer { email } }", "variables": [1]}',
            "application/json",
        ),
        ("empty body", b"", "application/json"),
        ("NUL bytes", b'{"query": "{ viewer\x00 { email } }"}', "application/json"),
        ("text/plain body", b"{ viewer { email } }", "text/plain"),
        (
            "deeply nested query",
            b'{"query": "{' + b" viewer {" * 2000 + b" email" + b" }" * 2000 + b' }"}',
            "application/json",
        ),
        (
            "bad global id",
            b'{"query": "mutation { moveOpportunityStage(input: '
            b'{opportunityId: \\"@@@\\", stageId: \\"!!\\"}) { errors { code } } }"}',
            "application/json",
        ),
    ]


def only_errors(content: bytes) -> bool:
    """A GraphQL response that refused the request: errors and no data."""
    try:
        answer = orjson.loads(content)
    except orjson.JSONDecodeError:
        return False
    if not isinstance(answer, dict):
        return False
    if answer.get("errors") and not answer.get("data"):
        return True
    # or a mutation payload that says why nothing changed
    data = answer.get("data")
    return isinstance(data, dict) and all(
        isinstance(payload, dict) and payload.get("errors") for payload in data.values()
    )


@dataclass
class MalformedTally:
    sent: int = 0
    by_class: Counter[str] = field(default_factory=Counter)  # 2xx, 4xx, 5xx, dropped
    by_case: dict[str, Counter[str]] = field(default_factory=dict)
    plain_text: int = 0


async def send_malformed(
    base: str, key: str, tally: MalformedTally, stop: asyncio.Event, *, senders: int = 2
) -> None:
    cases = malformed_bodies()

    async def one(number: int) -> None:
        i = number
        while not stop.is_set():
            name, content, content_type = cases[i % len(cases)]
            i += senders
            tally.sent += 1
            headers = {"authorization": f"Bearer {key}", "content-type": content_type}
            # A connection per request, so that one answer cannot spoil the next.
            async with httpx.AsyncClient(timeout=30) as client:
                try:
                    response = await client.post(
                        f"{base}/graphql", content=content, headers=headers
                    )
                except httpx.HTTPError:
                    kind = "dropped"
                else:
                    kind = f"{response.status_code // 100}xx"
                    if "json" not in response.headers.get("content-type", ""):
                        tally.plain_text += 1
                    elif kind == "2xx" and only_errors(response.content):
                        kind = "2xx errors"
            tally.by_class[kind] += 1
            tally.by_case.setdefault(name, Counter())[kind] += 1

    await asyncio.gather(*(one(n) for n in range(senders)))
