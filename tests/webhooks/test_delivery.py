"""From the outbox to a real receiver: fan-out, signing, claiming, the retry policy on a
controlled clock, disabling, rotation and pruning."""

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from models.enums import Role
from services.opportunities import move_opportunity_stage
from tests.factories import make_account, make_opportunity, make_team, make_user, stage
from tests.webhooks.conftest import make_endpoint
from tests.webhooks.receiver import Reply
from webhooks import endpoints, metrics
from webhooks.delivery import prune, refresh_queue_metrics
from webhooks.fanout import fan_out
from webhooks.signing import new_secret, sign


async def move(deal, stage_name: str = "Qualification", **kwargs):
    target = await stage("New business", stage_name)
    return await move_opportunity_stage(
        opportunity_id=deal.pk, stage_id=target.pk, actor_id=None, **kwargs
    )


async def deliver(deliverer, clock) -> int:
    await fan_out(limit=100, at=clock())
    return await deliverer.deliver_due(100)


async def attempts_of(delivery: WebhookDelivery) -> list[dict]:
    return (
        await WebhookAttempt.filter(delivery_id=delivery.pk)
        .order_by("number")
        .values("number", "status_code", "outcome", "error")
    )


async def test_a_stage_move_is_delivered_signed_with_the_committed_data(receiver, deliverer, clock):
    endpoint, secret = await make_endpoint(receiver.url)
    deal = await make_opportunity()
    change = await move(deal)
    event = await OutboxEvent.get(type="opportunity.stage_changed")

    assert await deliver(deliverer, clock) == 1

    [request] = receiver.requests
    assert request.path == "/hooks"
    assert request.headers["webhook-id"] == str(change.event_id) == str(event.event_id)
    assert request.headers["webhook-timestamp"] == str(int(clock().timestamp()))
    assert request.headers["content-type"] == "application/json"
    assert request.headers["host"] == f"127.0.0.1:{receiver.port}"
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload == {
        "type": "opportunity.stage_changed",
        "timestamp": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": event.data,
    }
    assert set(payload["data"]) == {"object", "previous", "stageChange"}
    assert payload["data"]["previous"]["probability"] == 10
    delivery = await WebhookDelivery.get(endpoint_id=endpoint.pk)
    assert (delivery.status, delivery.attempt_count, delivery.lease_token) == ("SUCCEEDED", 1, None)
    assert await attempts_of(delivery) == [
        {"number": 1, "status_code": 204, "outcome": "SUCCEEDED", "error": None}
    ]
    assert (await OutboxEvent.get(pk=event.pk)).webhooks_dispatched_at == clock()


async def test_a_message_with_another_secret_or_body_does_not_verify(receiver, deliverer, clock):
    await make_endpoint(receiver.url)
    await move(await make_opportunity())
    await deliver(deliverer, clock)
    [request] = receiver.requests
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(request.body, request.headers)
    altered = request.body.replace("stage_changed", "stage_changes")
    with pytest.raises(WebhookVerificationError):
        Webhook(await _secret_of_only_endpoint()).verify(altered, request.headers)


async def _secret_of_only_endpoint() -> str:
    from webhooks import secrets

    endpoint = await WebhookEndpoint.first()
    assert endpoint is not None
    return secrets.decrypt(endpoint.secret_encrypted)


async def test_endpoints_get_only_the_event_types_they_chose(receiver, deliverer, clock):
    await make_endpoint(receiver.url, event_types=["opportunity.won"])
    deal = await make_opportunity()
    await move(deal)
    await move(deal, "Closed won")
    await deliver(deliverer, clock)
    assert [json.loads(r.body)["type"] for r in receiver.requests] == ["opportunity.won"]


async def test_an_endpoint_receives_only_events_its_owner_may_see(receiver, deliverer, clock):
    team = await make_team()
    ann = await make_user(role=Role.ACCOUNT_MANAGER, team_id=team.pk)
    bob = await make_user(role=Role.ACCOUNT_MANAGER)
    viewer = await make_user(role=Role.VIEWER, team_id=team.pk)
    admin = await make_user(role=Role.ADMIN)
    owners = {"ann": ann, "bob": bob, "viewer": viewer, "admin": admin}
    for name, owner in owners.items():
        await make_endpoint(f"{receiver.url}/{name}", owner=owner)
    deal = await make_opportunity(account_id=(await make_account(owner_id=ann.pk)).pk)
    await move(deal)
    await deliver(deliverer, clock)
    assert sorted(r.path for r in receiver.requests) == [
        "/hooks/admin",
        "/hooks/ann",
        "/hooks/viewer",
    ]


