"""Who sees and sets targets (the world: see ``tests.api.anns_account``)."""

import pytest

from tests.api.anns_account import (
    CALLERS,
    World,
    check_list,
    check_node_lookup,
    check_write,
    make_world,
)

SEES_TARGET = {"vera", "ann", "sam", "ada"}


@pytest.fixture
async def world() -> World:
    return await make_world()


@pytest.mark.parametrize("caller", CALLERS)
async def test_node_lookups(gql, world, caller):
    await check_node_lookup(gql, world, caller, "Target", SEES_TARGET)


@pytest.mark.parametrize("caller", CALLERS)
async def test_targets_hold_only_what_the_caller_may_see(gql, world, caller):
    await check_list(gql, world, caller, "targets", SEES_TARGET)


SET_TARGET = 'mutation($ann: ID!) { setTarget(input: {userId: $ann, periodStart: "2030-04-01", periodEnd: "2030-06-30", amount: "5"}) { errors { code } } }'
# Ann's targets are not Bob's to set either.
SET_TARGET_OUTCOMES = {
    "sam": "ok",
    "ada": "ok",
    "ann": "FORBIDDEN",
    "bob": "FORBIDDEN",
    "vera": "FORBIDDEN",
    "tina": "FORBIDDEN",
}


@pytest.mark.parametrize("caller", CALLERS)
async def test_writes(gql, world, caller):
    await check_write(gql, world, caller, "setTarget", SET_TARGET, SET_TARGET_OUTCOMES)
