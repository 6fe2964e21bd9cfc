"""Protocol hygiene and the other subscriptions, over a real socket: init timeout, order of
messages, ids, malformed input, keep-alive, unsubscribing, limits, origins, leaks, metrics,
activityLogged and events."""

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.live_events import (
    LEGACY_WS,
    STAGE_CHANGED,
    TRANSPORT_WS,
    Server,
    Socket,
    World,
    make_world,
    server_on_own_database,
    until_subscribed,
)


@pytest.fixture(scope="module")
async def live(tmp_path_factory):
    async with server_on_own_database(tmp_path_factory.mktemp("protocol")) as server:
        yield server


@pytest.fixture
async def world(live: Server):
    world = await make_world(live.base)
    yield world
    await world.admin.aclose()


async def metric(server: Server, name: str) -> float:
    """The sum of a metric's samples on the server."""
    import httpx

    async with httpx.AsyncClient(base_url=server.base) as client:
        text = (await client.get("/metrics")).text
    return sum(
        float(line.rpartition(" ")[2])
        for line in text.splitlines()
        if line.startswith(name + "{") or line.startswith(name + " ")
    )


async def until_metric(server: Server, name: str, value: float) -> None:
    for _ in range(200):
        if await metric(server, name) == value:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{name} is {await metric(server, name)}, not {value}")


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_a_socket_that_never_initialises_is_closed_with_4408(live, protocol):
    async with Socket.open(live, protocol) as socket:
        assert await socket.closed_with() == 4408


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_subscribing_before_the_acknowledgement_closes_with_4401(live, protocol):
    async with Socket.open(live, protocol) as socket:
        await socket.subscribe("1", STAGE_CHANGED)
        assert await socket.closed_with() == 4401


async def test_a_duplicate_subscription_id_closes_with_4409(live, world: World):
    async with Socket.open(live) as socket:
        await socket.init(world.admin.token)
        await socket.subscribe("1", STAGE_CHANGED)
        await socket.subscribe("1", STAGE_CHANGED)
        assert await socket.closed_with() == 4409


@pytest.mark.parametrize(
    "message",
    ['{"type": "bogus"}', "not json", '{"id": "1", "type": "subscribe"}'],
    ids=["unknown-type", "not-json", "no-payload"],
)
async def test_a_malformed_message_closes_with_4400(live, world: World, message):
    async with Socket.open(live) as socket:
        await socket.init(world.admin.token)
        await socket.ws.send(message)
        assert await socket.closed_with() == 4400


async def test_a_client_ping_is_answered_and_the_server_pings_idle_sockets(live, world: World):
    async with Socket.open(live) as socket:
        await socket.init(world.admin.token)
        await socket.send({"type": "ping"})
        assert json.loads(await socket.ws.recv()) == {"type": "pong"}
        assert json.loads(await socket.ws.recv()) == {"type": "ping"}  # keep-alive: 0.5 s here
        await socket.send({"type": "pong"})


async def test_the_legacy_protocol_sends_keep_alives(live, world: World):
    async with Socket.open(live, LEGACY_WS) as socket:
        await socket.send(
            {"type": "connection_init", "payload": {"authorization": f"Bearer {world.admin.token}"}}
        )
        assert json.loads(await socket.ws.recv()) == {"type": "connection_ack"}
        assert json.loads(await socket.ws.recv()) == {"type": "ka"}


@pytest.mark.parametrize(("protocol", "stop"), [(TRANSPORT_WS, "complete"), (LEGACY_WS, "stop")])
async def test_unsubscribing_ends_the_subscription_on_the_server(
    live, world: World, protocol, stop
):
    async with Socket.open(live, protocol) as socket:
        await socket.init(world.admin.token)
        await socket.subscribe("1", STAGE_CHANGED)
        await until_subscribed(live, 1)
        await socket.send({"id": "1", "type": stop})
        await until_subscribed(live, 0)
        if protocol == LEGACY_WS:
            assert await socket.receive() == {"id": "1", "type": "complete"}
        await world.move(world.deals["a"][0], "Qualification")
        await socket.nothing_more(0.5)


