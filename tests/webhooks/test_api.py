"""Managing webhook endpoints and reading deliveries over GraphQL, for each kind of caller."""

from datetime import timedelta

import pytest
from standardwebhooks import Webhook

from ids import to_global_id
from models import AuditLogEntry, WebhookDelivery, WebhookEndpoint
from models.enums import Role
from services import auth
from services.opportunities import move_opportunity_stage
from settings import get_settings
from tests.factories import make_account, make_opportunity, make_user, stage
from tests.state import database_state
from tests.webhooks.conftest import make_endpoint
from tests.webhooks.receiver import Reply
from webhooks import secrets
from webhooks.fanout import fan_out

CREATE = """
mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    webhookEndpoint { id url description eventTypes enabled owner { email } }
    secret
    errors { field message code }
  }
}"""
UPDATE = """
mutation($input: UpdateWebhookEndpointInput!) {
  updateWebhookEndpoint(input: $input) {
    webhookEndpoint { id url eventTypes enabled disabledAt disabledReason }
    errors { field message code }
  }
}"""
ENDPOINTS = "{ webhookEndpoints { totalCount nodes { url owner { email } } } }"
DELIVERIES = """
query($filter: WebhookDeliveryFilter) {
  webhookDeliveries(filter: $filter) {
    totalCount
    nodes {
      id eventId eventType status attemptCount nextAttemptAt payload
      endpoint { url }
      attempts { number statusCode outcome error responseBody durationMs }
    }
  }
}"""


@pytest.fixture
def allow_loopback(monkeypatch):
    monkeypatch.setattr(get_settings(), "webhook_allow_private", True)


def token(user) -> str:
    return auth.issue_access_token(user)


async def test_creating_an_endpoint_returns_its_secret_once_and_stores_it_encrypted(gql):
    data = await gql(
        CREATE,
        {
            "input": {
                "url": "https://hooks.example.com/accountgraph",
                "eventTypes": ["OPPORTUNITY_WON", "OPPORTUNITY_STAGE_CHANGED"],
                "description": "CRM sync",
            }
        },
    )
    made = data["createWebhookEndpoint"]
    assert made["errors"] == []
    endpoint = made["webhookEndpoint"]
    assert endpoint["url"] == "https://hooks.example.com/accountgraph"
    assert endpoint["description"] == "CRM sync"
    assert endpoint["eventTypes"] == ["OPPORTUNITY_STAGE_CHANGED", "OPPORTUNITY_WON"]
    assert endpoint["enabled"] is True
    assert endpoint["owner"] == {"email": "admin@example.com"}
    secret = made["secret"]
    assert secret.startswith("whsec_")
    stored = await WebhookEndpoint.get()
    assert stored.event_types == ["opportunity.stage_changed", "opportunity.won"]
    assert secret not in stored.secret_encrypted
    assert secrets.decrypt(stored.secret_encrypted) == secret
    Webhook(secret)  # a secret the reference library accepts
    audit = await AuditLogEntry.get(record_type="WebhookEndpoint")
    assert "secretEncrypted" not in audit.changes
    assert audit.changes["url"] == {"before": None, "after": stored.url}


@pytest.mark.parametrize(
    ("url", "event_types", "field", "message"),
    [
        (
            "ftp://hooks.example.com/",
            ["LEAD_CREATED"],
            ["url"],
            "the URL must start with http:// or https://",
        ),
        (
            "http://127.0.0.1:9000/",
            ["LEAD_CREATED"],
            ["url"],
            "refused: 127.0.0.1 is a loopback address",
        ),
        (
            "http://169.254.169.254/",
            ["LEAD_CREATED"],
            ["url"],
            "refused: 169.254.169.254 is a cloud metadata address",
        ),
        (
            "http://2130706433/",
            ["LEAD_CREATED"],
            ["url"],
            "'2130706433' is a numerically encoded address; write it as a dotted quad",
        ),
        ("https://hooks.example.com/", [], ["eventTypes"], "choose at least one event type"),
    ],
)
async def test_a_bad_endpoint_is_refused_and_nothing_is_stored(
    gql, url, event_types, field, message
):
    before = await database_state()
    data = await gql(CREATE, {"input": {"url": url, "eventTypes": event_types}})
    payload = data["createWebhookEndpoint"]
    assert payload["webhookEndpoint"] is None and payload["secret"] is None
    assert [(e["field"], e["message"]) for e in payload["errors"]] == [(field, message)]
    assert await database_state() == before


