"""Create, update, archive and restore, shown on clients and accounts (one shared mechanism)."""

import pytest

from ids import to_global_id
from models import AuditLogEntry, Client, OutboxEvent
from tests.factories import make_account, make_client, make_user
from tests.state import database_state

CREATE_CLIENT = """mutation($input: CreateClientInput!) {
  createClient(input: $input) { client { id name domain country status tags sizeBand } errors { field message code } }
}"""
UPDATE_CLIENT = """mutation($input: UpdateClientInput!) {
  updateClient(input: $input) { client { id name domain industry } errors { field message code } }
}"""


async def test_create_client_returns_it_and_audits_it(gql):
    data = await gql(
        CREATE_CLIENT,
        {
            "input": {
                "name": " Acme ",
                "domain": "WWW.Acme.example",
                "country": "de",
                "tags": ["a", "a", "b"],
                "sizeBand": "LARGE",
            }
        },
    )
    payload = data["createClient"]
    assert payload["errors"] == []
    client = await Client.get(name="Acme")
    assert payload["client"] == {
        "id": to_global_id("Client", client.pk),
        "name": "Acme",
        "domain": "acme.example",
        "country": "DE",
        "status": "PROSPECT",
        "tags": ["a", "b"],
        "sizeBand": "LARGE",
    }
    entry = await AuditLogEntry.get(record_type="Client", record_id=client.pk)
    assert entry.action == "CREATE"
    assert entry.changes["name"] == {"before": None, "after": "Acme"}


@pytest.mark.parametrize(
    ("values", "field", "code", "message"),
    [
        ({"name": "  "}, ["name"], "INVALID", "name must not be blank"),
        (
            {"name": "A", "domain": "not a domain"},
            ["domain"],
            "INVALID",
            "domain 'not a domain' is not a valid domain name, e.g. 'example.com'",
        ),
        (
            {"name": "A", "country": "XX"},
            ["country"],
            "INVALID",
            "country 'XX' is not an ISO 3166 country code, e.g. 'US' or 'DE'",
        ),
        (
            {"name": "A", "domain": "taken.example"},
            ["domain"],
            "DUPLICATE",
            "another client already has domain 'taken.example'",
        ),
        ({"name": "x" * 201}, ["name"], "INVALID", "name must be at most 200 characters"),
    ],
)
async def test_invalid_client_is_refused_and_nothing_is_written(gql, values, field, code, message):
    await make_client(name="Taken", domain="taken.example")
    before = await database_state()

    data = await gql(CREATE_CLIENT, {"input": values})

    assert data["createClient"] == {
        "client": None,
        "errors": [{"field": field, "message": message, "code": code}],
    }
    assert await database_state() == before


async def test_update_changes_only_the_fields_given_and_null_clears(gql):
    client = await make_client(name="Acme", domain="acme.example", industry="Retail")
    gid = to_global_id("Client", client.pk)

    data = await gql(UPDATE_CLIENT, {"input": {"id": gid, "industry": None, "name": "Acme AG"}})

    assert data["updateClient"] == {
        "client": {"id": gid, "name": "Acme AG", "domain": "acme.example", "industry": None},
        "errors": [],
    }
    entry = await AuditLogEntry.get(record_type="Client", record_id=client.pk, action="UPDATE")
    assert entry.changes == {
        "name": {"before": "Acme", "after": "Acme AG"},
        "industry": {"before": "Retail", "after": None},
    }


async def test_update_cannot_clear_a_required_field(gql):
    client = await make_client(name="Acme")
    before = await database_state()
    data = await gql(
        UPDATE_CLIENT, {"input": {"id": to_global_id("Client", client.pk), "name": None}}
    )
    assert data["updateClient"]["errors"] == [
        {"field": ["name"], "message": "name is required", "code": "INVALID"}
    ]
    assert await database_state() == before


async def test_update_with_an_unknown_or_foreign_id_is_not_found(gql):
    account = await make_account()
    before = await database_state()
    for gid in (to_global_id("Client", 999), to_global_id("Account", account.pk)):
        data = await gql(UPDATE_CLIENT, {"input": {"id": gid, "name": "X"}})
        assert data["updateClient"] == {
            "client": None,
            "errors": [{"field": ["id"], "message": "Client not found", "code": "NOT_FOUND"}],
        }
    assert await database_state() == before


