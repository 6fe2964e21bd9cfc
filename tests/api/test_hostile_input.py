"""Malformed and hostile values in every kind of mutation input: the API answers with user
errors or GraphQL errors, never an internal error, and the data stays consistent."""

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ids import to_global_id
from models import Account, Activity, Client, Contact, Lead, Opportunity, Product
from services.pipelines import ensure_default_pipelines
from services.validation import MAX_AMOUNT
from tests.factories import make_account, make_opportunity

EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

texts = st.one_of(
    st.text(max_size=50),
    st.text(min_size=190, max_size=320),
    st.sampled_from(["", " ", "\x00", "'; DROP TABLE account; --", "<script>", "🦄" * 80, "NaN"]),
)
numbers = st.one_of(
    st.sampled_from(
        ["-1", "0", "1e400", "NaN", "Infinity", "-0.001", "12.345", "abc", "", "1" * 30]
    ),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
)
ids = st.one_of(
    st.sampled_from(["", "not-base64!", to_global_id("Nope", 1), to_global_id("Account", "x")]),
    st.integers(min_value=-5, max_value=10**12).map(lambda n: to_global_id("Account", n)),
    st.integers(min_value=-5, max_value=10**12).map(lambda n: to_global_id("Opportunity", n)),
    st.text(max_size=20),
)
maybe = lambda strategy: st.one_of(st.none(), strategy)  # noqa: E731


@pytest.fixture(autouse=True)
async def pipelines() -> None:
    await ensure_default_pipelines()


def assert_no_internal_error(body: dict) -> None:
    for error in body.get("errors", []):
        assert error["message"] != "Internal server error", body
        assert "Traceback" not in error["message"]


async def assert_consistent() -> None:
    """What the business rules promise about every stored row."""
    for amount, probability, currency in await Opportunity.all().values_list(
        "amount", "probability", "currency"
    ):
        assert amount is None or Decimal("0") <= amount <= MAX_AMOUNT
        assert 0 <= probability <= 100 and len(currency) == 3
    arr: Any
    for arr in await Account.all().values_list("annual_recurring_value", flat=True):
        assert Decimal("0") <= arr <= MAX_AMOUNT
    price: Any
    for price in await Product.all().values_list("list_price", flat=True):
        assert price >= 0
    name: Any
    for name in await Client.all().values_list("name", flat=True):
        assert name.strip() and len(name) <= 200
    assert (
        await Activity.filter(
            client_id=None, contact_id=None, account_id=None, opportunity_id=None, lead_id=None
        ).count()
        == 0
    )


@EXAMPLES
@given(
    name=texts, domain=maybe(texts), country=maybe(texts), tags=maybe(st.lists(texts, max_size=60))
)
async def test_create_client(gql, name, domain, country, tags):
    body = await gql(
        "mutation($i: CreateClientInput!) { createClient(input: $i) { client { id } errors { code } } }",
        {"i": {"name": name, "domain": domain, "country": country, "tags": tags}},
        errors=True,
    )
    assert_no_internal_error(body)
    await assert_consistent()


@EXAMPLES
@example(client_id="not-base64!", owner_id="", arr="Infinity", currency="", name="x")
@given(client_id=ids, owner_id=ids, arr=maybe(numbers), currency=maybe(texts), name=texts)
async def test_create_account(gql, client_id, owner_id, arr, currency, name):
    body = await gql(
        "mutation($i: CreateAccountInput!) { createAccount(input: $i) { account { id } errors { code } } }",
        {
            "i": {
                "clientId": client_id,
                "ownerId": owner_id,
                "name": name,
                "annualRecurringValue": arr,
                "currency": currency,
            }
        },
        errors=True,
    )
    assert_no_internal_error(body)
    await assert_consistent()