async def test_an_inactive_owners_and_a_disabled_endpoint_get_nothing(receiver, deliverer, clock):
    await make_endpoint(receiver.url, owner=await make_user(role=Role.ADMIN, is_active=False))
    await make_endpoint(receiver.url, enabled=False)
    await move(await make_opportunity())
    await deliver(deliverer, clock)
    assert receiver.requests == []
    assert await WebhookDelivery.all().count() == 0
    assert await OutboxEvent.filter(webhooks_dispatched_at__isnull=True).count() == 0


async def test_an_event_committed_late_with_a_lower_id_is_not_skipped(receiver, deliverer, clock):
    await make_endpoint(receiver.url)
    deal = await make_opportunity()
    await deliver(deliverer, clock)  # the deal's own events

    async def event(pk: int) -> OutboxEvent:
        return await OutboxEvent.create(
            id=pk,
            event_id=uuid.uuid4(),
            type="opportunity.stage_changed",
            occurred_at=clock(),
            aggregate_type="Opportunity",
            aggregate_id=deal.pk,
            data={"object": {"id": pk}},
        )

    higher = await event(1000)
    await deliver(deliverer, clock)
    # What PostgreSQL allows: a transaction that took a lower id commits after a higher one
    # was already fanned out.
    lower = await event(500)
    await deliver(deliverer, clock)
    assert receiver.ids() == [str(higher.event_id), str(lower.event_id)]


async def test_fanning_out_the_same_events_twice_makes_one_delivery_each(receiver, clock):
    from webhooks.fanout import _store, plan

    await make_endpoint(receiver.url)
    await move(await make_opportunity())
    events = await OutboxEvent.filter(type="opportunity.stage_changed")
    await _store(events, await plan(events, clock()), clock())
    # a second worker that read the same events
    await _store(events, await plan(events, clock()), clock())
    assert await WebhookDelivery.all().count() == 1


async def test_a_failing_receiver_is_retried_on_the_schedule_with_the_same_id(
    receiver, deliverer, clock
):
    receiver.reply = lambda request: Reply(status=503, body="busy")
    endpoint, secret = await make_endpoint(receiver.url)
    await move(await make_opportunity())
    start = clock()
    assert await deliver(deliverer, clock) == 1
    schedule = deliverer.policy.schedule
    for step in schedule:
        clock.advance(seconds=step - 1)
        assert await deliverer.deliver_due(100) == 0  # not due yet
        clock.advance(seconds=1)
        assert await deliverer.deliver_due(100) == 1
    delivery = await WebhookDelivery.get(endpoint_id=endpoint.pk)
    assert delivery.status == "FAILED"
    assert delivery.attempt_count == 8
    assert len(set(receiver.ids())) == 1 and len(receiver.ids()) == 8
    outcomes = [a["outcome"] for a in await attempts_of(delivery)]
    assert outcomes == ["RETRYING"] * 7 + ["FAILED"]
    stamps = [int(r.headers["webhook-timestamp"]) for r in receiver.requests]
    assert [s - int(start.timestamp()) for s in stamps] == [
        int(sum(schedule[:i])) for i in range(8)
    ]
    # Each retry is signed afresh for its own timestamp (hours ago by the real clock, so
    # checked here without the library's five-minute freshness window).
    assert all([await _verifies_at_its_time(secret, r) for r in receiver.requests])


async def test_retry_after_is_honoured(receiver, deliverer, clock):
    receiver.reply = lambda request: Reply(status=429, headers={"Retry-After": "600"})
    endpoint, _ = await make_endpoint(receiver.url)
    await move(await make_opportunity())
    await deliver(deliverer, clock)
    delivery = await WebhookDelivery.get(endpoint_id=endpoint.pk)
    assert delivery.next_attempt_at == clock() + timedelta(seconds=600)
    clock.advance(seconds=599)
    assert await deliverer.deliver_due(100) == 0
    clock.advance(seconds=1)
    assert await deliverer.deliver_due(100) == 1


