"""Malformed and hostile values in the inputs of account plans: the API answers with user
errors or GraphQL errors, never an internal error, and what is stored keeps the rules."""

from decimal import Decimal
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from ids import to_global_id
from models import AccountPlan
from services.validation import MAX_AMOUNT
from tests.api.test_hostile_input import EXAMPLES, assert_no_internal_error, maybe, numbers, texts
from tests.factories import make_account

dates = st.dates().map(str)


async def assert_consistent() -> None:
    plan: Any
    for plan in await AccountPlan.all():
        assert plan.period_end > plan.period_start and plan.name.strip()
        assert plan.revenue_target is None or Decimal(0) <= plan.revenue_target <= MAX_AMOUNT


@EXAMPLES
@example(name=" ", start="2030-01-02", end="2030-01-01", target="NaN", currency="")
@given(name=texts, start=dates, end=dates, target=maybe(numbers), currency=maybe(texts))
async def test_create_account_plan(gql, name, start, end, target, currency):
    account = await make_account()
    body = await gql(
        "mutation($i: CreateAccountPlanInput!) { createAccountPlan(input: $i) { accountPlan { id } errors { code } } }",
        {
            "i": {
                "accountId": to_global_id("Account", account.pk),
                "name": name,
                "periodStart": start,
                "periodEnd": end,
                "revenueTarget": target,
                "currency": currency,
            }
        },
        errors=True,
    )
    assert_no_internal_error(body)
    await assert_consistent()
