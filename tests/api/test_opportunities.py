"""Deals over GraphQL: creating, updating and moving them through stages."""

from datetime import date, timedelta

import pytest

from ids import to_global_id
from models import Opportunity, OutboxEvent
from tests.factories import make_account, make_opportunity, make_user, stage
from tests.state import database_state

MOVE = """mutation($input: MoveOpportunityStageInput!) {
  moveOpportunityStage(input: $input) {
    opportunity { stage { name } probability closedAt lostReason }
    stageChange { fromStage { name } toStage { name } amount eventId }
    errors { field message code }
  }
}"""
CREATE = """mutation($input: CreateOpportunityInput!) {
  createOpportunity(input: $input) {
    opportunity { name amount currency probability owner { name } pipeline { name } stage { name }
                  stageHistory { totalCount edges { node { fromStage { name } toStage { name } } } } }
    errors { field message code }
  }
}"""


def gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


async def test_create_defaults_owner_currency_pipeline_stage_and_probability(gql):
    owner = await make_user(name="Ann")
    account = await make_account(owner_id=owner.pk, currency="EUR")
    await stage("New business", "Prospecting")

    data = await gql(
        CREATE,
        {"input": {"accountId": gid("Account", account.pk), "name": "Big deal", "amount": "5000"}},
    )

    assert data["createOpportunity"] == {
        "opportunity": {
            "name": "Big deal",
            "amount": "5000.00",
            "currency": "EUR",
            "probability": 10,
            "owner": {"name": "Ann"},
            "pipeline": {"name": "New business"},
            "stage": {"name": "Prospecting"},
            "stageHistory": {
                "totalCount": 1,
                "edges": [{"node": {"fromStage": None, "toStage": {"name": "Prospecting"}}}],
            },
        },
        "errors": [],
    }
    assert await OutboxEvent.filter(type="opportunity.created").count() == 1


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            {"amount": "-5"},
            [{"field": ["amount"], "message": "amount must not be negative", "code": "INVALID"}],
        ),
        (
            {"probability": 101},
            [
                {
                    "field": ["probability"],
                    "message": "probability must be between 0 and 100",
                    "code": "INVALID",
                }
            ],
        ),
        (
            {"currency": "ABC"},
            [
                {
                    "field": ["currency"],
                    "message": "currency 'ABC' is not an ISO 4217 currency code, e.g. 'USD' or 'EUR'",
                    "code": "INVALID",
                }
            ],
        ),
        (
            {"expectedCloseDate": (date.today() - timedelta(days=3)).isoformat()},
            [
                {
                    "field": ["expectedCloseDate"],
                    "message": f"expected close date {(date.today() - timedelta(days=3)).isoformat()} is in the past; only closed deals may have a past close date",
                    "code": "INVALID",
                }
            ],
        ),
        (
            {"accountId": gid("Account", 999)},
            [{"field": ["accountId"], "message": "Account not found", "code": "NOT_FOUND"}],
        ),
        (
            {"stageId": gid("Stage", 999)},
            [{"field": ["stageId"], "message": "Stage not found", "code": "NOT_FOUND"}],
        ),
    ],
)
async def test_invalid_deal_is_refused_and_nothing_is_written(gql, override, expected):
    account = await make_account()
    await stage("New business", "Prospecting")
    before = await database_state()
    data = await gql(
        CREATE, {"input": {"accountId": gid("Account", account.pk), "name": "D", **override}}
    )
    assert data["createOpportunity"] == {"opportunity": None, "errors": expected}
    assert await database_state() == before


async def test_creating_in_a_stage_of_another_pipeline_is_refused(gql):
    account = await make_account()
    expansion = await stage("Expansion", "Proposal")
    new_business = (await stage("New business", "Prospecting")).pipeline_id
    before = await database_state()
    data = await gql(
        CREATE,
        {
            "input": {
                "accountId": gid("Account", account.pk),
                "name": "D",
                "pipelineId": gid("Pipeline", new_business),
                "stageId": gid("Stage", expansion.pk),
            }
        },
    )
    assert data["createOpportunity"]["errors"] == [
        {
            "field": ["stageId"],
            "message": "the stage belongs to another pipeline",
            "code": "INVALID",
        }
    ]
    assert await database_state() == before