async def test_managers_see_and_change_only_their_own_endpoints(gql):
    ann = await make_user(role=Role.ACCOUNT_MANAGER, email="ann@example.com")
    sam = await make_user(role=Role.SALES_MANAGER, email="sam@example.com")
    theirs, _ = await make_endpoint("https://ann.example.com/", owner=ann)
    await make_endpoint("https://sam.example.com/", owner=sam)
    listed = await gql(ENDPOINTS, token=token(ann))
    assert listed["webhookEndpoints"] == {
        "totalCount": 1,
        "nodes": [{"url": "https://ann.example.com/", "owner": {"email": "ann@example.com"}}],
    }
    admin_view = await gql(ENDPOINTS)
    assert admin_view["webhookEndpoints"]["totalCount"] == 2
    before = await database_state()
    data = await gql(
        UPDATE,
        {
            "input": {
                "id": to_global_id("WebhookEndpoint", theirs.pk),
                "url": "https://evil.example/",
            }
        },
        token=token(sam),
    )
    assert data["updateWebhookEndpoint"] == {
        "webhookEndpoint": None,
        "errors": [{"field": ["id"], "message": "Webhook endpoint not found", "code": "NOT_FOUND"}],
    }
    assert await database_state() == before


def refused(message: str) -> dict:
    """The answer to a createWebhookEndpoint that refuses the caller."""
    refusal = {"field": None, "message": message, "code": "FORBIDDEN"}
    payload = {"webhookEndpoint": None, "secret": None, "errors": [refusal]}
    return {"data": {"createWebhookEndpoint": payload}}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.TEAM_MEMBER])
async def test_viewers_and_team_members_have_no_endpoints_and_may_not_create_one(gql, role):
    user = await make_user(role=role)
    await make_endpoint("https://someone.example.com/")
    assert (await gql(ENDPOINTS, token=token(user)))["webhookEndpoints"]["totalCount"] == 0
    before = await database_state()
    body = await gql(
        CREATE,
        {"input": {"url": "https://x.example.com/", "eventTypes": ["LEAD_CREATED"]}},
        token=token(user),
        errors=True,
    )
    assert body == refused("you may not manage webhook endpoints")
    assert await database_state() == before


async def test_a_read_only_api_key_may_list_but_not_create(gql):
    ann = await make_user(role=Role.ACCOUNT_MANAGER)
    await make_endpoint("https://ann.example.com/", owner=ann)
    _, key = await auth.create_api_key(
        user_id=ann.pk, name="reader", scopes=frozenset({auth.Scope.READ})
    )
    assert (await gql(ENDPOINTS, token=key))["webhookEndpoints"]["totalCount"] == 1
    before = await database_state()
    body = await gql(
        CREATE,
        {"input": {"url": "https://x.example.com/", "eventTypes": ["LEAD_CREATED"]}},
        token=key,
        errors=True,
    )
    assert body == refused("This API key may not change anything: use a key with the write scope.")
    assert await database_state() == before


async def test_disabling_and_enabling_an_endpoint(gql):
    endpoint, _ = await make_endpoint("https://a.example.com/")
    gid = to_global_id("WebhookEndpoint", endpoint.pk)
    off = await gql(UPDATE, {"input": {"id": gid, "enabled": False}})
    assert off["updateWebhookEndpoint"]["webhookEndpoint"]["enabled"] is False
    assert off["updateWebhookEndpoint"]["webhookEndpoint"]["disabledReason"] == "disabled by Admin"
    on = await gql(UPDATE, {"input": {"id": gid, "enabled": True, "eventTypes": ["LEAD_CREATED"]}})
    assert on["updateWebhookEndpoint"] == {
        "webhookEndpoint": {
            "id": gid,
            "url": "https://a.example.com/",
            "eventTypes": ["LEAD_CREATED"],
            "enabled": True,
            "disabledAt": None,
            "disabledReason": None,
        },
        "errors": [],
    }