@pytest.mark.parametrize("status", [400, 401, 404, 422])
async def test_other_4xx_fail_at_once_without_retry(receiver, deliverer, clock, status):
    receiver.reply = lambda request: Reply(status=status, body="no such hook")
    endpoint, _ = await make_endpoint(receiver.url)
    await move(await make_opportunity())
    await deliver(deliverer, clock)
    clock.advance(days=2)
    assert await deliverer.deliver_due(100) == 0
    delivery = await WebhookDelivery.get(endpoint_id=endpoint.pk)
    assert delivery.status == "FAILED"
    assert await attempts_of(delivery) == [
        {"number": 1, "status_code": status, "outcome": "FAILED", "error": None}
    ]
    assert (await WebhookEndpoint.get(pk=endpoint.pk)).enabled is True


async def test_410_disables_the_endpoint_at_once_and_enabling_resumes(receiver, deliverer, clock):
    receiver.reply = lambda request: Reply(status=410)
    endpoint, _ = await make_endpoint(receiver.url)
    deal = await make_opportunity()
    await move(deal)
    await deliver(deliverer, clock)
    found = await WebhookEndpoint.get(pk=endpoint.pk)
    assert found.enabled is False
    assert found.disabled_reason == "the endpoint answered 410 Gone"
    assert found.disabled_at == clock()
    # Events while disabled are not queued for it.
    await move(deal, "Needs analysis")
    await deliver(deliverer, clock)
    assert len(receiver.requests) == 1
    receiver.reply = lambda request: Reply(status=200)
    admin = await make_user(role=Role.ADMIN)
    await endpoints.update_endpoint(
        endpoint_id=endpoint.pk, viewer=admin, changes={"enabled": True}
    )
    await move(deal, "Proposal")
    await deliver(deliverer, clock)
    assert len(receiver.requests) == 2
    found = await WebhookEndpoint.get(pk=endpoint.pk)
    assert (found.enabled, found.disabled_reason, found.failing_since) == (True, None, None)


async def test_pending_deliveries_wait_while_disabled_and_resume_when_enabled(
    receiver, deliverer, clock
):
    endpoint, _ = await make_endpoint(receiver.url)
    await move(await make_opportunity())
    await fan_out(limit=100, at=clock())
    await WebhookEndpoint.filter(pk=endpoint.pk).update(enabled=False)
    assert await deliverer.deliver_due(100) == 0
    await WebhookEndpoint.filter(pk=endpoint.pk).update(enabled=True)
    assert await deliverer.deliver_due(100) == 1
    assert len(receiver.requests) == 1


async def test_redirects_are_not_followed(receiver, deliverer, clock):
    receiver.reply = lambda request: Reply(
        status=302, headers={"Location": "http://169.254.169.254/latest"}
    )
    endpoint, _ = await make_endpoint(receiver.url)
    await move(await make_opportunity())
    await deliver(deliverer, clock)
    assert len(receiver.requests) == 1
    delivery = await WebhookDelivery.get(endpoint_id=endpoint.pk)
    assert delivery.status == "FAILED"
    assert await attempts_of(delivery) == [
        {
            "number": 1,
            "status_code": 302,
            "outcome": "FAILED",
            "error": "redirect to http://169.254.169.254/latest not followed",
        }
    ]


async def test_a_hanging_receiver_is_recorded_as_a_timeout_within_the_limit(
    receiver, deliverer, clock
):
    receiver.reply = lambda request: Reply(status=200, delay=3)
    endpoint, _ = await make_endpoint(receiver.url)
    await move(await make_opportunity())
    await deliver(deliverer, clock)
    delivery = await WebhookDelivery.get(endpoint_id=endpoint.pk)
    [attempt] = await WebhookAttempt.filter(delivery_id=delivery.pk)
    assert attempt.outcome == "RETRYING"
    assert attempt.status_code is None
    assert attempt.error is not None and attempt.error.startswith("timed out after 2.")
    # read timeout 2 s: recorded as a timeout well before the receiver's 3 s answer
    assert attempt.duration_ms is not None and 2000 <= attempt.duration_ms < 3000