async def test_move_through_stages_to_won(gql):
    deal = await make_opportunity(stage_name="Negotiation")
    won = await stage("New business", "Closed won")

    data = await gql(
        MOVE,
        {"input": {"opportunityId": gid("Opportunity", deal.pk), "stageId": gid("Stage", won.pk)}},
    )

    payload = data["moveOpportunityStage"]
    assert payload["errors"] == []
    assert payload["opportunity"]["stage"] == {"name": "Closed won"}
    assert payload["opportunity"]["probability"] == 100
    assert payload["opportunity"]["closedAt"] is not None
    assert payload["stageChange"]["fromStage"] == {"name": "Negotiation"}
    assert payload["stageChange"]["amount"] == "1000.00"
    event = await OutboxEvent.get(type="opportunity.stage_changed")
    assert payload["stageChange"]["eventId"] == str(event.event_id)


@pytest.mark.parametrize(
    ("target", "extra", "expected"),
    [
        (
            ("New business", "Closed lost"),
            {},
            {
                "field": ["lostReason"],
                "message": "stage 'Closed lost' needs a lost reason",
                "code": "REQUIRED",
            },
        ),
        (
            ("New business", "Prospecting"),
            {},
            {
                "field": ["stageId"],
                "message": "the deal is already in stage 'Prospecting'",
                "code": "INVALID_STAGE_MOVE",
            },
        ),
        (
            ("Renewal", "Upcoming"),
            {},
            {
                "field": ["stageId"],
                "message": "stage 'Upcoming' belongs to another pipeline; a deal moves only within its own pipeline",
                "code": "INVALID_STAGE_MOVE",
            },
        ),
    ],
)
async def test_refused_moves_explain_why_and_change_nothing(gql, target, extra, expected):
    deal = await make_opportunity(stage_name="Prospecting")
    to = await stage(*target)
    before = await database_state()
    data = await gql(
        MOVE,
        {
            "input": {
                "opportunityId": gid("Opportunity", deal.pk),
                "stageId": gid("Stage", to.pk),
                **extra,
            }
        },
    )
    assert data["moveOpportunityStage"] == {
        "opportunity": None,
        "stageChange": None,
        "errors": [expected],
    }
    assert await database_state() == before


async def test_moving_a_deal_without_amount_to_won_is_refused(gql):
    deal = await make_opportunity(amount=None)
    won = await stage("New business", "Closed won")
    before = await database_state()
    data = await gql(
        MOVE,
        {"input": {"opportunityId": gid("Opportunity", deal.pk), "stageId": gid("Stage", won.pk)}},
    )
    assert data["moveOpportunityStage"]["errors"] == [
        {
            "field": ["amount"],
            "code": "INVALID_STAGE_MOVE",
            "message": "stage 'Closed won' needs an amount greater than 0; set the deal's amount first",
        }
    ]
    assert await database_state() == before


async def test_moving_an_unknown_deal_is_not_found(gql):
    prospecting = await stage("New business", "Prospecting")
    data = await gql(
        MOVE,
        {
            "input": {
                "opportunityId": gid("Opportunity", 12345),
                "stageId": gid("Stage", prospecting.pk),
            }
        },
    )
    assert data["moveOpportunityStage"]["errors"] == [
        {"field": ["opportunityId"], "message": "Opportunity not found", "code": "NOT_FOUND"}
    ]