async def test_deleting_an_endpoint_removes_it_and_its_deliveries(gql, receiver, deliverer, clock):
    endpoint, _ = await make_endpoint(receiver.url)
    deal = await make_opportunity()
    target = await stage("New business", "Qualification")
    await move_opportunity_stage(opportunity_id=deal.pk, stage_id=target.pk, actor_id=None)
    await fan_out(limit=100, at=clock())
    await deliverer.deliver_due(100)
    data = await gql(
        "mutation($input: WebhookEndpointIdInput!) { deleteWebhookEndpoint(input: $input) "
        "{ webhookEndpoint { url } errors { message } } }",
        {"input": {"id": to_global_id("WebhookEndpoint", endpoint.pk)}},
    )
    assert data["deleteWebhookEndpoint"] == {
        "webhookEndpoint": {"url": receiver.url},
        "errors": [],
    }
    assert await WebhookEndpoint.all().count() == 0
    assert await WebhookDelivery.all().count() == 0


async def test_rotating_a_secret_returns_a_new_one_and_keeps_the_old_one_signing(gql):
    endpoint, old = await make_endpoint("https://a.example.com/")
    data = await gql(
        "mutation($input: WebhookEndpointIdInput!) { rotateWebhookSecret(input: $input) "
        "{ secret webhookEndpoint { previousSecretExpiresAt } errors { message } } }",
        {"input": {"id": to_global_id("WebhookEndpoint", endpoint.pk)}},
    )
    rotated = data["rotateWebhookSecret"]
    assert rotated["errors"] == [] and rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != old
    stored = await WebhookEndpoint.get(pk=endpoint.pk)
    assert secrets.decrypt(stored.secret_encrypted) == rotated["secret"]
    assert stored.previous_secret_encrypted is not None
    assert secrets.decrypt(stored.previous_secret_encrypted) == old
    assert stored.previous_secret_expires_at is not None
    overlap = stored.previous_secret_expires_at - stored.updated_at
    assert timedelta(hours=23, minutes=59) < overlap <= timedelta(hours=24)


async def test_ping_sends_a_signed_webhook_ping_now_and_reports_it(gql, receiver, allow_loopback):
    endpoint, secret = await make_endpoint(receiver.url, enabled=False)
    gid = to_global_id("WebhookEndpoint", endpoint.pk)
    data = await gql(
        "mutation($input: WebhookEndpointIdInput!) { pingWebhookEndpoint(input: $input) "
        "{ delivery { eventType status attemptCount attempts { number statusCode outcome } } "
        "errors { message } } }",
        {"input": {"id": gid}},
    )
    assert data["pingWebhookEndpoint"] == {
        "delivery": {
            "eventType": "WEBHOOK_PING",
            "status": "SUCCEEDED",
            "attemptCount": 1,
            "attempts": [{"number": 1, "statusCode": 204, "outcome": "SUCCEEDED"}],
        },
        "errors": [],
    }
    [request] = receiver.requests
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload["type"] == "webhook.ping"
    assert payload["data"] == {"endpoint": {"id": gid, "url": receiver.url}}


async def test_a_failed_ping_is_reported_and_not_retried(gql, receiver, allow_loopback):
    receiver.reply = lambda request: Reply(status=503, body="down for maintenance")
    endpoint, _ = await make_endpoint(receiver.url)
    data = await gql(
        "mutation($input: WebhookEndpointIdInput!) { pingWebhookEndpoint(input: $input) "
        "{ delivery { status nextAttemptAt attempts { statusCode outcome responseBody } } } }",
        {"input": {"id": to_global_id("WebhookEndpoint", endpoint.pk)}},
    )
    assert data["pingWebhookEndpoint"]["delivery"] == {
        "status": "FAILED",
        "nextAttemptAt": None,
        "attempts": [
            {"statusCode": 503, "outcome": "FAILED", "responseBody": "down for maintenance"}
        ],
    }


