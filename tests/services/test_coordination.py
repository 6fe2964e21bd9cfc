"""Coordination requests in the domain: who may ask and work them, what each side may change,
how the status moves resolvedAt, and the events each change writes."""

from datetime import UTC, date, datetime, timedelta

import pytest

from ids import to_global_id
from models import AuditLogEntry, CoordinationComment, CoordinationRequest, OutboxEvent
from models.enums import AuditAction, RequestPriority, RequestStatus, Role, TeamKind
from services.coordination import (
    comment_on_request,
    create_coordination_request,
    update_coordination_request,
)
from services.errors import DomainError, ErrorCode, Forbidden
from tests.factories import make_account, make_opportunity, make_request, make_team, make_user
from tests.state import database_state

TOMORROW = datetime.now(UTC).date() + timedelta(days=1)


@pytest.fixture
async def world() -> dict:
    sales = await make_team(name="Sales", kind=TeamKind.SALES)
    delivery = await make_team(name="Delivery", kind=TeamKind.DELIVERY)
    legal = await make_team(name="Legal", kind=TeamKind.LEGAL)
    ann = await make_user(name="Ann", team_id=sales.pk)
    bob = await make_user(name="Bob")
    sam = await make_user(name="Sam", role=Role.SALES_MANAGER, team_id=sales.pk)
    dee = await make_user(name="Dee", role=Role.TEAM_MEMBER, team_id=delivery.pk)
    dan = await make_user(name="Dan", role=Role.TEAM_MEMBER, team_id=delivery.pk)
    lee = await make_user(name="Lee", role=Role.TEAM_MEMBER, team_id=legal.pk)
    gone = await make_user(name="Gone", role=Role.TEAM_MEMBER, team_id=delivery.pk, is_active=False)
    account = await make_account(name="X", owner_id=ann.pk)
    return {
        "sales": sales,
        "delivery": delivery,
        "legal": legal,
        "ann": ann,
        "bob": bob,
        "sam": sam,
        "dee": dee,
        "dan": dan,
        "lee": lee,
        "gone": gone,
        "account": account,
    }


async def refused(call, error=DomainError):
    before = await database_state()
    with pytest.raises(error) as caught:
        await call
    assert await database_state() == before
    return caught.value


def problems(error: DomainError) -> list[tuple]:
    return [(p.field, p.message, p.code) for p in error.problems]


async def test_an_account_manager_asks_a_team_and_the_event_carries_the_request(world):
    deal = await make_opportunity(account_id=world["account"].pk)
    request = await create_coordination_request(
        actor=world["ann"],
        values={
            "team_id": world["delivery"].pk,
            "account_id": world["account"].pk,
            "opportunity_id": deal.pk,
            "title": "  Scope the rollout  ",
            "priority": RequestPriority.HIGH,
            "due_date": TOMORROW,
            "assignee_id": world["dee"].pk,
        },
    )

    stored = await CoordinationRequest.get(pk=request.pk)
    assert (stored.title, stored.status, stored.priority) == (
        "Scope the rollout",
        RequestStatus.OPEN,
        RequestPriority.HIGH,
    )
    assert (stored.requester_id, stored.assignee_id, stored.resolved_at) == (
        world["ann"].pk,
        world["dee"].pk,
        None,
    )
    [event] = await OutboxEvent.filter(aggregate_type="CoordinationRequest")
    assert (event.type, event.actor_id, event.aggregate_id) == (
        "coordination_request.created",
        world["ann"].pk,
        request.pk,
    )
    data = event.data["object"]
    assert data["id"] == to_global_id("CoordinationRequest", request.pk)
    assert (data["title"], data["status"], data["priority"], data["dueDate"]) == (
        "Scope the rollout",
        "OPEN",
        "HIGH",
        TOMORROW.isoformat(),
    )
    assert data["teamId"] == to_global_id("Team", world["delivery"].pk)
    assert data["requesterId"] == to_global_id("User", world["ann"].pk)
    assert data["opportunityId"] == to_global_id("Opportunity", deal.pk)
    audit = await AuditLogEntry.get(record_type="CoordinationRequest")
    assert (audit.action, audit.actor_id) == (AuditAction.CREATE, world["ann"].pk)


async def test_a_sales_manager_of_the_team_may_ask_too(world):
    request = await create_coordination_request(
        actor=world["sam"],
        values={"team_id": world["legal"].pk, "account_id": world["account"].pk, "title": "NDA"},
    )
    assert (request.requester_id, request.priority) == (world["sam"].pk, RequestPriority.NORMAL)


