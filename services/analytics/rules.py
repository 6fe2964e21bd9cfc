"""The rules every report shares, each written once here and used by every report.

Rounding. Money is exact to the cent. A derived amount (a weighted amount, a mean) is
rounded half up to the cent once, after adding (``round_money``); a deal's own weighted
amount, ``Opportunity.weightedAmount``, follows the same rule (``weighted_amount``).

Archived and churned records.

- A deal counts in a report while neither the deal, its account nor the account's client is
  archived (``REPORTABLE_DEAL``). Archiving an account (or its client) leaves its deals as
  they are, open or closed, but takes them out of every report and of the default deal
  lists with it; restoring the account brings them back unchanged.
- An account counts in a report while neither it nor its client is archived
  (``REPORTABLE_ACCOUNT``).
- A churned account stays in the portfolio (it is still an account someone owns, and may be
  won back, with its deals still counted), but it has no recurring value and no renewal
  ahead: it adds nothing to total recurring value and is in no renewal count or list
  (``RECURRING_ACCOUNT``).

Currencies. Amounts in different currencies are never added together: every money figure is
given per currency.

Targets. ``REVENUE_WON`` is money (to the cent, in the target's currency); ``DEALS_WON`` and
``ACTIVITIES_COMPLETED`` are counts, shown as whole numbers (``target_figure``). An activity
is done (``ACTIVITY_DONE_AT``) when it is a completed task, at its ``completed_at``, or a
call, email or meeting that has taken place, at its ``completed_at`` if set, else its
``occurred_at``; notes record, they are not work done with the client, and count for
nothing. Nothing counts before it happened: a meeting logged ahead counts once its time has
come.
"""

from decimal import ROUND_HALF_UP, Decimal

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models import Account, Opportunity
from models.enums import AccountStatus, TargetMetric
from services.visibility import Visibility

CENT = Decimal("0.01")

REPORTABLE_DEAL = Q(
    archived_at__isnull=True,
    account__archived_at__isnull=True,
    account__client__archived_at__isnull=True,
)
COUNTED_METRICS = frozenset({TargetMetric.DEALS_WON, TargetMetric.ACTIVITIES_COMPLETED})

# SQL of when activity ``x`` was done (null while it is not): see the module's docstring.
ACTIVITY_DONE_AT = """CASE
    WHEN x.kind = 'TASK' THEN x.completed_at
    WHEN x.kind IN ('CALL', 'EMAIL', 'MEETING') THEN COALESCE(x.completed_at, x.occurred_at)
END"""

REPORTABLE_ACCOUNT = Q(archived_at__isnull=True, client__archived_at__isnull=True)
RECURRING_ACCOUNT = REPORTABLE_ACCOUNT & ~Q(status=AccountStatus.CHURNED)


def round_money(amount: Decimal) -> Decimal:
    """An amount rounded half up to the cent: 4500.045 -> 4500.05."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def target_figure(metric: TargetMetric, value: Decimal) -> Decimal:
    """A target or what was achieved against it, as shown: money to the cent, counts whole."""
    if metric in COUNTED_METRICS:
        return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return round_money(value)


def weighted_amount(amount: Decimal, probability: int) -> Decimal:
    """amount x probability / 100, rounded half up to the cent."""
    return round_money(amount * probability / 100)


def reportable_opportunities(visibility: Visibility) -> QuerySet[Opportunity]:
    """The deals the viewer sees that count in reports."""
    return Opportunity.filter(visibility.condition(Opportunity), REPORTABLE_DEAL)


def reportable_accounts(visibility: Visibility) -> QuerySet[Account]:
    """The accounts the viewer sees that count in reports."""
    return Account.filter(visibility.condition(Account), REPORTABLE_ACCOUNT)


def recurring_accounts(visibility: Visibility) -> QuerySet[Account]:
    """The reportable accounts the viewer sees that have recurring value and renewals."""
    return Account.filter(visibility.condition(Account), RECURRING_ACCOUNT)