async def test_deliveries_list_every_attempt_and_filter(gql, receiver, deliverer, clock):
    replies = iter([Reply(status=500, body="oops"), Reply(status=200, body="ok")])
    receiver.reply = lambda request: (
        next(replies) if request.path == "/hooks" else Reply(status=200)
    )
    endpoint, _ = await make_endpoint(
        receiver.url, event_types=["opportunity.stage_changed", "opportunity.created"]
    )
    await make_endpoint(f"{receiver.url}/other")
    account = await make_account()
    deal = await make_opportunity(account_id=account.pk)
    target = await stage("New business", "Qualification")
    change = await move_opportunity_stage(opportunity_id=deal.pk, stage_id=target.pk, actor_id=None)
    await fan_out(limit=100, at=clock())
    await WebhookDelivery.filter(event_type="opportunity.created").update(
        next_attempt_at=clock() + timedelta(days=1)
    )
    await deliverer.deliver_due(100)
    clock.advance(seconds=5)
    await deliverer.deliver_due(100)
    data = await gql(
        DELIVERIES,
        {
            "filter": {
                "endpointId": to_global_id("WebhookEndpoint", endpoint.pk),
                "eventType": "OPPORTUNITY_STAGE_CHANGED",
            }
        },
    )
    [node] = data["webhookDeliveries"]["nodes"]
    assert data["webhookDeliveries"]["totalCount"] == 1
    assert node["eventId"] == str(change.event_id)
    assert node["status"] == "SUCCEEDED" and node["attemptCount"] == 2
    assert node["nextAttemptAt"] is None
    assert node["endpoint"] == {"url": receiver.url}
    assert [
        (a["number"], a["statusCode"], a["outcome"], a["responseBody"]) for a in node["attempts"]
    ] == [
        (1, 500, "RETRYING", "oops"),
        (2, 200, "SUCCEEDED", "ok"),
    ]
    pending = await gql(DELIVERIES, {"filter": {"status": "PENDING"}})
    assert [n["eventType"] for n in pending["webhookDeliveries"]["nodes"]] == [
        "OPPORTUNITY_CREATED"
    ]
    later = await gql(DELIVERIES, {"filter": {"since": (clock() + timedelta(hours=1)).isoformat()}})
    assert later["webhookDeliveries"]["totalCount"] == 0


async def test_another_managers_deliveries_are_not_listed(gql, receiver, deliverer, clock):
    ann = await make_user(role=Role.ACCOUNT_MANAGER)
    bob = await make_user(role=Role.ACCOUNT_MANAGER)
    await make_endpoint(receiver.url, owner=ann)
    deal = await make_opportunity(account_id=(await make_account(owner_id=ann.pk)).pk)
    target = await stage("New business", "Qualification")
    await move_opportunity_stage(opportunity_id=deal.pk, stage_id=target.pk, actor_id=None)
    await fan_out(limit=100, at=clock())
    await deliverer.deliver_due(100)
    own = await gql(DELIVERIES, token=token(ann))
    assert own["webhookDeliveries"]["totalCount"] == 1
    assert len(own["webhookDeliveries"]["nodes"][0]["attempts"]) == 1
    assert (await gql(DELIVERIES, token=token(bob)))["webhookDeliveries"]["totalCount"] == 0


REDELIVER = """
mutation($input: RedeliverWebhookInput!) {
  redeliverWebhook(input: $input) {
    deliveries { eventId status attemptCount }
    errors { field message code }
  }
}"""


async def test_redelivering_one_delivery_sends_it_again_with_the_same_id(
    gql, receiver, deliverer, clock
):
    receiver.reply = lambda request: Reply(status=404)
    endpoint, _ = await make_endpoint(receiver.url)
    deal = await make_opportunity()
    target = await stage("New business", "Qualification")
    await move_opportunity_stage(opportunity_id=deal.pk, stage_id=target.pk, actor_id=None)
    await fan_out(limit=100, at=clock())
    await deliverer.deliver_due(100)
    delivery = await WebhookDelivery.get(endpoint_id=endpoint.pk)
    assert delivery.status == "FAILED"
    receiver.reply = lambda request: Reply(status=500)
    data = await gql(
        REDELIVER, {"input": {"deliveryId": to_global_id("WebhookDelivery", delivery.pk)}}
    )
    assert data["redeliverWebhook"] == {
        "deliveries": [{"eventId": str(delivery.event_id), "status": "PENDING", "attemptCount": 1}],
        "errors": [],
    }
    clock.now = max(clock.now, (await WebhookDelivery.get(pk=delivery.pk)).next_attempt_at)
    await deliverer.deliver_due(100)
    # A fresh schedule: the 500 after the redelivery is retried, 5 s later.
    again = await WebhookDelivery.get(pk=delivery.pk)
    assert (again.status, again.attempt_count, again.round_start) == ("PENDING", 2, 1)
    assert again.next_attempt_at == clock() + timedelta(seconds=5)
    assert receiver.ids() == [str(delivery.event_id)] * 2