async def test_requests_to_a_sales_team_are_refused(world):
    error = await refused(
        create_coordination_request(
            actor=world["ann"],
            values={"team_id": world["sales"].pk, "account_id": world["account"].pk, "title": "t"},
        )
    )
    assert problems(error) == [
        (
            ("team_id",),
            "'Sales' is a sales team; send requests to an internal team "
            "(delivery, support, legal, finance, product or other)",
            ErrorCode.INVALID,
        )
    ]


async def test_the_deal_must_be_of_the_account_and_the_assignee_an_active_member(world):
    other_deal = await make_opportunity()
    error = await refused(
        create_coordination_request(
            actor=world["ann"],
            values={
                "team_id": world["delivery"].pk,
                "account_id": world["account"].pk,
                "title": "t",
                "opportunity_id": other_deal.pk,
                "assignee_id": world["lee"].pk,
            },
        )
    )
    assert problems(error) == [
        (
            ("opportunity_id",),
            "the deal belongs to another account; choose a deal of the request's account",
            ErrorCode.INVALID,
        ),
        (
            ("assignee_id",),
            "Lee is not an active member of the team the request is sent to; assign it to one "
            "of that team's members",
            ErrorCode.INVALID,
        ),
    ]
    error = await refused(
        create_coordination_request(
            actor=world["ann"],
            values={
                "team_id": world["delivery"].pk,
                "account_id": world["account"].pk,
                "title": "t",
                "assignee_id": world["gone"].pk,
            },
        )
    )
    assert [p.field for p in error.problems] == [("assignee_id",)]


async def test_a_due_date_in_the_past_and_a_preset_status_are_refused(world):
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    error = await refused(
        create_coordination_request(
            actor=world["ann"],
            values={
                "team_id": world["delivery"].pk,
                "account_id": world["account"].pk,
                "title": "t",
                "due_date": yesterday,
            },
        )
    )
    assert problems(error) == [
        (
            ("due_date",),
            f"the due date {yesterday.isoformat()} is in the past",
            ErrorCode.INVALID,
        )
    ]
    error = await refused(
        create_coordination_request(
            actor=world["ann"],
            values={
                "team_id": world["delivery"].pk,
                "account_id": world["account"].pk,
                "title": "t",
                "status": RequestStatus.DONE,
            },
        )
    )
    assert problems(error) == [
        (
            ("status",),
            "a new request is always OPEN; change its status once it exists",
            ErrorCode.INVALID,
        )
    ]


@pytest.mark.parametrize("who", ["dee", "bob"])
async def test_team_members_and_outsiders_may_not_ask_about_the_account(world, who):
    error = await refused(
        create_coordination_request(
            actor=world[who],
            values={
                "team_id": world["delivery"].pk,
                "account_id": world["account"].pk,
                "title": "t",
            },
        ),
        Forbidden,
    )
    assert str(error) == "only account and sales managers who may write the account ask for help"


async def test_the_team_takes_a_request_and_the_update_event_has_the_previous_values(world):
    request = await make_request(team_id=world["delivery"].pk, account_id=world["account"].pk)

    await update_coordination_request(
        actor=world["dee"],
        request_id=request.pk,
        changes={"status": RequestStatus.IN_PROGRESS, "assignee_id": world["dan"].pk},
    )

    stored = await CoordinationRequest.get(pk=request.pk)
    assert (stored.status, stored.assignee_id, stored.resolved_at) == (
        RequestStatus.IN_PROGRESS,
        world["dan"].pk,
        None,
    )
    [event] = await OutboxEvent.all()
    assert (event.type, event.actor_id) == ("coordination_request.updated", world["dee"].pk)
    assert event.data["previous"] == {"status": "OPEN", "assigneeId": None}
    assert event.data["object"]["status"] == "IN_PROGRESS"
    assert event.data["object"]["assigneeId"] == to_global_id("User", world["dan"].pk)


