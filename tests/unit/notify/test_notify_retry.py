from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from escalon.domain.notify.delivery import RetrySchedule, SendResult

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
SCHEDULE = RetrySchedule(base=timedelta(seconds=5), cap=timedelta(minutes=10), max_attempts=8)
RETRY = SendResult(outcome="retry", status_code=503)


def test_hand_checked_delays() -> None:
    assert SCHEDULE.delay(1, 0.0) == timedelta(seconds=2.5)
    assert SCHEDULE.delay(1, 0.5) == timedelta(seconds=3.75)
    assert SCHEDULE.delay(3, 0.0) == timedelta(seconds=10)
    assert SCHEDULE.delay(20, 0.0) == timedelta(minutes=5)


@given(st.integers(1, 60), st.floats(0, 1, exclude_max=True))
def test_delay_is_between_half_and_full_nominal(attempt: int, jitter: float) -> None:
    nominal = min(SCHEDULE.cap, SCHEDULE.base * 2 ** min(attempt - 1, 30))
    assert nominal / 2 <= SCHEDULE.delay(attempt, jitter) <= nominal


@given(st.integers(1, 30), st.floats(0, 1, exclude_max=True))
def test_delay_never_shrinks_with_more_attempts_at_equal_jitter(attempt: int, j: float) -> None:
    assert SCHEDULE.delay(attempt + 1, j) >= SCHEDULE.delay(attempt, j)


def test_retry_after_overrides_backoff() -> None:
    result = SendResult(outcome="retry", status_code=429, retry_after=timedelta(seconds=2))
    assert SCHEDULE.next_attempt_at(result, 1, T0, 0.9) == T0 + timedelta(seconds=2)


def test_no_retry_when_rejected_or_exhausted() -> None:
    rejected = SendResult(outcome="rejected", status_code=400)
    assert SCHEDULE.next_attempt_at(rejected, 1, T0, 0.0) is None
    assert SCHEDULE.next_attempt_at(RETRY, 8, T0, 0.0) is None
    assert SCHEDULE.next_attempt_at(RETRY, 7, T0, 0.0) == T0 + SCHEDULE.delay(7, 0.0)