async def test_a_connection_may_hold_only_so_many_subscriptions(live, world: World):
    async with Socket.open(live) as socket:
        await socket.init(world.admin.token)
        for n in range(3):  # the limit is 3 in these tests
            await socket.subscribe(str(n), STAGE_CHANGED)
        await until_subscribed(live, 3)
        await socket.subscribe("3", STAGE_CHANGED)
        message = await socket.receive()
        assert message["type"] == "error"
        assert message["id"] == "3"
        assert [e["message"] for e in message["payload"]] == ["Subscription limit reached"]


async def test_handshakes_from_origins_not_allowed_are_refused(live, world: World):
    with pytest.raises(InvalidStatus) as refused:
        async with connect(live.ws_url, subprotocols=[TRANSPORT_WS], origin="https://evil.example"):  # type: ignore[list-item,arg-type]
            pass
    assert refused.value.response.status_code == 403
    async with Socket.open(live, origin="https://app.example.com") as socket:
        assert await socket.init(world.admin.token) == {"type": "connection_ack"}


async def test_50_departed_clients_leave_no_socket_subscription_or_task_behind(live, world: World):
    await until_metric(live, "accountgraph_websocket_connections", 0)
    tasks_before = await metric(live, "accountgraph_asyncio_tasks")
    clients = []
    for _ in range(50):
        opened = Socket.open(live)
        socket = await opened.__aenter__()
        await socket.init(world.admin.token)
        await socket.subscribe("1", STAGE_CHANGED)
        clients.append((opened, socket))
    await until_subscribed(live, 50)
    assert await metric(live, "accountgraph_websocket_connections") == 50

    for n, (opened, socket) in enumerate(clients):
        if n % 2:
            socket.ws.transport.abort()  # vanishes: no close frame
        else:
            await socket.send({"id": "1", "type": "complete"})
        await opened.__aexit__(None, None, None)

    await until_subscribed(live, 0)
    await until_metric(live, "accountgraph_websocket_connections", 0)
    await until_metric(live, "accountgraph_asyncio_tasks", tasks_before)


async def test_metrics_count_events_pushed(live, world: World):
    before = await metric(live, "accountgraph_subscription_events_pushed_total")
    async with Socket.open(live) as first, Socket.open(live) as second:
        for socket in (first, second):
            await socket.init(world.admin.token)
            await socket.subscribe("1", STAGE_CHANGED)
        await until_subscribed(live, 2)
        await world.move(world.deals["a"][0], "Qualification")
        await first.events(1)
        await second.events(1)
    assert await metric(live, "accountgraph_subscription_events_pushed_total") == before + 2


ACTIVITY_LOGGED = """
subscription($account: ID!, $after: ID) {
  activityLogged(accountId: $account, afterEventId: $after) { subject kind account { id } }
}"""

EVENTS = """
subscription($types: [EventType!]) {
  events(types: $types) {
    __typename eventId type subjectId actor { name } data
    ... on OpportunityStageChangedEvent {
      opportunity { id } stageChange { eventId fromStage { name } toStage { name } }
    }
    ... on OpportunityWonEvent { opportunity { id } stageChange { toStage { name } } }
  }
}"""


async def log_call(world: World, account: str, subject: str) -> None:
    await world.admin.gql(
        "mutation($i: LogActivityInput!) { logActivity(input: $i) { errors { message } } }",
        {"i": {"kind": "CALL", "subject": subject, "accountId": world.accounts[account]}},
    )


async def test_activity_logged_follows_one_accounts_timeline(live, world: World):
    async with Socket.open(live) as socket:
        await socket.init(await world.token("alice"))
        await socket.subscribe("1", ACTIVITY_LOGGED, {"account": world.accounts["a"]})
        await until_subscribed(live, 1)
        await log_call(world, "b", "Call on b")
        await log_call(world, "a", "Call on a")
        [data] = await socket.events(1)
        assert data == {
            "activityLogged": {
                "subject": "Call on a",
                "kind": "CALL",
                "account": {"id": world.accounts["a"]},
            }
        }
        await socket.nothing_more(0.5)