async def test_resolving_stamps_resolved_at_and_reopening_clears_it(world):
    request = await make_request(team_id=world["delivery"].pk, account_id=world["account"].pk)
    done = await update_coordination_request(
        actor=world["dee"], request_id=request.pk, changes={"status": RequestStatus.DONE}
    )
    resolved_at = done.resolved_at
    assert resolved_at is not None
    assert datetime.now(UTC) - resolved_at < timedelta(minutes=1)

    declined = await update_coordination_request(
        actor=world["ann"], request_id=request.pk, changes={"status": RequestStatus.DECLINED}
    )
    assert declined.resolved_at == resolved_at  # resolved since then, still

    reopened = await update_coordination_request(
        actor=world["ann"], request_id=request.pk, changes={"status": RequestStatus.OPEN}
    )
    assert reopened.resolved_at is None
    events = await OutboxEvent.all().order_by("id")
    assert [e.data["previous"] for e in events] == [
        {"status": "OPEN", "resolvedAt": None},
        {"status": "DONE"},
        {"status": "DECLINED", "resolvedAt": resolved_at.isoformat()},
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"team_id": "legal"},
        {"title": "Something else"},
        {"due_date": None},
        {"status": RequestStatus.DONE, "priority": RequestPriority.LOW},
    ],
)
async def test_the_team_may_not_retarget_or_rewrite_a_request(world, changes):
    request = await make_request(team_id=world["delivery"].pk, account_id=world["account"].pk)
    changes = {k: world[v].pk if k == "team_id" else v for k, v in changes.items()}
    error = await refused(
        update_coordination_request(actor=world["dee"], request_id=request.pk, changes=changes),
        Forbidden,
    )
    names = ", ".join(sorted(set(changes) - {"status", "assignee_id"}))
    assert str(error) == (
        f"the team asked changes only the status and assignee of a request, not: {names}"
    )


async def test_members_of_another_team_who_see_the_account_may_not_work_the_request(world):
    await make_request(team_id=world["legal"].pk, account_id=world["account"].pk)
    delivery_request = await make_request(
        team_id=world["delivery"].pk, account_id=world["account"].pk
    )
    error = await refused(
        update_coordination_request(
            actor=world["lee"], request_id=delivery_request.pk, changes={"status": "DONE"}
        ),
        Forbidden,
    )
    assert str(error) == (
        "only the requester's side and the members of the team asked work this request"
    )
    await refused(
        comment_on_request(actor=world["lee"], request_id=delivery_request.pk, body="hi"),
        Forbidden,
    )
    await refused(
        comment_on_request(actor=world["bob"], request_id=delivery_request.pk, body="hi"),
        Forbidden,
    )


async def test_retargeting_drops_an_assignee_of_the_old_team(world):
    request = await make_request(
        team_id=world["delivery"].pk, account_id=world["account"].pk, assignee_id=world["dee"].pk
    )
    await update_coordination_request(
        actor=world["ann"], request_id=request.pk, changes={"team_id": world["legal"].pk}
    )
    stored = await CoordinationRequest.get(pk=request.pk)
    assert (stored.team_id, stored.assignee_id) == (world["legal"].pk, None)
    [event] = await OutboxEvent.all()
    assert event.data["previous"] == {
        "teamId": to_global_id("Team", world["delivery"].pk),
        "assigneeId": to_global_id("User", world["dee"].pk),
    }


async def test_explicit_null_clears_and_omitted_fields_stay(world):
    request = await make_request(
        team_id=world["delivery"].pk,
        account_id=world["account"].pk,
        due_date=date(2031, 5, 1),
        description="Details",
    )
    await update_coordination_request(
        actor=world["ann"], request_id=request.pk, changes={"due_date": None}
    )
    stored = await CoordinationRequest.get(pk=request.pk)
    assert (stored.due_date, stored.description) == (None, "Details")


async def test_an_update_that_changes_nothing_writes_nothing(world):
    request = await make_request(team_id=world["delivery"].pk, account_id=world["account"].pk)
    before = await database_state()
    await update_coordination_request(
        actor=world["dee"], request_id=request.pk, changes={"status": RequestStatus.OPEN}
    )
    assert await database_state() == before


async def test_both_sides_comment_and_blank_comments_are_refused(world):
    request = await make_request(team_id=world["delivery"].pk, account_id=world["account"].pk)
    first, _ = await comment_on_request(actor=world["ann"], request_id=request.pk, body="When?")
    second, _ = await comment_on_request(actor=world["dee"], request_id=request.pk, body=" Friday ")
    comments = await CoordinationComment.filter(request_id=request.pk).order_by("id")
    assert [(c.author_id, c.body) for c in comments] == [
        (world["ann"].pk, "When?"),
        (world["dee"].pk, "Friday"),
    ]
    assert [first.pk, second.pk] == [c.pk for c in comments]
    error = await refused(comment_on_request(actor=world["dee"], request_id=request.pk, body="  "))
    assert problems(error) == [(("body",), "body must not be blank", ErrorCode.INVALID)]
