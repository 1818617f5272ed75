"""Property tests: the interval-table calendar against a minute-stepping reference."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.unit.calendar.minute_reference import MinuteCalendar

from escalon.domain.calendar import Calendar, CalendarSpec, build_calendar

ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "America/Sao_Paulo",  # DST at midnight until 2019
    "Asia/Kolkata",
    "UTC",
]
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FIRST = datetime(2016, 1, 1, tzinfo=UTC)
SPAN_MINUTES = 3 * 366 * 1440
PROFILE = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass
class Case:
    calendar: Calendar
    reference: MinuteCalendar
    weekly_minutes: int


@st.composite
def windows(draw: st.DrawFn) -> list[tuple[int, int]]:
    edges = sorted(draw(st.sets(st.integers(0, 48), max_size=4)))
    if len(edges) % 2:
        edges = edges[:-1]
    return [(edges[i] * 30, edges[i + 1] * 30) for i in range(0, len(edges), 2)]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    zone = draw(st.sampled_from(ZONES))
    weekly = {day: draw(windows()) for day in range(7)}
    if not any(weekly.values()):
        weekly[0] = [(9 * 60, 17 * 60)]
    explicit: dict[date, list[tuple[int, int]] | None] = {}
    for _ in range(draw(st.integers(0, 6))):
        day = FIRST.date() + timedelta(days=draw(st.integers(0, 3 * 366)))
        explicit[day] = draw(st.none() | windows())
    country = draw(st.sampled_from([None, None, "US", "GB"]))
    spec = CalendarSpec.model_validate(
        {
            "timezone": zone,
            "hours": {
                DAYS[d]: [f"{hhmm(a)}-{hhmm(b)}" for a, b in w] for d, w in weekly.items() if w
            },
            "holidays": {
                "country": country,
                "dates": [
                    {"date": day, "name": "Closed", "hours": None}
                    if half is None
                    else {
                        "date": day,
                        "name": "Half",
                        "hours": [f"{hhmm(a)}-{hhmm(b)}" for a, b in half],
                    }
                    for day, half in explicit.items()
                ],
            },
        }
    )
    reference = MinuteCalendar(ZoneInfo(zone), weekly, explicit, country)
    total = sum(b - a for w in weekly.values() for a, b in w)
    return Case(build_calendar("random", spec), reference, total)


instants = st.integers(0, SPAN_MINUTES).map(lambda m: FIRST + timedelta(minutes=m))
precise = st.integers(0, SPAN_MINUTES * 60_000_000).map(
    lambda us: FIRST + timedelta(microseconds=us)
)


@PROFILE
@given(cases(), instants, st.data())
def test_add_equals_the_minute_reference(case: Case, start: datetime, data: st.DataObject) -> None:
    minutes = data.draw(st.integers(0, min(600, 2 * case.weekly_minutes)))
    expected = case.reference.add(start, minutes)
    assert case.calendar.add(start, timedelta(minutes=minutes)) == expected


@PROFILE
@given(cases(), instants, st.integers(0, 8 * 1440))
def test_elapsed_and_is_open_equal_the_minute_reference(
    case: Case, start: datetime, length: int
) -> None:
    end = start + timedelta(minutes=length)
    expected = case.reference.elapsed(start, end)
    assert case.calendar.elapsed(start, end) == timedelta(minutes=expected)
    assert case.calendar.is_open(start) == case.reference.is_open(start)


@settings(max_examples=50, deadline=None)
@given(cases(), precise, st.integers(0, 200 * 3600 * 10**6))
def test_elapsed_inverts_add(case: Case, start: datetime, span_us: int) -> None:
    span = timedelta(microseconds=span_us)
    due = case.calendar.add(start, span)
    assert case.calendar.elapsed(start, due) == span
    assert due >= start


@settings(max_examples=50, deadline=None)
@given(cases(), precise, precise, st.integers(0, 90 * 3600), st.integers(0, 90 * 3600))
def test_add_is_monotonic_in_start_and_duration(
    case: Case, a: datetime, b: datetime, d1: int, d2: int
) -> None:
    (a, b), (d1, d2) = sorted((a, b)), sorted((d1, d2))

    def due(start: datetime, seconds: int) -> float:
        # Timestamps: two datetimes in one ZoneInfo compare by wall clock.
        return case.calendar.add(start, timedelta(seconds=seconds)).timestamp()

    assert due(a, d1) <= due(b, d1)
    assert due(a, d1) <= due(a, d2)


@settings(max_examples=30, deadline=None)
@given(cases(), st.lists(st.tuples(precise, st.integers(0, 300 * 3600)), min_size=1, max_size=20))
def test_batch_equals_scalar(case: Case, rows: list[tuple[datetime, int]]) -> None:
    starts = np.array([s.replace(tzinfo=None) for s, _ in rows], dtype="datetime64[us]")
    spans = np.array([timedelta(seconds=d) for _, d in rows], dtype="timedelta64[us]")
    dues = case.calendar.add_many(starts, spans)
    expected = [case.calendar.add(s, timedelta(seconds=d)) for s, d in rows]
    assert [d.astimezone(UTC).replace(tzinfo=None) for d in expected] == dues.tolist()
    worked = case.calendar.elapsed_many(starts, dues)
    assert worked.tolist() == [timedelta(seconds=d) for _, d in rows]


def _transition_days(zone: ZoneInfo, year: int) -> list[date]:
    day, found = date(year, 1, 1), []
    while day.year == year:
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
        if noon.utcoffset() != (noon + timedelta(days=1)).utcoffset():
            found.append(day + timedelta(days=1))
        day += timedelta(days=1)
    return found


def test_window_edges_around_every_dst_change_match_the_reference() -> None:
    edges = (0, 30, 60, 90, 120, 150, 180, 240)
    windows = [(a, b) for a in edges for b in edges if a < b] + [(22 * 60, 24 * 60)]
    for name in ("America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Sao_Paulo"):
        zone = ZoneInfo(name)
        for day in _transition_days(zone, 2017):
            for window in windows:
                text = f"{hhmm(window[0])}-{hhmm(window[1])}"
                spec = CalendarSpec.model_validate(
                    {
                        "timezone": name,
                        "hours": {"wed": ["09:00-10:00"]},
                        "holidays": {
                            "dates": [
                                {"date": day - timedelta(days=1), "hours": [text]},
                                {"date": day, "hours": [text]},
                            ]
                        },
                    }
                )
                reference = MinuteCalendar(
                    zone, {2: [(540, 600)]}, {day - timedelta(days=1): [window], day: [window]}
                )
                start = datetime(day.year, day.month, day.day, tzinfo=zone) - timedelta(hours=3)
                end = start + timedelta(hours=10)
                calendar = build_calendar("dst", spec)
                expected = reference.elapsed(start, end)
                assert calendar.elapsed(start, end) == timedelta(minutes=expected), (
                    name,
                    day,
                    text,
                )
