"""Coordination requests: account managers asking internal teams for help with an account.

A request is worked from two sides. The requester's side (account and sales managers who
may write the account, and administrators) creates it and may change anything on it. The
team's side (the members of the team it is sent to) may change its status and assignee and
comment on it, but not retarget it or rewrite what was asked.

Requests go to internal teams: any team but a SALES team (delivery, support, legal, finance,
product or other).
"""

from datetime import date
from typing import Any, Protocol

from tortoise.expressions import Q

from events.catalogue import EventType
from models import (
    Account,
    CoordinationComment,
    CoordinationRequest,
    Opportunity,
    Team,
    User,
)
from models.enums import RequestPriority, RequestStatus, TeamKind
from services import clock
from services import validation as v
from services.errors import DomainError, Forbidden, Problem
from services.records import (
    RecordKind,
    Reference,
    apply_changes,
    clean_values,
    get_record,
    problem_at,
    save_new,
)
from services.visibility import RequestSide, Visibility
from services.writes import ensure_version, locked, write_transaction

# A request is unresolved (still to be worked) while OPEN or IN_PROGRESS, and resolved once
# DONE or DECLINED; it is overdue while unresolved after its due date (a day, in UTC).
UNRESOLVED = (RequestStatus.OPEN, RequestStatus.IN_PROGRESS)
RESOLVED = frozenset({RequestStatus.DONE, RequestStatus.DECLINED})
# What the team a request is sent to may change on it.
TEAM_FIELDS = frozenset({"status", "assignee_id"})


class DatedRequest(Protocol):
    status: RequestStatus
    due_date: date | None


def is_overdue(request: DatedRequest, today: date) -> bool:
    """The request is still unresolved after its due date."""
    return (
        request.due_date is not None and request.status in UNRESOLVED and request.due_date < today
    )


def overdue_condition(today: date) -> Q:
    """The overdue requests, as a query condition."""
    return Q(status__in=UNRESOLVED, due_date__lt=today)


def not_overdue_condition(today: date) -> Q:
    """Every request ``overdue_condition`` leaves out, undated ones included."""
    # Spelt out rather than negated: NOT over a null due date would drop undated requests.
    return Q(
        Q(due_date__isnull=True), ~Q(status__in=UNRESOLVED), Q(due_date__gte=today), join_type="OR"
    )


async def _request_rules(
    clean: dict[str, Any], existing: CoordinationRequest | None
) -> list[Problem]:
    problems: list[Problem] = []
    team_id = clean.get("team_id", existing.team_id if existing else None)
    account_id = existing.account_id if existing else clean["account_id"]
    if "team_id" in clean:
        team = await Team.get(pk=team_id)
        if team.kind == TeamKind.SALES:
            problems.append(
                problem_at(
                    "team_id",
                    f"'{team.name}' is a sales team; send requests to an internal team "
                    "(delivery, support, legal, finance, product or other)",
                )
            )
    if clean.get("opportunity_id") is not None:
        deal = await Opportunity.get(pk=clean["opportunity_id"])
        if deal.account_id != account_id:
            problems.append(
                problem_at(
                    "opportunity_id",
                    "the deal belongs to another account; choose a deal of the request's account",
                )
            )
    assignee_id = clean.get("assignee_id")
    if assignee_id is not None:
        assignee = await User.get(pk=assignee_id)
        if not Visibility.can_be_request_assignee(assignee, team_id):
            problems.append(
                problem_at(
                    "assignee_id",
                    f"{assignee.name} is not an active member of the team the request is sent "
                    "to; assign it to one of that team's members",
                )
            )
    due = clean.get("due_date")
    if due is not None and due < clock.today() and (existing is None or due != existing.due_date):
        problems.append(problem_at("due_date", f"the due date {due.isoformat()} is in the past"))
    return problems


