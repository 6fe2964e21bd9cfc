"""Subscriptions over a real socket: the installed server on a free loopback port, a real
WebSocket client, moves made through the API."""

import asyncio
import re

import pytest

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
    async with server_on_own_database(tmp_path_factory.mktemp("subscriptions")) as server:
        yield server


@pytest.fixture
async def world(live: Server):
    world = await make_world(live.base, deals_per_account=2)
    yield world
    await world.admin.aclose()


async def subscribed(
    live: Server, token: str, variables: dict | None = None, protocol: str = TRANSPORT_WS
):
    """An open, acknowledged socket with one stage-change subscription (id "1")."""
    opened = Socket.open(live, protocol)
    socket = await opened.__aenter__()
    assert (await socket.init(token))["type"] == "connection_ack"
    await socket.subscribe("1", STAGE_CHANGED, variables)
    return opened, socket


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_a_stage_move_reaches_a_subscriber_with_every_field(live, world: World, protocol):
    token = await world.token("alice")
    async with Socket.open(live, protocol) as socket:
        assert await socket.init(token) == {"type": "connection_ack"}
        await socket.subscribe("1", STAGE_CHANGED)
        await until_subscribed(live, 1)
        deal = world.deals["a"][0]
        event_id = await world.move(deal, "Qualification")
        [data] = await socket.events(1)
        change = data["opportunityStageChanged"]
        assert change["eventId"] == event_id
        assert change["opportunity"] == {"id": deal}
        assert change["fromStage"] == {"name": "Prospecting"}
        assert change["toStage"] == {"name": "Qualification"}
        assert change["changedBy"] == {"name": "Admin"}
        assert isinstance(change["secondsInPreviousStage"], int)
        assert change["secondsInPreviousStage"] >= 0
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", change["changedAt"])


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"authorization": "Bearer not-a-token"},
        {"authorization": "Basic x"},
        {"authorization": 7},
    ],
    ids=["missing", "invalid", "other-scheme", "not-text"],
)
async def test_a_socket_without_a_valid_token_is_closed_with_4403(live, protocol, payload):
    async with Socket.open(live, protocol) as socket:
        await socket.send({"type": "connection_init", "payload": payload})
        if protocol == LEGACY_WS:
            assert (await socket.receive())["type"] == "connection_error"
        assert await socket.closed_with() == 4403


