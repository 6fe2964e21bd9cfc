"""An account's plans, with their objectives, actions and deals, and the account's
coordination requests and satisfaction answers beside them, read in a fixed number of
statements, however many rows there are."""

import pytest

from ids import to_global_id
from models import CoordinationComment, PlanAction, PlanObjective, PlanObjectiveOpportunity
from models.enums import TeamKind
from tests.database import count_statements
from tests.factories import (
    make_account,
    make_opportunity,
    make_plan,
    make_request,
    make_team,
    make_user,
)

ACCOUNT = """query($id: ID!) { account(id: $id) {
  name
  plans(first: 10) { edges { node { name owner { name }
    objectives { title owner { name } opportunities { name stage { name } } actions { title } }
    actions { title objective { title } } } } }
  coordinationRequests(first: 20) { totalCount edges { node { title team { name }
    comments(first: 3) { edges { node { body } } } } } }
  satisfactionResponses(first: 5) { edges { node { score } } }
} }"""


@pytest.mark.parametrize("size", [1, 8])
async def test_an_account_with_plans_and_requests_runs_in_a_fixed_number_of_statements(gql, size):
    owner = await make_user()
    account = await make_account(owner_id=owner.pk)
    deals = [await make_opportunity(account_id=account.pk) for _ in range(size)]
    delivery = await make_team(kind=TeamKind.DELIVERY)
    for p in range(size):
        plan = await make_plan(account_id=account.pk, name=f"Plan {p}")
        for o in range(2):
            objective = await PlanObjective.create(
                plan_id=plan.pk, title=f"Objective {o}", owner_id=owner.pk, position=o
            )
            await PlanObjectiveOpportunity.create(
                objective_id=objective.pk, opportunity_id=deals[p].pk
            )
            await PlanAction.create(plan_id=plan.pk, objective_id=objective.pk, title="Do")
        request = await make_request(team_id=delivery.pk, account_id=account.pk)
        await CoordinationComment.create(request_id=request.pk, author_id=owner.pk, body="Hi")

    with count_statements() as counter:
        data = await gql(ACCOUNT, {"id": to_global_id("Account", account.pk)})

    plans = data["account"]["plans"]["edges"]
    assert len(plans) == size
    assert all(len(p["node"]["objectives"]) == 2 for p in plans)
    assert all(len(p["node"]["actions"]) == 2 for p in plans)
    assert data["account"]["coordinationRequests"]["totalCount"] == size
    # the caller; the account; its plans, requests and responses; users; objectives; the
    # plans' actions; the requests' grouped count; teams; comments; deal links; the
    # objectives' actions; the actions' objectives; deals; stages
    assert counter.count == 16, counter.statements
