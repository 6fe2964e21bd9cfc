"""Recording NPS and CSAT responses: scales, contacts of the account's client, times."""

from datetime import UTC, datetime, timedelta

import pytest

from models import AuditLogEntry, SatisfactionResponse
from models.enums import SatisfactionKind
from services.errors import DomainError, ErrorCode
from services.satisfaction import record_satisfaction
from tests.factories import make_account, make_contact, make_user
from tests.state import database_state


async def refused(values: dict) -> list[tuple]:
    before = await database_state()
    with pytest.raises(DomainError) as caught:
        await record_satisfaction(actor_id=None, values=values)
    assert await database_state() == before
    return [(p.field, p.message, p.code) for p in caught.value.problems]


@pytest.mark.parametrize(("kind", "score"), [("NPS", 0), ("NPS", 10), ("CSAT", 1), ("CSAT", 5)])
async def test_scores_at_the_ends_of_each_scale_are_recorded(kind, score):
    actor = await make_user()
    account = await make_account()
    contact = await make_contact(client_id=account.client_id)
    received = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)

    response = await record_satisfaction(
        actor_id=actor.pk,
        values={
            "account_id": account.pk,
            "contact_id": contact.pk,
            "kind": kind,
            "score": score,
            "comment": " Great onboarding ",
            "received_at": received,
        },
    )

    stored = await SatisfactionResponse.get(pk=response.pk)
    assert (stored.kind, stored.score, stored.comment, stored.received_at) == (
        SatisfactionKind(kind),
        score,
        "Great onboarding",
        received,
    )
    assert (stored.account_id, stored.contact_id, stored.recorded_by_id) == (
        account.pk,
        contact.pk,
        actor.pk,
    )
    assert await AuditLogEntry.filter(record_type="SatisfactionResponse").count() == 1


@pytest.mark.parametrize(
    ("kind", "score", "message"),
    [
        (
            "NPS",
            -1,
            "an NPS score is a whole number from 0 to 10 (how likely the client is to "
            "recommend us); got -1",
        ),
        (
            "NPS",
            11,
            "an NPS score is a whole number from 0 to 10 (how likely the client is to "
            "recommend us); got 11",
        ),
        (
            "CSAT",
            0,
            "a CSAT score is a whole number from 1 to 5 (how satisfied the client is); got 0",
        ),
        (
            "CSAT",
            6,
            "a CSAT score is a whole number from 1 to 5 (how satisfied the client is); got 6",
        ),
        (
            "CSAT",
            4.5,
            "a CSAT score is a whole number from 1 to 5 (how satisfied the client is); got 4.5",
        ),
    ],
)
async def test_scores_off_the_scale_are_refused(kind, score, message):
    account = await make_account()
    assert await refused({"account_id": account.pk, "kind": kind, "score": score}) == [
        (("score",), message, ErrorCode.OUT_OF_RANGE)
    ]


async def test_the_contact_must_work_at_the_accounts_client():
    account = await make_account()
    stranger = await make_contact()
    assert await refused(
        {"account_id": account.pk, "kind": "NPS", "score": 9, "contact_id": stranger.pk}
    ) == [
        (
            ("contact_id",),
            "the contact works at another client; choose a contact of the account's client",
            ErrorCode.INVALID,
        )
    ]


async def test_received_at_defaults_to_now_and_may_not_lie_ahead():
    account = await make_account()
    response = await record_satisfaction(
        actor_id=None, values={"account_id": account.pk, "kind": "CSAT", "score": 4}
    )
    assert datetime.now(UTC) - response.received_at < timedelta(minutes=1)
    assert response.contact_id is None
    assert await refused(
        {
            "account_id": account.pk,
            "kind": "CSAT",
            "score": 4,
            "received_at": datetime.now(UTC) + timedelta(hours=1),
        }
    ) == [(("received_at",), "a response cannot be received in the future", ErrorCode.INVALID)]


async def test_an_archived_account_takes_no_responses():
    account = await make_account(archived_at=datetime.now(UTC))
    assert await refused({"account_id": account.pk, "kind": "NPS", "score": 7}) == [
        (("account_id",), "Account is archived; restore it first", ErrorCode.INVALID)
    ]
