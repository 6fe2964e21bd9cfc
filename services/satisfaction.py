"""Client satisfaction: NPS and CSAT responses recorded against an account."""

from typing import Any

from models import Account, Contact, SatisfactionResponse
from models.enums import SatisfactionKind
from services import validation as v
from services.clock import now
from services.errors import ErrorCode, Problem
from services.records import RecordKind, Reference, clean_values, problem_at, save_new
from services.writes import write_transaction

# The scale of each kind of response: (lowest, highest, what the score answers).
SCALES = {
    SatisfactionKind.NPS: (0, 10, "how likely the client is to recommend us"),
    SatisfactionKind.CSAT: (1, 5, "how satisfied the client is"),
}


def score_problems(kind: SatisfactionKind, score: Any) -> list[Problem]:
    low, high, meaning = SCALES[kind]
    a = "an" if kind == SatisfactionKind.NPS else "a"
    if isinstance(score, bool) or not isinstance(score, int) or not low <= score <= high:
        return [
            problem_at(
                "score",
                f"{a} {kind.value} score is a whole number from {low} to {high} ({meaning}); "
                f"got {score}",
                ErrorCode.OUT_OF_RANGE,
            )
        ]
    return []


async def _response_rules(clean: dict[str, Any], existing: Any) -> list[Problem]:
    problems = score_problems(clean["kind"], clean["score"])
    if clean["received_at"] > now():
        problems.append(problem_at("received_at", "a response cannot be received in the future"))
    if clean.get("contact_id") is not None:
        account = await Account.get(pk=clean["account_id"])
        contact = await Contact.get(pk=clean["contact_id"])
        if contact.client_id != account.client_id:
            problems.append(
                problem_at(
                    "contact_id",
                    "the contact works at another client; choose a contact of the account's client",
                )
            )
    return problems


RESPONSE = RecordKind(
    model=SatisfactionResponse,
    label="satisfaction response",
    validators={
        "kind": v.choice(SatisfactionKind),
        "score": v.passthrough,
        "comment": v.text(5000, required=False),
        "received_at": v.passthrough,
    },
    references={
        "account_id": Reference(Account, "account"),
        "contact_id": Reference(Contact, "contact"),
    },
    required=frozenset({"account_id", "kind", "score"}),
    rules=(_response_rules,),
    defaults={"received_at": now},
)


async def record_satisfaction(
    *, actor_id: int | None, values: dict[str, Any]
) -> SatisfactionResponse:
    """Record an NPS (0..10) or CSAT (1..5) response about an account.

    The contact, when given, must work at the account's client; ``received_at`` defaults to
    now and may not lie ahead.
    """
    values = dict(values)
    if values.get("received_at") is None:
        values.pop("received_at", None)
    clean = await clean_values(RESPONSE, {**values}, None)
    clean["recorded_by_id"] = actor_id
    async with write_transaction():
        return await save_new(RESPONSE, clean, actor_id=actor_id)