async def test_a_deactivated_users_token_is_refused(live, world: World):
    token = await world.token("bob")
    await world.admin.gql(
        "mutation($id: ID!) { deactivateUser(input: {id: $id}) { errors { message } } }",
        {"id": world.users["bob"]},
    )
    async with Socket.open(live) as socket:
        await socket.send(
            {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
        )
        assert await socket.closed_with() == 4403


async def test_filters_choose_deals_by_account_owner_and_pipeline(live, world: World):
    token = world.admin.token
    assert token is not None
    by_account = await subscribed(live, token, {"filter": {"accountIds": [world.accounts["b"]]}})
    by_owner = await subscribed(live, token, {"filter": {"ownerIds": [world.users["alice"]]}})
    other_pipeline = await world.admin.gql("{ pipelines { id name } }")
    expansion = next(p["id"] for p in other_pipeline["pipelines"] if p["name"] == "Expansion")
    by_pipeline = await subscribed(live, token, {"filter": {"pipelineIds": [expansion]}})
    await until_subscribed(live, 3)
    try:
        moved_a = await world.move(world.deals["a"][0], "Qualification")
        moved_b = await world.move(world.deals["b"][0], "Qualification")
        [b_event] = await by_account[1].events(1)
        assert b_event["opportunityStageChanged"]["eventId"] == moved_b
        [a_event] = await by_owner[1].events(1)
        assert a_event["opportunityStageChanged"]["eventId"] == moved_a
        await by_account[1].nothing_more(0.5)
        await by_owner[1].nothing_more(0.5)
        await by_pipeline[1].nothing_more(0.5)
    finally:
        for opened, _ in (by_account, by_owner, by_pipeline):
            await opened.__aexit__(None, None, None)


async def test_a_subscriber_of_another_team_receives_nothing(live, world: World):
    alice = await subscribed(live, await world.token("alice"))
    bob = await subscribed(live, await world.token("bob"))
    await until_subscribed(live, 2)
    try:
        moved = await world.move(world.deals["a"][0], "Qualification")
        [seen] = await alice[1].events(1)
        assert seen["opportunityStageChanged"]["eventId"] == moved
        await bob[1].nothing_more()
    finally:
        for opened, _ in (alice, bob):
            await opened.__aexit__(None, None, None)


async def test_an_account_reassigned_away_stops_flowing(live, world: World):
    alice = await subscribed(live, await world.token("alice"))
    bob = await subscribed(live, await world.token("bob"))
    await until_subscribed(live, 2)
    try:
        first = await world.move(world.deals["a"][0], "Qualification")
        [seen] = await alice[1].events(1)
        assert seen["opportunityStageChanged"]["eventId"] == first
        await world.admin.gql(
            "mutation($i: UpdateAccountInput!) { updateAccount(input: $i) { errors { message } } }",
            {"i": {"id": world.accounts["a"], "ownerId": world.users["bob"]}},
        )
        second = await world.move(world.deals["a"][0], "Needs analysis")
        [for_bob] = await bob[1].events(1)
        assert for_bob["opportunityStageChanged"]["eventId"] == second
        await alice[1].nothing_more(0.5)
    finally:
        for opened, _ in (alice, bob):
            await opened.__aexit__(None, None, None)


async def test_a_deactivated_subscriber_is_told_and_the_subscription_ends(live, world: World):
    alice = await subscribed(live, await world.token("alice"))
    await until_subscribed(live, 1)
    try:
        await world.admin.gql(
            "mutation($id: ID!) { deactivateUser(input: {id: $id}) { errors { message } } }",
            {"id": world.users["alice"]},
        )
        await world.move(world.deals["a"][0], "Qualification")
        message = await alice[1].receive()
        assert message["type"] == "next"
        assert message["payload"]["data"] is None
        assert [(e["message"], e["extensions"]) for e in message["payload"]["errors"]] == [
            (
                "The subscription ended: the account is not active",
                {"code": "UNAUTHENTICATED", "reason": "REVOKED"},
            )
        ]
        assert await alice[1].receive() == {"id": "1", "type": "complete"}
    finally:
        await alice[0].__aexit__(None, None, None)


async def _move_back_and_forth(world: World, deal: str, times: int) -> list[str]:
    """Move ``deal`` ``times`` times between two open stages, one move after the other."""
    names = ["Qualification", "Prospecting"]
    return [await world.move(deal, names[n % 2]) for n in range(times)]


def _by_deal(received: list[dict]) -> dict[str, list[str]]:
    order: dict[str, list[str]] = {}
    for data in received:
        change = data["opportunityStageChanged"]
        order.setdefault(change["opportunity"]["id"], []).append(change["eventId"])
    return order


async def test_one_subscriber_receives_1000_moves_in_commit_order_none_missing_or_repeated(
    live, world: World
):
    deals = await world.add_deals("a", 8)
    assert world.admin.token is not None
    opened, socket = await subscribed(
        live, world.admin.token, {"filter": {"accountIds": [world.accounts["a"]]}}
    )
    await until_subscribed(live, 1)
    try:
        moves = await asyncio.gather(*(_move_back_and_forth(world, deal, 125) for deal in deals))
        received = await socket.events(1000, within=120)
        await socket.nothing_more(0.5)
    finally:
        await opened.__aexit__(None, None, None)
    ids = [data["opportunityStageChanged"]["eventId"] for data in received]
    assert len(set(ids)) == 1000
    assert _by_deal(received) == dict(zip(deals, moves, strict=True))


async def test_50_subscribers_each_receive_all_100_moves(live, world: World):
    token = await world.token("alice")
    sockets = [await subscribed(live, token) for _ in range(50)]
    await until_subscribed(live, 50)
    try:
        deals = world.deals["a"]
        moves = await asyncio.gather(*(_move_back_and_forth(world, deal, 50) for deal in deals))
        expected = dict(zip(deals, moves, strict=True))
        for _, socket in sockets:
            assert _by_deal(await socket.events(100, within=60)) == expected
    finally:
        for opened, _ in sockets:
            await opened.__aexit__(None, None, None)


async def test_a_client_resuming_from_its_last_event_receives_exactly_what_it_missed_then_live(
    live, world: World
):
    token = await world.token("alice")
    deal = world.deals["a"][0]
    opened, socket = await subscribed(live, token)
    await until_subscribed(live, 1)
    first = await world.move(deal, "Qualification")
    [seen] = await socket.events(1)
    assert seen["opportunityStageChanged"]["eventId"] == first
    await opened.__aexit__(None, None, None)

    missed = [
        await world.move(deal, "Needs analysis"),
        await world.move(world.deals["b"][0], "Qualification"),  # bob's: not for alice
        await world.move(deal, "Proposal"),
    ]
    del missed[1]
    async with Socket.open(live) as again:
        await again.init(token)
        await again.subscribe("1", STAGE_CHANGED, {"after": first})
        await until_subscribed(live, 1)
        caught_up = await again.events(2)
        assert [d["opportunityStageChanged"]["eventId"] for d in caught_up] == missed
        assert [d["opportunityStageChanged"]["toStage"]["name"] for d in caught_up] == [
            "Needs analysis",
            "Proposal",
        ]
        live_move = await world.move(deal, "Negotiation")
        [latest] = await again.events(1)
        assert latest["opportunityStageChanged"]["eventId"] == live_move
        await again.nothing_more(0.5)


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_resuming_from_an_unknown_event_is_an_error_for_that_subscription(
    live, world: World, protocol
):
    async with Socket.open(live, protocol) as socket:
        await socket.init(await world.token("alice"))
        await socket.subscribe(
            "1", STAGE_CHANGED, {"after": "00000000-0000-4000-8000-000000000000"}
        )
        message = await socket.receive()
        assert message["type"] == "error"
        payload = message["payload"]
        error = payload[0] if isinstance(payload, list) else payload
        assert error["message"] == (
            "event 00000000-0000-4000-8000-000000000000 is unknown: resume from the eventId of an "
            "event this API sent, or subscribe without afterEventId"
        )
        assert error["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_resuming_from_the_event_a_move_just_returned_is_accepted_every_time(
    live, world: World
):
    """The client subscribes with the eventId a move answered, at once: the relay may not
    have numbered that event yet (on PostgreSQL it often has not); the subscription waits for
    it instead of refusing it, and resumes right after it."""
    token = await world.token("alice")
    deal = world.deals["a"][0]
    for attempt in range(20):
        just_moved = await world.move(deal, "Qualification")
        async with Socket.open(live) as socket:
            await socket.init(token)
            await socket.subscribe("1", STAGE_CHANGED, {"after": just_moved})
            next_move = await world.move(deal, "Needs analysis")
            [data] = await socket.events(1)
            assert data["opportunityStageChanged"]["eventId"] == next_move, attempt
