"""Malformed and hostile values in the inputs of plans, satisfaction, requests and targets:
the API answers with user errors or GraphQL errors, never an internal error, and what is
stored keeps the rules."""

from decimal import Decimal
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from ids import to_global_id
from models import AccountPlan, CoordinationRequest, SatisfactionResponse, Target
from models.enums import TeamKind
from services.validation import MAX_AMOUNT
from tests.api.test_hostile_input import EXAMPLES, assert_no_internal_error, maybe, numbers, texts
from tests.factories import make_account, make_team

dates = st.dates().map(str)


async def assert_consistent() -> None:
    plan: Any
    for plan in await AccountPlan.all():
        assert plan.period_end > plan.period_start and plan.name.strip()
        assert plan.revenue_target is None or Decimal(0) <= plan.revenue_target <= MAX_AMOUNT
    for kind, score in await SatisfactionResponse.all().values_list("kind", "score"):
        assert (0 <= score <= 10) if kind == "NPS" else (1 <= score <= 5)
    target: Any
    for target in await Target.all():
        assert target.amount >= 0 and (target.user_id is None) != (target.team_id is None)
        assert (target.currency is None) == (target.metric != "REVENUE_WON")
    title: Any
    for title in await CoordinationRequest.all().values_list("title", flat=True):
        assert title.strip() and len(title) <= 200


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


@EXAMPLES
@example(kind="CSAT", score=0, comment="\x00")
@given(
    kind=st.sampled_from(["NPS", "CSAT"]),
    score=st.integers(-(2**31), 2**31 - 1),
    comment=maybe(texts),
)
async def test_record_satisfaction(gql, kind, score, comment):
    account = await make_account()
    body = await gql(
        "mutation($i: RecordSatisfactionInput!) { recordSatisfaction(input: $i) { satisfactionResponse { id } errors { code } } }",
        {
            "i": {
                "accountId": to_global_id("Account", account.pk),
                "kind": kind,
                "score": score,
                "comment": comment,
            }
        },
        errors=True,
    )
    assert_no_internal_error(body)
    await assert_consistent()


@EXAMPLES
@example(amount="1e400", currency="usd", metric="DEALS_WON", start="2030-01-01", end="2030-01-01")
@given(
    amount=numbers,
    currency=maybe(texts),
    metric=st.sampled_from(["REVENUE_WON", "DEALS_WON", "ACTIVITIES_COMPLETED"]),
    start=dates,
    end=dates,
)
async def test_set_target(gql, amount, currency, metric, start, end):
    team = await make_team(kind=TeamKind.SALES)
    body = await gql(
        "mutation($i: SetTargetInput!) { setTarget(input: $i) { target { id } errors { code } } }",
        {
            "i": {
                "teamId": to_global_id("Team", team.pk),
                "amount": amount,
                "currency": currency,
                "metric": metric,
                "periodStart": start,
                "periodEnd": end,
            }
        },
        errors=True,
    )
    assert_no_internal_error(body)
    await assert_consistent()


@EXAMPLES
@given(title=texts, description=maybe(texts), due=maybe(dates))
async def test_create_coordination_request(gql, title, description, due):
    account = await make_account()
    team = await make_team(kind=TeamKind.SUPPORT)
    body = await gql(
        "mutation($i: CreateCoordinationRequestInput!) { createCoordinationRequest(input: $i) { coordinationRequest { id } errors { code } } }",
        {
            "i": {
                "accountId": to_global_id("Account", account.pk),
                "teamId": to_global_id("Team", team.pk),
                "title": title,
                "description": description,
                "dueDate": due,
            }
        },
        errors=True,
    )
    assert_no_internal_error(body)
    await assert_consistent()
