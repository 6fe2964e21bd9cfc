"""Search ignores case and accents, and lists sort the same way, on both databases
(services/search.py); missing values sort last in either direction.

Clients: "Banana Co", "apple Inc", "Northwind Gärten", "Äpfel GmbH", "Müller AG", created in
that order. Folded ("apfel gmbh", "apple inc", "banana co", "muller ag", "northwind garten")
they sort Äpfel (apf < app), apple, Banana, Müller, Northwind; by code point they would sort
Banana, Müller, Northwind, apple, Äpfel.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from models import Activity
from models.enums import ActivityKind
from tests.factories import make_account, make_client, make_contact, make_opportunity

NAMES = ["Banana Co", "apple Inc", "Northwind Gärten", "Äpfel GmbH", "Müller AG"]


@pytest.fixture
async def clients() -> dict:
    made = {name: await make_client(name=name) for name in NAMES}
    muller = made["Müller AG"]
    await make_contact(client_id=muller.pk, name="Jörg Weiß", phone="+49 30 1234 567")
    account = await make_account(name="Müller Berlin", client_id=muller.pk)
    await Activity.create(kind=ActivityKind.MEETING, subject="Visit", account=account,
                          body="Frau MÜLLER wants Äpfel for the canteen",
                          occurred_at=datetime(2026, 3, 1, tzinfo=UTC))  # fmt: skip
    return made


async def names(gql, query: str, key: str) -> list[str]:
    data = await gql(query)
    return [node["name"] for node in data[key]["nodes"]]


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("GÄRTEN", ["Northwind Gärten"]),
        ("garten", ["Northwind Gärten"]),
        ("äpfel", ["Äpfel GmbH"]),
        ("APFEL", ["Äpfel GmbH"]),
        ("muller", ["Müller AG"]),
        ("MÜLLER ag", ["Müller AG"]),
        ("apple", ["apple Inc"]),
    ],
)
async def test_client_search_ignores_case_and_accents(gql, clients, words, found):
    query = f'{{ clients(filter: {{search: "{words}"}}) {{ nodes {{ name }} }} }}'
    assert await names(gql, query, "clients") == found


async def test_contact_search_finds_phone_numbers_and_folded_names(gql, clients):
    for words in ("30 1234", "joerg", "jorg weiss", "WEISS"):
        query = f'{{ contacts(filter: {{search: "{words}"}}) {{ nodes {{ name }} }} }}'
        expected = [] if words == "joerg" else ["Jörg Weiß"]
        assert await names(gql, query, "contacts") == expected, words


async def test_activity_search_looks_in_the_body(gql, clients):
    data = await gql('{ activities(filter: {search: "muller apfel"}) { nodes { subject } } }')
    assert data["activities"]["nodes"] == [{"subject": "Visit"}]


async def test_names_sort_ignoring_case_and_accents_both_ways(gql, clients):
    ascending = ["Äpfel GmbH", "apple Inc", "Banana Co", "Müller AG", "Northwind Gärten"]
    query = "{ clients(orderBy: [{field: NAME, direction: %s}]) { nodes { name } } }"
    assert await names(gql, query % "ASC", "clients") == ascending
    assert await names(gql, query % "DESC", "clients") == ascending[::-1]


async def test_deals_without_an_amount_come_last_largest_or_smallest_first(gql):
    account = await make_account(name="Acme")
    for name, amount in (("none", None), ("small", "10.00"), ("big", "900.00")):
        await make_opportunity(account_id=account.pk, name=name,
                               amount=Decimal(amount) if amount else None)  # fmt: skip
    query = "{ opportunities(orderBy: [{field: AMOUNT, direction: %s}]) { nodes { name } } }"
    assert await names(gql, query % "DESC", "opportunities") == ["big", "small", "none"]
    assert await names(gql, query % "ASC", "opportunities") == ["small", "big", "none"]
    nested = """{ accounts { nodes { opportunities(orderBy: [{field: AMOUNT, direction: DESC}])
        { nodes { name } } } } }"""
    data = await gql(nested)
    assert data["accounts"]["nodes"] == [
        {"opportunities": {"nodes": [{"name": "big"}, {"name": "small"}, {"name": "none"}]}}
    ]


async def test_accounts_without_a_renewal_date_come_last_soonest_or_latest_first(gql):
    for name, renews in (("never", None), ("june", date(2026, 6, 1)), ("may", date(2026, 5, 1))):
        await make_account(name=name, renewal_date=renews)
    query = "{ accounts(orderBy: [{field: RENEWAL_DATE, direction: %s}]) { nodes { name } } }"
    assert await names(gql, query % "ASC", "accounts") == ["may", "june", "never"]
    assert await names(gql, query % "DESC", "accounts") == ["june", "may", "never"]


async def test_the_database_folds_every_letter_as_python_does():
    from tortoise import Tortoise

    from services.search import FOLDS, fold

    connection = Tortoise.get_connection("default")
    text = "".join(FOLDS) + " Plain ASCII, digits 0-9 & punctuation!"
    placeholder = "$1" if connection.capabilities.dialect == "postgres" else "?"
    _, rows = await connection.execute_query(f"SELECT accountgraph_fold({placeholder})", [text])
    assert list(dict(rows[0]).values()) == [fold(text)]
