"""Who sees and changes what (SPEC section 7), for every kind of caller.

The world: two sales teams. Ann (account manager, team A) owns account X under client Acme,
with a deal, its history, a line item, a contact, an activity and a lead of hers. Bob
(account manager, team B) owns account Y under Globex, and account Z under Acme too, so he
can see Acme but must not see X through it. Sam manages team A; Vera is team A's read-only
user; Ada is an administrator.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from ids import to_global_id
from models import (
    Account,
    Client,
    Contact,
    Lead,
    OpportunityLineItem,
    OpportunityStageChange,
    Product,
    User,
)
from models.enums import Role, TeamKind
from services import auth
from tests.factories import make_activity, make_opportunity, make_team, make_user, stage
from tests.state import database_state

CALLERS = ["anonymous", "vera", "bob", "ann", "sam", "ada"]
SEES_X = {"vera", "ann", "sam", "ada"}
# Acme's contacts belong to the client, which Bob sees through his account Z.
SEES_CONTACT = SEES_X | {"bob"}


@dataclass
class World:
    tokens: dict[str, str | None]
    ids: dict[str, str]


@pytest.fixture
async def world() -> World:
    team_a = await make_team(name="Team A", kind=TeamKind.SALES)
    team_b = await make_team(name="Team B", kind=TeamKind.SALES)
    people = {
        "ann": await make_user(name="Ann", role=Role.ACCOUNT_MANAGER, team_id=team_a.pk),
        "bob": await make_user(name="Bob", role=Role.ACCOUNT_MANAGER, team_id=team_b.pk),
        "sam": await make_user(name="Sam", role=Role.SALES_MANAGER, team_id=team_a.pk),
        "vera": await make_user(name="Vera", role=Role.VIEWER, team_id=team_a.pk),
        "ada": await make_user(name="Ada", role=Role.ADMIN),
    }
    acme = await Client.create(name="Acme", domain="acme.example")
    globex = await Client.create(name="Globex")
    x = await Account.create(name="X", client_id=acme.pk, owner_id=people["ann"].pk, currency="USD")
    await Account.create(name="Y", client_id=globex.pk, owner_id=people["bob"].pk, currency="USD")
    await Account.create(name="Z", client_id=acme.pk, owner_id=people["bob"].pk, currency="USD")
    deal = await make_opportunity(account_id=x.pk, name="X deal", amount=Decimal("5000"))
    contact = await Contact.create(client_id=acme.pk, name="Carla")
    activity = await make_activity(opportunity_id=deal.pk, subject="X call")
    lead = await Lead.create(person_name="Lee", company_name="Initech", owner_id=people["ann"].pk)
    product = await Product.create(name="Seats", sku="S", list_price=Decimal("10"), currency="USD")
    item = await OpportunityLineItem.create(
        opportunity_id=deal.pk, product_id=product.pk, quantity=1, unit_price=10
    )
    change = await OpportunityStageChange.get(opportunity_id=deal.pk)
    tokens: dict[str, str | None] = {
        name: auth.issue_access_token(user) for name, user in people.items()
    }
    tokens["anonymous"] = None
    ids = {
        "Account": to_global_id("Account", x.pk),
        "Opportunity": to_global_id("Opportunity", deal.pk),
        "OpportunityStageChange": to_global_id("OpportunityStageChange", change.pk),
        "OpportunityLineItem": to_global_id("OpportunityLineItem", item.pk),
        "Activity": to_global_id("Activity", activity.pk),
        "Lead": to_global_id("Lead", lead.pk),
        "Acme": to_global_id("Client", acme.pk),
        "Contact": to_global_id("Contact", contact.pk),
        "Stage:Proposal": to_global_id("Stage", (await stage("New business", "Proposal")).pk),
    }
    return World(tokens, ids)


def unauthenticated(body: dict) -> bool:
    return body.get("data") is None and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(
    "node",
    [
        "Account",
        "Opportunity",
        "OpportunityStageChange",
        "OpportunityLineItem",
        "Activity",
        "Contact",
        "Acme",
        "Lead",
    ],
)
async def test_node_lookup_of_account_xs_records(gql, world, caller, node):
    body = await gql(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": world.ids[node]},
        token=world.tokens[caller],
        errors=True,
    )
    sees = SEES_CONTACT if node in ("Contact", "Acme") else SEES_X
    if caller == "anonymous":
        assert unauthenticated(body)
    elif caller in sees:
        assert body == {"data": {"node": {"id": world.ids[node]}}}
    else:
        assert body == {
            "data": {"node": None},
            "errors": [
                {
                    "message": "No record with that id",
                    "locations": [{"line": 1, "column": 19}],
                    "path": ["node"],
                    "extensions": {"code": "NOT_FOUND"},
                }
            ],
        }


@pytest.mark.parametrize("caller", CALLERS)
async def test_a_forbidden_lookup_looks_like_a_missing_one(gql, world, caller):
    if caller == "anonymous":
        return
    missing = await gql(
        "query($id: ID!) { account(id: $id) { id } }",
        {"id": to_global_id("Account", 99999)},
        token=world.tokens[caller],
        errors=True,
    )
    hidden = await gql(
        "query($id: ID!) { account(id: $id) { id } }",
        {"id": world.ids["Account"]},
        token=world.tokens[caller],
        errors=True,
    )
    if caller not in SEES_X:
        assert hidden["errors"][0]["message"] == missing["errors"][0]["message"]
        assert hidden["errors"][0]["extensions"] == missing["errors"][0]["extensions"]


LISTS = {
    # field: (totalCount seen by account X's viewers, by Bob)
    "accounts": ({"vera": 1, "ann": 1, "sam": 1, "ada": 3}, 2),
    "opportunities": ({"vera": 1, "ann": 1, "sam": 1, "ada": 1}, 0),
    "activities": ({"vera": 1, "ann": 1, "sam": 1, "ada": 1}, 0),
    "leads": ({"vera": 1, "ann": 1, "sam": 1, "ada": 1}, 0),
    "clients": ({"vera": 1, "ann": 1, "sam": 1, "ada": 2}, 2),
    "contacts": ({"vera": 1, "ann": 1, "sam": 1, "ada": 1}, 1),  # Bob sees Acme via Z
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("field", sorted(LISTS))
async def test_lists_and_their_totals_hold_only_what_the_caller_may_see(gql, world, caller, field):
    body = await gql(
        f"{{ {field} {{ totalCount edges {{ node {{ id }} }} }} }}",
        token=world.tokens[caller],
        errors=True,
    )
    if caller == "anonymous":
        assert unauthenticated(body)
        return
    seen, bobs = LISTS[field]
    expected = seen[caller] if caller in SEES_X else bobs
    connection = body["data"][field]
    assert (connection["totalCount"], len(connection["edges"])) == (expected, expected)


@pytest.mark.parametrize("caller", ["bob", "ann", "ada"])
async def test_nested_lists_do_not_leak_through_a_shared_client(gql, world, caller):
    data = await gql(
        "query($id: ID!) { client(id: $id) { accounts { totalCount edges { node { name } } } } }",
        {"id": world.ids["Acme"]},
        token=world.tokens[caller],
    )
    names = sorted(e["node"]["name"] for e in data["client"]["accounts"]["edges"])
    assert names == {"bob": ["Z"], "ann": ["X"], "ada": ["X", "Z"]}[caller]
    assert data["client"]["accounts"]["totalCount"] == len(names)


MUTATIONS = {
    "updateOpportunity": (
        'mutation($id: ID!) { updateOpportunity(input: {id: $id, name: "Renamed"}) { errors { code } } }',
        "Opportunity",
    ),
    "moveOpportunityStage": (
        "mutation($id: ID!, $s: ID!) { moveOpportunityStage(input: {opportunityId: $id, stageId: $s}) { errors { code } } }",
        "Opportunity",
    ),
    "logActivity": (
        'mutation($id: ID!) { logActivity(input: {kind: NOTE, subject: "n", opportunityId: $id}) { errors { code } } }',
        "Opportunity",
    ),
    "archiveAccount": (
        "mutation($id: ID!) { archiveAccount(input: {id: $id}) { errors { code } } }",
        "Account",
    ),
    "createOpportunity": (
        'mutation($id: ID!) { createOpportunity(input: {accountId: $id, name: "New"}) { errors { code } } }',
        "Account",
    ),
    "updateContact": (
        'mutation($id: ID!) { updateContact(input: {id: $id, title: "CTO"}) { errors { code } } }',
        "Contact",
    ),
    "convertLead": (
        "mutation($id: ID!) { convertLead(input: {leadId: $id}) { errors { code } } }",
        "Lead",
    ),
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
async def test_writes_on_account_xs_records(gql, world, caller, mutation):
    document, target = MUTATIONS[mutation]
    variables = {"id": world.ids[target], "s": world.ids["Stage:Proposal"]}
    before = await database_state()
    body = await gql(document, variables, token=world.tokens[caller], errors=True)
    if caller == "anonymous":
        assert unauthenticated(body)
    elif caller == "vera":
        assert body == {"data": {mutation: {"errors": [{"code": "FORBIDDEN"}]}}}
    elif caller == "bob" and target != "Contact":
        assert body["data"][mutation]["errors"][0]["code"] == "NOT_FOUND"
    else:
        assert body == {"data": {mutation: {"errors": []}}}
        return
    assert await database_state() == before


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(
    ("mutation", "model", "document"),
    [
        (
            "createProduct",
            "Product",
            'mutation { createProduct(input: {name: "P", sku: "P-1", listPrice: "1"}) { errors { field message code } } }',
        ),
        (
            "createCompetitor",
            "Competitor",
            'mutation { createCompetitor(input: {name: "Rival"}) { errors { field message code } } }',
        ),
        (
            "createUser",
            "User",
            'mutation { createUser(input: {email: "n@example.com", name: "N"}) { errors { field message code } } }',
        ),
        (
            "createTeam",
            "Team",
            'mutation { createTeam(input: {name: "T"}) { errors { field message code } } }',
        ),
    ],
)
async def test_administration_is_for_administrators(gql, world, caller, mutation, model, document):
    before = await database_state()
    body = await gql(document, token=world.tokens[caller], errors=True)
    if caller == "ada":
        assert body == {"data": {mutation: {"errors": []}}}
        return
    if caller == "anonymous":
        assert unauthenticated(body)
    else:
        refusal = {"field": None, "message": f"you may not change {model} records"}
        assert body == {"data": {mutation: {"errors": [{**refusal, "code": "FORBIDDEN"}]}}}
    assert await database_state() == before


async def test_a_read_only_api_key_cannot_write(gql, world):
    ann = await User.get(name="Ann")
    _, key = await auth.create_api_key(
        user_id=ann.pk, name="r", scopes=frozenset({auth.Scope.READ})
    )
    before = await database_state()
    body = await gql(
        'mutation($id: ID!) { updateOpportunity(input: {id: $id, name: "Renamed"}) '
        "{ opportunity { name } errors { field message code } } }",
        {"id": world.ids["Opportunity"]},
        token=key,
        errors=True,
    )
    message = "This API key may not change anything: use a key with the write scope."
    refusal = {"field": None, "message": message, "code": "FORBIDDEN"}
    assert body == {"data": {"updateOpportunity": {"opportunity": None, "errors": [refusal]}}}
    after = await database_state()
    # Only the key's last-used time moved.
    assert {k: v for k, v in after.items() if k != "api_key"} == {
        k: v for k, v in before.items() if k != "api_key"
    }
    seen = await gql(
        "query($id: ID!) { opportunity(id: $id) { name } }",
        {"id": world.ids["Opportunity"]},
        token=key,
    )
    assert seen == {"opportunity": {"name": "X deal"}}


@pytest.mark.parametrize("caller", ["bob", "ann", "sam", "ada"])
async def test_the_audit_log_shows_changes_to_records_the_caller_sees(gql, world, caller):
    await gql(
        MUTATIONS["updateOpportunity"][0],
        {"id": world.ids["Opportunity"]},
        token=world.tokens["ann"],
    )
    data = await gql(
        "{ auditLog { totalCount edges { node { action recordType actor { name } } } } }",
        token=world.tokens[caller],
    )
    entries = [e["node"] for e in data["auditLog"]["edges"]]
    if caller == "bob":
        assert entries == []
    else:
        assert {
            "action": "UPDATE",
            "recordType": "Opportunity",
            "actor": {"name": "Ann"},
        } in entries


@pytest.mark.parametrize("caller", CALLERS)
async def test_resetting_a_password_is_for_administrators(gql, world, caller):
    ann = await User.get(name="Ann")
    before = await database_state()
    body = await gql(
        "mutation($id: ID!) { resetUserPassword(input: {userId: $id, "
        'newPassword: "a long new password"}) { endedSessions errors { code } } }',
        {"id": to_global_id("User", ann.pk)},
        token=world.tokens[caller],
        errors=True,
    )
    if caller == "ada":
        assert body == {"data": {"resetUserPassword": {"endedSessions": 0, "errors": []}}}
        assert await auth.verify_password(
            (await User.get(pk=ann.pk)).password_hash, "a long new password"
        )
        return
    if caller == "anonymous":
        assert unauthenticated(body)
    else:
        assert body == {
            "data": {
                "resetUserPassword": {"endedSessions": None, "errors": [{"code": "FORBIDDEN"}]}
            }
        }
    assert await database_state() == before


@pytest.mark.parametrize("caller", CALLERS)
async def test_every_signed_in_user_may_change_their_own_password(gql, world, caller):
    if caller != "anonymous":
        user = await User.get(name=caller.capitalize())
        user.password_hash = auth.hash_password("the old password")
        await user.save()
    body = await gql(
        'mutation { changePassword(input: {currentPassword: "the old password", '
        'newPassword: "the new password"}) { user { name } errors { code } } }',
        token=world.tokens[caller],
        errors=True,
    )
    if caller == "anonymous":
        assert unauthenticated(body)
        return
    assert body == {
        "data": {"changePassword": {"user": {"name": caller.capitalize()}, "errors": []}}
    }
    assert await auth.verify_password(
        (await User.get(name=caller.capitalize())).password_hash, "the new password"
    )
