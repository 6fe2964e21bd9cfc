"""Editing what someone else just changed: versions, expectedVersion and CONFLICT; two
mutations sent at once; a database too busy to take a change."""

import asyncio
import sqlite3
from contextlib import contextmanager

import asyncpg
import pytest
import strawberry
from graphql import GraphQLInputObjectType
from starlette.responses import Response
from tortoise import Tortoise
from tortoise.exceptions import OperationalError

from db import DatabaseBusy, is_database_busy
from ids import to_global_id
from models import (
    Account,
    ApiKey,
    AuditLogEntry,
    Opportunity,
    OpportunityStageChange,
    OutboxEvent,
    WebhookEndpoint,
)
from models.enums import Role
from resolvers.core.context import Context
from schema.errors import MaskUnexpectedErrors
from schema.root import build_schema
from services.auth import ALL_SCOPES, create_api_key
from tests.database import BACKEND
from tests.factories import make_account, make_opportunity, make_request, make_user, stage
from tests.state import database_state
from webhooks import secrets, signing

schema = build_schema()

UPDATE_ACCOUNT = """mutation($input: UpdateAccountInput!) {
  updateAccount(input: $input) {
    account { name tier version }
    errors { field message code }
  }
}"""
UPDATE_DEAL = """mutation($input: UpdateOpportunityInput!) {
  updateOpportunity(input: $input) {
    opportunity { name nextStep version stage { name } }
    errors { field message code }
  }
}"""
MOVE = """mutation($input: MoveOpportunityStageInput!) {
  moveOpportunityStage(input: $input) {
    opportunity { stage { name } version }
    errors { field message code }
  }
}"""


async def test_an_update_from_the_version_read_applies_and_counts_up(gql):
    account = await make_account(name="Initech")
    gid = to_global_id("Account", account.pk)
    read = await gql("query($id: ID!) { account(id: $id) { version } }", {"id": gid})
    assert read == {"account": {"version": 1}}

    data = await gql(
        UPDATE_ACCOUNT, {"input": {"id": gid, "name": "Initrode", "expectedVersion": 1}}
    )

    assert data["updateAccount"] == {
        "account": {"name": "Initrode", "tier": "STANDARD", "version": 2},
        "errors": [],
    }


async def test_an_update_from_a_stale_version_is_refused_with_conflict_and_changes_nothing(gql):
    account = await make_account(name="Initech")
    gid = to_global_id("Account", account.pk)
    await gql(UPDATE_ACCOUNT, {"input": {"id": gid, "tier": "KEY"}})  # someone else, version 2
    before = await database_state()

    data = await gql(
        UPDATE_ACCOUNT, {"input": {"id": gid, "name": "Initrode", "expectedVersion": 1}}
    )

    assert data["updateAccount"] == {
        "account": None,
        "errors": [
            {
                "field": ["expectedVersion"],
                "message": "this account was changed by someone else since you read it (it is "
                "at version 2, you edited version 1); reload it and apply your change again",
                "code": "CONFLICT",
            }
        ],
    }
    assert await database_state() == before


async def test_an_update_without_expected_version_applies_whatever_the_version(gql):
    account = await make_account(name="Initech")
    gid = to_global_id("Account", account.pk)
    await gql(UPDATE_ACCOUNT, {"input": {"id": gid, "tier": "KEY"}})

    for expected in ({}, {"expectedVersion": None}):
        data = await gql(UPDATE_ACCOUNT, {"input": {"id": gid, "name": "Initrode", **expected}})
        assert data["updateAccount"]["errors"] == []
    assert (await Account.get(pk=account.pk)).version == 3  # the second rename changed nothing


async def test_a_stage_move_counts_as_a_change_for_a_deal_edited_from_before_it(gql):
    deal = await make_opportunity(name="Pilot")
    gid = to_global_id("Opportunity", deal.pk)
    proposal = await stage("New business", "Proposal")
    moved = await gql(
        MOVE,
        {"input": {"opportunityId": gid, "stageId": to_global_id("Stage", proposal.pk)}},
    )
    assert moved["moveOpportunityStage"] == {
        "opportunity": {"stage": {"name": "Proposal"}, "version": 2},
        "errors": [],
    }

    stale = await gql(UPDATE_DEAL, {"input": {"id": gid, "name": "Old", "expectedVersion": 1}})
    fresh = await gql(UPDATE_DEAL, {"input": {"id": gid, "name": "New", "expectedVersion": 2}})

    assert [e["code"] for e in stale["updateOpportunity"]["errors"]] == ["CONFLICT"]
    assert fresh["updateOpportunity"] == {
        "opportunity": {
            "name": "New",
            "nextStep": None,
            "version": 3,
            "stage": {"name": "Proposal"},
        },
        "errors": [],
    }