async def test_each_attempt_keeps_status_duration_and_the_first_kib_of_the_response(
    receiver, deliverer, clock
):
    receiver.reply = lambda request: Reply(status=500, body="é" + "x" * 5000)
    await make_endpoint(receiver.url)
    await move(await make_opportunity())
    await deliver(deliverer, clock)
    [attempt] = await WebhookAttempt.all()
    assert attempt.status_code == 500
    assert attempt.response_body == "é" + "x" * 1022  # 1024 bytes: é is two
    assert attempt.duration_ms is not None and attempt.duration_ms >= 0
    assert attempt.attempted_at == clock()


async def test_an_endpoint_failing_for_the_whole_window_is_disabled_with_the_reason(
    receiver, deliverer, clock
):
    receiver.reply = lambda request: Reply(status=500)
    endpoint, _ = await make_endpoint(receiver.url)
    deal = await make_opportunity()
    await move(deal)
    started = clock()
    await deliver(deliverer, clock)
    assert (await WebhookEndpoint.get(pk=endpoint.pk)).failing_since == started
    clock.advance(hours=119)
    await move(deal, "Needs analysis")
    await deliver(deliverer, clock)
    assert (await WebhookEndpoint.get(pk=endpoint.pk)).enabled is True
    clock.advance(hours=1)
    await move(deal, "Proposal")
    await deliver(deliverer, clock)
    found = await WebhookEndpoint.get(pk=endpoint.pk)
    assert found.enabled is False
    assert found.disabled_reason == (
        f"every delivery failed for 120 hours (since {started.isoformat()})"
    )


async def test_a_success_ends_the_failing_streak(receiver, deliverer, clock):
    replies = iter([Reply(status=500), Reply(status=200)])
    receiver.reply = lambda request: next(replies)
    endpoint, _ = await make_endpoint(receiver.url)
    await move(await make_opportunity())
    await deliver(deliverer, clock)
    assert (await WebhookEndpoint.get(pk=endpoint.pk)).failing_since == clock()
    clock.advance(seconds=5)
    await deliverer.deliver_due(100)
    assert (await WebhookEndpoint.get(pk=endpoint.pk)).failing_since is None


async def test_a_lease_that_expires_makes_the_delivery_claimable_again(receiver, deliverer, clock):
    endpoint, _ = await make_endpoint(receiver.url)
    await move(await make_opportunity())
    await fan_out(limit=100, at=clock())
    [stale] = await deliverer.claim(100)  # a worker that then dies
    assert await deliverer.claim(100) == []  # held: nobody else takes it
    clock.advance(seconds=59)
    assert await deliverer.claim(100) == []
    clock.advance(seconds=1)
    [fresh] = await deliverer.claim(100)
    assert (fresh.delivery_id, fresh.event_id, fresh.attempt) == (
        stale.delivery_id,
        stale.event_id,
        2,
    )
    await deliverer.record(await deliverer.send_claimed([fresh]))
    # The first worker wakes up: its attempt is kept, but the delivery is no longer its own.
    await deliverer.record(await deliverer.send_claimed([stale]))
    delivery = await WebhookDelivery.get(endpoint_id=endpoint.pk)
    assert (delivery.status, delivery.attempt_count) == ("SUCCEEDED", 2)
    assert [(a["number"], a["outcome"]) for a in await attempts_of(delivery)] == [
        (1, "SUCCEEDED"),
        (2, "SUCCEEDED"),
    ]


async def test_an_attempt_never_recorded_is_noted_as_interrupted(receiver, deliverer, clock):
    endpoint, _ = await make_endpoint(receiver.url)
    await move(await make_opportunity())
    await fan_out(limit=100, at=clock())
    await deliverer.claim(100)  # the worker dies before recording anything
    clock.advance(seconds=60)
    await deliverer.deliver_due(100)
    delivery = await WebhookDelivery.get(endpoint_id=endpoint.pk)
    assert await attempts_of(delivery) == [
        {
            "number": 1,
            "status_code": None,
            "outcome": "INTERRUPTED",
            "error": "the worker stopped during this attempt; its lease expired",
        },
        {"number": 2, "status_code": 204, "outcome": "SUCCEEDED", "error": None},
    ]


