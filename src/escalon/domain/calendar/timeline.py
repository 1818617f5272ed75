"""Interval-table arithmetic shared by business and follow-the-sun calendars.

Open intervals are materialised lazily, one year at a time, as sorted epoch microseconds with
a running total of working time before each interval. `elapsed` is then the difference of two
positions on that running total and `add` is two binary searches, so the cost of a target does
not depend on its length; the batch API runs the same searches with `numpy.searchsorted`.

The table is an immutable snapshot replaced as a whole when years are added, and every
calculation reads one snapshot, so calendars can be shared between threads.
"""

from __future__ import annotations

import threading
from abc import abstractmethod
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
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


@dataclass(frozen=True, slots=True)
class _Table:
    """Open intervals of the years first..last, with running totals of working time."""

    first_year: int
    last_year: int
    lo: int
    hi: int
    starts: list[int]
    ends: list[int]
    before: list[int]
    through: list[int]
    closures: list[Closure]
    closure_starts: list[int]
    arrays: dict[str, NDArray[np.int64]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.through[-1] if self.through else 0

    def worked(self, instant: int) -> int:
        """Working time from the start of the table to `instant`."""
        i = bisect_right(self.starts, instant) - 1
        if i < 0:
            return 0
        end = self.ends[i]
        return self.before[i] + (instant if instant < end else end) - self.starts[i]

    def reach(self, goal: int) -> int:
        """The instant at which the running total reaches `goal` (0 < goal <= total)."""
        j = bisect_left(self.through, goal)
        return self.starts[j] + goal - self.before[j]

    def numpy(self) -> dict[str, NDArray[np.int64]]:
        if not self.arrays:
            for name in ("starts", "ends", "before", "through"):
                self.arrays[name] = np.asarray(getattr(self, name), dtype=np.int64)
        return self.arrays


_EMPTY = _Table(0, -1, 0, 0, [], [], [], [], [], [])


class TimelineCalendar(Calendar):
    """A calendar whose open time is a union of intervals, built per year on demand."""

    def __init__(self) -> None:
        self._table = _EMPTY
        self._loading = threading.Lock()

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

    def _covering(self, *instants: int) -> _Table:
        """A snapshot whose years span every one of `instants`."""
        table = self._table
        while not all(table.lo <= x < table.hi for x in instants):
            years = [self._year_of(x) for x in instants]
            if table.last_year >= table.first_year:
                years += [table.first_year, table.last_year]
            table = self._load(min(years), max(years))
        return table

    def _ahead(self, start: int, span: int) -> _Table:
        """A snapshot covering `start` with at least `span` of working time after it."""
        table = self._covering(start)
        empty = 0
        while table.total - table.worked(start) < span:
            before = table.total - table.worked(start)
            table = self._load(table.first_year, table.last_year + 1)
            empty = empty + 1 if table.total - table.worked(start) == before else 0
            if empty >= _EMPTY_YEARS_LIMIT:
                raise ValueError(f"calendar {self.name!r} has no working time ahead")
        return table

    def _load(self, first: int, last: int) -> _Table:
        if not 1 <= first <= last <= 9998:
            raise ValueError(f"calendar {self.name!r}: year {first}-{last} is out of range")
        with self._loading:
            old = self._table
            if old.first_year <= first and last <= old.last_year:
                return old
            if old.first_year <= old.last_year:
                first, last = min(first, old.first_year), max(last, old.last_year)
            table = self._build(first, last, old)
            self._table = table
            return table

    def _build(self, first: int, last: int, old: _Table) -> _Table:
        starts: list[int] = []
        ends: list[int] = []
        closures: list[Closure] = []
        for year in range(first, last + 1):
            if old.first_year <= year <= old.last_year:
                lo, hi = self._year_span(year)
                i, j = bisect_left(old.starts, lo), bisect_left(old.starts, hi)
                opens = list(zip(old.starts[i:j], old.ends[i:j], strict=True))
                k, m = bisect_left(old.closure_starts, lo), bisect_left(old.closure_starts, hi)
                year_closures = old.closures[k:m]
            else:
                opens, year_closures = self._year_timeline(year)
            for a, b in opens:
                if ends and ends[-1] == a:
                    ends[-1] = b
                else:
                    starts.append(a)
                    ends.append(b)
            closures.extend(year_closures)
        before: list[int] = []
        through: list[int] = []
        total = 0
        for a, b in zip(starts, ends, strict=True):
            before.append(total)
            total += b - a
            through.append(total)
        lo, hi = self._year_span(first)[0], self._year_span(last)[1]
        closure_starts = [c[0] for c in closures]
        return _Table(first, last, lo, hi, starts, ends, before, through, closures, closure_starts)

    # -- scalar arithmetic -------------------------------------------------------------------

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """`Calendar.add` with the conversions inlined: this is the hot path of replays."""
        if start.tzinfo is None or type(start.tzinfo) not in KNOWN_ZONES:
            return from_us(self.add_us(to_us(start, "start"), span_us(duration)), self.zone)
        begin = round(start.timestamp() * 1_000_000)
        span = (duration.days * 86_400 + duration.seconds) * 1_000_000 + duration.microseconds
        table = self._table
        if span <= 0 or not table.lo <= begin < table.hi:
            return from_us(self.add_us(begin, span_us(duration)), self.zone)
        goal = table.worked(begin) + span
        if goal > table.total:
            return from_us(self.add_us(begin, span), self.zone)
        return datetime.fromtimestamp(table.reach(goal) / 1_000_000, self.zone)

    def add_us(self, start: int, span: int) -> int:
        if span == 0:
            return start
        table = self._table
        if table.lo <= start < table.hi:
            goal = table.worked(start) + span
            if goal <= table.total:
                return table.reach(goal)
        table = self._ahead(start, span)
        return table.reach(table.worked(start) + span)

    def elapsed_us(self, start: int, end: int) -> int:
        table = self._table
        if not (table.lo <= start < table.hi and table.lo <= end < table.hi):
            table = self._covering(start, end)
        return table.worked(end) - table.worked(start)

    def is_open_us(self, instant: int) -> bool:
        table = self._covering(instant)
        i = bisect_right(table.starts, instant) - 1
        return i >= 0 and instant < table.ends[i]

    def next_open_us(self, instant: int) -> int:
        table = self._ahead(instant, 1)
        i = bisect_right(table.starts, instant) - 1
        if i >= 0 and instant < table.ends[i]:
            return instant
        return table.starts[i + 1]

    def open_since_us(self, instant: int) -> int | None:
        """Start of the open interval containing `instant`, or None when closed."""
        table = self._covering(instant)
        i = bisect_right(table.starts, instant) - 1
        return table.starts[i] if i >= 0 and instant < table.ends[i] else None

    def open_intervals_us(self, start: int, end: int) -> list[Interval]:
        """Open intervals clipped to [start, end)."""
        table = self._covering(start, end)
        i = max(bisect_right(table.starts, start) - 1, 0)
        clipped: list[Interval] = []
        for a, b in zip(table.starts[i:], table.ends[i:], strict=True):
            if a >= end:
                break
            lo, hi = max(a, start), min(b, end)
            if lo < hi:
                clipped.append((lo, hi))
        return clipped

    def boundaries_us(self, start: int, end: int) -> list[int]:
        """Openings and closings in (start, end], in order."""
        found: list[int] = []
        for a, b in self.open_intervals_us(start, end + 1):
            found.extend(x for x in (a, b) if start < x <= end)
        return found

    def closures_us(self, start: int, end: int) -> list[Closure]:
        """Named closures overlapping [start, end), clipped to it."""
        table = self._covering(start, end)
        k = max(bisect_right(table.closure_starts, start) - 1, 0)
        found: list[Closure] = []
        for a, b, name in table.closures[k:]:
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

    @staticmethod
    def _worked_many(table: _Table, instants: NDArray[np.int64]) -> NDArray[np.int64]:
        arrays = table.numpy()
        starts, ends, before = arrays["starts"], arrays["ends"], arrays["before"]
        i = np.searchsorted(starts, instants, side="right") - 1
        inside = i >= 0
        i = np.maximum(i, 0)
        worked = before[i] + np.minimum(instants, ends[i]) - starts[i]
        return np.where(inside, worked, 0)

    def add_many(
        self, starts: NDArray[np.datetime64], spans: NDArray[np.timedelta64]
    ) -> NDArray[np.datetime64]:
        begin = as_us_array(starts)
        span = np.asarray(spans).astype("timedelta64[us]").astype(np.int64)
        if np.any(span < 0):
            raise ValueError("durations must not be negative")
        if not begin.size:
            return begin.astype("datetime64[us]")
        table = self._covering(int(begin.min()), int(begin.max()))
        while True:
            goal = self._worked_many(table, begin) + span
            latest = int(np.argmax(goal))
            if int(goal[latest]) <= table.total:
                break
            table = self._ahead(int(begin[latest]), int(span[latest]))
        arrays = table.numpy()
        j = np.minimum(np.searchsorted(arrays["through"], goal, side="left"), len(table.starts) - 1)
        due = np.where(span == 0, begin, arrays["starts"][j] + goal - arrays["before"][j])
        return due.astype("datetime64[us]")

    def elapsed_many(
        self, starts: NDArray[np.datetime64], ends: NDArray[np.datetime64]
    ) -> NDArray[np.timedelta64]:
        begin, finish = as_us_array(starts), as_us_array(ends)
        if np.any(finish < begin):
            raise ValueError("an end is before its start")
        if not begin.size:
            return (finish - begin).astype("timedelta64[us]")
        table = self._covering(int(begin.min()), int(finish.max()))
        worked = self._worked_many(table, finish) - self._worked_many(table, begin)
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
