"""Who may own what, who sees a prospect, and who reads the audit log (services/visibility.py).

The world: two sales teams and two internal teams. Team A: Sam (sales manager), Ann and Amy
(account managers), Vera (read-only). Team B: Max (sales manager), Bob and Ben (account
managers). Tess works in delivery. Ada administers. Acme (acme.example) is team A's client
with Ann's account X, a contact, a deal and a note; Globex (globex.example) is team B's with
Bob's account Y. Ann and Bob each have a lead.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from ids import to_global_id
from models import Account, AuditLogEntry, Client, Team, User
from models.enums import Role, TeamKind
from services import auth, records
from services.accounts import ACCOUNT
from services.clients import CONTACT
from services.people import TEAM
from tests.factories import (
    make_activity,
    make_contact,
    make_lead,
    make_opportunity,
    make_plan,
    make_team,
    make_user,
)
from tests.state import database_state
from webhooks import endpoints

CALLERS = ["ada", "sam", "ann", "bob", "tess", "vera"]
# Whose records each caller works on: their own team's (team A's for the others).
SIDE = {"ada": "a", "sam": "a", "ann": "a", "bob": "b", "tess": "a", "vera": "a"}
TEAMMATE = {"ada": "ann", "sam": "ann", "ann": "amy", "bob": "ben", "tess": "ann", "vera": "ann"}
OTHER_TEAM = {"ada": "bob", "sam": "bob", "ann": "bob", "bob": "ann", "tess": "bob", "vera": "bob"}


@dataclass
class World:
    users: dict[str, User]
    teams: dict[str, Team]
    ids: dict[str, str]
    pks: dict[str, int]

    def token(self, who: str) -> str:
        return auth.issue_access_token(self.users[who])

    def gid(self, who: str) -> str:
        return to_global_id("User", self.users[who].pk)


@pytest.fixture
async def world() -> World:
    teams = {
        "a": await make_team(name="Team A", kind=TeamKind.SALES),
        "b": await make_team(name="Team B", kind=TeamKind.SALES),
        "delivery": await make_team(name="Delivery", kind=TeamKind.DELIVERY),
        "legal": await make_team(name="Legal", kind=TeamKind.LEGAL),
    }
    roles = {
        "ada": (Role.ADMIN, None),
        "sam": (Role.SALES_MANAGER, "a"),
        "ann": (Role.ACCOUNT_MANAGER, "a"),
        "amy": (Role.ACCOUNT_MANAGER, "a"),
        "vera": (Role.VIEWER, "a"),
        "max": (Role.SALES_MANAGER, "b"),
        "bob": (Role.ACCOUNT_MANAGER, "b"),
        "ben": (Role.ACCOUNT_MANAGER, "b"),
        "tess": (Role.TEAM_MEMBER, "delivery"),
    }
    users = {
        name: await make_user(
            name=name.capitalize(), role=role, team_id=teams[team].pk if team else None
        )
        for name, (role, team) in roles.items()
    }
    pks: dict[str, int] = {}
    for side, owner, client_name in (("a", "ann", "Acme"), ("b", "bob", "Globex")):
        client = await Client.create(
            name=client_name, domain=f"{client_name.lower()}.example", team_id=teams[side].pk
        )
        account = await Account.create(
            name=f"{client_name} account",
            client_id=client.pk,
            owner_id=users[owner].pk,
            currency="USD",
        )
        deal = await make_opportunity(
            account_id=account.pk, name=f"{client_name} deal", amount=Decimal("250000")
        )
        contact = await make_contact(client_id=client.pk, name=f"{client_name} contact")
        activity = await make_activity(
            account_id=account.pk, subject=f"{client_name} call", owner_id=users[owner].pk
        )
        lead = await make_lead(person_name=f"{client_name} lead", owner_id=users[owner].pk)
        plan = await make_plan(account_id=account.pk, owner_id=users[owner].pk)
        pks.update(
            {
                f"client:{side}": client.pk,
                f"account:{side}": account.pk,
                f"deal:{side}": deal.pk,
                f"contact:{side}": contact.pk,
                f"activity:{side}": activity.pk,
                f"lead:{side}": lead.pk,
                f"plan:{side}": plan.pk,
            }
        )
    types = {
        "client": "Client",
        "account": "Account",
        "deal": "Opportunity",
        "contact": "Contact",
        "activity": "Activity",
        "lead": "Lead",
        "plan": "AccountPlan",
    }
    ids = {key: to_global_id(types[key.split(":")[0]], pk) for key, pk in pks.items()}
    return World(users, teams, ids, pks)


# ---------------------------------------------------------------------------------------------
# One assignment rule for every owner-like field


ERRORS = "errors { field message code }"
OWNER_FIELDS: dict[str, tuple[str, str | None, str]] = {
    # mutation: (document, the record it works on, the payload field with the owner)
    "createLead": (
        'mutation($owner: ID) { createLead(input: {personName: "P", companyName: "C", '
        f"ownerId: $owner}}) {{ lead {{ owner {{ id }} }} {ERRORS} }} }}",
        None,
        "lead",
    ),
    "updateLead": (
        "mutation($record: ID!, $owner: ID) { updateLead(input: {id: $record, ownerId: $owner}) "
        f"{{ lead {{ owner {{ id }} }} {ERRORS} }} }}",
        "lead",
        "lead",
    ),
    "createAccount": (
        "mutation($record: ID!, $owner: ID) { createAccount(input: {clientId: $record, "
        f'name: "New", ownerId: $owner}}) {{ account {{ owner {{ id }} }} {ERRORS} }} }}',
        "client",
        "account",
    ),
    "updateAccount": (
        "mutation($record: ID!, $owner: ID) { updateAccount(input: {id: $record, "
        f"ownerId: $owner}}) {{ account {{ owner {{ id }} }} {ERRORS} }} }}",
        "account",
        "account",
    ),
    "createOpportunity": (
        "mutation($record: ID!, $owner: ID) { createOpportunity(input: {accountId: $record, "
        f'name: "Big deal", amount: "250000", ownerId: $owner}}) '
        f"{{ opportunity {{ owner {{ id }} }} {ERRORS} }} }}",
        "account",
        "opportunity",
    ),
    "updateOpportunity": (
        "mutation($record: ID!, $owner: ID) { updateOpportunity(input: {id: $record, "
        f"ownerId: $owner}}) {{ opportunity {{ owner {{ id }} }} {ERRORS} }} }}",
        "deal",
        "opportunity",
    ),
    "logActivity": (
        'mutation($record: ID!, $owner: ID) { logActivity(input: {kind: NOTE, subject: "n", '
        f"accountId: $record, ownerId: $owner}}) {{ activity {{ owner {{ id }} }} {ERRORS} }} }}",
        "account",
        "activity",
    ),
    "updateActivity": (
        "mutation($record: ID!, $owner: ID) { updateActivity(input: {id: $record, "
        f"ownerId: $owner}}) {{ activity {{ owner {{ id }} }} {ERRORS} }} }}",
        "activity",
        "activity",
    ),
    "createAccountPlan": (
        "mutation($record: ID!, $owner: ID) { createAccountPlan(input: {accountId: $record, "
        'name: "FY", periodStart: "2030-01-01", periodEnd: "2030-12-31", ownerId: $owner}) '
        f"{{ accountPlan {{ owner {{ id }} }} {ERRORS} }} }}",
        "account",
        "accountPlan",
    ),
    "updateAccountPlan": (
        "mutation($record: ID!, $owner: ID) { updateAccountPlan(input: {id: $record, "
        f"ownerId: $owner}}) {{ accountPlan {{ owner {{ id }} }} {ERRORS} }} }}",
        "plan",
        "accountPlan",
    ),
    "convertLead": (
        "mutation($record: ID!, $owner: ID) { convertLead(input: {leadId: $record, "
        f"ownerId: $owner}}) {{ account {{ owner {{ id }} }} {ERRORS} }} }}",
        "lead",
        "account",
    ),
}


def may_assign(caller: str, target: str) -> bool:
    if caller == "ada":
        return True
    if caller == "sam":
        return target in ("self", "teammate")
    return target == "self"


def refusal(world: World, caller: str, owner: str) -> str:
    if caller == "sam":
        return (
            f"{world.users[owner].name} is not on your team; give it to yourself or to a member "
            "of your team"
        )
    return "you may give it only to yourself; leave the owner out to own it yourself"


@pytest.mark.parametrize("target", ["self", "teammate", "other team"])
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("mutation", sorted(OWNER_FIELDS))
async def test_owners_are_yourself_your_team_as_a_manager_anyone_as_an_administrator(
    gql, world, mutation, caller, target
):
    document, record, payload = OWNER_FIELDS[mutation]
    owner = {"self": caller, "teammate": TEAMMATE[caller], "other team": OTHER_TEAM[caller]}[target]
    variables: dict[str, Any] = {"owner": world.gid(owner)}
    if record is not None:
        variables["record"] = world.ids[f"{record}:{SIDE[caller]}"]
    before = await database_state()
    body = await gql(document, variables, token=world.token(caller), errors=True)
    if caller in ("tess", "vera"):
        # Their role writes none of these records: refused before the owner is looked at.
        model = "Lead" if mutation == "convertLead" else payload[0].upper() + payload[1:]
        message = f"you may not change {model} records"
        refusal_ = {"field": None, "message": message, "code": "FORBIDDEN"}
        assert body == {"data": {mutation: {payload: None, "errors": [refusal_]}}}
    elif may_assign(caller, target):
        assert body == {
            "data": {mutation: {payload: {"owner": {"id": world.gid(owner)}}, "errors": []}}
        }
        return
    else:
        assert body == {
            "data": {
                mutation: {
                    payload: None,
                    "errors": [
                        {
                            "field": ["ownerId"],
                            "message": refusal(world, caller, owner),
                            "code": "FORBIDDEN",
                        }
                    ],
                }
            }
        }
    assert await database_state() == before


async def test_nobody_gives_a_record_to_an_inactive_user(gql, world):
    gone = await make_user(name="Gone", role=Role.ACCOUNT_MANAGER, is_active=False)
    before = await database_state()
    body = await gql(
        OWNER_FIELDS["createLead"][0],
        {"owner": to_global_id("User", gone.pk)},
        token=world.token("ada"),
    )
    assert body == {
        "createLead": {
            "lead": None,
            "errors": [
                {
                    "field": ["ownerId"],
                    "message": "Gone is not an active user; choose an active one",
                    "code": "FORBIDDEN",
                }
            ],
        }
    }
    assert await database_state() == before


async def test_keeping_someone_elses_ownership_is_no_new_assignment(gql, world):
    """Ann renames a deal her teammate Amy owns on Ann's account; the owner stays Amy."""
    deal = world.ids["deal:a"]
    await gql(
        "mutation($id: ID!, $owner: ID) { updateOpportunity(input: {id: $id, ownerId: $owner}) "
        "{ errors { code } } }",
        {"id": deal, "owner": world.gid("amy")},
    )
    data = await gql(
        "mutation($id: ID!, $owner: ID) { updateOpportunity(input: {id: $id, ownerId: $owner, "
        'name: "Renamed"}) { opportunity { name owner { name } } errors { code } } }',
        {"id": deal, "owner": world.gid("amy")},
        token=world.token("ann"),
    )
    assert data == {
        "updateOpportunity": {
            "opportunity": {"name": "Renamed", "owner": {"name": "Amy"}},
            "errors": [],
        }
    }


