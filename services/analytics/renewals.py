"""``upcomingRenewals``: accounts whose renewal date falls within the next days."""

from dataclasses import dataclass
from datetime import date, timedelta

from models import Account
from services.analytics.rules import recurring_accounts
from services.errors import DomainError
from services.visibility import Visibility

MAX_WINDOW_DAYS = 3660


@dataclass(frozen=True)
class UpcomingRenewal:
    account: Account
    renewal_date: date
    days_until: int


async def upcoming_renewals(
    *, visibility: Visibility, today: date, within_days: int
) -> list[UpcomingRenewal]:
    """The viewer's accounts with recurring value (``rules.RECURRING_ACCOUNT``: not
    archived, nor their client, not churned) renewing from today to ``within_days`` days
    from now, both included, soonest first."""
    if not 0 <= within_days <= MAX_WINDOW_DAYS:
        raise DomainError.single(
            f"withinDays must be between 0 and {MAX_WINDOW_DAYS}", field="within_days"
        )
    accounts = (
        await recurring_accounts(visibility)
        .filter(
            renewal_date__gte=today,
            renewal_date__lte=today + timedelta(days=within_days),
        )
        .order_by("renewal_date", "name", "id")
    )
    return [
        UpcomingRenewal(a, renewal_date, (renewal_date - today).days)
        for a in accounts
        # never None: the query asks for renewal dates in the window
        if (renewal_date := a.renewal_date) is not None
    ]
