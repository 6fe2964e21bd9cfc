"""Leads: capture and conversion."""

from decimal import Decimal

from ids import to_global_id
from models import Account, Client, Contact, Lead, Opportunity, OutboxEvent
from tests.factories import make_client, make_lead, make_user, stage
from tests.state import database_state

CONVERT = """mutation($input: ConvertLeadInput!) {
  convertLead(input: $input) {
    lead { status convertedAt convertedAccount { name } convertedOpportunity { name } }
    client { name domain } contact { name email isPrimary } account { name owner { name } }
    opportunity { name amount stage { name } }
    errors { field message code }
  }
}"""


async def test_create_lead(gql):
    owner = await make_user(name="Ann")
    data = await gql(
        """mutation($input: CreateLeadInput!) { createLead(input: $input) {
             lead { personName companyName email source status score owner { name } } errors { message } } }""",
        {
            "input": {
                "personName": "Jo Doe",
                "companyName": "Initech",
                "email": "JO@Initech.Example",
                "source": "EVENT",
                "score": 70,
                "ownerId": to_global_id("User", owner.pk),
            }
        },
    )
    assert data["createLead"] == {
        "lead": {
            "personName": "Jo Doe",
            "companyName": "Initech",
            "email": "jo@initech.example",
            "source": "EVENT",
            "status": "NEW",
            "score": 70,
            "owner": {"name": "Ann"},
        },
        "errors": [],
    }
    assert await OutboxEvent.filter(type="lead.created").count() == 1


async def test_invalid_lead_email_is_refused(gql):
    before = await database_state()
    data = await gql(
        """mutation { createLead(input: {personName: "Jo", companyName: "X", email: "not-an-email"}) {
             lead { id } errors { field code } } }"""
    )
    assert data["createLead"] == {"lead": None, "errors": [{"field": ["email"], "code": "INVALID"}]}
    assert await database_state() == before


async def test_conversion_creates_client_contact_account_and_deal_in_one_go(gql):
    owner = await make_user(name="Ann")
    lead = await make_lead(
        person_name="Jo Doe",
        company_name="Initech",
        company_domain="initech.example",
        email="jo@initech.example",
        owner_id=owner.pk,
    )
    await stage("New business", "Prospecting")

    data = await gql(
        CONVERT,
        {
            "input": {
                "leadId": to_global_id("Lead", lead.pk),
                "opportunity": {"name": "Initech pilot", "amount": "12000"},
            }
        },
    )

    payload = data["convertLead"]
    assert payload["errors"] == []
    assert payload["lead"]["status"] == "CONVERTED"
    assert payload["lead"]["convertedAccount"] == {"name": "Initech"}
    assert payload["lead"]["convertedOpportunity"] == {"name": "Initech pilot"}
    assert payload["client"] == {"name": "Initech", "domain": "initech.example"}
    assert payload["contact"] == {
        "name": "Jo Doe",
        "email": "jo@initech.example",
        "isPrimary": True,
    }
    assert payload["account"] == {"name": "Initech", "owner": {"name": "Ann"}}
    assert payload["opportunity"] == {
        "name": "Initech pilot",
        "amount": "12000.00",
        "stage": {"name": "Prospecting"},
    }
    types = sorted(await OutboxEvent.all().values_list("type", flat=True))
    assert types == ["account.created", "lead.converted", "opportunity.created"]


async def test_conversion_reuses_the_client_with_the_same_domain(gql):
    client = await make_client(name="Initech Inc", domain="initech.example")
    owner = await make_user()
    lead = await make_lead(
        company_name="Initech", company_domain="initech.example", owner_id=owner.pk
    )
    data = await gql(CONVERT, {"input": {"leadId": to_global_id("Lead", lead.pk)}})
    assert data["convertLead"]["client"] == {"name": "Initech Inc", "domain": "initech.example"}
    assert await Client.all().count() == 1
    assert (await Account.get()).client_id == client.pk
    assert data["convertLead"]["opportunity"] is None


async def test_a_converted_lead_cannot_be_converted_again(gql):
    owner = await make_user()
    lead = await make_lead(owner_id=owner.pk)
    await gql(CONVERT, {"input": {"leadId": to_global_id("Lead", lead.pk)}})
    before = await database_state()
    data = await gql(CONVERT, {"input": {"leadId": to_global_id("Lead", lead.pk)}})
    assert data["convertLead"]["errors"] == [
        {
            "field": ["leadId"],
            "message": "a converted lead cannot be converted",
            "code": "INVALID_STATE",
        }
    ]
    assert await database_state() == before


async def test_a_failing_deal_rolls_back_the_whole_conversion(gql):
    owner = await make_user()
    lead = await make_lead(owner_id=owner.pk, company_domain="rollback.example")
    await stage("New business", "Prospecting")
    before = await database_state()
    data = await gql(
        CONVERT,
        {
            "input": {
                "leadId": to_global_id("Lead", lead.pk),
                "opportunity": {"name": "D", "amount": "-1"},
            }
        },
    )
    assert data["convertLead"]["errors"] == [
        {
            "field": ["opportunity", "amount"],
            "message": "amount must not be negative",
            "code": "INVALID",
        }
    ]
    assert await database_state() == before
    assert (await Lead.get(pk=lead.pk)).status == "NEW"
    assert await Contact.all().count() == 0
    assert await Opportunity.all().count() == 0
    assert Decimal("0") == Decimal(await Account.all().count())
