"""Real processes, a real receiver: the server's background delivery, crash safety with
SIGKILL, and several workers draining thousands of events without sending anything twice."""

import asyncio
import json
import time
import uuid
from collections import Counter
from datetime import UTC, datetime

import httpx
from standardwebhooks import Webhook

from ids import to_global_id
from models import OutboxEvent, User, WebhookAttempt, WebhookDelivery
from models.enums import Role
from services import auth
from services.opportunities import move_opportunity_stage
from tests.factories import make_opportunity, stage
from tests.webhooks.conftest import make_endpoint
from tests.webhooks.processes import environment, server, worker
from tests.webhooks.receiver import Reply

OPEN_STAGES = ["Qualification", "Needs analysis", "Proposal", "Negotiation", "Prospecting"]


async def wait_for(condition, *, seconds: float = 180) -> None:
    """Wait for the processes to get somewhere (a bound, not a speed assertion)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return
        await asyncio.sleep(0.1)


MOVE = """
mutation($input: MoveOpportunityStageInput!) {
  moveOpportunityStage(input: $input) { stageChange { eventId } errors { message } }
}"""


class StageMoves:
    """Deals made beforehand, then moved round their pipeline's open stages through the
    server's API: the server process is the only writer while it runs (SQLite lets one
    process write at a time, and a transaction that reads first cannot wait for its turn)."""

    def __init__(self, deals: int) -> None:
        self.count = deals

    async def prepare(self) -> None:
        self.targets = [await stage("New business", name) for name in OPEN_STAGES]
        self.deals = [await make_opportunity() for _ in range(self.count)]
        admin = await User.create(email="mover@example.com", name="Mover", role=Role.ADMIN)
        self.token = auth.issue_access_token(admin)

    async def run(self, base: str, count: int) -> list[str]:
        """``count`` moves; the committed event ids, in order."""
        ids = []
        headers = {"Authorization": f"Bearer {self.token}"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
            for n in range(count):
                deal = self.deals[n % self.count]
                target = self.targets[(n // self.count) % len(self.targets)]
                variables = {
                    "input": {
                        "opportunityId": to_global_id("Opportunity", deal.pk),
                        "stageId": to_global_id("Stage", target.pk),
                    }
                }
                response = await client.post(
                    "/graphql", json={"query": MOVE, "variables": variables}
                )
                moved = response.json()["data"]["moveOpportunityStage"]
                assert moved["errors"] == [], moved
                ids.append(moved["stageChange"]["eventId"])
        return ids


async def stage_moves(count: int, deals: int) -> list[str]:
    """``count`` moves made here, while no other process writes."""
    targets = [await stage("New business", name) for name in OPEN_STAGES]
    opportunities = [await make_opportunity() for _ in range(deals)]
    ids = []
    for n in range(count):
        change = await move_opportunity_stage(
            opportunity_id=opportunities[n % deals].pk,
            stage_id=targets[(n // deals) % len(targets)].pk,
            actor_id=None,
        )
        ids.append(str(change.event_id))
    return ids


async def test_a_thousand_stage_moves_reach_the_receiver_signed_as_committed(
    database_url, receiver, tmp_path
):
    endpoint, secret = await make_endpoint(receiver.url)
    moves = StageMoves(deals=10)
    await moves.prepare()
    with server(environment(database_url), tmp_path) as process:
        assert process.base is not None
        ids = await moves.run(process.base, 1000)
        await wait_for(lambda: len(receiver.requests) >= 1000)
        assert process.popen.poll() is None
        metrics = ""
        async with httpx.AsyncClient(base_url=process.base) as client:
            for _ in range(100):  # the last batch is recorded just after it is received
                metrics = (await client.get("/metrics")).text
                if 'deliveries_total{outcome="SUCCEEDED"} 1000.0' in metrics:
                    break
                await asyncio.sleep(0.1)
        process.stop()
    assert "Application shutdown complete" in process.output()  # the dispatcher stopped cleanly
    assert len(receiver.requests) == 1000
    assert sorted(receiver.ids()) == sorted(ids)
    committed = {
        str(e.event_id): e for e in await OutboxEvent.filter(type="opportunity.stage_changed")
    }
    for request in receiver.requests:
        payload = Webhook(secret).verify(request.body, request.headers)
        event = committed[request.headers["webhook-id"]]
        assert payload == {
            "type": "opportunity.stage_changed",
            "timestamp": event.occurred_at.isoformat().replace("+00:00", "Z"),
            "data": event.data,
        }
    assert await WebhookDelivery.filter(endpoint_id=endpoint.pk, status="SUCCEEDED").count() == 1000
    assert 'accountgraph_webhook_deliveries_total{outcome="SUCCEEDED"} 1000.0' in metrics
    assert "accountgraph_webhook_attempt_duration_seconds_count 1000.0" in metrics


async def test_events_committed_before_a_server_is_killed_are_delivered_after_restart(
    database_url, receiver, tmp_path
):
    await make_endpoint(receiver.url)
    moves = StageMoves(deals=4)
    await moves.prepare()
    # The first server looks for work once at start and then only a minute later, so it is
    # killed after the commits and before it sends anything.
    slow = environment(database_url, webhook_poll_seconds="60")
    with server(slow, tmp_path, "first") as first:
        assert first.base is not None
        ids = await moves.run(first.base, 20)
        first.kill()
    assert receiver.requests == []
    assert await WebhookAttempt.all().count() == 0
    with server(environment(database_url), tmp_path, "second"):
        await wait_for(lambda: len(receiver.requests) >= 20)
    assert sorted(receiver.ids()) == sorted(ids)  # each once, with its original id
    assert await WebhookDelivery.filter(status="SUCCEEDED").count() == 20


async def test_a_worker_killed_mid_send_leads_to_redelivery_with_the_same_id(
    database_url, receiver, tmp_path
):
    await make_endpoint(receiver.url)
    first_request = asyncio.Event()
    loop = asyncio.get_running_loop()

    def reply(request) -> Reply:
        if len(receiver.requests) == 1:
            loop.call_soon_threadsafe(first_request.set)
            return Reply(status=204, delay=30)  # hangs until the worker is killed
        return Reply(status=204)

    receiver.reply = reply
    ids = await stage_moves(5, deals=5)
    # One delivery per claim, and a short lease so the next worker takes over soon. The
    # worker waits for the hanging receiver and is killed while it waits, before recording.
    env = environment(database_url, webhook_batch_size="1", webhook_lease_seconds="2")
    with worker(env, tmp_path, "doomed") as doomed:
        await asyncio.wait_for(first_request.wait(), 60)
        doomed.kill()
    killed_id = receiver.ids()[0]
    with worker(env, tmp_path, "second") as second:
        await wait_for(lambda: len(receiver.requests) >= 6)
        assert second.stop() == 0
    received = Counter(receiver.ids())
    assert set(received) == set(ids)
    assert received[killed_id] == 2
    assert all(received[i] == 1 for i in ids if i != killed_id)
    delivery = await WebhookDelivery.get(event_id=uuid.UUID(killed_id))
    assert delivery.status == "SUCCEEDED"
    assert await WebhookAttempt.filter(delivery_id=delivery.pk).order_by("number").values_list(
        "number", "outcome"
    ) == [(1, "INTERRUPTED"), (2, "SUCCEEDED")]


async def test_several_workers_drain_thousands_of_events_sending_each_attempt_once(
    database_url, receiver, tmp_path
):
    await make_endpoint(receiver.url)
    deal = await make_opportunity()
    at = datetime.now(UTC)
    count = 3000
    await OutboxEvent.bulk_create(
        [
            OutboxEvent(
                event_id=uuid.uuid4(),
                type="opportunity.stage_changed",
                occurred_at=at,
                aggregate_type="Opportunity",
                aggregate_id=deal.pk,
                data={"object": {"n": n}},
            )
            for n in range(count)
        ]
    )
    ids = {
        str(e)
        for e in await OutboxEvent.filter(type="opportunity.stage_changed").values_list(
            "event_id", flat=True
        )
    }
    env = environment(database_url, webhook_batch_size="50")
    with (
        worker(env, tmp_path, "w1") as w1,
        worker(env, tmp_path, "w2") as w2,
        worker(env, tmp_path, "w3") as w3,
    ):
        await wait_for(lambda: len(receiver.requests) >= count, seconds=300)
        await asyncio.sleep(0.5)  # anything sent twice would arrive now
        assert [w.stop() for w in (w1, w2, w3)] == [0, 0, 0]
    received = Counter(receiver.ids())
    assert set(received) == ids
    assert max(received.values()) == 1
    assert await WebhookDelivery.filter(status="SUCCEEDED").count() == count
    # One answered attempt per delivery. (Under load a connection may be refused before the
    # receiver reads anything; such an attempt has no status code and is retried.)
    assert await WebhookAttempt.filter(outcome="SUCCEEDED").count() == count
    assert await WebhookAttempt.filter(status_code__isnull=False).count() == count
    assert await WebhookAttempt.filter(number=1).count() == count
    bodies = {json.loads(r.body)["data"]["object"]["n"] for r in receiver.requests}
    assert bodies == set(range(count))
