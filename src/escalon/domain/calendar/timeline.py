"""Interval-table arithmetic shared by business and follow-the-sun calendars.

Open intervals are materialised lazily, one year at a time, as sorted epoch microseconds with
a running total of working time before each interval. `elapsed` is then the difference of two
positions on that running total and `add` is two binary searches, so the cost of a target does
not depend on its length; the batch API runs the same searches with `numpy.searchsorted`.
"""

from __future__ import annotations

from abc import abstractmethod
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from escalon.domain.calendar.model import (
    COUNTED,
    KNOWN_ZONES,
    OFF_HOURS,
    Calendar,
    as_us_array,
    from_us,
    span_us,
    to_us,
)

Interval = tuple[int, int]
Closure = tuple[int, int, str]

_EMPTY_YEARS_LIMIT = 20
"""Years in a row without working time after which a calendar is declared never open."""


class TimelineCalendar(Calendar):
    """A calendar whose open time is a union of intervals, built per year on demand."""

    def __init__(self) -> None:
        self._first_year = 0
        self._last_year = -1
        self._lo = 0
        self._hi = 0
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._before: list[int] = []
        self._through: list[int] = []
        self._closures: list[Closure] = []
        self._closure_starts: list[int] = []
        self._arrays: tuple[NDArray[np.int64], ...] | None = None

    @abstractmethod
    def _year_of(self, instant: int) -> int:
        """The year (in this calendar's own reckoning) containing `instant`."""

    @abstractmethod
    def _year_span(self, year: int) -> Interval:
        """[first, last) microsecond of `year`; consecutive years tile the time line."""

    @abstractmethod
    def _year_timeline(self, year: int) -> tuple[list[Interval], list[Closure]]:
        """Sorted open intervals of `year` and the named closures (holidays) inside it."""

    # -- table maintenance -------------------------------------------------------------------

    def _cover(self, instant: int) -> None:
        """Make sure the table spans `instant`."""
        if self._last_year < self._first_year:
            year = self._year_of(instant)
            self._load(year, year)
            return
        if instant < self._lo:
            self._load(self._year_of(instant), self._last_year)
        elif instant >= self._hi:
            self._load(self._first_year, self._year_of(instant))

    def _extend_until(self, working: int) -> None:
        """Append years until the running total reaches `working` microseconds."""
        empty = 0
        while not self._through or self._through[-1] < working:
            before = self._through[-1] if self._through else 0
            self._load(self._first_year, self._last_year + 1)
            if (self._through[-1] if self._through else 0) == before:
                empty += 1
                if empty >= _EMPTY_YEARS_LIMIT:
                    raise ValueError(f"calendar {self.name!r} has no working time ahead")
            else:
                empty = 0

    def _load(self, first: int, last: int) -> None:
        if not 1 <= first <= last <= 9998:
            raise ValueError(f"calendar {self.name!r}: year {first}-{last} is out of range")
        starts: list[int] = []
        ends: list[int] = []
        closures: list[Closure] = []
        for year in range(first, last + 1):
            if self._first_year <= year <= self._last_year:
                lo, hi = self._year_span(year)
                i, j = bisect_left(self._starts, lo), bisect_left(self._starts, hi)
                opens = list(zip(self._starts[i:j], self._ends[i:j], strict=True))
                k, m = bisect_left(self._closure_starts, lo), bisect_left(self._closure_starts, hi)
                year_closures = self._closures[k:m]
            else:
                opens, year_closures = self._year_timeline(year)
            for a, b in opens:
                if ends and ends[-1] == a:
                    ends[-1] = b
                else:
                    starts.append(a)
                    ends.append(b)
            closures.extend(year_closures)
        self._publish(first, last, starts, ends, closures)

    def _publish(
        self, first: int, last: int, starts: list[int], ends: list[int], closures: list[Closure]
    ) -> None:
        before: list[int] = []
        through: list[int] = []
        total = 0
        for a, b in zip(starts, ends, strict=True):
            before.append(total)
            total += b - a
            through.append(total)
        self._first_year, self._last_year = first, last
        self._lo, self._hi = self._year_span(first)[0], self._year_span(last)[1]
        self._starts, self._ends, self._before, self._through = starts, ends, before, through
        self._closures = closures
        self._closure_starts = [c[0] for c in closures]
        self._arrays = None

    def _worked(self, instant: int) -> int:
        """Working time from the start of the table to `instant` (table must cover it)."""
        i = bisect_right(self._starts, instant) - 1
        if i < 0:
            return 0
        return self._before[i] + min(instant, self._ends[i]) - self._starts[i]

    # -- scalar arithmetic -------------------------------------------------------------------

    def add_us(self, start: int, span: int) -> int:
        if span == 0:
            return start
        if not self._lo <= start < self._hi:
            self._cover(start)
        goal = self._worked(start) + span
        if not self._through or goal > self._through[-1]:
            self._extend_until(goal)
        j = bisect_left(self._through, goal)
        return self._starts[j] + goal - self._before[j]

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """`Calendar.add` with the conversions inlined: this is the hot path of replays."""
        if start.tzinfo is None or type(start.tzinfo) not in KNOWN_ZONES:
            return from_us(self.add_us(to_us(start, "start"), span_us(duration)), self.zone)
        begin = round(start.timestamp() * 1_000_000)
        span = (duration.days * 86_400 + duration.seconds) * 1_000_000 + duration.microseconds
        if span <= 0:
            return from_us(self.add_us(begin, span_us(duration)), self.zone)
        if not self._lo <= begin < self._hi:
            self._cover(begin)
        starts = self._starts
        i = bisect_right(starts, begin) - 1
        goal = span + (0 if i < 0 else self._before[i] + min(begin, self._ends[i]) - starts[i])
        through = self._through
        if not through or goal > through[-1]:
            self._extend_until(goal)
            starts, through = self._starts, self._through
        j = bisect_left(through, goal)
        due = starts[j] + goal - self._before[j]
        return datetime.fromtimestamp(due / 1_000_000, self.zone)

    def elapsed_us(self, start: int, end: int) -> int:
        if not self._lo <= start < self._hi:
            self._cover(start)
        if not self._lo <= end < self._hi:
            self._cover(end)
        return self._worked(end) - self._worked(start)

    def is_open_us(self, instant: int) -> bool:
        self._cover(instant)
        i = bisect_right(self._starts, instant) - 1
        return i >= 0 and instant < self._ends[i]

    def next_open_us(self, instant: int) -> int:
        self._cover(instant)
        i = bisect_right(self._starts, instant) - 1
        if i >= 0 and instant < self._ends[i]:
            return instant
        self._extend_until(self._worked(instant) + 1)
        return self._starts[bisect_right(self._starts, instant)]

    def open_since_us(self, instant: int) -> int | None:
        """Start of the open interval containing `instant`, or None when closed."""
        self._cover(instant)
        i = bisect_right(self._starts, instant) - 1
        return self._starts[i] if i >= 0 and instant < self._ends[i] else None

    def boundaries_us(self, start: int, end: int) -> list[int]:
        """Openings and closings in (start, end], in order."""
        self._cover(start)
        self._cover(end)
        i = max(bisect_right(self._starts, start) - 1, 0)
        found: list[int] = []
        for a, b in zip(self._starts[i:], self._ends[i:], strict=True):
            if a > end:
                break
            found.extend(x for x in (a, b) if start < x <= end)
        return found

    def open_intervals_us(self, start: int, end: int) -> list[tuple[int, int]]:
        """Open intervals clipped to [start, end)."""
        self._cover(start)
        self._cover(end)
        i = max(bisect_right(self._starts, start) - 1, 0)
        clipped: list[tuple[int, int]] = []
        for a, b in zip(self._starts[i:], self._ends[i:], strict=True):
            if a >= end:
                break
            lo, hi = max(a, start), min(b, end)
            if lo < hi:
                clipped.append((lo, hi))
        return clipped

    def closures_us(self, start: int, end: int) -> list[Closure]:
        """Named closures overlapping [start, end), clipped to it."""
        self._cover(start)
        self._cover(end)
        k = max(bisect_right(self._closure_starts, start) - 1, 0)
        found: list[Closure] = []
        for a, b, name in self._closures[k:]:
            if a >= end:
                break
            lo, hi = max(a, start), min(b, end)
            if lo < hi:
                found.append((lo, hi, name))
        return found

    def pieces_us(self, start: int, end: int) -> Iterator[tuple[int, int, bool, str]]:
        closures = self.closures_us(start, end)
        position = start
        for a, b in self.open_intervals_us(start, end):
            if a > position:
                yield from _label_gap(position, a, closures)
            yield a, b, True, COUNTED
            position = b
        if end > position:
            yield from _label_gap(position, end, closures)

    # -- batch arithmetic --------------------------------------------------------------------

    def _batch_arrays(self) -> tuple[NDArray[np.int64], ...]:
        if self._arrays is None:
            self._arrays = tuple(
                np.asarray(column, dtype=np.int64)
                for column in (self._starts, self._ends, self._before, self._through)
            )
        return self._arrays

    def _worked_many(self, instants: NDArray[np.int64]) -> NDArray[np.int64]:
        starts, ends, before, _ = self._batch_arrays()
        i = np.searchsorted(starts, instants, side="right") - 1
        inside = i >= 0
        i = np.maximum(i, 0)
        worked = before[i] + np.minimum(instants, ends[i]) - starts[i]
        return np.where(inside, worked, 0)

    def _cover_many(self, instants: NDArray[np.int64]) -> None:
        if instants.size:
            self._cover(int(instants.min()))
            self._cover(int(instants.max()))

    def add_many(
        self, starts: NDArray[np.datetime64], spans: NDArray[np.timedelta64]
    ) -> NDArray[np.datetime64]:
        begin = as_us_array(starts)
        span = np.asarray(spans).astype("timedelta64[us]").astype(np.int64)
        if np.any(span < 0):
            raise ValueError("durations must not be negative")
        self._cover_many(begin)
        goal = self._worked_many(begin) + span
        if goal.size:
            self._extend_until(int(goal.max()))
        opens, _, before, through = self._batch_arrays()
        j = np.minimum(np.searchsorted(through, goal, side="left"), len(through) - 1)
        due = np.where(span == 0, begin, opens[j] + goal - before[j])
        return due.astype("datetime64[us]")

    def elapsed_many(
        self, starts: NDArray[np.datetime64], ends: NDArray[np.datetime64]
    ) -> NDArray[np.timedelta64]:
        begin, finish = as_us_array(starts), as_us_array(ends)
        if np.any(finish < begin):
            raise ValueError("an end is before its start")
        self._cover_many(begin)
        self._cover_many(finish)
        worked = self._worked_many(finish) - self._worked_many(begin)
        return worked.astype("timedelta64[us]")


def _label_gap(
    start: int, end: int, closures: list[Closure]
) -> Iterator[tuple[int, int, bool, str]]:
    """Split closed time into holiday pieces (by name) and plain off hours."""
    position = start
    for a, b, name in closures:
        lo, hi = max(a, position), min(b, end)
        if lo >= hi:
            continue
        if lo > position:
            yield position, lo, False, OFF_HOURS
        yield lo, hi, False, name
        position = hi
    if end > position:
        yield position, end, False, OFF_HOURS
