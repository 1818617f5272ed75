"""The calendar interface every SLA clock counts on, plus the always-open (24x7) calendar.

Instants cross this interface as aware datetimes; inside, calendars work on integer
microseconds since the Unix epoch so that arithmetic is exact and DST never enters it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

COUNTED = "working hours"
OFF_HOURS = "off hours"
_US_PER_SECOND = 1_000_000
KNOWN_ZONES = (ZoneInfo, timezone)
"""tzinfo types that always give an offset, so the hot path can skip asking twice."""


def to_us(instant: datetime, field: str = "instant") -> int:
    """Microseconds since the epoch of an aware instant; naive input is refused."""
    zone = instant.tzinfo
    if zone is None or (type(zone) not in KNOWN_ZONES and instant.utcoffset() is None):
        raise ValueError(f"{field} {instant.isoformat()} has no time zone: give a UTC offset")
    return round(instant.timestamp() * _US_PER_SECOND)


def span_us(duration: timedelta, field: str = "duration") -> int:
    """Microseconds in a non-negative span."""
    us = (duration.days * 86_400 + duration.seconds) * _US_PER_SECOND + duration.microseconds
    if us < 0:
        raise ValueError(f"{field} {duration} is negative")
    return us


def from_us(us: int, zone: tzinfo) -> datetime:
    """The instant `us` microseconds after the epoch, shown in `zone`."""
    return datetime.fromtimestamp(us / _US_PER_SECOND, zone)


def as_us_array(instants: NDArray[np.datetime64]) -> NDArray[np.int64]:
    """UTC datetime64 values as int64 microseconds (NumPy datetimes carry no zone)."""
    return np.asarray(instants).astype("datetime64[us]").astype(np.int64)


@dataclass(frozen=True, slots=True)
class CalendarPiece:
    """One stretch of a ledger: counted working time, or time excluded and why."""

    start: datetime
    end: datetime
    counted: bool
    reason: str

    @property
    def duration(self) -> timedelta:
        """Real time covered; not `end - start`, which for one ZoneInfo is wall-clock time."""
        return timedelta(microseconds=to_us(self.end) - to_us(self.start))


class Calendar(ABC):
    """Working-time arithmetic in one time zone. Pure: no clock reads, no I/O."""

    name: str
    zone: tzinfo

    @property
    @abstractmethod
    def working_day(self) -> timedelta:
        """Length of a standard working day: what `1d` means on this calendar."""

    @abstractmethod
    def add_us(self, start: int, span: int) -> int:
        """`add` on epoch microseconds."""

    @abstractmethod
    def elapsed_us(self, start: int, end: int) -> int:
        """`elapsed` on epoch microseconds (`end >= start`)."""

    @abstractmethod
    def is_open_us(self, instant: int) -> bool:
        """`is_open` on epoch microseconds."""

    @abstractmethod
    def next_open_us(self, instant: int) -> int:
        """`next_open` on epoch microseconds."""

    @abstractmethod
    def pieces_us(self, start: int, end: int) -> Iterator[tuple[int, int, bool, str]]:
        """The ledger of [start, end) as (start, end, counted, reason), in order."""

    @abstractmethod
    def add_many(
        self, starts: NDArray[np.datetime64], spans: NDArray[np.timedelta64]
    ) -> NDArray[np.datetime64]:
        """Due instants (UTC datetime64[us]) for arrays of UTC starts and working spans."""

    @abstractmethod
    def elapsed_many(
        self, starts: NDArray[np.datetime64], ends: NDArray[np.datetime64]
    ) -> NDArray[np.timedelta64]:
        """Working time (timedelta64[us]) between arrays of UTC instants."""

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which `duration` of working time has been counted from `start`."""
        return from_us(self.add_us(to_us(start, "start"), span_us(duration)), self.zone)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Working time counted between two instants."""
        start_us, end_us = to_us(start, "start"), to_us(end, "end")
        if end_us < start_us:
            raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
        return timedelta(microseconds=self.elapsed_us(start_us, end_us))

    def is_open(self, instant: datetime) -> bool:
        """Whether working time is being counted at `instant`."""
        return self.is_open_us(to_us(instant))

    def next_open(self, instant: datetime) -> datetime:
        """`instant` itself if open, otherwise the next opening."""
        return from_us(self.next_open_us(to_us(instant)), self.zone)

    def intervals(self, start: datetime, end: datetime) -> Iterator[CalendarPiece]:
        """The ledger between two instants: counted and excluded pieces, with reasons."""
        start_us, end_us = to_us(start, "start"), to_us(end, "end")
        if end_us < start_us:
            raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
        for a, b, counted, reason in self.pieces_us(start_us, end_us):
            yield CalendarPiece(from_us(a, self.zone), from_us(b, self.zone), counted, reason)


class AlwaysOpenCalendar(Calendar):
    """24x7: counts real elapsed time, so local wall-clock results shift across DST."""

    def __init__(self, name: str, zone: tzinfo = UTC) -> None:
        self.name = name
        self.zone = zone

    @property
    def working_day(self) -> timedelta:
        return timedelta(days=1)

    def add_us(self, start: int, span: int) -> int:
        return start + span

    def elapsed_us(self, start: int, end: int) -> int:
        return end - start

    def is_open_us(self, instant: int) -> bool:  # noqa: ARG002 - open at every instant
        return True

    def next_open_us(self, instant: int) -> int:
        return instant

    def pieces_us(self, start: int, end: int) -> Iterator[tuple[int, int, bool, str]]:
        if end > start:
            yield start, end, True, COUNTED

    def add_many(
        self, starts: NDArray[np.datetime64], spans: NDArray[np.timedelta64]
    ) -> NDArray[np.datetime64]:
        begin = np.asarray(starts).astype("datetime64[us]")
        due: NDArray[np.datetime64] = begin + np.asarray(spans).astype("timedelta64[us]")
        return due

    def elapsed_many(
        self, starts: NDArray[np.datetime64], ends: NDArray[np.datetime64]
    ) -> NDArray[np.timedelta64]:
        begin = np.asarray(starts).astype("datetime64[us]")
        worked: NDArray[np.timedelta64] = np.asarray(ends).astype("datetime64[us]") - begin
        return worked
