"""Where an activity shows: a call logged on a contact or client only belongs to the client's
only account; with several accounts it stays on the client and contact; a lead's activities
follow it into the account, client and contact it is converted to (services/activities.py).
"""

from datetime import UTC, datetime

from ids import to_global_id
from models import Activity
from models.enums import ActivityKind
from tests.factories import make_account, make_client, make_contact, make_lead, make_user

LOG = """mutation($input: LogActivityInput!) {
  logActivity(input: $input) {
    activity { subject account { name } client { name } contact { name } }
    errors { field message code }
  }
}"""
TIMELINES = """query($account: ID!, $client: ID!, $contact: ID!) {
  account(id: $account) { activities { nodes { subject } } }
  client(id: $client) { activities { nodes { subject } } }
  contact: node(id: $contact) { ... on Contact { activities { nodes { subject } } } }
}"""


def gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


async def test_a_call_with_a_contact_of_a_one_account_client_is_on_that_account(gql):
    client = await make_client(name="Northwind Gärten")
    account = await make_account(name="Northwind", client_id=client.pk)
    jo = await make_contact(client_id=client.pk, name="Jo")
    data = await gql(LOG, {"input": {"kind": "CALL", "subject": "Pricing", "contactId": gid(
        "Contact", jo.pk)}})  # fmt: skip
    assert data["logActivity"] == {
        "activity": {"subject": "Pricing", "account": {"name": "Northwind"},
                     "client": {"name": "Northwind Gärten"}, "contact": {"name": "Jo"}},
        "errors": [],
    }  # fmt: skip
    ids = {"account": gid("Account", account.pk), "client": gid("Client", client.pk),
           "contact": gid("Contact", jo.pk)}  # fmt: skip
    timelines = await gql(TIMELINES, ids)
    assert {k: v["activities"]["nodes"] for k, v in timelines.items()} == {
        "account": [{"subject": "Pricing"}],
        "client": [{"subject": "Pricing"}],
        "contact": [{"subject": "Pricing"}],
    }


async def test_with_several_accounts_a_contacts_call_stays_on_the_client_and_contact(gql):
    client = await make_client(name="Globex")
    emea = await make_account(name="Globex EMEA", client_id=client.pk)
    await make_account(name="Globex US", client_id=client.pk)
    jo = await make_contact(client_id=client.pk, name="Jo")
    data = await gql(LOG, {"input": {"kind": "CALL", "subject": "Pricing", "contactId": gid(
        "Contact", jo.pk)}})  # fmt: skip
    assert data["logActivity"]["activity"] == {
        "subject": "Pricing", "account": None, "client": {"name": "Globex"},
        "contact": {"name": "Jo"},
    }  # fmt: skip
    ids = {"account": gid("Account", emea.pk), "client": gid("Client", client.pk),
           "contact": gid("Contact", jo.pk)}  # fmt: skip
    timelines = await gql(TIMELINES, ids)
    assert {k: v["activities"]["nodes"] for k, v in timelines.items()} == {
        "account": [],
        "client": [{"subject": "Pricing"}],
        "contact": [{"subject": "Pricing"}],
    }


async def test_a_leads_activities_follow_it_into_the_converted_account_and_contact(gql):
    owner = await make_user(name="Ann")
    lead = await make_lead(owner_id=owner.pk, company_name="Initech", person_name="Jo Doe")
    for subject, when in (("First call", 1), ("Demo", 2)):
        await Activity.create(kind=ActivityKind.CALL, subject=subject, lead=lead, owner=owner,
                              occurred_at=datetime(2026, 3, when, tzinfo=UTC))  # fmt: skip
    convert = """mutation($input: ConvertLeadInput!) { convertLead(input: $input) {
        account { id activities { nodes { subject account { name } client { name }
                                          contact { name } lead { personName } } } }
        contact { activities { nodes { subject } } }
        errors { code } } }"""
    data = await gql(convert, {"input": {"leadId": gid("Lead", lead.pk)}})
    payload = data["convertLead"]
    assert payload["errors"] == []
    linked = {"account": {"name": "Initech"}, "client": {"name": "Initech"},
              "contact": {"name": "Jo Doe"}, "lead": {"personName": "Jo Doe"}}  # fmt: skip
    assert payload["account"]["activities"]["nodes"] == [
        {"subject": "Demo", **linked},
        {"subject": "First call", **linked},
    ]
    assert payload["contact"]["activities"]["nodes"] == [
        {"subject": "Demo"},
        {"subject": "First call"},
    ]
