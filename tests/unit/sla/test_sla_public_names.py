"""The names other areas import are pinned: renaming one must be a deliberate change."""

from __future__ import annotations

import escalon.domain.calendar as calendar
import escalon.domain.sla as sla


def test_calendar_public_names() -> None:
    assert set(calendar.__all__) >= {
        "AlwaysOpenCalendar",
        "BusinessCalendar",
        "Calendar",
        "CalendarPiece",
        "CalendarSpec",
        "DEFAULT_CALENDARS",
        "FollowTheSunCalendar",
        "HolidayDate",
        "HolidaySource",
        "build_calendar",
        "build_calendars",
        "build_follow_the_sun",
    }
    assert all(hasattr(calendar, name) for name in calendar.__all__)
    for method in ("add", "elapsed", "is_open", "next_open", "intervals", "add_us", "elapsed_us"):
        assert callable(getattr(calendar.Calendar, method))


def test_sla_public_names() -> None:
    assert set(sla.__all__) >= {
        "ClockAlert",
        "ClockKind",
        "ClockOperation",
        "ClockState",
        "ClockStatus",
        "SlaClock",
        "apply_operations",
    }
    assert all(hasattr(sla, name) for name in sla.__all__)
    assert [state.value for state in sla.ClockState] == [
        "running",
        "paused",
        "met",
        "breached",
        "cancelled",
    ]
