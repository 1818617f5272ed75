"""Business-hours calendars: weekly windows in local wall-clock time, holidays, half days.

Each window is converted to UTC on its own date, so an 09:00-17:00 day is 09:00-17:00 local
on both sides of a DST change. A window edge that falls in a DST gap (a wall-clock time that
never happens) is taken as the instant the clocks jump; an ambiguous edge (the repeated hour
when clocks go back) is its first occurrence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays as holiday_data

from escalon.domain.calendar.model import to_us
from escalon.domain.calendar.spec import WEEKDAYS, CalendarSpec, parse_window
from escalon.domain.calendar.timeline import Closure, Interval, TimelineCalendar

Window = tuple[int, int]
"""Seconds after local midnight: [start, end), end up to 86400 (24:00)."""

_DAY = 86_400
_ONE_DAY = timedelta(days=1)


def _windows(texts: Sequence[str]) -> list[Window]:
    windows = []
    for text in texts:
        start, end = parse_window(text)
        windows.append((_seconds(start), _DAY if end is None else _seconds(end)))
    return _merge(sorted(windows))


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _merge(windows: list[Window]) -> list[Window]:
    merged: list[Window] = []
    for a, b in windows:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _subtract(windows: list[Window], removed: list[Window]) -> list[Window]:
    """The parts of `windows` not covered by `removed` (both sorted, non-overlapping)."""
    left: list[Window] = []
    for a, b in windows:
        position = a
        for c, d in removed:
            if d <= position or c >= b:
                continue
            if c > position:
                left.append((position, c))
            position = max(position, d)
        if position < b:
            left.append((position, b))
    return left


class BusinessCalendar(TimelineCalendar):
    """Weekly working windows in an IANA zone, minus public and explicit holidays."""

    def __init__(
        self,
        name: str,
        zone: ZoneInfo,
        weekly: Mapping[int, list[Window]],
        *,
        country: str | None = None,
        subdivision: str | None = None,
        explicit: Mapping[date, tuple[str, list[Window] | None]] | None = None,
    ) -> None:
        super().__init__()
        self.name = name
        self.zone = zone
        self._weekly = {day: list(weekly.get(day, [])) for day in range(7)}
        if not any(self._weekly.values()):
            raise ValueError(f"calendar {name!r} has no working hours: give hours or always_open")
        self._country = country
        self._subdivision = subdivision
        self._explicit = dict(explicit or {})
        if country is not None:
            _check_holiday_source(country, subdivision)
        totals = Counter(sum(b - a for a, b in w) for w in self._weekly.values() if w)
        top = max(totals.values())
        self._working_day = timedelta(seconds=max(t for t, n in totals.items() if n == top))

    @classmethod
    def from_spec(cls, name: str, spec: CalendarSpec) -> BusinessCalendar:
        weekly = {WEEKDAYS.index(day): _windows(texts) for day, texts in spec.hours.items()}
        explicit = {
            h.date: (h.name, None if h.hours is None else _windows(h.hours))
            for h in spec.holidays.dates
        }
        return cls(
            name,
            ZoneInfo(spec.timezone),
            weekly,
            country=spec.holidays.country,
            subdivision=spec.holidays.subdivision,
            explicit=explicit,
        )

    @property
    def working_day(self) -> timedelta:
        """The most common daily total of the weekly windows (the longest on a tie)."""
        return self._working_day

    # -- years ---------------------------------------------------------------------------------

    def _year_of(self, instant: int) -> int:
        return datetime.fromtimestamp(instant / 1_000_000, self.zone).year

    def _year_span(self, year: int) -> Interval:
        return self._local(date(year, 1, 1), 0), self._local(date(year + 1, 1, 1), 0)

    def _year_timeline(self, year: int) -> tuple[list[Interval], list[Closure]]:
        special = self._holidays(year)
        opens: list[Interval] = []
        closures: list[Closure] = []
        day = date(year, 1, 1)
        while day.year == year:
            weekly = self._weekly[day.weekday()]
            windows = weekly
            if day in special:
                name, half = special[day]
                windows = half if half is not None else []
                for a, b in _subtract(weekly, windows):
                    closures.append((self._local(day, a), self._local(day, b), name))
            opens.extend((self._local(day, a), self._local(day, b)) for a, b in windows)
            day += _ONE_DAY
        return opens, closures

    def _holidays(self, year: int) -> dict[date, tuple[str, list[Window] | None]]:
        found: dict[date, tuple[str, list[Window] | None]] = {}
        if self._country is not None:
            public = _public_holidays(self._country, self._subdivision, year)
            found.update((day, (name, None)) for day, name in public.items())
        found.update((day, v) for day, v in self._explicit.items() if day.year == year)
        return found

    # -- local wall clock -> UTC -----------------------------------------------------------------

    def _local(self, day: date, seconds: int) -> int:
        """Epoch microseconds of local wall-clock `seconds` after midnight of `day`."""
        if seconds >= _DAY:
            day, seconds = day + _ONE_DAY, seconds - _DAY
        wall = datetime(day.year, day.month, day.day, tzinfo=self.zone) + timedelta(seconds=seconds)
        first = to_us(wall)
        if datetime.fromtimestamp(first / 1_000_000, self.zone).replace(tzinfo=None) == (
            wall.replace(tzinfo=None)
        ):
            return first
        return self._jump(to_us(wall.replace(fold=1)), first)

    def _jump(self, low: int, high: int) -> int:
        """The instant in [low, high] where the clocks jump forward (a DST gap)."""
        after = datetime.fromtimestamp(high / 1_000_000, self.zone).utcoffset()
        lo, hi = low // 1_000_000, high // 1_000_000
        while lo < hi:
            mid = (lo + hi) // 2
            if datetime.fromtimestamp(mid, self.zone).utcoffset() == after:
                hi = mid
            else:
                lo = mid + 1
        return lo * 1_000_000


def _check_holiday_source(country: str, subdivision: str | None) -> None:
    """Refuse a country or subdivision the `holidays` package has no data for."""
    supported = _supported()
    subdivisions = supported.get(country)
    if subdivisions is None or (subdivision is not None and subdivision not in subdivisions):
        where = country if subdivision is None else f"{country}/{subdivision}"
        raise ValueError(f"no public holiday data for {where!r}")


@cache
def _supported() -> dict[str, list[str]]:
    return dict(holiday_data.list_supported_countries(include_aliases=True))


def _public_holidays(country: str, subdivision: str | None, year: int) -> dict[date, str]:
    """Public holidays of one year by date (observed days included)."""
    found = holiday_data.country_holidays(country, subdiv=subdivision, years=[year])
    return {day: str(name) for day, name in found.items() if day.year == year}
