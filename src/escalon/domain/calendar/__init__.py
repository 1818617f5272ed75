"""Business-hours calendars: working windows, holidays, time zones, follow-the-sun coverage."""

from escalon.domain.calendar.build import (
    DEFAULT_CALENDARS,
    build_calendar,
    build_calendars,
    build_follow_the_sun,
)
from escalon.domain.calendar.business import BusinessCalendar
from escalon.domain.calendar.follow_the_sun import FollowTheSunCalendar, Handoff
from escalon.domain.calendar.model import (
    COUNTED,
    OFF_HOURS,
    AlwaysOpenCalendar,
    Calendar,
    CalendarPiece,
)
from escalon.domain.calendar.spec import CalendarSpec, HolidayDate, HolidaySource

__all__ = [
    "COUNTED",
    "DEFAULT_CALENDARS",
    "OFF_HOURS",
    "AlwaysOpenCalendar",
    "BusinessCalendar",
    "Calendar",
    "CalendarPiece",
    "CalendarSpec",
    "FollowTheSunCalendar",
    "Handoff",
    "HolidayDate",
    "HolidaySource",
    "build_calendar",
    "build_calendars",
    "build_follow_the_sun",
]
