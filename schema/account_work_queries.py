"""Root lists of the account manager's day: plans, coordination requests, targets."""

import strawberry

from schema.coordination import (
    REQUESTS,
    CoordinationComment,
    CoordinationRequest,
    CoordinationRequestOrder,
    queue_condition,
)
from schema.planning import PLANS, AccountPlan, AccountPlanOrder, PlanAction, PlanObjective
from schema.satisfaction import SatisfactionResponse
from schema.targets import TARGETS, Target, TargetOrder

# Resolved by node(id:) and nodes(ids:).
ACCOUNT_WORK_NODES = (
    AccountPlan,
    PlanObjective,
    PlanAction,
    SatisfactionResponse,
    CoordinationRequest,
    CoordinationComment,
    Target,
)


@strawberry.type(description="Plans, coordination requests and targets.")
class AccountWorkQueries:
    account_plans = PLANS.root_field(
        AccountPlanOrder, "Account plans, latest period first unless ordered otherwise."
    )
    coordination_requests = REQUESTS.root_field(
        CoordinationRequestOrder,
        "Requests to internal teams: those about accounts the caller sees, and those sent to "
        "the caller's team; newest first unless ordered otherwise.",
    )
    coordination_queue = REQUESTS.root_field(
        CoordinationRequestOrder,
        "What waits on the caller: requests still OPEN or IN_PROGRESS that were sent to the "
        "caller's team or assigned to the caller; newest first unless ordered otherwise.",
        scope=queue_condition,
    )
    targets = TARGETS.root_field(
        TargetOrder,
        "Targets the caller may see (administrators: all; sales managers: their team's and "
        "its users'; account managers: their own); latest period first.",
    )
