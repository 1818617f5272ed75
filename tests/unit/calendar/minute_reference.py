"""A deliberately naive calendar: looks at the local wall clock minute by minute.

It shares no code with escalon's calendars, so agreement between the two is evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

MINUTE = timedelta(minutes=1)


@dataclass
class MinuteCalendar:
    zone: ZoneInfo
    weekly: dict[int, list[tuple[int, int]]]  # weekday -> [(start minute, end minute)], end<=1440
    explicit: dict[date, list[tuple[int, int]] | None] = field(default_factory=dict)
    country: str | None = None

    def windows(self, day: date) -> list[tuple[int, int]]:
        if day in self.explicit:
            return self.explicit[day] or []
        if self.country and day in _public(self.country, day.year):
            return []
        return self.weekly.get(day.weekday(), [])

    def _ambiguous(self, day: date, minute: int) -> bool:
        wall = datetime(day.year, day.month, day.day, tzinfo=self.zone) + timedelta(minutes=minute)
        return wall.utcoffset() != wall.replace(fold=1).utcoffset()

    def is_open(self, instant: datetime) -> bool:
        local = instant.astimezone(self.zone)
        now = local.hour * 60 + local.minute

        def passed(edge: int) -> bool:
            if edge >= 1440:
                return False
            return edge <= now or (local.fold == 1 and self._ambiguous(local.date(), edge))

        return any(passed(a) and not passed(b) for a, b in self.windows(local.date()))

    def add(self, start: datetime, minutes: int) -> datetime:
        moment = start.astimezone(UTC)
        if minutes == 0:
            return moment
        while True:
            if self.is_open(moment):
                minutes -= 1
                if minutes == 0:
                    return moment + MINUTE
            moment += MINUTE

    def elapsed(self, start: datetime, end: datetime) -> int:
        moment, counted = start.astimezone(UTC), 0
        while moment < end:
            counted += self.is_open(moment)
            moment += MINUTE
        return counted


_PUBLIC: dict[tuple[str, int], set[date]] = {}


def _public(country: str, year: int) -> set[date]:
    key = (country, year)
    if key not in _PUBLIC:
        _PUBLIC[key] = set(holidays.country_holidays(country, years=year))
    return _PUBLIC[key]