async def test_archive_hides_restore_brings_back(gql):
    client = await make_client(name="Acme")
    gid = to_global_id("Client", client.pk)
    archive = "mutation($id: ID!) { archiveClient(input: {id: $id}) { client { archivedAt } errors { message } } }"
    restore = "mutation($id: ID!) { restoreClient(input: {id: $id}) { client { archivedAt } errors { message } } }"
    listing = "query($a: ArchiveState!) { clients(filter: {archived: $a}) { totalCount } }"

    archived = await gql(archive, {"id": gid})
    assert archived["archiveClient"]["client"]["archivedAt"] is not None
    assert (await gql(listing, {"a": "ACTIVE"}))["clients"]["totalCount"] == 0
    assert (await gql(listing, {"a": "ARCHIVED"}))["clients"]["totalCount"] == 1
    again = await gql(archive, {"id": gid})
    assert again["archiveClient"]["errors"] == [{"message": "this client is already archived"}]

    restored = await gql(restore, {"id": gid})
    assert restored["restoreClient"] == {"client": {"archivedAt": None}, "errors": []}
    assert (await gql(listing, {"a": "ACTIVE"}))["clients"]["totalCount"] == 1
    actions = (
        await AuditLogEntry.filter(record_id=client.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["ARCHIVE", "RESTORE"]


async def test_an_archived_record_cannot_be_changed(gql):
    client = await make_client(name="Acme")
    await gql(
        "mutation($id: ID!) { archiveClient(input: {id: $id}) { errors { message } } }",
        {"id": to_global_id("Client", client.pk)},
    )
    before = await database_state()
    data = await gql(
        UPDATE_CLIENT, {"input": {"id": to_global_id("Client", client.pk), "name": "B"}}
    )
    assert data["updateClient"]["errors"] == [
        {
            "field": None,
            "message": "this client is archived; restore it before changing it",
            "code": "INVALID_STATE",
        }
    ]
    assert await database_state() == before


CREATE_ACCOUNT = """mutation($input: CreateAccountInput!) {
  createAccount(input: $input) {
    account { name currency annualRecurringValue owner { name } client { name } }
    errors { field message code }
  }
}"""


async def test_create_account_emits_account_created(gql):
    owner = await make_user(name="Ann")
    client = await make_client(name="Acme")
    data = await gql(
        CREATE_ACCOUNT,
        {
            "input": {
                "clientId": to_global_id("Client", client.pk),
                "ownerId": to_global_id("User", owner.pk),
                "name": "Acme EMEA",
                "annualRecurringValue": "120000.50",
            }
        },
    )
    assert data["createAccount"] == {
        "account": {
            "name": "Acme EMEA",
            "currency": "USD",
            "annualRecurringValue": "120000.50",
            "owner": {"name": "Ann"},
            "client": {"name": "Acme"},
        },
        "errors": [],
    }
    event = await OutboxEvent.get(type="account.created")
    assert event.data["object"]["name"] == "Acme EMEA"
    assert event.data["object"]["ownerId"] == to_global_id("User", owner.pk)


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            {"annualRecurringValue": "-1"},
            {
                "field": ["annualRecurringValue"],
                "message": "annual recurring value must not be negative",
                "code": "INVALID",
            },
        ),
        (
            {"currency": "EURO"},
            {
                "field": ["currency"],
                "message": "currency 'EURO' is not an ISO 4217 currency code, e.g. 'USD' or 'EUR'",
                "code": "INVALID",
            },
        ),
        (
            {"ownerId": to_global_id("User", 999)},
            {"field": ["ownerId"], "message": "Owner not found", "code": "NOT_FOUND"},
        ),
        (
            {"clientId": to_global_id("Account", 1)},
            {"field": ["clientId"], "message": "Client not found", "code": "NOT_FOUND"},
        ),
    ],
)
async def test_invalid_account_is_refused_and_nothing_is_written(gql, override, expected):
    owner = await make_user()
    client = await make_client()
    before = await database_state()
    data = await gql(
        CREATE_ACCOUNT,
        {
            "input": {
                "clientId": to_global_id("Client", client.pk),
                "ownerId": to_global_id("User", owner.pk),
                "name": "A",
                **override,
            }
        },
    )
    assert data["createAccount"] == {"account": None, "errors": [expected]}
    assert await database_state() == before


async def test_wrongly_typed_input_is_a_graphql_error_and_changes_nothing(gql):
    before = await database_state()
    body = await gql(CREATE_CLIENT, {"input": {"name": 42, "tags": "x"}}, errors=True)
    assert "data" not in body or body["data"] is None
    assert body["errors"][0]["message"] == (
        "Variable '$input' has invalid value at .name: String cannot represent a non string value: 42"
    )
    assert await database_state() == before
