"""Malformed and hostile values in the inputs of coordination requests: the API answers with
user errors or GraphQL errors, never an internal error, and what is stored keeps the rules."""

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ids import to_global_id
from models import CoordinationRequest
from models.enums import TeamKind
from tests.api.test_hostile_input import EXAMPLES, assert_no_internal_error, maybe, texts
from tests.factories import make_account, make_team

dates = st.dates().map(str)


async def assert_consistent() -> None:
    title: Any
    for title in await CoordinationRequest.all().values_list("title", flat=True):
        assert title.strip() and len(title) <= 200


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
