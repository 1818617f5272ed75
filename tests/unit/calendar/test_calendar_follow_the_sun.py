"""Follow-the-sun: the union calendar, ownership and handoffs over the default regions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from escalon.domain.calendar import (
    DEFAULT_CALENDARS,
    FollowTheSunCalendar,
    build_calendars,
    build_follow_the_sun,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture(scope="module")
def ring() -> FollowTheSunCalendar:
    return build_follow_the_sun(
        "global", ["apac", "emea", "amer"], build_calendars(DEFAULT_CALENDARS)
    )


def test_winter_weekday_hands_off_apac_emea_amer_then_back(ring: FollowTheSunCalendar) -> None:
    # Mon 2024-03-04: apac 01:00-10:00Z, emea 09:00-17:00Z, amer 14:00-22:00Z.
    assert ring.handoffs(utc(2024, 3, 4), utc(2024, 3, 5)) == [
        (utc(2024, 3, 4, 9), "apac", "emea"),
        (utc(2024, 3, 4, 14), "emea", "amer"),
        (utc(2024, 3, 4, 22), "amer", "apac"),
    ]
    assert ring.owner(utc(2024, 3, 4, 9, 30)) == "emea"  # apac still open, emea opened later
    assert ring.owner(utc(2024, 3, 4, 23)) == "apac"  # nobody open: apac opens next


def test_summer_time_moves_the_handoffs_in_utc(ring: FollowTheSunCalendar) -> None:
    handoffs = ring.handoffs(utc(2024, 7, 8), utc(2024, 7, 9))
    assert [(h[0].hour, h[1], h[2]) for h in handoffs] == [
        (8, "apac", "emea"),
        (13, "emea", "amer"),
        (21, "amer", "apac"),
    ]


def test_the_union_is_open_when_any_region_is_and_closed_at_weekends(
    ring: FollowTheSunCalendar,
) -> None:
    monday = utc(2024, 3, 4)
    assert ring.elapsed(monday, monday + timedelta(days=1)) == timedelta(hours=21)
    assert not ring.is_open(utc(2024, 3, 9, 12))
    assert ring.next_open(utc(2024, 3, 9, 12)) == utc(2024, 3, 11, 1)
    assert ring.owner(utc(2024, 3, 9, 12)) == "apac"
    # 4 covered hours from Fri 20:00Z: 2 h of amer on Friday, then Monday from apac's opening.
    assert ring.add(utc(2024, 3, 8, 20), timedelta(hours=4)) == utc(2024, 3, 11, 3)
    assert ring.working_day == timedelta(hours=24)


def test_a_regional_holiday_leaves_the_others_covering(ring: FollowTheSunCalendar) -> None:
    # Mon 2024-05-27: Memorial Day (amer) and Spring Bank Holiday (emea); apac works.
    day = utc(2024, 5, 27)
    assert ring.elapsed(day, day + timedelta(days=1)) == timedelta(hours=9)
    assert ring.handoffs(day, day + timedelta(days=1)) == []
    assert ring.owner(utc(2024, 5, 27, 15)) == "apac"


def test_ties_go_to_the_region_listed_first() -> None:
    calendars = build_calendars(
        {
            "a": DEFAULT_CALENDARS["emea"],
            "b": DEFAULT_CALENDARS["emea"],
        }
    )
    first = build_follow_the_sun("ab", ["a", "b"], calendars)
    second = build_follow_the_sun("ba", ["b", "a"], calendars)
    assert first.owner(utc(2024, 3, 4, 10)) == "a"
    assert second.owner(utc(2024, 3, 4, 10)) == "b"


def test_regions_must_be_business_calendars() -> None:
    calendars = build_calendars(DEFAULT_CALENDARS)
    with pytest.raises(ValueError, match="24x7"):
        build_follow_the_sun("bad", ["amer", "24x7"], calendars)
    with pytest.raises(ValueError, match="mars"):
        build_follow_the_sun("bad", ["mars"], calendars)