async def test_concurrent_claims_never_share_a_delivery(receiver, deliverer, clock):
    await make_endpoint(receiver.url)
    deal = await make_opportunity()
    for name in ["Qualification", "Needs analysis", "Proposal", "Negotiation"] * 5:
        await move(deal, name)
    await fan_out(limit=1000, at=clock())
    total = await WebhookDelivery.all().count()
    batches = await asyncio.gather(*(deliverer.claim(3) for _ in range(10)))
    claimed = [c.delivery_id for batch in batches for c in batch]
    assert total == 20
    assert len(claimed) == len(set(claimed)) == total


async def test_rotation_signs_with_both_secrets_until_the_overlap_ends(receiver, deliverer, clock):
    admin = await make_user(role=Role.ADMIN)
    endpoint, old = await make_endpoint(receiver.url, owner=admin)
    rotated = await endpoints.rotate_secret(endpoint_id=endpoint.pk, viewer=admin)
    new = rotated.secret
    assert new != old
    deal = await make_opportunity()
    await move(deal)
    await deliver(deliverer, clock)
    request = receiver.requests[-1]
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    assert Webhook(old).verify(request.body, request.headers)["type"] == "opportunity.stage_changed"
    assert Webhook(new).verify(request.body, request.headers)["type"] == "opportunity.stage_changed"
    expires = (await WebhookEndpoint.get(pk=endpoint.pk)).previous_secret_expires_at
    assert expires is not None
    assert timedelta(hours=24) <= expires - clock() < timedelta(hours=24, minutes=1)
    clock.now = expires
    await move(deal, "Needs analysis")
    await fan_out(limit=100, at=clock())
    await deliverer.deliver_due(100)
    request = receiver.requests[-1]
    assert len(request.headers["webhook-signature"].split(" ")) == 1
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(request.body, request.headers)
    assert await _verifies_at_its_time(new, request)
    assert not await _verifies_at_its_time(old, request)


async def _verifies_at_its_time(secret: str, request) -> bool:
    at = datetime.fromtimestamp(int(request.headers["webhook-timestamp"]), UTC)
    expected = sign(
        secrets=[secret], webhook_id=request.headers["webhook-id"], timestamp=at, body=request.body
    )
    return expected == request.headers["webhook-signature"]


async def test_old_finished_deliveries_are_pruned_and_pending_ones_kept(receiver, deliverer, clock):
    replies = iter([Reply(status=200), Reply(status=500)])
    receiver.reply = lambda request: next(replies)
    await make_endpoint(receiver.url)
    deal = await make_opportunity()
    await move(deal)
    await deliver(deliverer, clock)
    await move(deal, "Needs analysis")
    await deliver(deliverer, clock)
    assert await WebhookAttempt.all().count() == 2
    removed = await prune(before=clock() + timedelta(seconds=1))
    assert removed == 1
    [kept] = await WebhookDelivery.all()
    assert kept.status == "PENDING"
    assert await WebhookAttempt.filter(delivery_id=kept.pk).count() == 1


async def test_metrics_count_outcomes_and_show_the_queue(receiver, deliverer, clock):
    def value(metric, **labels) -> float:
        return metric.labels(**labels)._value.get() if labels else metric._value.get()

    succeeded = value(metrics.DELIVERIES, outcome="SUCCEEDED")
    retrying = value(metrics.DELIVERY_ATTEMPTS, outcome="RETRYING")
    replies = iter([Reply(status=200), Reply(status=500)])
    receiver.reply = lambda request: next(replies)
    await make_endpoint(receiver.url)
    deal = await make_opportunity()
    await move(deal)
    await deliver(deliverer, clock)
    await move(deal, "Needs analysis")
    await deliver(deliverer, clock)
    await move(deal, "Proposal")  # not fanned out yet
    assert value(metrics.DELIVERIES, outcome="SUCCEEDED") == succeeded + 1
    assert value(metrics.DELIVERY_ATTEMPTS, outcome="RETRYING") == retrying + 1
    pending = await WebhookDelivery.get(status="PENDING")
    clock.advance(seconds=30)
    await refresh_queue_metrics(clock())
    assert value(metrics.QUEUE_DEPTH, stage="delivery") == 1
    assert value(metrics.QUEUE_DEPTH, stage="fan_out") == 1
    assert (
        value(metrics.OLDEST_PENDING_AGE) == (clock() - pending.event_occurred_at).total_seconds()
    )
