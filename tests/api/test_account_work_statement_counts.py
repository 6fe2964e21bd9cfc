"""The team member's queue and an account's plans and requests read in a fixed number of
statements, however many rows there are."""

import pytest

from ids import to_global_id
from models import CoordinationComment, PlanAction, PlanObjective, PlanObjectiveOpportunity
from models.enums import Role, TeamKind
from services import auth
from tests.database import count_statements
from tests.factories import (
    make_account,
    make_opportunity,
    make_plan,
    make_request,
    make_team,
    make_user,
)

QUEUE = """{ coordinationQueue(first: 50) { totalCount edges { node {
  title status isOverdue team { name } requester { name } assignee { name }
  account { name client { name } }
  comments(first: 5) { edges { node { body author { name } } } }
} } } }"""


@pytest.mark.parametrize("requests", [3, 30])
async def test_the_queue_of_a_team_member_runs_in_eight_statements(gql, requests):
    delivery = await make_team(kind=TeamKind.DELIVERY)
    dee = await make_user(role=Role.TEAM_MEMBER, team_id=delivery.pk)
    owners = [await make_user() for _ in range(3)]
    accounts = [await make_account(owner_id=owners[i % 3].pk) for i in range(5)]
    for n in range(requests):
        request = await make_request(
            team_id=delivery.pk, account_id=accounts[n % 5].pk, assignee_id=dee.pk
        )
        for c in range(3):
            await CoordinationComment.create(
                request_id=request.pk, author_id=owners[c].pk, body=f"Comment {c}"
            )

    with count_statements() as counter:
        data = await gql(QUEUE, token=auth.issue_access_token(dee))

    edges = data["coordinationQueue"]["edges"]
    assert data["coordinationQueue"]["totalCount"] == requests == len(edges)
    assert all(len(e["node"]["comments"]["edges"]) == 3 for e in edges)
    # the caller; the requests and their count; teams; users (requesters and assignees; the
    # comment authors are the same users, already loaded); accounts; comments; clients
    assert counter.count == 8, counter.statements


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