# ---------------------------------------------------------------------------------------------
# A record created without an owner belongs to its creator


@pytest.mark.parametrize("owner", ["omitted", "null"])
@pytest.mark.parametrize("caller", ["ann", "bob", "sam"])
async def test_a_lead_created_without_an_owner_is_the_creators_and_stays_in_sight(
    gql, world, caller, owner
):
    given = ", ownerId: null" if owner == "null" else ""
    created = await gql(
        f'mutation {{ createLead(input: {{personName: "Pat", companyName: "Initech"{given}}}) '
        "{ lead { id owner { name } } errors { code } } }",
        token=world.token(caller),
    )
    lead = created["createLead"]["lead"]
    assert created == {
        "createLead": {
            "lead": {"id": lead["id"], "owner": {"name": caller.capitalize()}},
            "errors": [],
        }
    }
    seen = await gql(
        "query($id: ID!) { lead(id: $id) { personName } "
        'leads(filter: {search: "Pat"}) { totalCount } }',
        {"id": lead["id"]},
        token=world.token(caller),
    )
    assert seen == {"lead": {"personName": "Pat"}, "leads": {"totalCount": 1}}


@pytest.mark.parametrize("owner", ["omitted", "null"])
async def test_an_account_opened_without_an_owner_is_the_openers(gql, world, owner):
    given = ", ownerId: null" if owner == "null" else ""
    data = await gql(
        "mutation($client: ID!) { createAccount(input: "
        f'{{clientId: $client, name: "Acme EMEA"{given}}}) '
        "{ account { name owner { name } } errors { code } } }",
        {"client": world.ids["client:a"]},
        token=world.token("ann"),
    )
    assert data == {
        "createAccount": {"account": {"name": "Acme EMEA", "owner": {"name": "Ann"}}, "errors": []}
    }


