"""Two changes to one record at the same moment: neither is lost.

Each round starts two operations on one fresh record together (``asyncio.gather``). On
PostgreSQL they run on two pooled connections at once; on SQLite they interleave on the
process's connection (an update that read its row outside its transaction lost the other's
change every time there). After each round the record must hold what every successful
operation wrote, its audit entries must form one chain (each "before" is the previous
"after"), its version must count the changes, and a deal's stage must be the one its latest
stage history entry moved it to. Separate processes on one SQLite file are covered by
tests/test_sqlite_workers.py.
"""

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest

from events.snapshot import field_values
from models import (
    Account,
    AuditLogEntry,
    Opportunity,
    OpportunityStageChange,
    OutboxEvent,
    User,
    WebhookEndpoint,
)
from models.enums import AccountTier, AuditAction, RequestPriority, Role
from services.accounts import ACCOUNT
from services.coordination import update_coordination_request
from services.errors import DomainError, ErrorCode
from services.opportunities import OPPORTUNITY, move_opportunity_stage
from services.records import archive_record, update_record
from tests.factories import make_account, make_opportunity, make_request, make_user, stage
from tests.state import database_state
from webhooks import secrets, signing
from webhooks.endpoints import rotate_secret, update_endpoint

ROUNDS = 25

# What each operation leaves in the record (GraphQL field names), once it succeeded.
Operation = tuple[Callable[[int, int], Awaitable[Any]], dict[str, Any]]


async def _deal_operations() -> dict[str, Operation]:
    proposal = await stage("New business", "Proposal")
    won = await stage("New business", "Closed won")

    def update(changes: dict[str, Any]) -> Callable[[int, int], Awaitable[Any]]:
        return lambda pk, actor: update_record(
            OPPORTUNITY, record_id=pk, actor_id=actor, changes=changes
        )

    def move(stage_id: int) -> Callable[[int, int], Awaitable[Any]]:
        return lambda pk, actor: move_opportunity_stage(
            opportunity_id=pk, stage_id=stage_id, actor_id=actor
        )

    return {
        "rename": (update({"name": "Renamed"}), {"name": "Renamed"}),
        "next step": (
            update({"next_step": "Send the proposal", "amount": Decimal("2500.00")}),
            {"nextStep": "Send the proposal", "amount": "2500.00"},
        ),
        "move to proposal": (move(proposal.pk), {}),
        "move to won": (move(won.pk), {}),
        "archive": (
            lambda pk, actor: archive_record(OPPORTUNITY, record_id=pk, actor_id=actor),
            {},
        ),
    }


def _audit_chain_holds(entries: list[AuditLogEntry], record: Any) -> None:
    """Replaying the audit entries from the creation gives the record as stored, and every
    entry's "before" is the value the change replaced."""
    assert entries[0].action == AuditAction.CREATE
    current = {key: change["after"] for key, change in entries[0].changes.items()}
    for entry in entries[1:]:
        for key, change in entry.changes.items():
            assert change["before"] == current.get(key), (entry.action, key, change)
            current[key] = change["after"]
    stored = {k: v for k, v in field_values(record).items() if k not in ("updatedAt", "version")}
    assert {k: current.get(k) for k in stored if k != "createdAt"} == {
        k: v for k, v in stored.items() if k != "createdAt"
    }
    assert record.version == len(entries)


async def _run_round(
    first: Operation, second: Operation, record_id: int, actor_id: int
) -> list[Any]:
    results = await asyncio.gather(
        first[0](record_id, actor_id), second[0](record_id, actor_id), return_exceptions=True
    )
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, DomainError):
            raise result
    return list(results)


def _refusal_codes(results: list[Any]) -> list[ErrorCode]:
    return [p.code for r in results if isinstance(r, DomainError) for p in r.problems]


@pytest.mark.parametrize(
    "pair",
    [
        ("rename", "next step"),
        ("rename", "move to won"),
        ("next step", "move to proposal"),
        ("rename", "archive"),
        ("move to proposal", "archive"),
        ("move to proposal", "move to won"),
        ("archive", "archive"),
    ],
    ids=lambda pair: " + ".join(pair),
)
async def test_simultaneous_changes_to_one_deal_all_stay(pair):
    operations = await _deal_operations()
    first, second = operations[pair[0]], operations[pair[1]]
    actor = await make_user()
    account = await make_account()
    for _ in range(ROUNDS):
        deal = await make_opportunity(account_id=account.pk, stage_name="Prospecting")
        results = await _run_round(first, second, deal.pk, actor.pk)

        stored = await Opportunity.get(pk=deal.pk)
        values = field_values(stored)
        archived = stored.archived_at is not None
        # The only refusals: changing an archived deal, or archiving it twice.
        assert set(_refusal_codes(results)) <= {ErrorCode.INVALID_STATE}
        assert archived or not _refusal_codes(results)
        for (_, wrote), result in zip((first, second), results, strict=True):
            if not isinstance(result, DomainError):
                assert {key: values[key] for key in wrote} == wrote
        history = await OpportunityStageChange.filter(opportunity_id=deal.pk).order_by("-id")
        assert stored.stage_id == history[0].to_stage_id
        assert len(history) == 1 + sum(
            1
            for name, result in zip(pair, results, strict=True)
            if name.startswith("move") and not isinstance(result, DomainError)
        )
        entries = await AuditLogEntry.filter(record_type="Opportunity", record_id=deal.pk).order_by(
            "id"
        )
        _audit_chain_holds(entries, stored)


