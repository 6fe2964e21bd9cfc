"""Sign-in limits: slowing password guessing without locking the owner out.

Failures are counted per account and client address: after
``login_attempts_per_account`` failures for an account from one address, each further
attempt from that address waits a delay that doubles every time (``login_delay_seconds``,
then twice that, up to ``login_max_delay_seconds``). Someone guessing from one place slows
down; the owner signing in from anywhere else is not held up at all. A second, much higher
limit (``login_attempts_per_address``) counts an address's failures over every account, with
the same delays, against one place trying many accounts; it is high because many people can
share one address behind a proxy. Counted failures are forgotten ``login_window_seconds``
after the last delay ends; a successful sign-in forgets the account's failures from that
address.

The attempt is reserved before the password is checked, so parallel guesses cannot all slip
through while the first ones are still being checked: one transaction locks the counters
(their rows: an insert that leaves an existing row alone, then ``SELECT ... FOR UPDATE`` on
PostgreSQL; the insert takes SQLite's write lock), refuses if a delay is running, and
otherwise counts the attempt as a failure and sets the next delay; a success gives it back.
The counters are rows, so the limits hold across server processes too.
"""

import math
from datetime import datetime, timedelta

from tortoise.expressions import F

from models import LoginThrottle
from services.clock import now
from services.errors import ErrorCode, Problem
from services.writes import write_transaction
from settings import Settings, get_settings

EVERY_ACCOUNT = ""  # the ``account`` of an address's counter over every account


class SignInDelayed(Exception):
    """Too many failed sign-ins: the next attempt may come in ``retry_after`` seconds.

    Not a ``DomainError``: the GraphQL layer answers it with the wait beside the error.
    """

    def __init__(self, retry_after: int) -> None:
        self.problem = Problem(
            f"too many failed sign-ins; try again in {retry_after} seconds",
            ErrorCode.RATE_LIMITED,
        )
        super().__init__(self.problem.message)
        self.retry_after = retry_after


def _free_attempts(settings: Settings, account: str) -> int:
    if account == EVERY_ACCOUNT:
        return settings.login_attempts_per_address
    return settings.login_attempts_per_account


def _delay(settings: Settings, failures_past_limit: int) -> timedelta:
    """The wait after the limit's ``n``-th extra failure: doubling, capped."""
    exponent = min(failures_past_limit, 32)
    seconds = min(settings.login_delay_seconds * 2**exponent, settings.login_max_delay_seconds)
    return timedelta(seconds=seconds)


def _forgotten(settings: Settings, counter: LoginThrottle, at: datetime) -> bool:
    quiet_since = max(counter.last_attempt_at, counter.next_attempt_at or counter.last_attempt_at)
    return at - quiet_since >= timedelta(seconds=settings.login_window_seconds)


async def reserve_sign_in_attempt(*, account: str, address: str) -> None:
    """Count one attempt for ``account`` from ``address`` before its password is checked.

    Raises ``SignInDelayed`` (nothing counted) while a delay is running.
    """
    settings = get_settings()
    at = now()
    keys = sorted({(EVERY_ACCOUNT, address), (account, address)})  # one lock order for all
    async with write_transaction() as connection:
        await LoginThrottle.bulk_create(
            [LoginThrottle(account=a, address=b, failures=0, last_attempt_at=at) for a, b in keys],
            ignore_conflicts=True,
            using_db=connection,
        )
        counters = (
            await LoginThrottle.select_for_update()
            .filter(address=address, account__in=[key[0] for key in keys])
            .order_by("account")
            .using_db(connection)
        )
        at = now()  # the attempt happens once it holds the counters, not while it waited
        waits = [
            (counter.next_attempt_at - at).total_seconds()
            for counter in counters
            if counter.next_attempt_at is not None and counter.next_attempt_at > at
        ]
        if waits:
            raise SignInDelayed(max(1, math.ceil(max(waits))))
        for counter in counters:
            if _forgotten(settings, counter, at):
                counter.failures = 0
            counter.failures += 1
            counter.last_attempt_at = at
            past_limit = counter.failures - _free_attempts(settings, counter.account)
            counter.next_attempt_at = at + _delay(settings, past_limit) if past_limit >= 0 else None
            await counter.save(
                update_fields=["failures", "last_attempt_at", "next_attempt_at"],
                using_db=connection,
            )


async def sign_in_succeeded(*, account: str, address: str) -> None:
    """Forget the account's failures from ``address``; give the address back its attempt."""
    await LoginThrottle.filter(account=account, address=address).delete()
    await LoginThrottle.filter(account=EVERY_ACCOUNT, address=address, failures__gt=0).update(
        failures=F("failures") - 1
    )