# ---------------------------------------------------------------------------------------------
# convertLead matches only clients the caller sees


CONVERT = (
    "mutation($lead: ID!) { convertLead(input: {leadId: $lead}) "
    "{ client { id name } account { owner { name } } errors { field message code } } }"
)


@pytest.mark.parametrize("archived", [False, True])
async def test_converting_a_lead_never_joins_or_names_another_teams_client(gql, world, archived):
    if archived:
        await Client.filter(pk=world.pks["client:a"]).update(archived_at=datetime.now(UTC))
    lead = await make_lead(
        person_name="Carl",
        company_name="Acme",
        company_domain="acme.example",
        owner_id=world.users["bob"].pk,
    )
    before = await database_state()
    data = await gql(CONVERT, {"lead": to_global_id("Lead", lead.pk)}, token=world.token("bob"))
    assert data == {
        "convertLead": {
            "client": None,
            "account": None,
            "errors": [
                {
                    "field": ["clientId"],
                    "message": "another client already has domain 'acme.example'; name the "
                    "client to convert into with clientId, or ask an administrator",
                    "code": "DUPLICATE",
                }
            ],
        }
    }
    assert await database_state() == before


async def test_converting_a_lead_joins_the_callers_own_client_by_domain(gql, world):
    lead = await make_lead(
        person_name="Cleo",
        company_name="Acme",
        company_domain="acme.example",
        owner_id=world.users["ann"].pk,
    )
    data = await gql(CONVERT, {"lead": to_global_id("Lead", lead.pk)}, token=world.token("ann"))
    assert data == {
        "convertLead": {
            "client": {"id": world.ids["client:a"], "name": "Acme"},
            "account": {"owner": {"name": "Ann"}},
            "errors": [],
        }
    }