async def test_redelivering_an_endpoints_failed_deliveries_in_a_time_range(gql, clock):
    endpoint, _ = await make_endpoint("https://a.example.com/")
    at = clock()

    async def delivery(hours_ago: int, status: str) -> WebhookDelivery:
        import uuid

        created = at - timedelta(hours=hours_ago)
        return await WebhookDelivery.create(
            endpoint_id=endpoint.pk,
            event_id=uuid.uuid4(),
            event_type="lead.created",
            payload="{}",
            status=status,
            attempt_count=8,
            next_attempt_at=created,
            event_occurred_at=created,
            created_at=created,
            updated_at=created,
        )

    old = await delivery(30, "FAILED")
    recent = await delivery(5, "FAILED")
    await delivery(4, "SUCCEEDED")
    await delivery(1, "FAILED")
    data = await gql(
        REDELIVER,
        {
            "input": {
                "endpointId": to_global_id("WebhookEndpoint", endpoint.pk),
                "since": (at - timedelta(hours=24)).isoformat(),
                "until": (at - timedelta(hours=2)).isoformat(),
            }
        },
    )
    assert data["redeliverWebhook"]["errors"] == []
    assert [d["eventId"] for d in data["redeliverWebhook"]["deliveries"]] == [str(recent.event_id)]
    assert (await WebhookDelivery.get(pk=old.pk)).status == "FAILED"


async def test_redelivering_a_pending_delivery_or_naming_nothing_is_refused(gql, clock):
    endpoint, _ = await make_endpoint("https://a.example.com/")
    import uuid

    pending = await WebhookDelivery.create(
        endpoint_id=endpoint.pk,
        event_id=uuid.uuid4(),
        event_type="lead.created",
        payload="{}",
        next_attempt_at=clock(),
        event_occurred_at=clock(),
        created_at=clock(),
        updated_at=clock(),
    )
    before = await database_state()
    data = await gql(
        REDELIVER, {"input": {"deliveryId": to_global_id("WebhookDelivery", pending.pk)}}
    )
    assert data["redeliverWebhook"] == {
        "deliveries": [],
        "errors": [
            {
                "field": ["deliveryId"],
                "message": "the delivery is still pending; it will be attempted again by itself",
                "code": "INVALID_STATE",
            }
        ],
    }
    data = await gql(REDELIVER, {"input": {}})
    assert data["redeliverWebhook"]["errors"] == [
        {"field": None, "message": "give either a delivery id or an endpoint id", "code": "INVALID"}
    ]
    assert await database_state() == before


NODE = "query($id: ID!) { node(id: $id) { __typename ... on WebhookEndpoint { url } } }"


async def test_an_endpoint_resolves_by_node_id_for_its_managers_only(gql):
    ann = await make_user(role=Role.ACCOUNT_MANAGER)
    bob = await make_user(role=Role.ACCOUNT_MANAGER)
    endpoint, _ = await make_endpoint("https://ann.example.com/", owner=ann)
    gid = to_global_id("WebhookEndpoint", endpoint.pk)
    expected = {"node": {"__typename": "WebhookEndpoint", "url": "https://ann.example.com/"}}
    assert await gql(NODE, {"id": gid}, token=token(ann)) == expected
    assert await gql(NODE, {"id": gid}) == expected  # an administrator
    body = await gql(NODE, {"id": gid}, token=token(bob), errors=True)
    assert body["errors"][0]["extensions"] == {"code": "NOT_FOUND"}
