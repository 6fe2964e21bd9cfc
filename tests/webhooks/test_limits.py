"""How many endpoints a user may own, and how often an endpoint may be pinged."""

import pytest

from ids import to_global_id
from models import User, WebhookDelivery, WebhookEndpoint
from models.enums import Role
from services.errors import DomainError, ErrorCode, Problem
from settings import get_settings
from tests.factories import make_user
from tests.state import database_state
from tests.webhooks.conftest import make_endpoint
from webhooks import endpoints

CREATE = """
mutation($url: String!) {
  createWebhookEndpoint(input: {url: $url, eventTypes: [OPPORTUNITY_WON]}) {
    webhookEndpoint { url } errors { field message code }
  }
}"""
PING = """
mutation($id: ID!) {
  pingWebhookEndpoint(input: {id: $id}) { delivery { status } errors { field message code } }
}"""


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(get_settings(), "webhook_endpoints_per_user", 2)
    monkeypatch.setattr(get_settings(), "webhook_pings_per_minute", 3)
    monkeypatch.setattr(get_settings(), "webhook_allow_private", True)


async def test_a_user_may_own_only_so_many_endpoints(gql, small_limits):
    admin = await User.get(email="admin@example.com")
    for n in range(2):
        data = await gql(CREATE, {"url": f"https://hooks.example.com/{n}"})
        assert data["createWebhookEndpoint"]["errors"] == []
    before = await database_state()
    data = await gql(CREATE, {"url": "https://hooks.example.com/2"})
    assert data["createWebhookEndpoint"] == {
        "webhookEndpoint": None,
        "errors": [
            {
                "field": None,
                "message": "you have 2 webhook endpoints, the most one user may have: delete "
                "one you no longer need first",
                "code": "INVALID_STATE",
            }
        ],
    }
    assert await database_state() == before
    assert await WebhookEndpoint.filter(owner_id=admin.pk).count() == 2


async def test_the_quota_counts_each_owners_endpoints_alone(gql, small_limits):
    other = await make_user(role=Role.ADMIN)
    for n in range(2):
        await make_endpoint(f"https://elsewhere.example.com/{n}", owner=other)
    data = await gql(CREATE, {"url": "https://hooks.example.com/mine"})
    assert data["createWebhookEndpoint"] == {
        "webhookEndpoint": {"url": "https://hooks.example.com/mine"},
        "errors": [],
    }


async def test_pings_past_the_rate_are_refused_with_when_to_try_again(
    receiver, deliverer, clock, small_limits
):
    viewer = await make_user(role=Role.ADMIN)
    endpoint, _ = await make_endpoint(receiver.url, owner=viewer)

    async def ping() -> WebhookDelivery:
        return await endpoints.ping_endpoint(
            endpoint_id=endpoint.pk, viewer=viewer, deliverer=deliverer
        )

    for seconds in (0, 10, 20):
        clock.advance(seconds=seconds)
        await ping()
    clock.advance(seconds=25)  # 55 seconds after the first ping
    before = await database_state()
    with pytest.raises(DomainError) as refused:
        await ping()
    assert refused.value.problems == [
        Problem(
            "this endpoint was pinged 3 times in the last minute, the most allowed; "
            "try again in 5 seconds",
            ErrorCode.RATE_LIMITED,
            ("id",),
        )
    ]
    assert await database_state() == before
    assert len(receiver.requests) == 3
    clock.advance(seconds=5)  # the first ping is a minute old
    assert (await ping()).status == "SUCCEEDED"
    assert len(receiver.requests) == 4


async def test_each_endpoint_has_its_own_ping_rate(receiver, deliverer, small_limits):
    viewer = await make_user(role=Role.ADMIN)
    first, _ = await make_endpoint(receiver.url, owner=viewer)
    second, _ = await make_endpoint(receiver.url, owner=viewer)
    for _ in range(3):
        await endpoints.ping_endpoint(endpoint_id=first.pk, viewer=viewer, deliverer=deliverer)
    delivery = await endpoints.ping_endpoint(
        endpoint_id=second.pk, viewer=viewer, deliverer=deliverer
    )
    assert delivery.status == "SUCCEEDED"


async def test_a_refused_ping_is_a_rate_limited_user_error(gql, receiver, small_limits):
    endpoint, _ = await make_endpoint(receiver.url)
    gid = to_global_id("WebhookEndpoint", endpoint.pk)
    for _ in range(3):
        data = await gql(PING, {"id": gid})
        assert data["pingWebhookEndpoint"]["errors"] == []
    data = await gql(PING, {"id": gid})
    [error] = data["pingWebhookEndpoint"]["errors"]
    assert (error["field"], error["code"]) == (["id"], "RATE_LIMITED")
    assert error["message"].startswith(
        "this endpoint was pinged 3 times in the last minute, the most allowed; try again in "
    )
    assert data["pingWebhookEndpoint"]["delivery"] is None
    assert len(receiver.requests) == 3