async def test_converting_into_a_named_client_the_caller_cannot_see_is_not_found(gql, world):
    before = await database_state()
    data = await gql(
        "mutation($lead: ID!, $client: ID!) { convertLead(input: {leadId: $lead, "
        "clientId: $client}) { client { id } errors { field message code } } }",
        {"lead": world.ids["lead:b"], "client": world.ids["client:a"]},
        token=world.token("bob"),
    )
    assert data == {
        "convertLead": {
            "client": None,
            "errors": [{"field": ["clientId"], "message": "Client not found", "code": "NOT_FOUND"}],
        }
    }
    assert await database_state() == before


@pytest.mark.parametrize("caller", ["ann", "bob"])
async def test_a_taken_domain_is_refused_alike_whoever_holds_it(gql, world, caller):
    """A domain is unique, so its holder's existence is all a refusal tells: never its name."""
    before = await database_state()
    data = await gql(
        'mutation { createClient(input: {name: "Acme again", domain: "acme.example"}) '
        "{ client { id } errors { field message code } } }",
        token=world.token(caller),
    )
    assert data == {
        "createClient": {
            "client": None,
            "errors": [
                {
                    "field": ["domain"],
                    "message": "another client already has domain 'acme.example'",
                    "code": "DUPLICATE",
                }
            ],
        }
    }
    assert await database_state() == before


async def test_another_teams_contacts_stay_out_of_reach(gql, world):
    before = await database_state()
    data = await gql(
        'mutation($id: ID!) { updateContact(input: {id: $id, title: "CTO"}) '
        "{ contact { id } errors { field message code } } }",
        {"id": world.ids["contact:a"]},
        token=world.token("bob"),
    )
    assert data == {
        "updateContact": {
            "contact": None,
            "errors": [{"field": ["id"], "message": "Contact not found", "code": "NOT_FOUND"}],
        }
    }
    assert await database_state() == before


# ---------------------------------------------------------------------------------------------
# A prospect belongs to the team that created it


SEES_TEAM_A_PROSPECT = {"ada", "sam", "ann", "vera"}


