"""Malformed and hostile values in the inputs of targets: the API answers with user errors or
GraphQL errors, never an internal error, and what is stored keeps the rules."""

from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from ids import to_global_id
from models import Target
from models.enums import TeamKind
from tests.api.test_hostile_input import EXAMPLES, assert_no_internal_error, maybe, numbers, texts
from tests.factories import make_team

dates = st.dates().map(str)


async def assert_consistent() -> None:
    target: Any
    for target in await Target.all():
        assert target.amount >= 0 and (target.user_id is None) != (target.team_id is None)
        assert (target.currency is None) == (target.metric != "REVENUE_WON")


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
