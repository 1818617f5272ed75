"""Calendar arithmetic: scalar `add` against businesstimedelta, the NumPy batch path, and cost
versus target length, all on the `amer` calendar (Mon-Fri 09:00-17:00 New York, US holidays).

Times are CPU seconds of this process (best of a few runs), i.e. the work of one core, so that
other load on a shared machine does not count against either side.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from time import process_time

import businesstimedelta
import holidays
import numpy as np
import pytz

from bench.harness import Figure
from escalon.domain.calendar import DEFAULT_CALENDARS, Calendar, build_calendar
from escalon.domain.sla import ClockKind, SlaClock

YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)


def _inputs(count: int, seed: int = 3) -> list[tuple[datetime, timedelta]]:
    """Random starts over 2025 (to the second) and targets of 15 minutes to 72 hours."""
    rng = random.Random(seed)
    return [
        (
            YEAR_START + timedelta(seconds=rng.randrange(365 * 86_400)),
            timedelta(minutes=rng.randrange(15, 72 * 60 + 1)),
        )
        for _ in range(count)
    ]


def _competitor() -> businesstimedelta.Rules:
    zone = pytz.timezone("America/New_York")
    workday = businesstimedelta.WorkDayRule(
        start_time=time(9), end_time=time(17), working_days=[0, 1, 2, 3, 4], tz=zone
    )
    days = holidays.country_holidays("US", years=range(2024, 2028))
    return businesstimedelta.Rules([workday, businesstimedelta.HolidayRule(days, tz=zone)])


def best_of(repeats: int, fn: Callable[[], object]) -> float:
    """Least CPU time of `repeats` runs of `fn`, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = process_time()
        fn()
        best = min(best, process_time() - start)
    return best


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def _scalar(calendar: Calendar, quick: bool) -> Figure:
    rows = _inputs(2_000 if quick else 20_000)
    rules = _competitor()
    theirs_rows = rows[: 300 if quick else 3_000]
    ours = best_of(3, lambda: [calendar.add(s, d) for s, d in rows])
    theirs = best_of(
        1,
        lambda: [
            s + businesstimedelta.BusinessTimeDelta(rules, timedelta=d) for s, d in theirs_rows
        ],
    )
    agree = sum(
        calendar.add(s, d) == s + businesstimedelta.BusinessTimeDelta(rules, timedelta=d)
        for s, d in theirs_rows
    )
    value, baseline = _rate(len(rows), ours), _rate(len(theirs_rows), theirs)
    return Figure(
        name=f"scalar add, amer with holidays (agrees on {agree}/{len(theirs_rows)})",
        value=value,
        unit="adds/s",
        baseline_name="businesstimedelta 1.0.1",
        baseline_value=baseline,
        target=">= 100,000/s and >= 15x businesstimedelta",
        met=value >= 100_000 and value >= 15 * baseline and agree == len(theirs_rows),
    )


def _batch(calendar: Calendar, quick: bool) -> Figure:
    rows = _inputs(5_000)
    count = 200_000 if quick else 2_000_000
    picks = np.random.default_rng(5).integers(0, len(rows), count)
    starts = np.array([s.replace(tzinfo=None) for s, _ in rows], dtype="datetime64[us]")[picks]
    spans = np.array([d for _, d in rows], dtype="timedelta64[us]")[picks]
    batch = best_of(3, lambda: calendar.add_many(starts, spans))
    scalar = best_of(3, lambda: [calendar.add(s, d) for s, d in rows])
    value = _rate(count, batch)
    return Figure(
        name="batch add_many (NumPy), amer",
        value=value,
        unit="dues/s",
        baseline_name="scalar add loop",
        baseline_value=_rate(len(rows), scalar),
        target=">= 1,000,000/s",
        met=value >= 1_000_000,
    )


def _length(calendar: Calendar, quick: bool) -> Figure:
    starts = [s for s, _ in _inputs(2_000 if quick else 20_000, seed=7)]
    month = 30 * calendar.working_day
    calendar.add(starts[0], month * 3)  # materialise the years both loops touch
    long = best_of(3, lambda: [calendar.add(s, month) for s in starts])
    short = best_of(3, lambda: [calendar.add(s, timedelta(hours=1)) for s in starts])
    value, baseline = _rate(len(starts), long), _rate(len(starts), short)
    return Figure(
        name="scalar add, 30-working-day target",
        value=value,
        unit="adds/s",
        baseline_name="same, 1-hour target",
        baseline_value=baseline,
        target="within 2x of the 1-hour target",
        met=value * 2 >= baseline,
    )


def _clock_events(calendar: Calendar, quick: bool) -> Figure:
    """A ticket's clock through a replay: each event is one operation plus the next wake-up."""
    rows = _inputs(300 if quick else 3_000, seed=11)
    hour = timedelta(hours=1)

    def replay() -> int:
        events = 0
        for start, target in rows:
            clock = SlaClock.start("resolution", ClockKind.RESOLUTION, start, target, "amer")
            clock.next_alert(calendar)
            for step in (1, 2, 3, 4):
                at = start + step * 7 * hour
                clock = clock.pause(at, "pending customer") if step % 2 else clock.resume(at)
                clock.next_alert(calendar)
            clock, _ = clock.alerts(start + 40 * hour, calendar)
            clock = clock.stop(start + 41 * hour)
            events += 7
        return events

    def copies() -> None:
        for start, target in rows:
            clock = SlaClock.start("resolution", ClockKind.RESOLUTION, start, target, "amer")
            for _ in range(7):
                clock = replace(clock, cycle=clock.cycle)

    events = replay()
    value = _rate(events, best_of(3, replay))
    return Figure(
        name="SLA clock events (operation + next wake-up), amer",
        value=value,
        unit="events/s",
        baseline_name="bare dataclasses.replace of a clock",
        baseline_value=_rate(events, best_of(3, copies)),
        target="engine budget 50,000 events/s",
        met=value >= 50_000,
    )


def run(quick: bool) -> list[Figure]:
    calendar = build_calendar("amer", DEFAULT_CALENDARS["amer"])
    calendar.add(YEAR_START, timedelta(days=500))  # first use of a year builds its table
    return [
        _scalar(calendar, quick),
        _batch(calendar, quick),
        _length(calendar, quick),
        _clock_events(calendar, quick),
    ]
