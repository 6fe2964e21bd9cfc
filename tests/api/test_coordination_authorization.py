"""Who sees, asks, works and comments on coordination requests (the world: see
``tests.api.anns_account``)."""

import pytest

from tests.api.anns_account import (
    CALLERS,
    SALES_WRITE,
    SEES_X,
    World,
    check_list,
    check_node_lookup,
    check_write,
    make_world,
)


@pytest.fixture
async def world() -> World:
    return await make_world()


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("node", ["CoordinationComment", "CoordinationRequest"])
async def test_node_lookups(gql, world, caller, node):
    await check_node_lookup(gql, world, caller, node, SEES_X)


@pytest.mark.parametrize("caller", CALLERS)
async def test_coordination_requests_hold_only_what_the_caller_may_see(gql, world, caller):
    await check_list(gql, world, caller, "coordinationRequests", SEES_X)


WORK_REQUEST = {**SALES_WRITE, "tina": "ok"}
MUTATIONS = {
    "createCoordinationRequest": (
        'mutation($a: ID!, $legal: ID!) { createCoordinationRequest(input: {accountId: $a, teamId: $legal, title: "NDA"}) { errors { code } } }',
        SALES_WRITE,
    ),
    "updateCoordinationRequest": (
        "mutation($r: ID!) { updateCoordinationRequest(input: {id: $r, status: IN_PROGRESS}) { errors { code } } }",
        WORK_REQUEST,
    ),
    "commentOnCoordinationRequest": (
        'mutation($r: ID!) { commentOnCoordinationRequest(input: {requestId: $r, body: "On it"}) { errors { code } } }',
        WORK_REQUEST,
    ),
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
async def test_writes(gql, world, caller, mutation):
    document, outcomes = MUTATIONS[mutation]
    await check_write(gql, world, caller, mutation, document, outcomes)