@EXAMPLES
@given(
    amount=maybe(numbers),
    probability=maybe(st.integers(-(2**31), 2**31 - 1)),
    currency=maybe(texts),
    name=texts,
    close=maybe(st.dates().map(str)),
)
async def test_create_and_update_opportunity(gql, amount, probability, currency, name, close):
    account = await make_account()
    values = {
        "name": name,
        "amount": amount,
        "probability": probability,
        "currency": currency,
        "expectedCloseDate": close,
    }
    created = await gql(
        "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { opportunity { id } errors { code } } }",
        {"i": {"accountId": to_global_id("Account", account.pk), **values}},
        errors=True,
    )
    assert_no_internal_error(created)
    deal = await make_opportunity(account_id=account.pk)
    updated = await gql(
        "mutation($i: UpdateOpportunityInput!) { updateOpportunity(input: $i) { opportunity { id } errors { code } } }",
        {"i": {"id": to_global_id("Opportunity", deal.pk), **values}},
        errors=True,
    )
    assert_no_internal_error(updated)
    await assert_consistent()


@EXAMPLES
@given(stage_id=ids, lost_reason=maybe(texts))
async def test_move_opportunity_stage(gql, stage_id, lost_reason):
    deal = await make_opportunity()
    body = await gql(
        "mutation($i: MoveOpportunityStageInput!) { moveOpportunityStage(input: $i) { errors { code } } }",
        {
            "i": {
                "opportunityId": to_global_id("Opportunity", deal.pk),
                "stageId": stage_id,
                "lostReason": lost_reason,
            }
        },
        errors=True,
    )
    assert_no_internal_error(body)
    await assert_consistent()


@EXAMPLES
@given(
    kind=st.sampled_from(["CALL", "TASK", "NOTE", "BOGUS"]),
    subject=texts,
    link=ids,
    due=maybe(st.sampled_from(["2020-01-01T00:00:00Z", "not a date", "9999-12-31T23:59:59Z"])),
)
async def test_log_activity(gql, kind, subject, link, due):
    body = await gql(
        "mutation($i: LogActivityInput!) { logActivity(input: $i) { activity { id } errors { code } } }",
        {"i": {"kind": kind, "subject": subject, "opportunityId": link, "dueAt": due}},
        errors=True,
    )
    assert_no_internal_error(body)
    await assert_consistent()


@EXAMPLES
@given(
    person=texts,
    company=texts,
    email=maybe(texts),
    score=maybe(st.integers(-(2**31), 2**31 - 1)),
    domain=maybe(texts),
)
async def test_create_and_convert_lead(gql, person, company, email, score, domain):
    body = await gql(
        "mutation($i: CreateLeadInput!) { createLead(input: $i) { lead { id } errors { code } } }",
        {
            "i": {
                "personName": person,
                "companyName": company,
                "email": email,
                "score": score,
                "companyDomain": domain,
            }
        },
        errors=True,
    )
    assert_no_internal_error(body)
    lead = await Lead.all().order_by("-id").first()
    if lead is not None:
        converted = await gql(
            "mutation($i: ConvertLeadInput!) { convertLead(input: $i) { errors { code } } }",
            {
                "i": {
                    "leadId": to_global_id("Lead", lead.pk),
                    "opportunity": {"name": company, "amount": "10"},
                }
            },
            errors=True,
        )
        assert_no_internal_error(converted)
    await assert_consistent()
    assert await Contact.filter(client_id=None).count() == 0


async def test_nul_characters_are_refused_before_anything_runs(gql):
    from tests.state import database_state

    before = await database_state()
    for query, variables in [
        (
            "mutation($n: String!) { createClient(input: {name: $n}) { errors { code } } }",
            {"n": "a\x00b"},
        ),
        ('mutation { createClient(input: {name: "a\\u0000b"}) { errors { code } } }', {}),
        ("query($s: String) { accounts(filter: {search: $s}) { totalCount } }", {"s": "\x00"}),
    ]:
        body = await gql(query, variables, errors=True)
        assert body["errors"] == [
            {
                "message": "text must not contain NUL characters (\\u0000)",
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ]
    assert await database_state() == before


async def test_ids_beyond_the_key_range_are_not_found(gql):
    body = await gql(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": to_global_id("Opportunity", 2**31)},
        errors=True,
    )
    assert body["errors"][0]["extensions"] == {"code": "NOT_FOUND"}
    data = await gql(
        'mutation($id: ID!) { logActivity(input: {kind: CALL, subject: "x", opportunityId: $id}) { errors { code } } }',
        {"id": to_global_id("Opportunity", 2**31)},
    )
    assert data["logActivity"]["errors"] == [{"code": "NOT_FOUND"}]
