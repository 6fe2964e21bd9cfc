"""Account plans in the domain: defaults, periods, owners, objectives, actions and deal links."""

from datetime import date
from decimal import Decimal

import pytest

from models import AccountPlan, AuditLogEntry, PlanAction, PlanObjective, PlanObjectiveOpportunity
from models.enums import AuditAction, ObjectiveStatus, PlanStatus
from services import records
from services.errors import DomainError, ErrorCode
from services.planning import (
    ACTION,
    OBJECTIVE,
    PLAN,
    create_account_plan,
    link_opportunity,
    remove_part,
    unlink_opportunity,
)
from tests.factories import make_account, make_opportunity, make_plan, make_user
from tests.state import database_state


async def refused(call) -> list[tuple]:
    before = await database_state()
    with pytest.raises(DomainError) as caught:
        await call
    assert await database_state() == before
    return [(p.field, p.message, p.code) for p in caught.value.problems]


async def test_a_plan_takes_the_accounts_owner_and_currency_and_starts_as_a_draft():
    owner = await make_user(name="Ann")
    account = await make_account(owner_id=owner.pk, currency="EUR")

    plan = await create_account_plan(
        actor_id=owner.pk,
        values={
            "account_id": account.pk,
            "name": " FY30 growth ",
            "period_start": date(2030, 1, 1),
            "period_end": date(2030, 12, 31),
            "revenue_target": Decimal("250000"),
        },
    )

    stored = await AccountPlan.get(pk=plan.pk)
    assert (stored.name, stored.owner_id, stored.currency, stored.status) == (
        "FY30 growth",
        owner.pk,
        "EUR",
        PlanStatus.DRAFT,
    )
    assert stored.revenue_target == Decimal("250000.00")
    audit = await AuditLogEntry.get(record_type="AccountPlan")
    assert (audit.action, audit.actor_id, audit.changes["name"]) == (
        AuditAction.CREATE,
        owner.pk,
        {"before": None, "after": "FY30 growth"},
    )


async def test_a_period_must_end_after_it_starts():
    account = await make_account()
    problems = await refused(
        create_account_plan(
            actor_id=None,
            values={
                "account_id": account.pk,
                "name": "P",
                "period_start": date(2030, 6, 1),
                "period_end": date(2030, 6, 1),
            },
        )
    )
    assert problems == [
        (
            ("period_end",),
            "the period must end after it starts: 2030-06-01 is not after 2030-06-01",
            ErrorCode.INVALID,
        )
    ]
    plan = await make_plan(account_id=account.pk)
    problems = await refused(
        records.update_record(
            PLAN, record_id=plan.pk, actor_id=None, changes={"period_start": date(2031, 1, 1)}
        )
    )
    assert problems == [
        (
            ("period_start",),
            "the period must end after it starts: 2030-12-31 is not after 2031-01-01",
            ErrorCode.INVALID,
        )
    ]


async def test_a_negative_target_and_a_deactivated_owner_are_refused():
    account = await make_account()
    gone = await make_user(name="Gone", is_active=False)
    problems = await refused(
        create_account_plan(
            actor_id=None,
            values={
                "account_id": account.pk,
                "name": "P",
                "period_start": date(2030, 1, 1),
                "period_end": date(2030, 3, 31),
                "revenue_target": Decimal("-1"),
                "owner_id": gone.pk,
            },
        )
    )
    assert problems == [
        (("revenue_target",), "revenue target must not be negative", ErrorCode.INVALID)
    ]
    problems = await refused(
        create_account_plan(
            actor_id=None,
            values={
                "account_id": account.pk,
                "name": "P",
                "period_start": date(2030, 1, 1),
                "period_end": date(2030, 3, 31),
                "owner_id": gone.pk,
            },
        )
    )
    assert problems == [
        (("owner_id",), "Gone is deactivated; choose an active user", ErrorCode.INVALID)
    ]


async def test_objectives_need_an_active_owner_and_an_open_plan():
    plan = await make_plan()
    gone = await make_user(name="Gone", is_active=False)
    problems = await refused(
        records.create_record(
            OBJECTIVE,
            actor_id=None,
            values={"plan_id": plan.pk, "title": "Expand", "owner_id": gone.pk},
        )
    )
    assert problems == [
        (("owner_id",), "Gone is deactivated; choose an active user", ErrorCode.INVALID)
    ]
    objective = await records.create_record(
        OBJECTIVE, actor_id=None, values={"plan_id": plan.pk, "title": "Expand"}
    )
    assert (objective.status, objective.position) == (ObjectiveStatus.NOT_STARTED, 0)
    await records.archive_record(PLAN, record_id=plan.pk, actor_id=None)
    problems = await refused(
        records.update_record(
            OBJECTIVE, record_id=objective.pk, actor_id=None, changes={"title": "Other"}
        )
    )
    assert problems == [
        (
            ("plan_id",),
            "the account plan is archived; restore it before changing its objectives or actions",
            ErrorCode.INVALID_STATE,
        )
    ]
    problems = await refused(
        records.create_record(OBJECTIVE, actor_id=None, values={"plan_id": plan.pk, "title": "x"})
    )
    assert problems == [
        (("plan_id",), "Account plan is archived; restore it first", ErrorCode.INVALID)
    ]


