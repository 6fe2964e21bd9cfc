"""Reads are batched: the number of SQL statements depends on the query's shape, never on
how many rows it returns."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from models import Account, Activity, Opportunity
from models.enums import ActivityKind
from tests.database import count_statements
from tests.factories import make_client, make_user, stage

PORTFOLIO = """
query Portfolio($first: Int!) {
  accounts(first: $first, orderBy: [{field: NAME, direction: ASC}]) {
    edges { node {
      id name tier
      owner { id name email }
      client { id name industry }
      opportunities(first: 10) { edges { node {
        id name amount expectedCloseDate stage { name }
        activities(first: 3) { edges { node { id kind subject occurredAt } } }
      } } }
    } }
  }
}
"""


async def build_portfolio(accounts: int, deals_per_account: int, activities_per_deal: int):
    owners = [await make_user() for _ in range(3)]
    clients = [await make_client() for _ in range(5)]
    prospecting = await stage("New business", "Prospecting")
    now = datetime.now(UTC)
    await Account.bulk_create(
        [
            Account(
                name=f"Account {i:03}",
                client_id=clients[i % 5].pk,
                owner_id=owners[i % 3].pk,
                currency="USD",
            )
            for i in range(accounts)
        ]
    )
    account_ids = await Account.all().order_by("id").values_list("id", flat=True)
    await Opportunity.bulk_create(
        [
            Opportunity(
                account_id=account_id,
                name=f"Deal {account_id}-{n}",
                owner_id=owners[0].pk,
                pipeline_id=prospecting.pipeline_id,
                stage_id=prospecting.pk,
                amount=Decimal(1000 * (n + 1)),
                currency="USD",
                probability=10,
                stage_entered_at=now,
            )
            for account_id in account_ids
            for n in range(deals_per_account)
        ]
    )
    deal_ids = await Opportunity.all().values_list("id", "account_id")
    await Activity.bulk_create(
        [
            Activity(
                kind=ActivityKind.CALL,
                subject=f"Call {n}",
                occurred_at=now - timedelta(days=n),
                opportunity_id=deal_id,
                account_id=account_id,
            )
            for deal_id, account_id in deal_ids
            for n in range(activities_per_deal)
        ]
    )


@pytest.mark.parametrize("page_size", [5, 50])
async def test_portfolio_runs_in_seven_statements_whatever_the_page_size(gql, page_size):
    await build_portfolio(accounts=50, deals_per_account=12, activities_per_deal=5)

    with count_statements() as counter:
        data = await gql(PORTFOLIO, {"first": page_size})

    accounts = data["accounts"]["edges"]
    assert len(accounts) == page_size
    assert all(len(a["node"]["opportunities"]["edges"]) == 10 for a in accounts)
    deals = [d["node"] for a in accounts for d in a["node"]["opportunities"]["edges"]]
    assert all(len(d["activities"]["edges"]) == 3 for d in deals)
    assert [a["node"]["name"] for a in accounts] == [f"Account {i:03}" for i in range(page_size)]
    # the caller, accounts, owners, clients, opportunities, stages, activities
    assert counter.count == 7, counter.statements


async def test_newest_activities_come_first_per_deal(gql):
    await build_portfolio(accounts=2, deals_per_account=2, activities_per_deal=5)
    data = await gql(PORTFOLIO, {"first": 2})
    for account in data["accounts"]["edges"]:
        for deal in account["node"]["opportunities"]["edges"]:
            subjects = [a["node"]["subject"] for a in deal["node"]["activities"]["edges"]]
            assert subjects == ["Call 0", "Call 1", "Call 2"]


async def test_total_counts_are_one_grouped_statement_per_level(gql):
    await build_portfolio(accounts=20, deals_per_account=3, activities_per_deal=2)
    query = """{ accounts(first: 20) { totalCount edges { node {
        opportunities(first: 1) { totalCount edges { node { activities { totalCount } } } }
    } } } }"""
    with count_statements() as counter:
        data = await gql(query)
    assert data["accounts"]["totalCount"] == 20
    assert {a["node"]["opportunities"]["totalCount"] for a in data["accounts"]["edges"]} == {3}
    # the caller; accounts + count, opportunities + grouped count, activities + grouped count
    assert counter.count == 7, counter.statements


async def test_node_lookups_batch_by_type(gql):
    await build_portfolio(accounts=10, deals_per_account=1, activities_per_deal=0)
    ids = [
        a["node"]["id"]
        for a in (await gql("{ accounts { edges { node { id } } } }"))["accounts"]["edges"]
    ]
    with count_statements() as counter:
        data = await gql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Account { owner { name } } } }",
            {"ids": ids},
        )
    assert [n["id"] for n in data["nodes"]] == ids
    # the caller, the accounts, their owners
    assert counter.count == 3, counter.statements
