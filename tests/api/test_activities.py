"""Logging activity and completing tasks."""

from datetime import UTC, datetime, timedelta

from ids import to_global_id
from models import Activity
from tests.factories import make_account, make_contact, make_opportunity
from tests.state import database_state

LOG = """mutation($input: LogActivityInput!) {
  logActivity(input: $input) {
    activity { kind subject account { name } opportunity { name } client { name } isOverdue }
    errors { field message code }
  }
}"""
COMPLETE = """mutation($input: CompleteTaskInput!) {
  completeTask(input: $input) { activity { completedAt outcome } errors { field message code } } }"""


async def test_an_activity_on_a_deal_rolls_up_to_its_account_and_client(gql):
    account = await make_account(name="Acme EMEA")
    deal = await make_opportunity(account_id=account.pk, name="Renewal")
    data = await gql(
        LOG,
        {
            "input": {
                "kind": "CALL",
                "subject": "Kick-off",
                "opportunityId": to_global_id("Opportunity", deal.pk),
            }
        },
    )
    activity = data["logActivity"]["activity"]
    assert activity["account"] == {"name": "Acme EMEA"}
    assert activity["opportunity"] == {"name": "Renewal"}
    assert activity["client"]["name"].startswith("Client")
    timeline = await gql(
        "query($id: ID!) { account(id: $id) { activities { edges { node { subject } } } } }",
        {"id": to_global_id("Account", account.pk)},
    )
    assert timeline["account"]["activities"]["edges"] == [{"node": {"subject": "Kick-off"}}]


async def test_an_activity_must_be_linked_to_something(gql):
    before = await database_state()
    data = await gql(LOG, {"input": {"kind": "NOTE", "subject": "Floating"}})
    assert data["logActivity"]["errors"] == [
        {
            "field": None,
            "code": "REQUIRED",
            "message": "link the activity to a client, contact, account, opportunity or lead",
        }
    ]
    assert await database_state() == before


async def test_contradicting_links_are_refused(gql):
    deal = await make_opportunity()
    other = await make_account()
    before = await database_state()
    data = await gql(
        LOG,
        {
            "input": {
                "kind": "CALL",
                "subject": "x",
                "opportunityId": to_global_id("Opportunity", deal.pk),
                "accountId": to_global_id("Account", other.pk),
            }
        },
    )
    assert data["logActivity"]["errors"] == [
        {
            "field": ["accountId"],
            "message": "the deal belongs to another account",
            "code": "INVALID",
        }
    ]
    assert await database_state() == before


async def test_tasks_need_a_due_date_and_complete_once(gql):
    contact = await make_contact()
    link = {"contactId": to_global_id("Contact", contact.pk)}
    missing = await gql(LOG, {"input": {"kind": "TASK", "subject": "Send proposal", **link}})
    assert missing["logActivity"]["errors"] == [
        {"field": ["dueAt"], "message": "a task needs a due date", "code": "REQUIRED"}
    ]
    due = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    logged = await gql(
        LOG, {"input": {"kind": "TASK", "subject": "Send proposal", "dueAt": due, **link}}
    )
    assert logged["logActivity"]["activity"]["isOverdue"] is True
    task = await Activity.get(subject="Send proposal")

    done = await gql(
        COMPLETE, {"input": {"activityId": to_global_id("Activity", task.pk), "outcome": "Sent"}}
    )
    assert done["completeTask"]["errors"] == []
    assert done["completeTask"]["activity"]["outcome"] == "Sent"
    before = await database_state()
    again = await gql(COMPLETE, {"input": {"activityId": to_global_id("Activity", task.pk)}})
    assert again["completeTask"]["errors"] == [
        {
            "field": ["activityId"],
            "message": "the task is already completed",
            "code": "INVALID_STATE",
        }
    ]
    assert await database_state() == before


async def test_only_tasks_can_be_completed(gql):
    contact = await make_contact()
    await gql(
        LOG,
        {
            "input": {
                "kind": "CALL",
                "subject": "Call",
                "contactId": to_global_id("Contact", contact.pk),
            }
        },
    )
    call = await Activity.get()
    data = await gql(COMPLETE, {"input": {"activityId": to_global_id("Activity", call.pk)}})
    assert data["completeTask"]["errors"] == [
        {
            "field": ["activityId"],
            "message": "only tasks can be completed; this is a call",
            "code": "INVALID_STATE",
        }
    ]
