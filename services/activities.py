"""Calls, emails, meetings, notes and tasks.

Where an activity shows: on the timeline of every record it is linked to, and links roll up.
A deal's activity is its account's; an account's is its client's; a contact's is its
client's. An activity logged on a client or one of its contacts without naming an account
belongs to the client's account when the client has exactly one (not archived): it is on
that account's timeline, counts for its health, and is seen by whoever sees the account.
When the client has several accounts, which relationship a call with one of its people
concerns is for the caller to say (``accountId``); until then it is on the client's and the
contact's timelines only. A lead's activities follow it when it is converted: they are linked
to the new account, its client and the contact (``carry_over_lead_activities``).
"""

from typing import Any

from events.catalogue import EventType
from models import Account, Activity, Client, Contact, Lead, Opportunity, User
from models.enums import ActivityKind, AuditAction
from services import validation as v
from services.clock import now
from services.errors import DomainError, ErrorCode, Problem
from services.records import (
    RecordKind,
    Reference,
    apply_changes,
    clean_values,
    ensure_not_archived,
    problem_at,
    save_new,
)
from services.visibility import ensure_may_assign
from services.writes import locked, write_transaction

LINKS = ("client_id", "contact_id", "account_id", "opportunity_id", "lead_id")


async def _task_rules(clean: dict[str, Any], existing: Activity | None) -> list[Problem]:
    kind = clean.get("kind", existing.kind if existing else None)
    due_at = clean.get("due_at", existing.due_at if existing else None)
    if kind == ActivityKind.TASK and due_at is None:
        return [problem_at("due_at", "a task needs a due date", ErrorCode.REQUIRED)]
    if kind != ActivityKind.TASK and due_at is not None:
        return [problem_at("due_at", "only tasks have a due date; use kind TASK")]
    return []


ACTIVITY = RecordKind(
    model=Activity,
    label="activity",
    validators={
        "kind": v.choice(ActivityKind),
        "subject": v.text(300),
        "body": v.text(20000, required=False),
        "occurred_at": v.passthrough,
        "due_at": v.passthrough,
        "outcome": v.text(500, required=False),
    },
    references={
        "owner_id": Reference(User, "owner"),
        "client_id": Reference(Client, "client"),
        "contact_id": Reference(Contact, "contact"),
        "account_id": Reference(Account, "account"),
        "opportunity_id": Reference(Opportunity, "opportunity"),
        "lead_id": Reference(Lead, "lead"),
    },
    required=frozenset({"kind", "subject"}),
    rules=(_task_rules,),
    created_event=EventType.ACTIVITY_LOGGED,
)


async def _roll_up_links(clean: dict[str, Any]) -> None:
    """Fill in the account and client a deal or contact belongs to, so an account's timeline
    shows everything logged on its deals; refuse links that contradict each other."""
    if clean.get("opportunity_id") is not None:
        deal = await Opportunity.get(pk=clean["opportunity_id"])
        _link(clean, "account_id", deal.account_id, "the deal belongs to another account")
    if clean.get("account_id") is not None:
        account = await Account.get(pk=clean["account_id"])
        _link(clean, "client_id", account.client_id, "the account belongs to another client")
    if clean.get("contact_id") is not None:
        contact = await Contact.get(pk=clean["contact_id"])
        _link(clean, "client_id", contact.client_id, "the contact works at another client")
    if clean.get("account_id") is None and clean.get("client_id") is not None:
        accounts = await Account.filter(
            client_id=clean["client_id"], archived_at__isnull=True
        ).values_list("id", flat=True)
        if len(accounts) == 1:
            clean["account_id"] = accounts[0]


def _link(clean: dict[str, Any], name: str, value: int, conflict: str) -> None:
    if clean.get(name) not in (None, value):
        raise DomainError([problem_at(name, conflict)])
    clean[name] = value


async def log_activity(*, actor_id: int | None, values: dict[str, Any]) -> Activity:
    """Record a call, email, meeting, note or task against at least one record; its owner
    defaults to the caller."""
    await ensure_may_assign(Activity, values, actor_id=actor_id)
    clean = await clean_values(ACTIVITY, values, None)
    if all(clean.get(name) is None for name in LINKS):
        raise DomainError.single(
            "link the activity to a client, contact, account, opportunity or lead",
            code=ErrorCode.REQUIRED,
        )
    await _roll_up_links(clean)
    if clean.get("owner_id") is None:
        clean["owner_id"] = actor_id
    if clean.get("occurred_at") is None:
        clean["occurred_at"] = now()
    async with write_transaction():
        return await save_new(ACTIVITY, clean, actor_id=actor_id)


async def carry_over_lead_activities(
    *, lead_id: int, client_id: int, contact_id: int, account_id: int
) -> None:
    """Link a converted lead's activities to the account, client and contact it became
    (links an activity already has are kept). Runs in the conversion's transaction."""
    await Activity.filter(lead_id=lead_id, account_id__isnull=True, client_id__isnull=True).update(
        account_id=account_id, client_id=client_id
    )
    await Activity.filter(lead_id=lead_id, contact_id__isnull=True, client_id=client_id).update(
        contact_id=contact_id
    )


async def complete_task(
    *, activity_id: int, actor_id: int | None, outcome: str | None = None
) -> Activity:
    """Mark a task done, with an optional outcome."""
    async with write_transaction():
        task = await locked(Activity, activity_id, "task", "activity_id")
        ensure_not_archived(ACTIVITY, task)
        if task.kind != ActivityKind.TASK:
            raise DomainError.single(
                f"only tasks can be completed; this is a {task.kind.value.lower()}",
                code=ErrorCode.INVALID_STATE,
                field="activity_id",
            )
        if task.completed_at is not None:
            raise DomainError.single(
                "the task is already completed", code=ErrorCode.INVALID_STATE, field="activity_id"
            )
        changes: dict[str, Any] = {"completed_at": now()}
        if outcome is not None:
            changes["outcome"] = v.text(500, required=False)(outcome)
        await apply_changes(ACTIVITY, task, changes, actor_id=actor_id, action=AuditAction.COMPLETE)
    return task
