"""Satisfaction responses over GraphQL: recordSatisfaction and an account's responses."""

from datetime import UTC, datetime

from ids import to_global_id
from models import SatisfactionResponse
from tests.factories import make_account, make_contact, make_user
from tests.state import database_state

RECORD = """mutation($input: RecordSatisfactionInput!) { recordSatisfaction(input: $input) {
  satisfactionResponse { kind score comment receivedAt contact { name } account { name }
                         recordedBy { email } }
  errors { field message code } } }"""


async def test_record_an_nps_answer_from_a_contact(gql):
    account = await make_account(name="Acme EMEA")
    contact = await make_contact(client_id=account.client_id, name="Carla")

    data = await gql(
        RECORD,
        {
            "input": {
                "accountId": to_global_id("Account", account.pk),
                "contactId": to_global_id("Contact", contact.pk),
                "kind": "NPS",
                "score": 9,
                "comment": "Support is quick",
                "receivedAt": "2026-03-02T10:00:00Z",
            }
        },
    )

    assert data["recordSatisfaction"] == {
        "satisfactionResponse": {
            "kind": "NPS",
            "score": 9,
            "comment": "Support is quick",
            "receivedAt": "2026-03-02T10:00:00.000000Z",
            "contact": {"name": "Carla"},
            "account": {"name": "Acme EMEA"},
            "recordedBy": {"email": "admin@example.com"},
        },
        "errors": [],
    }


async def test_a_csat_score_of_six_is_refused_and_nothing_is_stored(gql):
    account = await make_account()
    before = await database_state()
    data = await gql(
        RECORD,
        {"input": {"accountId": to_global_id("Account", account.pk), "kind": "CSAT", "score": 6}},
    )
    assert data["recordSatisfaction"] == {
        "satisfactionResponse": None,
        "errors": [
            {
                "field": ["score"],
                "message": "a CSAT score is a whole number from 1 to 5 (how satisfied the "
                "client is); got 6",
                "code": "OUT_OF_RANGE",
            }
        ],
    }
    assert await database_state() == before


async def test_an_accounts_responses_come_newest_first_and_filter_by_kind(gql):
    account = await make_account()
    user = await make_user()
    for day, kind, score in [(1, "NPS", 9), (2, "CSAT", 4), (3, "NPS", 6), (4, "NPS", 3)]:
        await SatisfactionResponse.create(
            account_id=account.pk,
            kind=kind,
            score=score,
            received_at=datetime(2026, 1, day, tzinfo=UTC),
            recorded_by_id=user.pk,
        )
    data = await gql(
        """query($id: ID!) { account(id: $id) {
          all: satisfactionResponses { totalCount nodes { kind score } }
          nps: satisfactionResponses(filter: {kinds: [NPS], receivedAfter: "2026-01-02T00:00:00Z"}) {
            nodes { score } }
          lowest: satisfactionResponses(first: 1, orderBy: [{field: SCORE}]) { nodes { score } }
        } }""",
        {"id": to_global_id("Account", account.pk)},
    )
    assert data["account"] == {
        "all": {
            "totalCount": 4,
            "nodes": [
                {"kind": "NPS", "score": 3},
                {"kind": "NPS", "score": 6},
                {"kind": "CSAT", "score": 4},
                {"kind": "NPS", "score": 9},
            ],
        },
        "nps": {"nodes": [{"score": 3}, {"score": 6}]},
        "lowest": {"nodes": [{"score": 3}]},
    }