@pytest.fixture
async def prospect(gql, world) -> dict[str, str]:
    """Initech, created by Ann, with a contact and a note: no account yet."""
    client = await gql(
        'mutation { createClient(input: {name: "Initech", domain: "initech.example"}) '
        "{ client { id } errors { code } } }",
        token=world.token("ann"),
    )
    client_id = client["createClient"]["client"]["id"]
    contact = await gql(
        'mutation($c: ID!) { createContact(input: {clientId: $c, name: "Ivy"}) '
        "{ contact { id } } }",
        {"c": client_id},
        token=world.token("ann"),
    )
    note = await gql(
        'mutation($c: ID!) { logActivity(input: {kind: NOTE, subject: "Initech intro", '
        "clientId: $c}) { activity { id } } }",
        {"c": client_id},
        token=world.token("ann"),
    )
    return {
        "client": client_id,
        "contact": contact["createContact"]["contact"]["id"],
        "note": note["logActivity"]["activity"]["id"],
    }


async def test_a_new_client_belongs_to_its_creators_team(gql, world, prospect):
    data = await gql(
        "query($c: ID!) { client(id: $c) { name team { name } } }",
        {"c": prospect["client"]},
        token=world.token("sam"),
    )
    assert data == {"client": {"name": "Initech", "team": {"name": "Team A"}}}


@pytest.mark.parametrize("caller", CALLERS)
async def test_a_prospect_and_its_contacts_and_notes_are_seen_by_its_team_only(
    gql, world, prospect, caller
):
    data = await gql(
        "query($c: ID!, $p: ID!, $n: ID!) { client(id: $c) { name } contact: node(id: $p) "
        '{ id } note: node(id: $n) { id } clients(filter: {search: "Initech"}) { totalCount } '
        'contacts(filter: {search: "Ivy"}) { totalCount } }',
        {"c": prospect["client"], "p": prospect["contact"], "n": prospect["note"]},
        token=world.token(caller),
        errors=True,
    )
    if caller in SEES_TEAM_A_PROSPECT:
        assert data == {
            "data": {
                "client": {"name": "Initech"},
                "contact": {"id": prospect["contact"]},
                "note": {"id": prospect["note"]},
                "clients": {"totalCount": 1},
                "contacts": {"totalCount": 1},
            }
        }
    else:
        # Each unseen record is null where it was asked for; the rest of the page stands.
        assert data["data"] == {
            "client": None,
            "contact": None,
            "note": None,
            "clients": {"totalCount": 0},
            "contacts": {"totalCount": 0},
        }
        assert sorted(
            (e["path"], e["message"], e["extensions"]["code"]) for e in data["errors"]
        ) == [
            (["client"], "No client with that id", "NOT_FOUND"),
            (["contact"], "No record with that id", "NOT_FOUND"),
            (["note"], "No record with that id", "NOT_FOUND"),
        ]
        lists = await gql(
            'query { clients(filter: {search: "Initech"}) { totalCount } '
            'contacts(filter: {search: "Ivy"}) { totalCount } '
            "activities { edges { node { subject } } } }",
            token=world.token(caller),
        )
        assert lists["clients"] == {"totalCount": 0}
        assert lists["contacts"] == {"totalCount": 0}
        assert "Initech intro" not in [e["node"]["subject"] for e in lists["activities"]["edges"]]


PROSPECT_WRITES = {
    "updateClient": (
        'mutation($c: ID!) { updateClient(input: {id: $c, name: "Mine"}) '
        "{ errors { field message code } } }",
        ["id"],
        "Client not found",
    ),
    "createContact": (
        'mutation($c: ID!) { createContact(input: {clientId: $c, name: "Spy"}) '
        "{ errors { field message code } } }",
        ["clientId"],
        "Client not found",
    ),
    "logActivity": (
        'mutation($c: ID!) { logActivity(input: {kind: NOTE, subject: "s", clientId: $c}) '
        "{ errors { field message code } } }",
        ["clientId"],
        "Client not found",
    ),
    "createAccount": (
        'mutation($c: ID!) { createAccount(input: {clientId: $c, name: "Claimed"}) '
        "{ errors { field message code } } }",
        ["clientId"],
        "Client not found",
    ),
    "updateContact": (
        'mutation($p: ID!) { updateContact(input: {id: $p, title: "CTO"}) '
        "{ errors { field message code } } }",
        ["id"],
        "Contact not found",
    ),
}