def test_every_update_input_takes_an_expected_version():
    update_inputs = {
        name: definition
        for name, definition in schema._schema.type_map.items()
        if name.startswith("Update")
        and name.endswith("Input")
        and isinstance(definition, GraphQLInputObjectType)
    }
    assert len(update_inputs) >= 17
    lacking = [
        name
        for name, definition in update_inputs.items()
        if "expectedVersion" not in definition.fields
    ]
    assert lacking == []


async def test_update_account_emits_account_updated_with_the_previous_values(gql):
    account = await make_account(name="Initech")
    gid = to_global_id("Account", account.pk)

    await gql(UPDATE_ACCOUNT, {"input": {"id": gid, "name": "Initrode", "tier": "KEY"}})

    event = await OutboxEvent.get(type="account.updated", aggregate_id=account.pk)
    assert event.data["previous"] == {"name": "Initech", "tier": "STANDARD"}
    assert (event.data["object"]["name"], event.data["object"]["tier"]) == ("Initrode", "KEY")


async def test_an_update_and_a_stage_move_sent_together_both_stay(gql):
    """Over HTTP, the mix the review found losing moves: updateOpportunity beside
    moveOpportunityStage on one deal, many rounds."""
    won = to_global_id("Stage", (await stage("New business", "Closed won")).pk)
    for round_number in range(20):
        deal = await make_opportunity(name="Pilot")
        gid = to_global_id("Opportunity", deal.pk)
        update, move = await asyncio.gather(
            gql(UPDATE_DEAL, {"input": {"id": gid, "nextStep": f"Call {round_number}"}}),
            gql(MOVE, {"input": {"opportunityId": gid, "stageId": won}}),
        )
        assert update["updateOpportunity"]["errors"] == []
        assert move["moveOpportunityStage"]["errors"] == []
        stored = await Opportunity.get(pk=deal.pk).prefetch_related("stage")
        assert (stored.next_step, stored.stage.name, stored.probability, stored.version) == (
            f"Call {round_number}",
            "Closed won",
            100,
            3,
        )
        latest = await OpportunityStageChange.filter(opportunity_id=deal.pk).order_by("-id").first()
        assert latest is not None and latest.to_stage_id == stored.stage_id
        entries = await AuditLogEntry.filter(record_type="Opportunity", record_id=deal.pk)
        assert sorted(
            (e.action, e.changes.get("nextStep", {}).get("before", "-")) for e in entries
        ) == [("CREATE", "-"), ("STAGE_MOVE", "-"), ("UPDATE", None)]


@contextmanager
def _write_lock_held_elsewhere(path: str):
    """Another process's writer: holds the database's write lock until the block ends."""
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite's database-wide write lock")
async def test_a_change_that_cannot_get_the_write_lock_is_refused_as_database_busy(gql):
    account = await make_account(name="Initech")
    gid = to_global_id("Account", account.pk)
    connection = Tortoise.get_connection("default")
    await connection.execute_script("PRAGMA busy_timeout = 50")
    before = await database_state()
    try:
        with _write_lock_held_elsewhere(connection.filename):  # type: ignore[attr-defined]
            data = await gql(UPDATE_ACCOUNT, {"input": {"id": gid, "name": "Initrode"}})
    finally:
        await connection.execute_script("PRAGMA busy_timeout = 10000")

    assert data["updateAccount"] == {
        "account": None,
        "errors": [
            {
                "field": None,
                "message": "the database is busy with other changes; nothing was changed, "
                "send the request again",
                "code": "DATABASE_BUSY",
            }
        ],
    }
    assert await database_state() == before
    # The connection is usable again at once.
    data = await gql(UPDATE_ACCOUNT, {"input": {"id": gid, "name": "Initrode"}})
    assert data["updateAccount"]["errors"] == []


