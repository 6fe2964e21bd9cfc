"""What an attempt's result means: success, retry later (and when), or give up.

Only 2xx is success. Network errors, timeouts, 408, 429 and 5xx are retried on the schedule
(with jitter, and no sooner than a ``Retry-After`` asks, up to the schedule's longest step);
redirects are not followed and, like other 4xx, fail without retry; 410 Gone also disables
the endpoint. A refused destination (URL safety) fails without retry.
"""

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class AttemptOutcome(StrEnum):
    SUCCEEDED = "SUCCEEDED"
    RETRYING = "RETRYING"
    FAILED = "FAILED"
    INTERRUPTED = "INTERRUPTED"


RETRYABLE_STATUSES = frozenset({408, 429})


@dataclass(frozen=True)
class AttemptResult:
    """What one HTTP request gave: a status code and body, or an error."""

    status_code: int | None = None
    body: str | None = None
    error: str | None = None
    retry_after: str | None = None
    duration_ms: int | None = None
    refused: bool = False  # the destination failed the URL safety check

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def retryable(self) -> bool:
        if self.refused:
            return False
        if self.status_code is None:
            return True  # network error or timeout
        return self.status_code in RETRYABLE_STATUSES or self.status_code >= 500

    @property
    def gone(self) -> bool:
        return self.status_code == 410


@dataclass(frozen=True)
class Decision:
    outcome: AttemptOutcome
    next_attempt_at: datetime | None = None  # when RETRYING


@dataclass(frozen=True)
class RetryPolicy:
    """``schedule[k]`` is the delay after the (k+1)-th failed attempt; past its end, give up."""

    schedule: Sequence[float]
    jitter: float = 0.2
    random: Callable[[], float] = field(default=random.random)

    @property
    def max_attempts(self) -> int:
        return len(self.schedule) + 1

    def decide(self, result: AttemptResult, *, attempt: int, at: datetime) -> Decision:
        """What follows attempt number ``attempt`` (1-based) that ended at ``at``."""
        if result.succeeded:
            return Decision(AttemptOutcome.SUCCEEDED)
        if not result.retryable or attempt >= self.max_attempts:
            return Decision(AttemptOutcome.FAILED)
        return Decision(AttemptOutcome.RETRYING, at + self.delay(attempt, result.retry_after, at))

    def delay(self, attempt: int, retry_after: str | None, at: datetime) -> timedelta:
        base = self.schedule[attempt - 1]
        # Spread retries of many deliveries that failed together: +/- jitter of the delay.
        seconds = base * (1 + self.jitter * (2 * self.random() - 1))
        asked = retry_after_seconds(retry_after, at)
        if asked is not None:
            seconds = max(seconds, min(asked, max(self.schedule)))
        return timedelta(seconds=seconds)


def retry_after_seconds(value: str | None, at: datetime) -> float | None:
    """A ``Retry-After`` header (seconds or an HTTP date) as seconds from ``at``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - at).total_seconds())