async def test_simultaneous_account_updates_all_stay_and_each_emits_account_updated():
    actor = await make_user()
    for index in range(ROUNDS):
        account = await make_account(tier=AccountTier.STANDARD)
        rename = update_record(
            ACCOUNT, record_id=account.pk, actor_id=actor.pk, changes={"name": f"Renamed {index}"}
        )
        retier = update_record(
            ACCOUNT,
            record_id=account.pk,
            actor_id=actor.pk,
            changes={"tier": AccountTier.KEY, "annual_recurring_value": Decimal("90000")},
        )
        await asyncio.gather(rename, retier)

        stored = await Account.get(pk=account.pk)
        assert (stored.name, stored.tier, stored.annual_recurring_value) == (
            f"Renamed {index}",
            AccountTier.KEY,
            Decimal("90000.00"),
        )
        events = await OutboxEvent.filter(type="account.updated", aggregate_id=account.pk)
        previous = sorted(tuple(sorted(e.data["previous"])) for e in events)
        assert previous == [("annualRecurringValue", "tier"), ("name",)]
        entries = await AuditLogEntry.filter(record_type="Account", record_id=account.pk)
        # make_account inserts without the service, so there is no creation entry: check the
        # updates' before values directly.
        befores = sorted(
            (key, change["before"]) for e in entries for key, change in e.changes.items()
        )
        assert befores == [
            ("annualRecurringValue", "0.00"),
            ("name", account.name),
            ("tier", "STANDARD"),
        ]
        assert stored.version == 3


async def test_many_simultaneous_updates_of_different_fields_all_stay():
    """Six writers on one deal at once, each to its own field."""
    deal = await make_opportunity()
    fields = {
        "name": "All of them",
        "next_step": "Kick-off",
        "amount": Decimal("4321.00"),
        "currency": "EUR",
        "probability": 35,
        "forecast_commit": True,
    }
    await asyncio.gather(
        *(
            update_record(OPPORTUNITY, record_id=deal.pk, actor_id=None, changes={name: value})
            for name, value in fields.items()
        )
    )
    stored = await Opportunity.get(pk=deal.pk)
    assert {name: getattr(stored, name) for name in fields} == fields
    assert stored.version == 1 + len(fields)
    entries = await AuditLogEntry.filter(record_type="Opportunity", record_id=deal.pk).order_by(
        "id"
    )
    _audit_chain_holds(entries, stored)


async def _refused_with_conflict(change: Awaitable[Any]) -> None:
    before = await database_state()
    with pytest.raises(DomainError) as caught:
        await change
    assert [(p.code, p.field) for p in caught.value.problems] == [
        (ErrorCode.CONFLICT, ("expected_version",))
    ]
    assert await database_state() == before


async def test_a_coordination_request_edited_from_a_stale_version_is_refused():
    request = await make_request(title="Staffing")
    requester = await User.get(pk=request.requester_id)
    await update_coordination_request(
        actor=requester, request_id=request.pk, changes={"priority": RequestPriority.HIGH}
    )

    await _refused_with_conflict(
        update_coordination_request(
            actor=requester, request_id=request.pk, changes={"title": "Old"}, expected_version=1
        )
    )
    updated = await update_coordination_request(
        actor=requester, request_id=request.pk, changes={"title": "New"}, expected_version=2
    )
    assert (updated.title, updated.priority, updated.version) == ("New", RequestPriority.HIGH, 3)


async def test_a_webhook_endpoint_edited_from_a_stale_version_is_refused():
    owner = await make_user(role=Role.ADMIN)
    endpoint = await WebhookEndpoint.create(
        owner_id=owner.pk,
        url="https://hooks.example.com/in",
        event_types=["opportunity.stage_changed"],
        secret_encrypted=secrets.encrypt(signing.new_secret()),
    )
    await rotate_secret(endpoint_id=endpoint.pk, viewer=owner)

    await _refused_with_conflict(
        update_endpoint(
            endpoint_id=endpoint.pk,
            viewer=owner,
            changes={"description": "stale"},
            expected_version=1,
        )
    )
    updated = await update_endpoint(
        endpoint_id=endpoint.pk, viewer=owner, changes={"description": "fresh"}, expected_version=2
    )
    assert (updated.description, updated.version) == ("fresh", 3)
