"""The retry policy with a controlled clock and no randomness."""

from datetime import UTC, datetime, timedelta

import pytest

from settings import Settings
from webhooks.policy import AttemptOutcome, AttemptResult, RetryPolicy, retry_after_seconds

AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
SCHEDULE = Settings().webhook_retry_schedule


def policy(random_value: float = 0.5) -> RetryPolicy:
    # random() = 0.5 means no jitter; 0 and 1 are its two extremes.
    return RetryPolicy(SCHEDULE, jitter=0.2, random=lambda: random_value)


def test_default_schedule_is_the_standard_webhooks_example():
    assert SCHEDULE == [5, 300, 1800, 7200, 18000, 36000, 36000]
    assert policy().max_attempts == 8
    assert sum(SCHEDULE) / 3600 == pytest.approx(27.6, abs=0.1)  # "about a day"


def test_each_failed_attempt_waits_its_step_of_the_schedule():
    failed = AttemptResult(status_code=503)
    waits = []
    for attempt in range(1, 8):
        decision = policy().decide(failed, attempt=attempt, at=AT)
        assert decision.outcome == AttemptOutcome.RETRYING
        assert decision.next_attempt_at is not None
        waits.append((decision.next_attempt_at - AT).total_seconds())
    assert waits == SCHEDULE
    assert policy().decide(failed, attempt=8, at=AT).outcome == AttemptOutcome.FAILED


@pytest.mark.parametrize(("random_value", "seconds"), [(0.0, 240.0), (1.0, 360.0)])
def test_jitter_spreads_a_delay_by_up_to_twenty_percent(random_value, seconds):
    decision = policy(random_value).decide(AttemptResult(status_code=500), attempt=2, at=AT)
    assert decision.next_attempt_at == AT + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    "result",
    [
        AttemptResult(error="ConnectError: refused"),
        AttemptResult(error="timed out after 15.0 s"),
        AttemptResult(status_code=408),
        AttemptResult(status_code=429),
        AttemptResult(status_code=500),
        AttemptResult(status_code=502),
        AttemptResult(status_code=503),
    ],
)
def test_network_errors_timeouts_408_429_and_5xx_are_retried(result):
    assert policy().decide(result, attempt=1, at=AT).outcome == AttemptOutcome.RETRYING


@pytest.mark.parametrize("status", [301, 302, 307, 400, 401, 403, 404, 410, 422])
def test_redirects_and_other_4xx_fail_without_retry(status):
    decision = policy().decide(AttemptResult(status_code=status), attempt=1, at=AT)
    assert decision.outcome == AttemptOutcome.FAILED
    assert decision.next_attempt_at is None


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_only_2xx_succeeds(status):
    assert policy().decide(AttemptResult(status_code=status), attempt=1, at=AT).outcome == (
        AttemptOutcome.SUCCEEDED
    )


def test_a_refused_destination_is_not_retried():
    result = AttemptResult(error="refused: 127.0.0.1 is a loopback address", refused=True)
    assert policy().decide(result, attempt=1, at=AT).outcome == AttemptOutcome.FAILED


def test_retry_after_in_seconds_delays_beyond_the_schedule():
    result = AttemptResult(status_code=429, retry_after="120")
    decision = policy().decide(result, attempt=1, at=AT)
    assert decision.next_attempt_at == AT + timedelta(seconds=120)


def test_retry_after_as_an_http_date_is_honoured():
    result = AttemptResult(status_code=503, retry_after="Tue, 01 Jan 2030 12:10:00 GMT")
    decision = policy().decide(result, attempt=1, at=AT)
    assert decision.next_attempt_at == AT + timedelta(minutes=10)


def test_a_shorter_retry_after_does_not_hurry_the_schedule():
    result = AttemptResult(status_code=429, retry_after="1")
    decision = policy().decide(result, attempt=2, at=AT)
    assert decision.next_attempt_at == AT + timedelta(seconds=300)


def test_retry_after_is_capped_at_the_longest_step():
    result = AttemptResult(status_code=429, retry_after="999999999")
    decision = policy().decide(result, attempt=1, at=AT)
    assert decision.next_attempt_at == AT + timedelta(seconds=36000)


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "Tue, 01 Jan 2030 12:10:00"])
def test_unreadable_retry_after_is_ignored(value):
    assert retry_after_seconds(value, AT) is None
