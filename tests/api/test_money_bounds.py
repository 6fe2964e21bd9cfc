"""Totals are exact to the cent on both databases, up to the largest amount accepted.

SQLite keeps decimals as text and does arithmetic on them as doubles; amounts are bounded at
999,999,999,999.99 (14 significant digits), where ``ROUND(amount * 100)`` is still the exact
number of cents, so every total is added up as exact integers.

Hand computation, three deals in Proposal (60 %) at the bound, USD, and one of 0.01:
in cents 3 x 99999999999999 + 1 = 299999999999998, a total of 2999999999999.98; weighted
299999999999998 x 60 = 17999999999999880 cents x %, / 10000 = 1799999999999.9880, rounded
half up 1799999999999.99. (Past 14 digits, e.g. 99999999999999.99, SQLite's doubles would
give 99999999999999.98.)
"""

from decimal import Decimal

from ids import to_global_id
from models import Opportunity
from tests.factories import make_account, make_opportunity
from tests.state import database_state

AT_THE_BOUND = "999999999999.99"
CREATE = """mutation($input: CreateOpportunityInput!) {
  createOpportunity(input: $input) { opportunity { amount } errors { field message code } }
}"""


async def test_totals_at_the_largest_amount_are_exact(gql):
    account = await make_account()
    for amount in (AT_THE_BOUND, AT_THE_BOUND, AT_THE_BOUND, "0.01"):
        await make_opportunity(account_id=account.pk, stage_name="Proposal", amount=Decimal(amount))
    data = await gql("{ pipelineSummary { count totalAmount weightedAmount } }")
    assert data["pipelineSummary"] == [
        {"count": 4, "totalAmount": "2999999999999.98", "weightedAmount": "1799999999999.99"}
    ]
    largest = "{ opportunities(first: 1, orderBy: [{field: AMOUNT, direction: DESC}]) { nodes { amount weightedAmount } } }"
    # 999999999999.99 x 60 / 100 = 599999999999.994 -> 599999999999.99
    assert (await gql(largest))["opportunities"]["nodes"] == [
        {"amount": AT_THE_BOUND, "weightedAmount": "599999999999.99"}
    ]


async def test_an_amount_past_the_bound_is_refused_and_nothing_is_written(gql):
    account = await make_account()
    await make_opportunity(account_id=account.pk)
    before = await database_state()
    data = await gql(
        CREATE,
        {"input": {"accountId": to_global_id("Account", account.pk), "name": "Too big",
                   "amount": "99999999999999.99"}},
    )  # fmt: skip
    assert data["createOpportunity"] == {
        "opportunity": None,
        "errors": [
            {
                "field": ["amount"],
                "message": "amount must be at most 999999999999.99",
                "code": "INVALID",
            }
        ],
    }
    assert await database_state() == before
    assert await Opportunity.all().count() == 1