async def test_an_action_may_only_work_towards_an_objective_of_its_own_plan():
    plan, other = await make_plan(), await make_plan()
    foreign = await PlanObjective.create(plan_id=other.pk, title="Theirs")
    problems = await refused(
        records.create_record(
            ACTION,
            actor_id=None,
            values={"plan_id": plan.pk, "title": "Call", "objective_id": foreign.pk},
        )
    )
    assert problems == [
        (
            ("objective_id",),
            "the objective belongs to another account plan; choose one of this plan's objectives",
            ErrorCode.INVALID,
        )
    ]


async def test_deals_of_the_plans_account_link_once_and_unlink():
    plan = await make_plan()
    objective = await PlanObjective.create(plan_id=plan.pk, title="Expand")
    deal = await make_opportunity(account_id=plan.account_id)
    elsewhere = await make_opportunity()

    await link_opportunity(objective_id=objective.pk, opportunity_id=deal.pk, actor_id=None)
    assert await PlanObjectiveOpportunity.filter(objective_id=objective.pk).values_list(
        "opportunity_id", flat=True
    ) == [deal.pk]

    assert await refused(
        link_opportunity(objective_id=objective.pk, opportunity_id=deal.pk, actor_id=None)
    ) == [
        (
            ("opportunity_id",),
            "the deal is already linked to this objective",
            ErrorCode.DUPLICATE,
        )
    ]
    assert await refused(
        link_opportunity(objective_id=objective.pk, opportunity_id=elsewhere.pk, actor_id=None)
    ) == [
        (
            ("opportunity_id",),
            "the deal belongs to another account; link deals of the plan's own account",
            ErrorCode.INVALID,
        )
    ]

    await unlink_opportunity(objective_id=objective.pk, opportunity_id=deal.pk, actor_id=None)
    assert not await PlanObjectiveOpportunity.exists()
    deleted = await AuditLogEntry.get(action=AuditAction.DELETE)
    assert deleted.record_type == "PlanObjectiveOpportunity"
    assert await refused(
        unlink_opportunity(objective_id=objective.pk, opportunity_id=deal.pk, actor_id=None)
    ) == [(("opportunity_id",), "the deal is not linked to this objective", ErrorCode.NOT_FOUND)]


async def test_removing_an_objective_keeps_its_actions_on_the_plan():
    plan = await make_plan()
    objective = await PlanObjective.create(plan_id=plan.pk, title="Expand")
    action = await PlanAction.create(plan_id=plan.pk, objective_id=objective.pk, title="Call")

    await remove_part(OBJECTIVE, record_id=objective.pk, actor_id=None)

    assert not await PlanObjective.exists()
    stored = await PlanAction.get(pk=action.pk)
    assert (stored.plan_id, stored.objective_id) == (plan.pk, None)
    deleted = await AuditLogEntry.get(action=AuditAction.DELETE)
    assert deleted.changes["title"] == {"before": "Expand", "after": None}


async def test_an_archived_plans_objectives_and_links_are_left_alone():
    plan = await make_plan()
    objective = await PlanObjective.create(plan_id=plan.pk, title="Expand")
    deal = await make_opportunity(account_id=plan.account_id)
    await PlanObjectiveOpportunity.create(objective_id=objective.pk, opportunity_id=deal.pk)
    await records.archive_record(PLAN, record_id=plan.pk, actor_id=None)
    archived = "the account plan is archived; restore it before changing its objectives or actions"

    assert await refused(remove_part(OBJECTIVE, record_id=objective.pk, actor_id=None)) == [
        (("id",), archived, ErrorCode.INVALID_STATE)
    ]
    assert await refused(
        unlink_opportunity(objective_id=objective.pk, opportunity_id=deal.pk, actor_id=None)
    ) == [(("objective_id",), archived, ErrorCode.INVALID_STATE)]
    assert await refused(
        link_opportunity(
            objective_id=objective.pk,
            opportunity_id=(await make_opportunity(account_id=plan.account_id)).pk,
            actor_id=None,
        )
    ) == [(("objective_id",), archived, ErrorCode.INVALID_STATE)]
