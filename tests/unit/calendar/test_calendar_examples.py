"""Hand-checked cases from the issue and DOMAIN.md's worked examples (calendar side)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from escalon.domain.calendar import (
    DEFAULT_CALENDARS,
    Calendar,
    CalendarSpec,
    build_calendar,
    build_calendars,
)

NY = ZoneInfo("America/New_York")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def ny_calendar(window: str = "09:00-17:00", **extra: object) -> Calendar:
    spec = CalendarSpec.model_validate(
        {"timezone": "America/New_York", "hours": {d: [window] for d in WEEKDAYS}, **extra}
    )
    return build_calendar("ny", spec)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NY)


@pytest.fixture(scope="module")
def nine_to_five() -> Calendar:
    return ny_calendar()


def test_four_hours_from_friday_afternoon_is_due_monday_noon(nine_to_five: Calendar) -> None:
    # Fri 2024-03-01 16:00 -> 1 h Friday + 3 h Monday.
    due = nine_to_five.add(at(2024, 3, 1, 16), timedelta(hours=4))
    assert due == at(2024, 3, 4, 12)
    assert due.strftime("%a %H:%M") == "Mon 12:00"


def test_a_target_ending_at_closing_time_is_due_at_closing_time(nine_to_five: Calendar) -> None:
    due = nine_to_five.add(at(2024, 3, 4, 9), timedelta(hours=8))
    assert due == at(2024, 3, 4, 17)
    assert nine_to_five.add(at(2024, 3, 4, 9), timedelta(hours=8, seconds=1)) == at(
        2024, 3, 5, 9, 0, 1
    )


def test_opened_friday_night_counts_from_monday_opening_on_eight_to_five() -> None:
    calendar = ny_calendar("08:00-17:00")
    opened, now = at(2024, 3, 1, 21), at(2024, 3, 4, 9, 30)
    assert calendar.elapsed(opened, now) == timedelta(hours=1, minutes=30)
    assert now - opened == timedelta(hours=60, minutes=30)


def test_overnight_from_two_pm_counts_three_business_hours(nine_to_five: Calendar) -> None:
    start, now = at(2024, 3, 5, 14), at(2024, 3, 6, 9)
    assert nine_to_five.elapsed(start, now) == timedelta(hours=3)
    assert now - start == timedelta(hours=19)


def test_eight_business_hours_across_spring_forward_keep_local_time(
    nine_to_five: Calendar,
) -> None:
    due = nine_to_five.add(at(2024, 3, 8, 13), timedelta(hours=8))
    assert due == at(2024, 3, 11, 13)
    assert due.utcoffset() == timedelta(hours=-4)
    assert due.astimezone(UTC) == datetime(2024, 3, 11, 17, tzinfo=UTC)


def test_twenty_four_calendar_hours_across_spring_forward_count_real_time() -> None:
    always = build_calendar("24x7", CalendarSpec(timezone="America/New_York", always_open=True))
    due = always.add(at(2024, 3, 9, 12), timedelta(hours=24))
    assert due.isoformat() == "2024-03-10T13:00:00-04:00"


def test_a_start_outside_working_time_counts_from_the_next_opening(nine_to_five: Calendar) -> None:
    assert nine_to_five.add(at(2024, 3, 2, 10), timedelta(hours=1)) == at(2024, 3, 4, 10)
    assert nine_to_five.next_open(at(2024, 3, 2, 10)) == at(2024, 3, 4, 9)
    assert nine_to_five.next_open(at(2024, 3, 4, 10)) == at(2024, 3, 4, 10)
    assert not nine_to_five.is_open(at(2024, 3, 4, 17))
    assert nine_to_five.is_open(at(2024, 3, 4, 9))


def test_results_are_aware_instants_in_the_calendar_zone(nine_to_five: Calendar) -> None:
    due = nine_to_five.add(datetime(2024, 3, 4, 14, tzinfo=UTC), timedelta(hours=1))
    assert due.tzinfo == NY
    assert due == at(2024, 3, 4, 10)


def test_naive_input_is_an_error(nine_to_five: Calendar) -> None:
    with pytest.raises(ValueError, match="no time zone"):
        nine_to_five.add(datetime(2024, 3, 4, 9), timedelta(hours=1))
    with pytest.raises(ValueError, match="before start"):
        nine_to_five.elapsed(at(2024, 3, 5), at(2024, 3, 4))
    with pytest.raises(ValueError, match="negative"):
        nine_to_five.add(at(2024, 3, 4), timedelta(hours=-1))


def test_public_holidays_are_skipped_and_named_in_the_ledger() -> None:
    amer = build_calendars(DEFAULT_CALENDARS)["amer"]
    # Fri 2024-05-24 16:00 + 2 h: Memorial Day Monday is skipped.
    assert amer.add(at(2024, 5, 24, 16), timedelta(hours=2)) == at(2024, 5, 28, 10)
    pieces = list(amer.intervals(at(2024, 5, 24, 16), at(2024, 5, 28, 10)))
    assert [(p.counted, p.reason) for p in pieces] == [
        (True, "working hours"),
        (False, "off hours"),
        (False, "Memorial Day"),
        (False, "off hours"),
        (True, "working hours"),
    ]
    assert pieces[2].start == at(2024, 5, 27, 9) and pieces[2].end == at(2024, 5, 27, 17)
    assert sum((p.duration for p in pieces if p.counted), timedelta()) == timedelta(hours=2)


def test_explicit_holidays_and_half_days() -> None:
    calendar = ny_calendar(
        holidays={
            "dates": [
                {"date": "2024-12-24", "name": "Christmas Eve", "hours": ["09:00-13:00"]},
                {"date": "2024-12-26", "name": "Company day"},
            ]
        }
    )
    assert calendar.add(at(2024, 12, 24, 12), timedelta(hours=2)) == at(2024, 12, 25, 10)
    assert calendar.add(at(2024, 12, 25, 16), timedelta(hours=2)) == at(2024, 12, 27, 10)
    reasons = [p.reason for p in calendar.intervals(at(2024, 12, 24, 12), at(2024, 12, 24, 18))]
    assert reasons == ["working hours", "Christmas Eve", "off hours"]


def test_a_lunch_break_is_excluded() -> None:
    spec = CalendarSpec.model_validate(
        {"timezone": "Europe/London", "hours": {"mon": ["09:00-12:00", "13:00-17:00"]}}
    )
    calendar = build_calendar("lunch", spec)
    london = ZoneInfo("Europe/London")
    start = datetime(2024, 3, 4, 11, tzinfo=london)
    assert calendar.add(start, timedelta(hours=2)) == datetime(2024, 3, 4, 14, tzinfo=london)
    assert calendar.working_day == timedelta(hours=7)


def test_working_day_is_the_standard_day_and_twenty_four_hours_on_24x7() -> None:
    calendars = build_calendars(DEFAULT_CALENDARS)
    assert calendars["amer"].working_day == timedelta(hours=8)
    assert calendars["apac"].working_day == timedelta(hours=9)
    assert calendars["24x7"].working_day == timedelta(hours=24)


def test_fall_back_day_counts_real_hours_inside_the_window() -> None:
    # Sun 2024-11-03, clocks go back at 02:00: a 00:00-04:00 window lasts 5 real hours.
    spec = CalendarSpec.model_validate(
        {"timezone": "America/New_York", "hours": {"sun": ["00:00-04:00"]}}
    )
    calendar = build_calendar("night", spec)
    day = datetime(2024, 11, 3, tzinfo=NY)
    assert calendar.elapsed(day, day + timedelta(days=1)) == timedelta(hours=5)


def test_a_window_edge_in_the_spring_gap_is_the_jump_instant() -> None:
    # Sun 2024-03-10, 02:00 EST jumps to 03:00 EDT (07:00Z): 02:30 never happens.
    spec = CalendarSpec.model_validate(
        {"timezone": "America/New_York", "hours": {"sun": ["02:30-05:00"]}}
    )
    calendar = build_calendar("gap", spec)
    assert calendar.next_open(at(2024, 3, 10, 1)) == datetime(2024, 3, 10, 7, tzinfo=UTC)
    assert calendar.elapsed(at(2024, 3, 10), at(2024, 3, 11)) == timedelta(hours=2)


def test_unknown_holiday_country_and_empty_calendars_are_rejected() -> None:
    with pytest.raises(ValueError, match="holiday data"):
        ny_calendar(holidays={"country": "ZZ"})
    with pytest.raises(ValueError, match="no working hours"):
        build_calendar("empty", CalendarSpec(timezone="UTC"))


def test_long_targets_span_years_and_holidays() -> None:
    amer = build_calendars(DEFAULT_CALENDARS)["amer"]
    start = at(2024, 1, 2, 9)
    due = amer.add(start, timedelta(hours=8 * 600))
    assert amer.elapsed(start, due) == timedelta(hours=8 * 600)
    assert due.date() > date(2026, 1, 1)
    assert amer.add(at(2027, 6, 1, 9), timedelta(hours=8)) == at(2027, 6, 1, 17)
    assert amer.add(at(2019, 6, 3, 9), timedelta(hours=8)) == at(2019, 6, 3, 17)


def test_a_calendar_shared_between_threads_gives_the_same_answers() -> None:
    from concurrent.futures import ThreadPoolExecutor

    spec = DEFAULT_CALENDARS["amer"]
    starts = [at(2024 + i % 2, 1 + i % 12, 1 + i % 28, 8 + i % 10) for i in range(240)]
    solo = build_calendar("solo", spec)
    expected = [solo.add(s, timedelta(hours=30)) for s in starts]
    shared = build_calendar("shared", spec)
    with ThreadPoolExecutor(max_workers=4) as pool:
        chunks = [starts[i::4] for i in range(4)]
        results = list(pool.map(lambda c: [shared.add(s, timedelta(hours=30)) for s in c], chunks))
    assert [r for i in range(4) for r in results[i]] == [
        e for i in range(4) for e in expected[i::4]
    ]


def test_ledger_durations_are_real_time_across_dst(nine_to_five: Calendar) -> None:
    pieces = list(nine_to_five.intervals(at(2024, 3, 8, 16), at(2024, 3, 11, 10)))
    assert [p.duration for p in pieces] == [
        timedelta(hours=1),
        timedelta(hours=63),  # Fri 17:00 EST to Mon 09:00 EDT: the clocks skip an hour
        timedelta(hours=1),
    ]
