"""Account health: a deterministic, explainable score from what is known of an account.

Seven components, each scored 0..100 with a reason an account manager can read; the health
score is their weighted mean, rounded half up to a whole number (the weights add up to 100):

=============  ======  ===================================================================
component      weight  score
=============  ======  ===================================================================
satisfaction   25      latest NPS x 10 and latest CSAT (score - 1) x 25; the mean of the two
                       when both exist; 50 when the client has not answered yet
activity       20      days since the last activity on the account (tasks count when set):
                       ≤ 14 → 100, ≤ 30 → 70, ≤ 60 → 40, ≤ 90 → 20, older or none → 0
requests       10      100 - 30 per overdue open coordination request - 10 per other open
                       one, at least 0 (open: OPEN or IN_PROGRESS; overdue: due before today)
tasks          10      100 - 25 per overdue task (not completed, due before now), at least 0
renewal        15      no renewal date → 100; more than 90 days away → 100; 31..90 → 60;
                       0..30 → 30; already passed → 0
stale_deals    10      open deals with no activity or stage move for longer than their
                       stage's rotting threshold: none → 100, one → 50, more → 0
plan           10      the active plan covering today: (won + weighted open amount of its
                       linked deals, in the plan's currency) / revenue target, capped at 100;
                       50 without an active plan or without a revenue target
=============  ======  ===================================================================

Status bands: ``HEALTHY`` from 75, ``NEEDS_ATTENTION`` from 50, ``AT_RISK`` below 50.

Facts for any number of accounts are read with one statement (a correlated aggregate
subquery per fact), plus four for the progress of the active plans among them, so a page of
accounts costs the same as one account. ``refresh_account_health`` stores each account's
evaluated status and writes an ``account.health_changed`` event when the status changes.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tortoise.expressions import Q

from events.catalogue import EventType
from events.outbox import record_event
from models import Account
from models.enums import HealthStatus
from services.analytics.plans import PlanProgress, plan_progress
from services.analytics.rules import RECURRING_ACCOUNT
from services.analytics.sql import Statement, as_date, as_datetime
from services.analytics.stale import is_rotten, last_touch
from services.coordination import UNRESOLVED
from services.visibility import Visibility
from services.writes import write_transaction

WEIGHTS = {
    "satisfaction": 25,
    "activity": 20,
    "requests": 10,
    "tasks": 10,
    "renewal": 15,
    "stale_deals": 10,
    "plan": 10,
}
HEALTHY_FROM = 75
NEEDS_ATTENTION_FROM = 50
ACTIVITY_STEPS = ((14, 100), (30, 70), (60, 40), (90, 20))


@dataclass(frozen=True)
class HealthComponent:
    name: str
    score: int
    weight: int
    reason: str


@dataclass(frozen=True)
class AccountHealth:
    account_id: int
    score: int
    status: HealthStatus
    components: list[HealthComponent]


@dataclass(frozen=True)
class HealthFacts:
    """What the score is computed from, for one account."""

    account_id: int
    renewal_date: date | None
    latest_nps: int | None
    latest_csat: int | None
    last_activity_at: datetime | None
    overdue_tasks: int
    open_requests: int
    overdue_requests: int
    open_deals: int
    stale_deals: int
    plan: PlanProgress | None


def status_for(score: int) -> HealthStatus:
    if score >= HEALTHY_FROM:
        return HealthStatus.HEALTHY
    if score >= NEEDS_ATTENTION_FROM:
        return HealthStatus.NEEDS_ATTENTION
    return HealthStatus.AT_RISK


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _days(n: int) -> str:
    return _plural(n, "day")


def satisfaction(facts: HealthFacts) -> tuple[int, str]:
    scores, said = [], []
    if facts.latest_nps is not None:
        scores.append(facts.latest_nps * 10)
        said.append(f"latest NPS {facts.latest_nps}/10")
    if facts.latest_csat is not None:
        scores.append((facts.latest_csat - 1) * 25)
        said.append(f"latest CSAT {facts.latest_csat}/5")
    if not scores:
        return 50, "no NPS or CSAT response yet"
    mean = (Decimal(sum(scores)) / len(scores)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(mean), ", ".join(said)


def activity(facts: HealthFacts, now: datetime) -> tuple[int, str]:
    if facts.last_activity_at is None:
        return 0, "no activity recorded"
    days = (now - facts.last_activity_at).days
    when = "today" if days == 0 else f"{_days(days)} ago"
    for limit, score in ACTIVITY_STEPS:
        if days <= limit:
            return score, f"last activity {when}"
    return 0, f"last activity {when}"


def requests(facts: HealthFacts) -> tuple[int, str]:
    if facts.open_requests == 0:
        return 100, "no open coordination requests"
    others = facts.open_requests - facts.overdue_requests
    score = max(0, 100 - 30 * facts.overdue_requests - 10 * others)
    return score, (
        f"{_plural(facts.open_requests, 'open coordination request')}, "
        f"{facts.overdue_requests} overdue"
    )


def tasks(facts: HealthFacts) -> tuple[int, str]:
    if facts.overdue_tasks == 0:
        return 100, "no overdue tasks"
    return max(0, 100 - 25 * facts.overdue_tasks), _plural(facts.overdue_tasks, "overdue task")


def renewal(facts: HealthFacts, today: date) -> tuple[int, str]:
    if facts.renewal_date is None:
        return 100, "no renewal date set"
    days = (facts.renewal_date - today).days
    if days < 0:
        return 0, f"renewal date passed {_days(-days)} ago"
    when = "renewal today" if days == 0 else f"renewal in {_days(days)}"
    if days > 90:
        return 100, when
    return (60 if days > 30 else 30), when


def stale_deals(facts: HealthFacts) -> tuple[int, str]:
    if facts.open_deals == 0:
        return 100, "no open deals"
    score = 100 if facts.stale_deals == 0 else 50 if facts.stale_deals == 1 else 0
    return score, f"{facts.stale_deals} of {_plural(facts.open_deals, 'open deal')} stale"


def plan(facts: HealthFacts) -> tuple[int, str]:
    progress = facts.plan
    if progress is None:
        return 50, "no active account plan"
    target = progress.revenue_target
    if not target:
        return 50, "the active plan has no revenue target"
    covered = progress.won_amount + progress.weighted_amount
    share = (covered * 100 / target).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    currency = progress.currency
    return min(100, int(share)), (
        f"won {progress.won_amount} {currency} and {progress.weighted_amount} {currency} "
        f"weighted open of a {target} {currency} target ({share}%)"
    )


def evaluate(facts: HealthFacts, now: datetime) -> AccountHealth:
    """The health of one account from its facts (pure: same facts, same health)."""
    scored = {
        "satisfaction": satisfaction(facts),
        "activity": activity(facts, now),
        "requests": requests(facts),
        "tasks": tasks(facts),
        "renewal": renewal(facts, now.date()),
        "stale_deals": stale_deals(facts),
        "plan": plan(facts),
    }
    components = [
        HealthComponent(name, score, WEIGHTS[name], reason)
        for name, (score, reason) in scored.items()
    ]
    total = Decimal(sum(c.score * c.weight for c in components)) / 100
    score = int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return AccountHealth(facts.account_id, score, status_for(score), components)


async def health_facts(*, visibility: Visibility, accounts: Q, now: datetime) -> list[HealthFacts]:
    """The facts of every account matching ``accounts`` that the viewer sees, by id."""
    today = now.date()
    chosen = Account.filter(visibility.condition(Account), accounts)
    s = Statement()
    stale = is_rotten(s, last_touch(s, now), now, "st.rotting_days")
    # Open and overdue requests as services/coordination.py defines them.
    unresolved = ", ".join(f"'{status.value}'" for status in UNRESOLVED)
    sql = f"""
        SELECT a.id AS id, a.renewal_date AS renewal_date,
            (SELECT COUNT(*) FROM opportunity o JOIN stage st ON st.id = o.stage_id
             WHERE o.account_id = a.id AND o.archived_at IS NULL AND st.category = 'OPEN'
               AND st.rotting_days IS NOT NULL
               AND {stale}) AS stale_deals,
            (SELECT s.score FROM satisfaction_response s
             WHERE s.account_id = a.id AND s.kind = 'NPS'
             ORDER BY s.received_at DESC, s.id DESC LIMIT 1) AS nps,
            (SELECT s.score FROM satisfaction_response s
             WHERE s.account_id = a.id AND s.kind = 'CSAT'
             ORDER BY s.received_at DESC, s.id DESC LIMIT 1) AS csat,
            (SELECT MAX(x.occurred_at) FROM activity x
             WHERE x.account_id = a.id AND x.archived_at IS NULL
               AND x.occurred_at <= {s.timestamp(now)}) AS last_activity,
            (SELECT COUNT(*) FROM activity x
             WHERE x.account_id = a.id AND x.archived_at IS NULL AND x.kind = 'TASK'
               AND x.completed_at IS NULL AND x.due_at < {s.timestamp(now)}) AS overdue_tasks,
            (SELECT COUNT(*) FROM coordination_request r
             WHERE r.account_id = a.id AND r.status IN ({unresolved})) AS open_requests,
            (SELECT COUNT(*) FROM coordination_request r
             WHERE r.account_id = a.id AND r.status IN ({unresolved})
               AND r.due_date < {s.day(today)}) AS overdue_requests,
            (SELECT COUNT(*) FROM opportunity o JOIN stage st ON st.id = o.stage_id
             WHERE o.account_id = a.id AND o.archived_at IS NULL AND st.category = 'OPEN')
                AS open_deals,
            (SELECT p.id FROM account_plan p
             WHERE p.account_id = a.id AND p.archived_at IS NULL AND p.status = 'ACTIVE'
               AND p.period_start <= {s.day(today)} AND p.period_end >= {s.day(today)}
             ORDER BY p.period_start DESC, p.id DESC LIMIT 1) AS plan_id
        FROM account a
        WHERE a.id IN ({s.rows_of(chosen.values("id"))})
        ORDER BY a.id
    """
    rows = await s.rows(sql)
    plan_ids = [row["plan_id"] for row in rows if row["plan_id"] is not None]
    plans = {
        p.plan_id: p
        for p in (await plan_progress(visibility=visibility, plan_ids=plan_ids) if plan_ids else [])
    }
    return [_facts(row, plans) for row in rows]


def _facts(row: dict[str, Any], plans: dict[int, PlanProgress]) -> HealthFacts:
    return HealthFacts(
        account_id=row["id"],
        renewal_date=as_date(row["renewal_date"]),
        latest_nps=row["nps"],
        latest_csat=row["csat"],
        last_activity_at=as_datetime(row["last_activity"]),
        overdue_tasks=int(row["overdue_tasks"]),
        open_requests=int(row["open_requests"]),
        overdue_requests=int(row["overdue_requests"]),
        open_deals=int(row["open_deals"]),
        stale_deals=int(row["stale_deals"]),
        plan=plans.get(row["plan_id"]),
    )


async def account_health(
    *, visibility: Visibility, account_ids: Sequence[int], now: datetime
) -> dict[int, AccountHealth]:
    """The health of each of ``account_ids`` the viewer sees, by account id."""
    facts = await health_facts(visibility=visibility, accounts=Q(pk__in=set(account_ids)), now=now)
    return {f.account_id: evaluate(f, now) for f in facts}


async def accounts_at_risk(*, visibility: Visibility, now: datetime) -> list[AccountHealth]:
    """The viewer's active accounts (``rules.RECURRING_ACCOUNT``: not archived, nor their
    client, not churned) whose health is AT_RISK, lowest score first, then by account id."""
    facts = await health_facts(visibility=visibility, accounts=RECURRING_ACCOUNT, now=now)
    at_risk = [h for h in (evaluate(f, now) for f in facts) if h.status == HealthStatus.AT_RISK]
    return sorted(at_risk, key=lambda h: (h.score, h.account_id))


@dataclass(frozen=True)
class HealthRefresh:
    evaluated: int
    changed: int


async def refresh_account_health(
    *, now: datetime, account_ids: Sequence[int] | None = None, actor_id: int | None = None
) -> HealthRefresh:
    """Evaluate the health of every account not archived (or of ``account_ids``), store it,
    and write an ``account.health_changed`` event for each account whose status changed
    (the first evaluation of an account is a change from no status). One transaction."""
    everyone_sees = _Everything()
    condition = Q(archived_at__isnull=True)
    if account_ids is not None:
        condition &= Q(pk__in=set(account_ids))
    async with write_transaction():
        facts = await health_facts(visibility=everyone_sees, accounts=condition, now=now)
        healths = {f.account_id: evaluate(f, now) for f in facts}
        stored = await Account.filter(condition).select_for_update()
        changed = 0
        updates = []
        for account in stored:
            health = healths.get(account.pk)
            if health is None:  # created since the facts were read: next time
                continue
            previous = {"healthStatus": account.health_status, "healthScore": account.health_score}
            status_changed = account.health_status != health.status
            account.health_status = health.status
            account.health_score = health.score
            account.health_evaluated_at = now
            updates.append(account)
            if status_changed:
                changed += 1
                await record_event(
                    EventType.ACCOUNT_HEALTH_CHANGED,
                    record=account,
                    actor_id=actor_id,
                    occurred_at=now,
                    previous={k: getattr(v, "value", v) for k, v in previous.items()},
                    extra={"health": _health_payload(health)},
                )
        if updates:
            await Account.bulk_update(
                updates, fields=["health_status", "health_score", "health_evaluated_at"]
            )
    return HealthRefresh(evaluated=len(healths), changed=changed)


def _health_payload(health: AccountHealth) -> dict[str, Any]:
    return {
        "score": health.score,
        "status": health.status.value,
        "components": [
            {"name": c.name, "score": c.score, "weight": c.weight, "reason": c.reason}
            for c in health.components
        ],
    }


class _Everything(Visibility):
    """The system's own view, for background evaluation: every account."""

    def __init__(self) -> None:
        super().__init__(None)

    def condition(self, model: Any) -> Q:
        return Q()