@pytest.mark.parametrize("caller", ["bob", "max"])
@pytest.mark.parametrize("mutation", sorted(PROSPECT_WRITES))
async def test_another_team_neither_writes_nor_claims_a_prospect(
    gql, world, prospect, caller, mutation
):
    document, field, message = PROSPECT_WRITES[mutation]
    before = await database_state()
    data = await gql(
        document,
        {"c": prospect["client"]} if "$c" in document else {"p": prospect["contact"]},
        token=world.token(caller),
    )
    assert data == {
        mutation: {"errors": [{"field": field, "message": message, "code": "NOT_FOUND"}]}
    }
    assert await database_state() == before


@pytest.mark.parametrize(("caller", "owner"), [("ann", "ann"), ("sam", "amy"), ("ada", "bob")])
async def test_the_team_or_an_administrator_opens_the_first_account_under_a_prospect(
    gql, world, prospect, caller, owner
):
    data = await gql(
        'mutation($c: ID!, $o: ID) { createAccount(input: {clientId: $c, name: "Initech", '
        "ownerId: $o}) { account { owner { name } client { name } } errors { code } } }",
        {"c": prospect["client"], "o": world.gid(owner)},
        token=world.token(caller),
    )
    assert data == {
        "createAccount": {
            "account": {"owner": {"name": owner.capitalize()}, "client": {"name": "Initech"}},
            "errors": [],
        }
    }
    # Now a client like any other: seen through its accounts.
    seen = await gql(
        'query { clients(filter: {search: "Initech"}) { totalCount } }', token=world.token("bob")
    )
    assert seen == {"clients": {"totalCount": 1 if owner == "bob" else 0}}


# ---------------------------------------------------------------------------------------------
# The audit log follows the record each entry describes


AUDIT = "{ auditLog { edges { node { action recordType recordId actor { name } } } } }"


@pytest.fixture
async def audit_trail(world) -> dict[str, tuple[str, str]]:
    """One change to each kind of record, by whoever may make it."""
    await AuditLogEntry.all().delete()
    users = world.users
    await records.update_record(
        ACCOUNT, record_id=world.pks["account:a"], actor_id=users["ann"].pk, changes={"tier": "KEY"}
    )
    await records.update_record(
        ACCOUNT, record_id=world.pks["account:b"], actor_id=users["bob"].pk, changes={"tier": "KEY"}
    )
    await records.update_record(
        CONTACT,
        record_id=world.pks["contact:b"],
        actor_id=users["bob"].pk,
        changes={"title": "CFO"},
    )
    hook = await endpoints.create_endpoint(
        owner=users["sam"],
        url="https://hooks.example/x?token=s3cret",
        event_types=["opportunity.won"],
    )
    team = await records.create_record(TEAM, actor_id=users["ada"].pk, values={"name": "New"})
    return {
        "account:a": ("Account", world.ids["account:a"]),
        "account:b": ("Account", world.ids["account:b"]),
        "contact:b": ("Contact", world.ids["contact:b"]),
        "hook": ("WebhookEndpoint", to_global_id("WebhookEndpoint", hook.endpoint.pk)),
        "team": ("Team", to_global_id("Team", team.pk)),
    }


AUDIT_SEEN = {
    "ada": {"account:a", "account:b", "contact:b", "hook", "team"},
    "sam": {"account:a"},
    "ann": {"account:a"},
    "vera": {"account:a"},
    "bob": {"account:b", "contact:b"},
    "tess": set(),
}


@pytest.mark.parametrize("caller", CALLERS)
async def test_an_audit_entry_is_seen_by_whoever_sees_its_record(gql, world, audit_trail, caller):
    data = await gql(AUDIT, token=world.token(caller))
    seen = {(e["node"]["recordType"], e["node"]["recordId"]) for e in data["auditLog"]["edges"]}
    assert seen == {audit_trail[key] for key in AUDIT_SEEN[caller]}


async def test_a_record_once_out_of_sight_takes_its_history_along(gql, world, audit_trail):
    await Account.filter(pk=world.pks["account:a"]).update(owner_id=world.users["bob"].pk)
    data = await gql(AUDIT, token=world.token("sam"))
    assert data == {"auditLog": {"edges": []}}
