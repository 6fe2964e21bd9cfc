"""``followUpQueue``: what the caller must follow up on, most urgent first.

Two kinds of items, merged by due time (the most overdue first): the caller's leads whose
``next_follow_up_at`` has come (leads still being worked: NEW, CONTACTED or QUALIFIED), and
the caller's tasks not yet completed whose ``due_at`` has come. "Has come" means before the
end of today (UTC), or of the day ``within_days`` days ahead.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from models import Activity, Lead
from models.enums import ActivityKind, LeadStatus
from services.analytics.sql import Statement, as_datetime
from services.errors import DomainError
from services.visibility import Visibility

WORKED = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED)


class FollowUpKind(StrEnum):
    LEAD = "LEAD"
    TASK = "TASK"


@dataclass(frozen=True)
class FollowUp:
    kind: FollowUpKind
    record_id: int
    due_at: datetime
    overdue: bool


async def follow_up_queue(
    *, visibility: Visibility, now: datetime, within_days: int = 0, limit: int = 50
) -> list[FollowUp]:
    if not 0 <= within_days <= 366 or not 1 <= limit <= 500:
        raise DomainError.single("withinDays must be 0..366 and first 1..500")
    viewer = visibility.viewer
    if viewer is None:
        return []
    horizon = datetime.combine(now.date() + timedelta(days=within_days + 1), time(), now.tzinfo)
    leads = Lead.filter(
        visibility.condition(Lead),
        owner_id=viewer.pk,
        archived_at__isnull=True,
        status__in=WORKED,
        next_follow_up_at__lt=horizon,
    )
    tasks = Activity.filter(
        visibility.condition(Activity),
        owner_id=viewer.pk,
        kind=ActivityKind.TASK,
        archived_at__isnull=True,
        completed_at__isnull=True,
        due_at__lt=horizon,
    )
    s = Statement()
    sql = f"""
        SELECT q.kind AS kind, q.id AS id, q.due AS due FROM (
            SELECT 'LEAD' AS kind, l.id AS id, l.next_follow_up_at AS due
            FROM lead l WHERE l.id IN ({s.rows_of(leads.values("id"))})
            UNION ALL
            SELECT 'TASK' AS kind, a.id AS id, a.due_at AS due
            FROM activity a WHERE a.id IN ({s.rows_of(tasks.values("id"))})
        ) q
        ORDER BY q.due, q.kind, q.id
        LIMIT {int(limit)}
    """
    items = []
    for row in await s.rows(sql):
        due = as_datetime(row["due"])
        assert due is not None
        items.append(FollowUp(FollowUpKind(row["kind"]), row["id"], due, due < now))
    return items
