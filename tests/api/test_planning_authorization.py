"""Who sees and changes account plans, their objectives and actions (the world: see
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
@pytest.mark.parametrize("node", ["AccountPlan", "PlanAction", "PlanObjective"])
async def test_node_lookups(gql, world, caller, node):
    await check_node_lookup(gql, world, caller, node, SEES_X)


@pytest.mark.parametrize("caller", CALLERS)
async def test_account_plans_hold_only_what_the_caller_may_see(gql, world, caller):
    await check_list(gql, world, caller, "accountPlans", SEES_X)


MUTATIONS = {
    "createAccountPlan": 'mutation($a: ID!) { createAccountPlan(input: {accountId: $a, name: "P", periodStart: "2030-01-01", periodEnd: "2030-06-30"}) { errors { code } } }',
    "updateAccountPlan": 'mutation($p: ID!) { updateAccountPlan(input: {id: $p, name: "Renamed"}) { errors { code } } }',
    "archiveAccountPlan": "mutation($p: ID!) { archiveAccountPlan(input: {id: $p}) { errors { code } } }",
    "createPlanObjective": 'mutation($p: ID!) { createPlanObjective(input: {planId: $p, title: "T"}) { errors { code } } }',
    "updatePlanObjective": "mutation($o: ID!) { updatePlanObjective(input: {id: $o, status: AT_RISK}) { errors { code } } }",
    "deletePlanAction": "mutation($x: ID!) { deletePlanAction(input: {id: $x}) { errors { code } } }",
    "linkOpportunityToObjective": "mutation($o: ID!, $d: ID!) { linkOpportunityToObjective(input: {objectiveId: $o, opportunityId: $d}) { errors { code } } }",
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
async def test_writes(gql, world, caller, mutation):
    await check_write(gql, world, caller, mutation, MUTATIONS[mutation], SALES_WRITE)
