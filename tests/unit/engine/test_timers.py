"""Timer bookkeeping on a real business calendar: hand-checked cases and properties."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from escalon.domain.calendar import Calendar
from escalon.domain.engine import instant_us
from escalon.domain.engine.rulebook import rulebook_for
from escalon.domain.engine.timers import counted, pause, resume, start_timer, take_due
from escalon.domain.policy import Policy

HOUR = 3_600_000_000
MONDAY = instant_us(datetime(2025, 3, 3, 14, 0, tzinfo=UTC))  # Mon 09:00 New York (EST)


def _amer(policy: Policy) -> Calendar:
    return rulebook_for(policy).calendars["amer"]


def test_pause_removes_only_working_time_from_the_count(policy: Policy) -> None:
    # DOMAIN example 5: 4 business hours from Mon 09:00, paused Mon 10:00 to Tue 10:00 -> Tue 13:00
    amer = _amer(policy)
    timer = start_timer("resolution", amer, MONDAY, [4 * HOUR], policy="p")
    pause(timer, amer, MONDAY + HOUR, "paused: pending_customer")
    resume(timer, amer, MONDAY + 25 * HOUR)
    assert timer.due == MONDAY + 28 * HOUR
    assert [piece[2] for piece in timer.ledger] == ["paused: pending_customer", None]


def test_thresholds_passed_together_give_one_decision(policy: Policy) -> None:
    amer = _amer(policy)
    timer = start_timer("resolution", amer, MONDAY, [HOUR, 2 * HOUR, 3 * HOUR], policy="p")
    pause(timer, amer, MONDAY + HOUR // 2, "paused")
    timer.consumed = 5 * HOUR  # e.g. a retroactive retarget found the budget long spent
    resume(timer, amer, MONDAY + 2 * HOUR)
    assert take_due(timer, amer, MONDAY + 2 * HOUR) == (2, MONDAY + 2 * HOUR)
    assert take_due(timer, amer, MONDAY + 9 * HOUR) is None


pauses = st.lists(
    st.tuples(st.integers(1, 30 * 60), st.integers(1, 60 * 60)), min_size=0, max_size=5
)


@settings(max_examples=60, deadline=None)
@given(target_min=st.integers(15, 72 * 60), gaps=pauses)
def test_pausing_never_makes_the_due_instant_earlier(
    policy: Policy, target_min: int, gaps: list[tuple[int, int]]
) -> None:
    amer = _amer(policy)
    target = target_min * 60_000_000
    plain = start_timer("resolution", amer, MONDAY, [target], policy="p")
    paused = start_timer("resolution", amer, MONDAY, [target], policy="p")
    now = MONDAY
    for run, hold in gaps:
        now += run * 60_000_000
        pause(paused, amer, now, "paused")
        now += hold * 60_000_000
        resume(paused, amer, now)
    assert plain.due is not None and paused.due is not None
    assert paused.due >= plain.due
    # the budget is exact: working time counted by the due instant equals the target
    counted_intervals = sum(
        amer.elapsed_us(start, end) for start, end, _ in paused.ledger if end is not None
    )
    assert paused.consumed == counted_intervals
    assert counted(paused, amer, paused.due) == target or paused.consumed >= target
