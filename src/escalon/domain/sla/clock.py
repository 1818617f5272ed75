"""SLA clocks: a budget of working time consumed over counted intervals.

A clock never stores a due instant: it stores its ledger (when the cycle started, when it was
paused and why, when it stopped) and works the due instant out on the calendar when asked. So
a pause can never be "added to the start", a priority change keeps every pause, and a clock
read at any instant gives the same answer. Clocks are immutable values: every operation
returns a new clock, which makes them cheap to keep in per-ticket state and to replay.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from escalon.domain.calendar.model import Calendar, CalendarPiece, from_us, span_us, to_us

DEFAULT_WARNINGS: tuple[float, ...] = (0.5, 0.75, 0.9)
BREACH = "breach"


class ClockKind(StrEnum):
    """What a clock measures."""

    ACKNOWLEDGEMENT = "acknowledgement"
    ASSESSMENT = "assessment"
    RESOLUTION = "resolution"
    CUSTOMER_UPDATE = "customer_update"
    MANAGEMENT = "management"


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    CANCELLED = "cancelled"


def warning_label(fraction: float) -> str:
    """`0.75` -> `warning 75%`."""
    label = _LABELS.get(fraction)
    if label is None:
        label = _LABELS.setdefault(fraction, f"warning {fraction * 100:g}%")
    return label


_LABELS: dict[float, str] = {}


@dataclass(frozen=True, slots=True)
class Pause:
    """A stretch in which the clock did not count; `end` is None while it lasts."""

    start: datetime
    end: datetime | None
    reason: str


@dataclass(frozen=True, slots=True)
class ClockStatus:
    """A clock read at one instant."""

    state: ClockState
    elapsed: timedelta
    remaining: timedelta
    due: datetime | None
    fraction: float


@dataclass(frozen=True, slots=True)
class ClockAlert:
    """A threshold reached: one of the warnings, or the breach."""

    clock: str
    label: str
    at: datetime
    cycle: int


@dataclass(frozen=True, slots=True)
class SlaClock:
    """One cycle of one SLA target on one ticket (see docs/sla-clocks.md)."""

    name: str
    kind: ClockKind
    calendar: str
    target: timedelta
    started_at: datetime
    pauses: tuple[Pause, ...] = ()
    stopped_at: datetime | None = None
    cancelled_at: datetime | None = None
    retargeted_at: datetime | None = None
    warnings: tuple[float, ...] = DEFAULT_WARNINGS
    fired: frozenset[str] = frozenset()
    cycle: int = 1

    # -- operations (each returns a new clock) ---------------------------------------------------

    @classmethod
    def start(
        cls,
        name: str,
        kind: ClockKind,
        at: datetime,
        target: timedelta,
        calendar: str,
        *,
        warnings: tuple[float, ...] = DEFAULT_WARNINGS,
    ) -> SlaClock:
        """A running clock counting `target` of working time on `calendar` from `at`."""
        to_us(at, "at")
        span_us(target, "target")
        if any(not 0 < f < 1 for f in warnings):
            raise ValueError(f"warning fractions must be between 0 and 1, got {warnings}")
        return cls(name, kind, calendar, target, at, warnings=tuple(sorted(set(warnings))))

    def pause(self, at: datetime, reason: str) -> SlaClock:
        """Stop counting; moving from one paused state to another only renames the pause."""
        if self.finished:
            return self
        self._check_order(at)
        current = self.open_pause
        if current is None:
            return self._evolve(pauses=(*self.pauses, Pause(at, None, reason)))
        if current.reason == reason:
            return self
        closed = (*self.pauses[:-1], Pause(current.start, at, current.reason))
        return self._evolve(pauses=(*closed, Pause(at, None, reason)))

    def resume(self, at: datetime) -> SlaClock:
        """Count again from `at`."""
        current = self.open_pause
        if self.finished or current is None:
            return self
        self._check_order(at)
        return self._evolve(pauses=self._closed_pauses(at))

    def stop(self, at: datetime) -> SlaClock:
        """The target is fulfilled at `at`: met, or breached if the breach came first."""
        if self.finished:
            return self
        self._check_order(at)
        return self._evolve(pauses=self._closed_pauses(at), stopped_at=at)

    def cancel(self, at: datetime) -> SlaClock:
        """The target no longer applies; a cancelled clock counts neither as met nor breached."""
        if self.finished:
            return self
        self._check_order(at)
        return self._evolve(pauses=self._closed_pauses(at), cancelled_at=at)

    def reset(self, at: datetime) -> SlaClock:
        """A new cycle from `at` with the same target (a customer update restarts the cadence).

        A clock reset while paused starts its new cycle paused for the same reason.
        """
        self._check_order(at)
        current = None if self.finished else self.open_pause
        pauses = () if current is None else (Pause(at, None, current.reason),)
        return self._evolve(
            started_at=at, pauses=pauses, fired=frozenset(), cycle=self.cycle + 1, fresh=True
        )

    def retarget(
        self,
        target: timedelta,
        at: datetime,
        retroactive: bool = True,
        calendar: str | None = None,
    ) -> SlaClock:
        """A new target (a priority change). Retroactive keeps the start and every pause;
        otherwise counting restarts at `at` as a new cycle. Thresholds already announced in
        this cycle are not announced again."""
        if self.finished:
            return self
        span_us(target, "target")
        moved = self._evolve(target=target, calendar=calendar or self.calendar)
        if not retroactive:
            return moved.reset(at)
        self._check_order(at)
        return moved._evolve(retargeted_at=at)

    # -- reading ---------------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.stopped_at is not None or self.cancelled_at is not None

    @property
    def open_pause(self) -> Pause | None:
        return self.pauses[-1] if self.pauses and self.pauses[-1].end is None else None

    @property
    def paused(self) -> bool:
        return not self.finished and self.open_pause is not None

    def due(self, calendar: Calendar) -> datetime | None:
        """When the target is (or was) reached; None while paused short of it."""
        instant = self._reach_us(self._books(calendar), span_us(self.target), calendar)
        return None if instant is None else from_us(instant, calendar.zone)

    def elapsed(self, now: datetime, calendar: Calendar) -> timedelta:
        """Working time counted up to `now` (or up to the stop)."""
        return timedelta(microseconds=self._counted(self._books(calendar), now, calendar))

    def status(self, now: datetime, calendar: Calendar) -> ClockStatus:
        """State, counted and remaining working time, due instant and fraction used at `now`."""
        books = self._books(calendar)
        elapsed = timedelta(microseconds=self._counted(books, now, calendar))
        reached = self._reach_us(books, span_us(self.target), calendar)
        due = None if reached is None else from_us(reached, calendar.zone)
        fraction = elapsed / self.target if self.target else 1.0
        remaining = self.target - elapsed
        return ClockStatus(self._state(now, reached), elapsed, remaining, due, fraction)

    def upcoming(self, now: datetime, calendar: Calendar) -> list[tuple[datetime, str]]:
        """Thresholds not yet announced this cycle, with their instants (some may be <= now).

        Empty while paused short of them and once cancelled; a stopped clock keeps only the
        thresholds it reached before the stop, so a breach is never lost to event order.
        """
        del now  # the answer depends on the ledger only; `now` keeps the call uniform
        zone = calendar.zone
        return [(from_us(x, zone), label) for x, label in self._pending(calendar)]

    def next_alert(self, calendar: Calendar) -> tuple[datetime, str] | None:
        """The earliest of `upcoming`: what an engine schedules its next wake-up for."""
        for instant, label in self._pending(calendar):
            return from_us(instant, calendar.zone), label
        return None

    def alerts(self, now: datetime, calendar: Calendar) -> tuple[SlaClock, tuple[ClockAlert, ...]]:
        """Announce thresholds reached by `now`. Several reached together (a late read, a
        retroactive re-target) give one alert, the highest; all of them are marked announced."""
        limit = to_us(now, "now")
        reached: list[tuple[int, str]] = []
        for instant, label in self._pending(calendar):
            if instant > limit:
                break
            reached.append((instant, label))
        if not reached:
            return self, ()
        instant, label = reached[-1]
        alert = ClockAlert(self.name, label, from_us(instant, calendar.zone), self.cycle)
        return self._evolve(fired=self.fired | {label for _, label in reached}), (alert,)

    def ledger(self, now: datetime, calendar: Calendar) -> list[CalendarPiece]:
        """Counted and excluded stretches from the start to `now` (or the stop), with reasons."""
        end = self._end_us(now)
        pieces: list[CalendarPiece] = []
        position = to_us(self.started_at)
        for pause in self.pauses:
            pause_start = min(to_us(pause.start), end)
            pieces.extend(self._calendar_pieces(position, pause_start, calendar))
            position = end if pause.end is None else min(to_us(pause.end), end)
            if position > pause_start:
                reason = f"paused: {pause.reason}"
                zone = calendar.zone
                pieces.append(
                    CalendarPiece(
                        from_us(pause_start, zone), from_us(position, zone), False, reason
                    )
                )
        pieces.extend(self._calendar_pieces(position, end, calendar))
        return pieces

    # -- storage ---------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; `from_dict` reads it back to an equal clock."""

        def iso(instant: datetime | None) -> str | None:
            return None if instant is None else instant.isoformat()

        return {
            "name": self.name,
            "kind": self.kind.value,
            "calendar": self.calendar,
            "target_seconds": self.target.total_seconds(),
            "started_at": iso(self.started_at),
            "pauses": [[iso(p.start), iso(p.end), p.reason] for p in self.pauses],
            "stopped_at": iso(self.stopped_at),
            "cancelled_at": iso(self.cancelled_at),
            "retargeted_at": iso(self.retargeted_at),
            "warnings": list(self.warnings),
            "fired": sorted(self.fired),
            "cycle": self.cycle,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SlaClock:
        def instant(text: str | None) -> datetime | None:
            return None if text is None else datetime.fromisoformat(text)

        started = instant(data["started_at"])
        if started is None:
            raise ValueError("a clock needs started_at")
        return cls(
            name=data["name"],
            kind=ClockKind(data["kind"]),
            calendar=data["calendar"],
            target=timedelta(seconds=data["target_seconds"]),
            started_at=started,
            pauses=tuple(
                Pause(datetime.fromisoformat(a), instant(b), r) for a, b, r in data["pauses"]
            ),
            stopped_at=instant(data["stopped_at"]),
            cancelled_at=instant(data["cancelled_at"]),
            retargeted_at=instant(data["retargeted_at"]),
            warnings=tuple(data["warnings"]),
            fired=frozenset(data["fired"]),
            cycle=data["cycle"],
        )

    # -- internals -------------------------------------------------------------------------------

    def _state(self, now: datetime, due: int | None) -> ClockState:
        # Instants are compared as epoch microseconds: Python compares two datetimes that share
        # a ZoneInfo by wall clock, which misorders the repeated hour when clocks go back.
        if self.cancelled_at is not None:
            return ClockState.CANCELLED
        if self.stopped_at is not None:
            late = BREACH in self.fired or (due is not None and due < to_us(self.stopped_at))
            return ClockState.BREACHED if late else ClockState.MET
        if BREACH in self.fired or (due is not None and due <= to_us(now, "now")):
            return ClockState.BREACHED
        return ClockState.PAUSED if self.paused else ClockState.RUNNING

    def _end_us(self, now: datetime) -> int:
        """`now`, or the stop or cancel instant if earlier, in epoch microseconds."""
        now_us = to_us(now, "now")
        end = self.stopped_at or self.cancelled_at
        return now_us if end is None else min(to_us(end), now_us)

    def _closed_pauses(self, at: datetime) -> tuple[Pause, ...]:
        current = self.open_pause
        if current is None:
            return self.pauses
        return (*self.pauses[:-1], Pause(current.start, at, current.reason))

    def _evolve(
        self,
        *,
        target: timedelta | None = None,
        calendar: str | None = None,
        started_at: datetime | None = None,
        pauses: tuple[Pause, ...] | None = None,
        stopped_at: datetime | None = None,
        cancelled_at: datetime | None = None,
        retargeted_at: datetime | None = None,
        fired: frozenset[str] | None = None,
        cycle: int | None = None,
        fresh: bool = False,
    ) -> SlaClock:
        """`dataclasses.replace` without its per-field introspection (clocks change often).
        `fresh` clears the stop, cancel and re-target instants for a new cycle."""
        keep = not fresh
        return SlaClock(
            self.name,
            self.kind,
            self.calendar if calendar is None else calendar,
            self.target if target is None else target,
            self.started_at if started_at is None else started_at,
            self.pauses if pauses is None else pauses,
            stopped_at or (self.stopped_at if keep else None),
            cancelled_at or (self.cancelled_at if keep else None),
            retargeted_at or (self.retargeted_at if keep else None),
            self.warnings,
            self.fired if fired is None else fired,
            self.cycle if cycle is None else cycle,
        )

    def _check_order(self, at: datetime) -> None:
        latest = self.started_at
        if self.retargeted_at is not None and to_us(self.retargeted_at) > to_us(latest):
            latest = self.retargeted_at
        if self.pauses:
            last = self.pauses[-1]
            mark = last.end or last.start
            if to_us(mark) > to_us(latest):
                latest = mark
        if to_us(at, "at") < to_us(latest):
            raise ValueError(
                f"clock {self.name!r}: {at.isoformat()} is before its last change "
                f"{latest.isoformat()}"
            )

    def _pending(self, calendar: Calendar) -> Iterator[tuple[int, str]]:
        """Unannounced thresholds in order, computed lazily so that callers can stop early."""
        if self.cancelled_at is not None:
            return
        stop = None if self.stopped_at is None else to_us(self.stopped_at)
        target = span_us(self.target)
        books = self._books(calendar)
        for fraction in (*self.warnings, 1.0):
            label = BREACH if fraction == 1.0 else warning_label(fraction)
            if label in self.fired:
                continue
            instant = self._reach_us(books, round(target * fraction), calendar)
            if instant is None or (stop is not None and instant >= stop):
                return
            yield instant, label

    def _books(self, calendar: Calendar) -> list[tuple[int, int, int]]:
        """Counted stretches as (start, end, working time) in epoch microseconds; a last
        stretch still counting ends at `_FOREVER` with working time -1."""
        books = []
        position: int | None = to_us(self.started_at)
        for pause in self.pauses:
            assert position is not None
            end = to_us(pause.start)
            books.append((position, end, calendar.elapsed_us(position, end)))
            position = None if pause.end is None else to_us(pause.end)
        if position is not None:
            books.append((position, _FOREVER, -1))
        return books

    def _counted(self, books: list[tuple[int, int, int]], now: datetime, calendar: Calendar) -> int:
        end = self._end_us(now)
        counted = 0
        for a, b, worked in books:
            if a >= end:
                break
            counted += worked if 0 <= worked and b <= end else calendar.elapsed_us(a, min(b, end))
        return counted

    def _reach_us(
        self, books: list[tuple[int, int, int]], amount: int, calendar: Calendar
    ) -> int | None:
        """First instant at which `amount` has been counted, never before a re-target and never
        inside a pause; None while paused short of it."""
        instant = None
        for a, _, worked in books:
            if worked < 0 or amount <= worked:
                instant = calendar.add_us(a, amount)
                break
            amount -= worked
        if instant is None or self.retargeted_at is None:
            return instant
        floor = to_us(self.retargeted_at)
        if instant >= floor:
            return instant
        for pause in self.pauses:
            if to_us(pause.start) <= floor and (pause.end is None or floor < to_us(pause.end)):
                return None if pause.end is None else to_us(pause.end)
        return floor

    def _calendar_pieces(self, start: int, end: int, calendar: Calendar) -> list[CalendarPiece]:
        zone = calendar.zone
        return [
            CalendarPiece(from_us(a, zone), from_us(b, zone), counted, reason)
            for a, b, counted, reason in calendar.pieces_us(start, end)
        ]


_FOREVER = 2**62