async def test_update_records_previous_values_in_the_event(gql):
    deal = await make_opportunity(name="Old")
    update = """mutation($input: UpdateOpportunityInput!) {
      updateOpportunity(input: $input) { opportunity { name amount weightedAmount } errors { message } } }"""
    data = await gql(
        update, {"input": {"id": gid("Opportunity", deal.pk), "name": "New", "amount": "2500.50"}}
    )
    assert data["updateOpportunity"] == {
        "opportunity": {"name": "New", "amount": "2500.50", "weightedAmount": "250.05"},
        "errors": [],
    }
    event = await OutboxEvent.get(type="opportunity.updated")
    assert event.data["previous"] == {"name": "Old", "amount": "1000.00"}


async def test_a_closed_deals_probability_follows_its_stage(gql):
    deal = await make_opportunity(stage_name="Negotiation")
    won = await stage("New business", "Closed won")
    await gql(
        MOVE,
        {"input": {"opportunityId": gid("Opportunity", deal.pk), "stageId": gid("Stage", won.pk)}},
    )
    before = await database_state()
    update = """mutation($input: UpdateOpportunityInput!) {
      updateOpportunity(input: $input) { errors { field message } } }"""
    data = await gql(update, {"input": {"id": gid("Opportunity", deal.pk), "probability": 50}})
    assert data["updateOpportunity"]["errors"] == [
        {
            "field": ["probability"],
            "message": "the probability of a deal in closed stage 'Closed won' follows the stage; reopen the deal to change it",
        }
    ]
    assert await database_state() == before
    assert (await Opportunity.get(pk=deal.pk)).probability == 100


async def test_filters_and_ordering(gql):
    account = await make_account()
    small = await make_opportunity(account_id=account.pk, name="Small", amount="100")
    big = await make_opportunity(
        account_id=account.pk, name="Big", amount="9000", stage_name="Negotiation"
    )
    won = await make_opportunity(
        account_id=account.pk, name="Won", amount="5000", stage_name="Negotiation"
    )
    await gql(
        MOVE,
        {
            "input": {
                "opportunityId": gid("Opportunity", won.pk),
                "stageId": gid("Stage", (await stage("New business", "Closed won")).pk),
            }
        },
    )
    query = """query($f: OpportunityFilter, $o: [OpportunityOrder!]) {
      opportunities(filter: $f, orderBy: $o) { totalCount edges { node { name } } } }"""

    async def names(f=None, o=None):
        data = await gql(query, {"f": f, "o": o})
        return [e["node"]["name"] for e in data["opportunities"]["edges"]]

    assert await names(o=[{"field": "AMOUNT", "direction": "DESC"}]) == ["Big", "Won", "Small"]
    assert await names({"status": "OPEN"}, [{"field": "AMOUNT"}]) == ["Small", "Big"]
    assert await names({"status": "WON"}) == ["Won"]
    assert await names({"amountGte": "5000"}, [{"field": "NAME"}]) == ["Big", "Won"]
    assert await names({"search": "bi"}) == ["Big"]
    assert await names({"stageIds": [gid("Stage", big.stage_id)]}) == ["Big"]
    assert small.pk  # created first: newest-first default puts it last
    assert await names() == ["Won", "Big", "Small"]


async def test_a_filter_id_of_the_wrong_type_is_a_clear_error(gql):
    body = await gql(
        '{ opportunities(filter: {accountIds: ["' + gid("User", 1) + '"]}) { totalCount } }',
        errors=True,
    )
    assert body["errors"][0]["message"] == f"'{gid('User', 1)}' is not a valid Account id"
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_nested_lists_sort_amounts_as_numbers(gql):
    account = await make_account()
    for amount in ["9000", "45506.99", "120167.27", "73167.84", "100"]:
        await make_opportunity(account_id=account.pk, amount=amount)
    data = await gql(
        """query($id: ID!) { account(id: $id) {
             opportunities(orderBy: [{field: AMOUNT, direction: DESC}]) { edges { node { amount } } } } }""",
        {"id": gid("Account", account.pk)},
    )
    amounts = [e["node"]["amount"] for e in data["account"]["opportunities"]["edges"]]
    assert amounts == ["120167.27", "73167.84", "45506.99", "9000.00", "100.00"]
