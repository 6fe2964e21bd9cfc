"""Malformed and hostile values in the inputs of satisfaction answers: the API answers with
user errors or GraphQL errors, never an internal error, and what is stored keeps the rules."""

from hypothesis import example, given
from hypothesis import strategies as st

from ids import to_global_id
from models import SatisfactionResponse
from tests.api.test_hostile_input import EXAMPLES, assert_no_internal_error, maybe, texts
from tests.factories import make_account


async def assert_consistent() -> None:
    for kind, score in await SatisfactionResponse.all().values_list("kind", "score"):
        assert (0 <= score <= 10) if kind == "NPS" else (1 <= score <= 5)


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