async def test_activity_logged_on_an_account_the_caller_cannot_see_is_refused(live, world: World):
    async with Socket.open(live) as socket:
        await socket.init(await world.token("alice"))
        await socket.subscribe("1", ACTIVITY_LOGGED, {"account": world.accounts["b"]})
        message = await socket.receive()
        assert message["type"] == "error"
        assert [e["message"] for e in message["payload"]] == [
            f"No account with id '{world.accounts['b']}'"
        ]


async def test_events_of_chosen_types_about_visible_records(live, world: World):
    async with Socket.open(live) as socket:
        await socket.init(await world.token("alice"))
        await socket.subscribe(
            "1", EVENTS, {"types": ["OPPORTUNITY_STAGE_CHANGED", "OPPORTUNITY_WON"]}
        )
        await until_subscribed(live, 1)
        await world.move(world.deals["b"][0], "Qualification")  # bob's deal: not for alice
        await log_call(world, "a", "not a chosen type")
        moved = await world.move(world.deals["a"][0], "Closed won")
        changed, won = await socket.events(2)
        assert changed["events"]["__typename"] == "OpportunityStageChangedEvent"
        assert changed["events"]["eventId"] == moved
        assert changed["events"]["type"] == "OPPORTUNITY_STAGE_CHANGED"
        assert changed["events"]["opportunity"] == {"id": world.deals["a"][0]}
        assert changed["events"]["stageChange"] == {
            "eventId": moved,
            "fromStage": {"name": "Prospecting"},
            "toStage": {"name": "Closed won"},
        }
        assert changed["events"]["subjectId"] == world.deals["a"][0]
        assert changed["events"]["actor"] == {"name": "Admin"}
        assert changed["events"]["data"]["object"]["id"] == world.deals["a"][0]
        assert changed["events"]["data"]["previous"]["stageId"] == world.stages["Prospecting"]
        assert won["events"]["__typename"] == "OpportunityWonEvent"
        assert won["events"]["type"] == "OPPORTUNITY_WON"
        assert won["events"]["opportunity"] == {"id": world.deals["a"][0]}
        assert won["events"]["stageChange"] == {"toStage": {"name": "Closed won"}}
        assert won["events"]["subjectId"] == world.deals["a"][0]
        await socket.nothing_more(0.5)


async def test_an_api_key_without_the_read_scope_may_connect_but_not_subscribe(live, world: World):
    created = await world.admin.gql(
        'mutation { createApiKey(input: {name: "writer", scopes: [WRITE]}) { key errors { message } } }'
    )
    async with Socket.open(live) as socket:
        assert await socket.init(created["createApiKey"]["key"]) == {"type": "connection_ack"}
        await socket.subscribe("1", STAGE_CHANGED)
        message = await socket.receive()
        assert message["type"] == "error"
        assert [(e["message"], e["extensions"]) for e in message["payload"]] == [
            ("This credential may not read; use one with the read scope.", {"code": "FORBIDDEN"})
        ]


async def test_an_api_key_with_the_read_scope_subscribes(live, world: World):
    created = await world.admin.gql(
        'mutation { createApiKey(input: {name: "reader", scopes: [READ]}) { key errors { message } } }'
    )
    async with Socket.open(live) as socket:
        assert await socket.init(created["createApiKey"]["key"]) == {"type": "connection_ack"}
        await socket.subscribe("1", STAGE_CHANGED)
        await until_subscribed(live, 1)
        moved = await world.move(world.deals["a"][0], "Qualification")
        [data] = await socket.events(1)
        assert data["opportunityStageChanged"]["eventId"] == moved


async def test_revoking_the_api_key_closes_its_socket_with_4401(live, world: World):
    created = await world.admin.gql(
        'mutation { createApiKey(input: {name: "board", scopes: [READ]}) { key apiKey { id } errors { message } } }'
    )
    async with Socket.open(live) as socket:
        await socket.init(created["createApiKey"]["key"])
        await socket.subscribe("1", STAGE_CHANGED)
        await until_subscribed(live, 1)
        await world.admin.gql(
            "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { errors { message } } }",
            {"id": created["createApiKey"]["apiKey"]["id"]},
        )
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await socket.receive()
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
            4401,
            "REVOKED: the API key was revoked",
        )
        await until_subscribed(live, 0)
