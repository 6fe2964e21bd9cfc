"""Migration 0010 links activities written before its rule (services/activities.py): those
logged on a client or contact only go to the client's only account, and a converted lead's
go to the account, client and contact it became."""

import importlib
from datetime import UTC, datetime

from tortoise import Tortoise

from models import Activity, Lead
from models.enums import ActivityKind, LeadStatus
from tests.factories import make_account, make_client, make_contact, make_lead

migration = importlib.import_module("migrations.models.0010_search_and_activity_links")
WHEN = datetime(2026, 3, 1, tzinfo=UTC)


async def logged(**links) -> Activity:
    return await Activity.create(kind=ActivityKind.CALL, subject="Call", occurred_at=WHEN, **links)


async def test_existing_activities_are_linked_as_new_ones_are():
    single = await make_client(name="Single")
    only_account = await make_account(client_id=single.pk)
    on_client = await logged(client_id=single.pk)

    shared = await make_client(name="Shared")
    await make_account(client_id=shared.pk)
    await make_account(client_id=shared.pk)
    jo = await make_contact(client_id=shared.pk)
    on_contact = await logged(client_id=shared.pk, contact_id=jo.pk)

    converted_client = await make_client(name="Converted")
    converted_account = await make_account(client_id=converted_client.pk)
    await make_account(client_id=converted_client.pk)  # several accounts: the lead decides
    ann = await make_contact(client_id=converted_client.pk)
    lead = await make_lead(status=LeadStatus.CONVERTED)
    await Lead.filter(pk=lead.pk).update(
        converted_client_id=converted_client.pk,
        converted_account_id=converted_account.pk,
        converted_contact_id=ann.pk,
    )
    on_lead = await logged(lead_id=lead.pk)

    connection = Tortoise.get_connection("default")
    for sql in migration.Migration.operations[1].sql:
        await connection.execute_script(sql)

    links = {
        name: await Activity.get(pk=a.pk).values("account_id", "client_id", "contact_id")
        for name, a in (("client", on_client), ("contact", on_contact), ("lead", on_lead))
    }
    assert links == {
        "client": {"account_id": only_account.pk, "client_id": single.pk, "contact_id": None},
        "contact": {"account_id": None, "client_id": shared.pk, "contact_id": jo.pk},
        "lead": {
            "account_id": converted_account.pk,
            "client_id": converted_client.pk,
            "contact_id": ann.pk,
        },
    }
