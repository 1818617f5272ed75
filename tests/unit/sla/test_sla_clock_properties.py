"""Property tests for SLA clocks over random calendars, DST zones and pauses."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.unit.calendar.test_calendar_properties import FIRST, Case, cases

from escalon.domain.sla import ClockKind, SlaClock

PROFILE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
seconds = st.integers(0, 2 * 366 * 86_400)


@st.composite
def pauses(draw: st.DrawFn) -> list[tuple[int, int]]:
    """Sorted, disjoint pauses as (offset from start, length) in seconds."""
    edges = sorted(draw(st.sets(st.integers(1, 30 * 86_400), max_size=8)))
    if len(edges) % 2:
        edges = edges[:-1]
    return [(edges[i], edges[i + 1]) for i in range(0, len(edges), 2)]


def clock_with(start: datetime, target: timedelta, spans: list[tuple[int, int]]) -> SlaClock:
    clock = SlaClock.start("resolution", ClockKind.RESOLUTION, start, target, "random")
    for a, b in spans:
        clock = clock.pause(start + timedelta(seconds=a), "pending customer")
        clock = clock.resume(start + timedelta(seconds=b))
    return clock


@PROFILE
@given(cases(), seconds, st.integers(0, 80 * 3600), pauses(), st.data())
def test_pausing_never_makes_the_due_instant_earlier(
    case: Case, offset: int, target_s: int, spans: list[tuple[int, int]], data: st.DataObject
) -> None:
    start, target = FIRST + timedelta(seconds=offset), timedelta(seconds=target_s)
    fewer = data.draw(st.lists(st.sampled_from(spans), unique=True)) if spans else []
    more = clock_with(start, target, spans).due(case.calendar)
    less = clock_with(start, target, sorted(fewer)).due(case.calendar)
    bare = clock_with(start, target, []).due(case.calendar)
    assert more is not None and less is not None and bare is not None
    assert bare.timestamp() <= less.timestamp() <= more.timestamp()  # not wall-clock order


@PROFILE
@given(cases(), seconds, st.integers(0, 80 * 3600), pauses())
def test_the_counted_budget_is_the_target_at_the_due_instant(
    case: Case, offset: int, target_s: int, spans: list[tuple[int, int]]
) -> None:
    start, target = FIRST + timedelta(seconds=offset), timedelta(seconds=target_s)
    clock = clock_with(start, target, spans)
    due = clock.due(case.calendar)
    assert due is not None
    last_resume = start + timedelta(seconds=spans[-1][1]) if spans else start
    if due > last_resume:
        assert clock.elapsed(due, case.calendar) == target
    ledger = clock.ledger(due, case.calendar)
    counted = sum((p.duration for p in ledger if p.counted), timedelta())
    assert counted == clock.elapsed(due, case.calendar)
    assert all(a.end == b.start for a, b in zip(ledger, ledger[1:], strict=False))


@PROFILE
@given(cases(), seconds, st.integers(1, 80 * 3600), pauses(), st.integers(0, 60 * 86_400))
def test_alerts_announce_each_threshold_once_and_never_while_paused(
    case: Case, offset: int, target_s: int, spans: list[tuple[int, int]], step: int
) -> None:
    start = FIRST + timedelta(seconds=offset)
    clock = clock_with(start, timedelta(seconds=target_s), spans)
    seen: list[str] = []
    now = start
    for _ in range(6):
        now = now + timedelta(seconds=step // 6 + 1)
        clock, alerts = clock.alerts(now, case.calendar)
        seen += [a.label for a in alerts]
        for alert in alerts:
            assert alert.at <= now
            assert not any(
                start + timedelta(seconds=a) < alert.at < start + timedelta(seconds=b)
                for a, b in spans
            )
    assert len(seen) == len(set(seen))
    assert seen.count("breach") <= 1


@settings(max_examples=40, deadline=None)
@given(cases(), seconds, st.integers(0, 80 * 3600), pauses(), st.booleans())
def test_json_round_trip_preserves_every_answer(
    case: Case, offset: int, target_s: int, spans: list[tuple[int, int]], stop: bool
) -> None:
    start = FIRST + timedelta(seconds=offset)
    clock = clock_with(start, timedelta(seconds=target_s), spans)
    if stop:
        clock = clock.stop(start + timedelta(days=40))
    back = SlaClock.from_dict(clock.to_dict())
    now = start + timedelta(days=60)
    assert back == clock
    assert back.status(now, case.calendar) == clock.status(now, case.calendar)
