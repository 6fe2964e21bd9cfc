"""Who sees and records satisfaction answers (the world: see ``tests.api.anns_account``)."""

import pytest

from tests.api.anns_account import (
    CALLERS,
    SALES_WRITE,
    SEES_X,
    World,
    check_node_lookup,
    check_write,
    make_world,
)


@pytest.fixture
async def world() -> World:
    return await make_world()


@pytest.mark.parametrize("caller", CALLERS)
async def test_node_lookups(gql, world, caller):
    await check_node_lookup(gql, world, caller, "SatisfactionResponse", SEES_X)


RECORD_SATISFACTION = "mutation($a: ID!) { recordSatisfaction(input: {accountId: $a, kind: CSAT, score: 4}) { errors { code } } }"


@pytest.mark.parametrize("caller", CALLERS)
async def test_writes(gql, world, caller):
    await check_write(gql, world, caller, "recordSatisfaction", RECORD_SATISFACTION, SALES_WRITE)
