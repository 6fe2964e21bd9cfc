"""Account plans over GraphQL: plans, objectives, actions, linked deals, lists and lookups."""

from datetime import date

from ids import to_global_id
from models import AccountPlan, PlanAction, PlanObjective
from tests.factories import make_account, make_opportunity, make_plan, make_user
from tests.state import database_state

PLAN_FIELDS = """accountPlan { name periodStart periodEnd status revenueTarget currency summary
  owner { name } account { name } }
errors { field message code }"""
CREATE = f"""mutation($input: CreateAccountPlanInput!) {{
  createAccountPlan(input: $input) {{ {PLAN_FIELDS} }} }}"""
UPDATE = f"""mutation($input: UpdateAccountPlanInput!) {{
  updateAccountPlan(input: $input) {{ {PLAN_FIELDS} }} }}"""


def gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


async def test_create_a_plan_with_the_accounts_owner_and_currency(gql):
    ann = await make_user(name="Ann")
    account = await make_account(name="Acme EMEA", owner_id=ann.pk, currency="EUR")

    data = await gql(
        CREATE,
        {
            "input": {
                "accountId": gid("Account", account.pk),
                "name": "FY30 growth",
                "periodStart": "2030-01-01",
                "periodEnd": "2030-12-31",
                "revenueTarget": "250000",
                "summary": "Land analytics, expand seats",
            }
        },
    )

    assert data["createAccountPlan"] == {
        "accountPlan": {
            "name": "FY30 growth",
            "periodStart": "2030-01-01",
            "periodEnd": "2030-12-31",
            "status": "DRAFT",
            "revenueTarget": "250000.00",
            "currency": "EUR",
            "summary": "Land analytics, expand seats",
            "owner": {"name": "Ann"},
            "account": {"name": "Acme EMEA"},
        },
        "errors": [],
    }


async def test_a_plan_whose_period_ends_before_it_starts_is_refused(gql):
    account = await make_account()
    before = await database_state()
    data = await gql(
        CREATE,
        {
            "input": {
                "accountId": gid("Account", account.pk),
                "name": "P",
                "periodStart": "2030-06-30",
                "periodEnd": "2030-01-01",
            }
        },
    )
    assert data["createAccountPlan"] == {
        "accountPlan": None,
        "errors": [
            {
                "field": ["periodEnd"],
                "message": "the period must end after it starts: 2030-01-01 is not after "
                "2030-06-30",
                "code": "INVALID",
            }
        ],
    }
    assert await database_state() == before


async def test_update_clears_explicit_nulls_and_keeps_omitted_fields(gql):
    plan = await make_plan(summary="Old summary", revenue_target=100)

    data = await gql(
        UPDATE,
        {"input": {"id": gid("AccountPlan", plan.pk), "summary": None, "status": "ACTIVE"}},
    )

    result = data["updateAccountPlan"]
    assert result["errors"] == []
    assert (result["accountPlan"]["summary"], result["accountPlan"]["status"]) == (None, "ACTIVE")
    assert result["accountPlan"]["revenueTarget"] == "100.00"
    data = await gql(UPDATE, {"input": {"id": gid("AccountPlan", plan.pk), "name": None}})
    assert data["updateAccountPlan"]["errors"] == [
        {"field": ["name"], "message": "name is required", "code": "INVALID"}
    ]


async def test_archived_plans_leave_the_lists_until_restored(gql):
    plan = await make_plan(name="Old plan")
    account_id = gid("Account", plan.account_id)
    query = """query($a: [ID!]) { accountPlans(filter: {accountIds: $a}) { totalCount }
      archived: accountPlans(filter: {accountIds: $a, archived: ARCHIVED}) { nodes { name } } }"""

    data = await gql(
        "mutation($id: ID!) { archiveAccountPlan(input: {id: $id}) { accountPlan { archivedAt } errors { code } } }",
        {"id": gid("AccountPlan", plan.pk)},
    )
    assert data["archiveAccountPlan"]["errors"] == []
    assert await gql(query, {"a": [account_id]}) == {
        "accountPlans": {"totalCount": 0},
        "archived": {"nodes": [{"name": "Old plan"}]},
    }
    data = await gql(
        'mutation($id: ID!) { createPlanObjective(input: {planId: $id, title: "x"}) { errors { field message code } } }',
        {"id": gid("AccountPlan", plan.pk)},
    )
    assert data["createPlanObjective"]["errors"] == [
        {
            "field": ["planId"],
            "message": "Account plan is archived; restore it first",
            "code": "INVALID",
        }
    ]
    await gql(
        "mutation($id: ID!) { restoreAccountPlan(input: {id: $id}) { errors { code } } }",
        {"id": gid("AccountPlan", plan.pk)},
    )
    assert (await gql(query, {"a": [account_id]}))["accountPlans"] == {"totalCount": 1}