async def test_a_busy_database_outside_a_mutation_payload_is_a_retryable_503():
    @strawberry.type
    class Query:
        @strawberry.field
        def busy(self) -> int:
            raise DatabaseBusy("database is locked")

        @strawberry.field
        def broken(self) -> int:
            raise RuntimeError("SELECT secret FROM app_user")

    masked = strawberry.Schema(
        query=Query,
        extensions=[
            lambda: MaskUnexpectedErrors(
                should_mask_error=lambda error: error.original_error is not None,
                error_message="Internal server error",
            )
        ],
    )
    response, other = Response(), Response()

    busy = await masked.execute("{ busy }", context_value=Context(response=response))
    broken = await masked.execute("{ broken }", context_value=Context(response=other))

    assert [(e.message, e.extensions) for e in busy.errors or []] == [
        (
            "the database is busy with other changes; nothing was changed, send the request again",
            {"code": "DATABASE_BUSY", "retryable": True},
        )
    ]
    assert [(e.message, e.extensions) for e in broken.errors or []] == [
        ("Internal server error", {"code": "INTERNAL_SERVER_ERROR"})
    ]
    assert other.status_code == 200
    assert (response.status_code, response.headers["Retry-After"]) == (503, "1")


@pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite's database-wide write lock")
async def test_an_api_key_still_signs_in_while_the_database_is_busy(http):
    user = await make_user(role=Role.ADMIN)
    key, plaintext = await create_api_key(user_id=user.pk, name="script", scopes=ALL_SCOPES)
    connection = Tortoise.get_connection("default")
    await connection.execute_script("PRAGMA busy_timeout = 50")
    try:
        with _write_lock_held_elsewhere(connection.filename):  # type: ignore[attr-defined]
            response = await http.post(
                "/graphql",
                json={"query": "{ viewer { email } }"},
                headers={"Authorization": f"Bearer {plaintext}"},
            )
    finally:
        await connection.execute_script("PRAGMA busy_timeout = 10000")

    assert (response.status_code, response.json()) == (
        200,
        {"data": {"viewer": {"email": user.email}}},
    )
    assert (await ApiKey.get(pk=key.pk)).last_used_at is None  # recorded at a later use


def _raised_from(cause: BaseException) -> BaseException:
    """``cause`` as the ORM passes it on: wrapped, with the driver's error as its cause."""
    try:
        try:
            raise cause
        except BaseException as exc:
            raise OperationalError(exc) from exc
    except OperationalError as wrapped:
        return wrapped


@pytest.mark.parametrize(
    ("error", "busy"),
    [
        (DatabaseBusy("database is locked"), True),
        (_raised_from(sqlite3.OperationalError("database is locked")), True),
        (_raised_from(asyncpg.exceptions.DeadlockDetectedError("deadlock detected")), True),
        (_raised_from(asyncpg.exceptions.LockNotAvailableError("could not obtain lock")), True),
        (_raised_from(asyncpg.exceptions.SerializationError("could not serialize")), True),
        (_raised_from(sqlite3.OperationalError("no such table: account")), False),
        (_raised_from(asyncpg.exceptions.UndefinedTableError("no such table")), False),
        (RuntimeError("database is locked"), False),
    ],
    ids=repr,
)
def test_which_errors_mean_the_database_is_busy(error, busy):
    assert is_database_busy(error) is busy


@pytest.mark.parametrize("mutation", ["updateCoordinationRequest", "updateWebhookEndpoint"])
async def test_updates_outside_the_shared_record_mutations_check_expected_version_too(
    gql, mutation
):
    if mutation == "updateCoordinationRequest":
        record = await make_request(title="Staffing")
        gid, node, change = (
            to_global_id("CoordinationRequest", record.pk),
            "coordinationRequest",
            "title",
        )
    else:
        owner = await make_user(role=Role.ADMIN)
        record = await WebhookEndpoint.create(
            owner_id=owner.pk,
            url="https://hooks.example.com/in",
            event_types=["opportunity.stage_changed"],
            secret_encrypted=secrets.encrypt(signing.new_secret()),
        )
        gid, node, change = (
            to_global_id("WebhookEndpoint", record.pk),
            "webhookEndpoint",
            "description",
        )
    document = f"""mutation($input: {mutation[0].upper() + mutation[1:]}Input!) {{
      {mutation}(input: $input) {{ {node} {{ {change} version }} errors {{ field code }} }}
    }}"""
    first = await gql(document, {"input": {"id": gid, change: "First", "expectedVersion": 1}})
    before = await database_state()

    stale = await gql(document, {"input": {"id": gid, change: "Stale", "expectedVersion": 1}})

    assert first[mutation] == {node: {change: "First", "version": 2}, "errors": []}
    assert stale[mutation] == {
        node: None,
        "errors": [{"field": ["expectedVersion"], "code": "CONFLICT"}],
    }
    assert await database_state() == before