REQUEST = RecordKind(
    model=CoordinationRequest,
    label="coordination request",
    validators={
        "title": v.text(200),
        "description": v.text(20000, required=False),
        "priority": v.choice(RequestPriority),
        "status": v.choice(RequestStatus),
        "due_date": v.passthrough,
    },
    references={
        "team_id": Reference(Team, "team"),
        "account_id": Reference(Account, "account"),
        "opportunity_id": Reference(Opportunity, "opportunity"),
        "assignee_id": Reference(User, "assignee"),
    },
    required=frozenset({"team_id", "account_id", "title"}),
    rules=(_request_rules,),
    created_event=EventType.COORDINATION_REQUEST_CREATED,
    updated_event=EventType.COORDINATION_REQUEST_UPDATED,
)

COMMENT = RecordKind(
    model=CoordinationComment,
    label="comment",
    validators={"body": v.text(20000)},
    references={"request_id": Reference(CoordinationRequest, "coordination request")},
    required=frozenset({"request_id", "body"}),
)


async def create_coordination_request(
    *, actor: User, values: dict[str, Any]
) -> CoordinationRequest:
    """Ask an internal team for help with an account (and optionally one of its deals).

    Only the requester's side of the account may ask. Emits ``coordination_request.created``.
    """
    values = dict(values)
    if "status" in values:
        raise DomainError.single(
            "a new request is always OPEN; change its status once it exists", field="status"
        )
    account = await get_record(Account, values.get("account_id"), "account", "account_id")
    probe = CoordinationRequest(account_id=account.pk, team_id=values.get("team_id"))
    if RequestSide.REQUESTER not in await Visibility(actor).request_sides(probe):
        raise Forbidden("only account and sales managers who may write the account ask for help")
    clean = await clean_values(REQUEST, values, None)
    clean["requester_id"] = actor.pk
    async with write_transaction():
        return await save_new(REQUEST, clean, actor_id=actor.pk)


async def _sides(actor: User, request: CoordinationRequest) -> frozenset[RequestSide]:
    sides = await Visibility(actor).request_sides(request)
    if not sides:
        raise Forbidden(
            "only the requester's side and the members of the team asked work this request"
        )
    return sides


def status_fields(request: CoordinationRequest, status: RequestStatus) -> dict[str, Any]:
    """``resolved_at`` follows the status: stamped on DONE or DECLINED, cleared on reopening."""
    if status in RESOLVED:
        return {"resolved_at": request.resolved_at if request.status in RESOLVED else clock.now()}
    return {"resolved_at": None}


async def update_coordination_request(
    *,
    actor: User,
    request_id: int,
    changes: dict[str, Any],
    expected_version: int | None = None,
) -> CoordinationRequest:
    """Change a request: its status, assignee, or (on the requester's side) anything else.

    Emits ``coordination_request.updated`` with the previous values of the changed fields.
    Retargeting it to another team drops an assignee who is not a member of the new team.
    """
    async with write_transaction():
        request = await locked(CoordinationRequest, request_id, "coordination request", "id")
        sides = await _sides(actor, request)
        if RequestSide.REQUESTER not in sides and set(changes) - TEAM_FIELDS:
            names = ", ".join(sorted(set(changes) - TEAM_FIELDS))
            raise Forbidden(
                f"the team asked changes only the status and assignee of a request, not: {names}"
            )
        ensure_version(request, expected_version, "coordination request")
        changes = dict(changes)
        if changes.get("team_id") not in (None, request.team_id) and "assignee_id" not in changes:
            assignee = await User.get_or_none(pk=request.assignee_id or 0)
            if assignee is not None and assignee.team_id != changes["team_id"]:
                changes["assignee_id"] = None
        clean = await clean_values(REQUEST, changes, request)
        if "status" in clean and clean["status"] != request.status:
            clean.update(status_fields(request, clean["status"]))
        await apply_changes(REQUEST, request, clean, actor_id=actor.pk)
    return request


async def comment_on_request(
    *, actor: User, request_id: int, body: Any
) -> tuple[CoordinationComment, CoordinationRequest]:
    """Add a comment to a request, from either side of it."""
    request = await get_record(
        CoordinationRequest, request_id, "coordination request", "request_id"
    )
    await _sides(actor, request)
    clean = await clean_values(COMMENT, {"request_id": request.pk, "body": body}, None)
    clean["author_id"] = actor.pk
    async with write_transaction():
        comment = await save_new(COMMENT, clean, actor_id=actor.pk)
    return comment, request
