"""The team member's queue of coordination requests reads in a fixed number of statements,
however many requests there are."""

import pytest

from models import CoordinationComment
from models.enums import Role, TeamKind
from services import auth
from tests.database import count_statements
from tests.factories import make_account, make_request, make_team, make_user

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