async def test_objectives_actions_and_linked_deals_build_up_the_plan(gql):
    ann = await make_user(name="Ann")
    plan = await make_plan(owner_id=ann.pk)
    deal = await make_opportunity(account_id=plan.account_id, name="Seats")
    plan_id = gid("AccountPlan", plan.pk)

    objective = await gql(
        """mutation($input: CreatePlanObjectiveInput!) { createPlanObjective(input: $input) {
          planObjective { id title status measure dueDate owner { name } } errors { code } } }""",
        {
            "input": {
                "planId": plan_id,
                "title": "Expand seats",
                "measure": "200 more seats",
                "dueDate": "2030-06-30",
                "ownerId": gid("User", ann.pk),
                "status": "ON_TRACK",
            }
        },
    )
    created = objective["createPlanObjective"]["planObjective"]
    assert {k: v for k, v in created.items() if k != "id"} == {
        "title": "Expand seats",
        "status": "ON_TRACK",
        "measure": "200 more seats",
        "dueDate": "2030-06-30",
        "owner": {"name": "Ann"},
    }
    linked = await gql(
        """mutation($o: ID!, $d: ID!) { linkOpportunityToObjective(input: {objectiveId: $o, opportunityId: $d}) {
          planObjective { opportunities { name } } errors { code } } }""",
        {"o": created["id"], "d": gid("Opportunity", deal.pk)},
    )
    assert linked["linkOpportunityToObjective"] == {
        "planObjective": {"opportunities": [{"name": "Seats"}]},
        "errors": [],
    }
    action = await gql(
        """mutation($input: CreatePlanActionInput!) { createPlanAction(input: $input) {
          planAction { id title isDone objective { title } } errors { code } } }""",
        {"input": {"planId": plan_id, "title": "Workshop", "objectiveId": created["id"]}},
    )
    action_id = action["createPlanAction"]["planAction"]["id"]
    assert action["createPlanAction"]["planAction"]["isDone"] is False
    done = await gql(
        """mutation($id: ID!) { updatePlanAction(input: {id: $id, completedAt: "2030-02-01T10:00:00Z"}) {
          planAction { isDone completedAt } errors { code } } }""",
        {"id": action_id},
    )
    assert done["updatePlanAction"] == {
        "planAction": {"isDone": True, "completedAt": "2030-02-01T10:00:00.000000Z"},
        "errors": [],
    }

    data = await gql(
        """query($id: ID!) { accountPlan(id: $id) { name
          objectives { title opportunities { name } actions { title } }
          actions { title isDone objective { title } } } }""",
        {"id": plan_id},
    )
    assert data["accountPlan"] == {
        "name": plan.name,
        "objectives": [
            {
                "title": "Expand seats",
                "opportunities": [{"name": "Seats"}],
                "actions": [{"title": "Workshop"}],
            }
        ],
        "actions": [{"title": "Workshop", "isDone": True, "objective": {"title": "Expand seats"}}],
    }

    unlinked = await gql(
        """mutation($o: ID!, $d: ID!) { unlinkOpportunityFromObjective(input: {objectiveId: $o, opportunityId: $d}) {
          planObjective { opportunities { name } } errors { code } } }""",
        {"o": created["id"], "d": gid("Opportunity", deal.pk)},
    )
    assert unlinked["unlinkOpportunityFromObjective"]["planObjective"] == {"opportunities": []}
    deleted = await gql(
        "mutation($id: ID!) { deletePlanAction(input: {id: $id}) { planAction { title } errors { code } } }",
        {"id": action_id},
    )
    assert deleted["deletePlanAction"] == {"planAction": {"title": "Workshop"}, "errors": []}
    deleted = await gql(
        "mutation($id: ID!) { deletePlanObjective(input: {id: $id}) { planObjective { title } errors { code } } }",
        {"id": created["id"]},
    )
    assert deleted["deletePlanObjective"]["errors"] == []
    assert (await PlanObjective.all().count(), await PlanAction.all().count()) == (0, 0)


