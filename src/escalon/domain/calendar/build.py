"""Turn policy `CalendarSpec`s into calendars, and the four calendars escalon ships with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from escalon.domain.calendar.business import BusinessCalendar
from escalon.domain.calendar.follow_the_sun import FollowTheSunCalendar
from escalon.domain.calendar.model import AlwaysOpenCalendar, Calendar
from escalon.domain.calendar.spec import CalendarSpec
from escalon.domain.calendar.timeline import TimelineCalendar

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")

DEFAULT_CALENDARS: dict[str, CalendarSpec] = {
    name: CalendarSpec.model_validate(spec)
    for name, spec in {
        "amer": {
            "timezone": "America/New_York",
            "hours": {day: ["09:00-17:00"] for day in _WEEKDAYS},
            "holidays": {"country": "US"},
        },
        "emea": {
            "timezone": "Europe/London",
            "hours": {day: ["09:00-17:00"] for day in _WEEKDAYS},
            "holidays": {"country": "GB", "subdivision": "ENG"},
        },
        "apac": {
            "timezone": "Asia/Singapore",
            "hours": {day: ["09:00-18:00"] for day in _WEEKDAYS},
            "holidays": {"country": "SG"},
        },
        "24x7": {"always_open": True},
    }.items()
}
"""The calendars of the default policy, for use before or without a policy file."""


def build_calendar(name: str, spec: CalendarSpec) -> Calendar:
    """Build one calendar from its policy spec."""
    if spec.always_open:
        return AlwaysOpenCalendar(name, ZoneInfo(spec.timezone))
    return BusinessCalendar.from_spec(name, spec)


def build_calendars(specs: Mapping[str, CalendarSpec]) -> dict[str, Calendar]:
    """Build every calendar of a policy, by name."""
    return {name: build_calendar(name, spec) for name, spec in specs.items()}


def build_follow_the_sun(
    name: str, regions: Sequence[str], calendars: Mapping[str, Calendar], timezone: str = "UTC"
) -> FollowTheSunCalendar:
    """The union of the named regional calendars, in handoff tie-break order."""
    members: list[TimelineCalendar] = []
    for region in regions:
        member = calendars.get(region)
        if not isinstance(member, TimelineCalendar):
            raise ValueError(
                f"follow-the-sun {name!r}: region {region!r} must be a business-hours calendar"
            )
        members.append(member)
    return FollowTheSunCalendar(name, members, ZoneInfo(timezone))
