"""A pipeline board in one query: each stage's deals (``Stage.opportunities``), visible to
the caller, filtered and ordered as the root ``opportunities`` list, batched per level."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ids import to_global_id
from models import Account, Opportunity, Pipeline, Stage
from services.auth import issue_access_token
from tests.database import count_statements
from tests.factories import make_client, make_user

BOARD = """
query Board($id: ID!, $first: Int!, $filter: OpportunityFilter, $orderBy: [OpportunityOrder!]) {
  node(id: $id) { ... on Pipeline { name stages {
    name
    opportunities(first: $first, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage }
      edges { node { name amount owner { name } } }
    }
  } } }
}
"""


async def build_board(stages: int, deals_per_stage: int) -> tuple[Pipeline, list[Account]]:
    """A pipeline of ``stages`` stages with deals ``Deal <stage>-<n>`` on two accounts of two
    owners, alternately; deal n of each stage is worth 100 x (n + 1)."""
    pipeline = await Pipeline.create(name="Board")
    for position in range(stages):
        await Stage.create(
            pipeline=pipeline, name=f"Stage {position}", position=position, probability=10
        )
    owners = [await make_user(name="Ann"), await make_user(name="Bob")]
    client = await make_client()
    accounts = [
        await Account.create(name=f"Account of {o.name}", client=client, owner=o, currency="USD")
        for o in owners
    ]
    now = datetime(2030, 1, 1, tzinfo=UTC)
    await Opportunity.bulk_create(
        [
            Opportunity(
                account_id=accounts[n % 2].pk,
                owner_id=owners[n % 2].pk,
                name=f"Deal {stage.position}-{n}",
                pipeline_id=pipeline.pk,
                stage_id=stage.pk,
                amount=Decimal(100 * (n + 1)),
                currency="USD",
                probability=10,
                stage_entered_at=now,
            )
            for stage in await Stage.filter(pipeline=pipeline).order_by("position")
            for n in range(deals_per_stage)
        ]
    )
    return pipeline, accounts


def names(stage: dict) -> list[str]:
    return [edge["node"]["name"] for edge in stage["opportunities"]["edges"]]


@pytest.mark.parametrize("stages", [2, 8])
async def test_a_board_with_ten_deals_per_stage_costs_the_same_statements_for_any_stage_count(
    gql, stages
):
    pipeline, _ = await build_board(stages=stages, deals_per_stage=12)

    with count_statements() as counter:
        data = await gql(
            BOARD,
            {
                "id": to_global_id("Pipeline", pipeline.pk),
                "first": 10,
                "orderBy": [{"field": "AMOUNT", "direction": "DESC"}],
            },
        )

    board = data["node"]["stages"]
    assert [s["name"] for s in board] == [f"Stage {i}" for i in range(stages)]
    for position, column in enumerate(board):
        assert names(column) == [f"Deal {position}-{n}" for n in range(11, 1, -1)]
        assert column["opportunities"]["totalCount"] == 12
        assert column["opportunities"]["pageInfo"] == {"hasNextPage": True}
    # the caller, the pipeline, its stages, one page of deals for every stage, their counts,
    # the owners
    assert counter.count == 6, counter.statements


async def test_a_stage_shows_an_account_manager_only_the_deals_they_may_see(gql):
    pipeline, accounts = await build_board(stages=1, deals_per_stage=4)
    ann = await accounts[0].owner

    data = await gql(
        BOARD,
        {"id": to_global_id("Pipeline", pipeline.pk), "first": 10},
        token=issue_access_token(ann),
    )

    assert data["node"]["stages"] == [
        {
            "name": "Stage 0",
            "opportunities": {
                "totalCount": 2,
                "pageInfo": {"hasNextPage": False},
                "edges": [
                    {"node": {"name": "Deal 0-2", "amount": "300.00", "owner": {"name": "Ann"}}},
                    {"node": {"name": "Deal 0-0", "amount": "100.00", "owner": {"name": "Ann"}}},
                ],
            },
        }
    ]


async def test_a_stage_filters_and_pages_its_deals_like_the_root_list(gql):
    pipeline, accounts = await build_board(stages=2, deals_per_stage=6)
    variables = {
        "id": to_global_id("Pipeline", pipeline.pk),
        "first": 2,
        "filter": {"accountIds": [to_global_id("Account", accounts[1].pk)]},
        "orderBy": [{"field": "NAME", "direction": "ASC"}],
    }

    data = await gql(BOARD, variables)

    assert [names(s) for s in data["node"]["stages"]] == [
        ["Deal 0-1", "Deal 0-3"],
        ["Deal 1-1", "Deal 1-3"],
    ]
    assert [s["opportunities"]["totalCount"] for s in data["node"]["stages"]] == [3, 3]
    root = await gql(
        """query($filter: OpportunityFilter, $orderBy: [OpportunityOrder!]) {
          opportunities(first: 2, filter: $filter, orderBy: $orderBy) {
            edges { node { name } } } }""",
        {"filter": variables["filter"], "orderBy": variables["orderBy"]},
    )
    assert [e["node"]["name"] for e in root["opportunities"]["edges"]] == ["Deal 0-1", "Deal 0-3"]