async def test_a_deal_of_another_account_cannot_be_linked(gql):
    plan = await make_plan()
    objective = await PlanObjective.create(plan_id=plan.pk, title="Expand")
    elsewhere = await make_opportunity()
    before = await database_state()
    data = await gql(
        """mutation($o: ID!, $d: ID!) { linkOpportunityToObjective(input: {objectiveId: $o, opportunityId: $d}) {
          planObjective { id } errors { field message code } } }""",
        {"o": gid("PlanObjective", objective.pk), "d": gid("Opportunity", elsewhere.pk)},
    )
    assert data["linkOpportunityToObjective"] == {
        "planObjective": None,
        "errors": [
            {
                "field": ["opportunityId"],
                "message": "the deal belongs to another account; link deals of the plan's own "
                "account",
                "code": "INVALID",
            }
        ],
    }
    assert await database_state() == before


async def test_plans_are_listed_by_period_and_filtered(gql):
    account = await make_account(name="Acme")
    other = await make_account(name="Globex")
    await make_plan(
        account_id=account.pk,
        name="FY29",
        period_start=date(2029, 1, 1),
        period_end=date(2029, 12, 31),
    )
    await make_plan(
        account_id=account.pk,
        name="FY30",
        period_start=date(2030, 1, 1),
        period_end=date(2030, 12, 31),
        status="ACTIVE",
    )
    await make_plan(account_id=other.pk, name="Globex FY30")

    data = await gql(
        """query($a: [ID!]) {
          all: accountPlans { nodes { name } }
          acme: accountPlans(filter: {accountIds: $a}) { nodes { name } }
          during: accountPlans(filter: {activeOn: "2029-07-01"}) { nodes { name } }
          active: accountPlans(filter: {statuses: [ACTIVE]}) { nodes { name } }
          byName: accountPlans(orderBy: [{field: NAME}]) { nodes { name } }
        }""",
        {"a": [gid("Account", account.pk)]},
    )
    assert data == {
        "all": {"nodes": [{"name": "Globex FY30"}, {"name": "FY30"}, {"name": "FY29"}]},
        "acme": {"nodes": [{"name": "FY30"}, {"name": "FY29"}]},
        "during": {"nodes": [{"name": "FY29"}]},
        "active": {"nodes": [{"name": "FY30"}]},
        "byName": {"nodes": [{"name": "FY29"}, {"name": "FY30"}, {"name": "Globex FY30"}]},
    }
    nested = await gql(
        "query($id: ID!) { account(id: $id) { plans { totalCount nodes { name } } } }",
        {"id": gid("Account", account.pk)},
    )
    assert nested["account"]["plans"] == {
        "totalCount": 2,
        "nodes": [{"name": "FY30"}, {"name": "FY29"}],
    }


async def test_plans_objectives_and_actions_resolve_as_nodes(gql):
    plan = await make_plan(name="FY30")
    objective = await PlanObjective.create(plan_id=plan.pk, title="Expand")
    action = await PlanAction.create(plan_id=plan.pk, title="Call")
    ids = [
        gid("AccountPlan", plan.pk),
        gid("PlanObjective", objective.pk),
        gid("PlanAction", action.pk),
    ]
    data = await gql(
        """query($ids: [ID!]!) { nodes(ids: $ids) { __typename
          ... on AccountPlan { name } ... on PlanObjective { title } ... on PlanAction { title } } }""",
        {"ids": ids},
    )
    assert data["nodes"] == [
        {"__typename": "AccountPlan", "name": "FY30"},
        {"__typename": "PlanObjective", "title": "Expand"},
        {"__typename": "PlanAction", "title": "Call"},
    ]
    assert await AccountPlan.all().count() == 1
