"""Several server processes on one SQLite file, under concurrent writes.

``serve --workers 2`` and a second ``serve`` share one database file, and several clients
send stage moves and updates through both at once, contending for the same rows. A write
transaction there takes SQLite's write lock when it begins and waits for it, so no request
fails with "database is locked" (an ``Internal server error`` before), and no write is lost.
"""

import asyncio
import contextlib
import itertools
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.database import BACKEND
from tests.live_events import start_server
from tests.live_server import ADMIN_EMAIL, ADMIN_PASSWORD, run_cli

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite shared by processes")

CLIENTS = 4
ROUNDS = 25
OPEN_STAGES = ["Qualification", "Needs analysis", "Proposal", "Negotiation", "Prospecting"]


@contextmanager
def _serving(env: dict[str, str], workdir: Path, name: str, workers: int) -> Iterator[str]:
    server = start_server(env, workdir, name, workers=workers)
    try:
        yield server.base
    finally:
        server.stop()


class Client:
    def __init__(self, http: httpx.AsyncClient, base: str, token: str) -> None:
        self.http, self.base, self.token = http, base, token
        self.problems: list[Any] = []

    async def run(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.post(
            f"{self.base}/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self.token}"} if self.token else {},
        )
        body = response.json()
        if response.status_code != 200 or "errors" in body:
            self.problems.append((response.status_code, body))
            return {}
        (payload,) = body["data"].values()
        if payload.get("errors"):
            self.problems.append(payload["errors"])
        return payload


MOVE = """mutation($input: MoveOpportunityStageInput!) {
  moveOpportunityStage(input: $input) { errors { code message } }
}"""
UPDATE_DEAL = """mutation($input: UpdateOpportunityInput!) {
  updateOpportunity(input: $input) { errors { code message } }
}"""
UPDATE_ACCOUNT = """mutation($input: UpdateAccountInput!) {
  updateAccount(input: $input) { errors { code message } }
}"""


async def _set_up(client: Client) -> tuple[str, list[str], dict[str, str]]:
    """An account with one deal per client, and the ids of the New business stages."""
    login = await client.run(
        "mutation($input: LoginInput!) { login(input: $input) { accessToken user { id } } }",
        {"input": {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}},
    )
    client.token = login["accessToken"]
    pipelines = await client.http.post(
        f"{client.base}/graphql",
        json={"query": "{ pipelines { name stages { id name } } }"},
        headers={"Authorization": f"Bearer {client.token}"},
    )
    (new_business,) = [
        p for p in pipelines.json()["data"]["pipelines"] if p["name"] == "New business"
    ]
    stages = {s["name"]: s["id"] for s in new_business["stages"]}
    made = await client.run(
        "mutation($input: CreateClientInput!) { createClient(input: $input) { client { id } } }",
        {"input": {"name": "Globex"}},
    )
    account = await client.run(
        "mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } } }",
        {
            "input": {
                "clientId": made["client"]["id"],
                "name": "Globex",
                "ownerId": login["user"]["id"],
            }
        },
    )
    deals = []
    for index in range(CLIENTS):
        deal = await client.run(
            "mutation($input: CreateOpportunityInput!) {"
            " createOpportunity(input: $input) { opportunity { id } } }",
            {
                "input": {
                    "accountId": account["account"]["id"],
                    "name": f"Deal {index}",
                    "amount": "1000",
                }
            },
        )
        deals.append(deal["opportunity"]["id"])
    return account["account"]["id"], deals, stages


async def _work(
    client: Client, number: int, account: str, deals: list[str], stages: dict[str, str]
) -> None:
    """Move this client's own deal round the open stages; edit the next client's deal (which
    that client is moving at the same time) and the shared account."""
    own, other = deals[number], deals[(number + 1) % CLIENTS]
    for step in range(ROUNDS):
        target = stages[OPEN_STAGES[step % len(OPEN_STAGES)]]
        await client.run(MOVE, {"input": {"opportunityId": own, "stageId": target}})
        await client.run(UPDATE_DEAL, {"input": {"id": other, "nextStep": f"c{number} {step}"}})
        await client.run(UPDATE_ACCOUNT, {"input": {"id": account, "name": f"c{number} {step}"}})


def _stored(path: str) -> dict[str, Any]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        deals = db.execute("SELECT id, stage_id, version FROM opportunity ORDER BY id").fetchall()
        latest = dict(
            db.execute(
                "SELECT opportunity_id, to_stage_id FROM opportunity_stage_change h WHERE id = "
                "(SELECT MAX(id) FROM opportunity_stage_change WHERE opportunity_id = h.opportunity_id)"
            ).fetchall()
        )
        moves = dict(
            db.execute(
                "SELECT opportunity_id, COUNT(*) FROM opportunity_stage_change GROUP BY opportunity_id"
            ).fetchall()
        )
        account_version = db.execute("SELECT version FROM account").fetchone()[0]
        names = [
            json.loads(changes)["name"]
            for (changes,) in db.execute(
                "SELECT changes FROM audit_log_entry WHERE record_type = 'Account' ORDER BY id"
            )
        ]
    return {
        "deals": deals,
        "latest": latest,
        "moves": moves,
        "account_version": account_version,
        "names": names,
    }


async def test_processes_sharing_a_sqlite_file_take_turns_and_lose_nothing(tmp_path):
    path = str(tmp_path / "shared.db")
    env = {**os.environ, "ACCOUNTGRAPH_DATABASE_URL": f"sqlite://{path}"}
    run_cli("migrate", env=env, cwd=tmp_path)
    run_cli(
        "create-user", "--email", ADMIN_EMAIL, "--name", "Admin", "--role", "ADMIN",
        env=env, cwd=tmp_path, stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    with ExitStack() as stack:
        bases = [
            stack.enter_context(_serving(env, tmp_path, "two-workers", workers=2)),
            stack.enter_context(_serving(env, tmp_path, "one-worker", workers=1)),
        ]
        async with httpx.AsyncClient(timeout=60) as http:
            first = Client(http, bases[0], "")
            account, deals, stages = await _set_up(first)
            assert first.problems == []
            clients = [Client(http, bases[n % 2], first.token) for n in range(CLIENTS)]
            await asyncio.gather(
                *(_work(c, n, account, deals, stages) for n, c in enumerate(clients))
            )
    logs = "".join(p.read_text(errors="replace") for p in tmp_path.glob("*.log"))

    assert [c.problems for c in clients] == [[]] * CLIENTS
    assert "database is locked" not in logs
    stored = _stored(path)
    for pk, stage_id, version in stored["deals"]:
        assert stage_id == stored["latest"][pk]
        assert stored["moves"][pk] == 1 + ROUNDS
        assert version == 1 + 2 * ROUNDS  # its moves and the other client's edits
    assert stored["account_version"] == 1 + CLIENTS * ROUNDS
    # One chain: each rename replaced the name the one before it wrote.
    chain = stored["names"]
    assert len(chain) == 1 + CLIENTS * ROUNDS
    for before, after in itertools.pairwise(chain):
        assert after["before"] == before["after"]
