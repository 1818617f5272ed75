"""Applying one update's clock operations in the order SLA tools agree on.

On each update: stop first (a fulfilled target completes), then reset (a new cycle replaces the
old one), then cancel (a target that no longer applies), then start, then re-target, then pause
and resume. Within one step the operations keep the order they were given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from escalon.domain.sla.clock import DEFAULT_WARNINGS, ClockKind, SlaClock

Action = Literal["stop", "reset", "cancel", "start", "retarget", "pause", "resume"]
ORDER: dict[str, int] = {
    "stop": 0,
    "reset": 1,
    "cancel": 2,
    "start": 3,
    "retarget": 4,
    "pause": 5,
    "resume": 5,
}


@dataclass(frozen=True, slots=True)
class ClockOperation:
    """One thing that happens to one clock at one instant.

    `start` needs `kind`, `target` and `calendar`; `retarget` needs `target` (and optionally a
    new `calendar`); `pause` takes a `reason`.
    """

    action: Action
    clock: str
    at: datetime
    reason: str = ""
    kind: ClockKind | None = None
    target: timedelta | None = None
    calendar: str | None = None
    retroactive: bool = True
    warnings: tuple[float, ...] = DEFAULT_WARNINGS


def apply_operations(
    clocks: Mapping[str, SlaClock], operations: Iterable[ClockOperation]
) -> dict[str, SlaClock]:
    """The clocks after one update. Operations on clocks that do not exist are ignored, except
    `start`; starting a clock that is already counting leaves it alone; starting a stopped or
    cancelled clock opens a new cycle."""
    result = dict(clocks)
    for op in sorted(operations, key=lambda o: ORDER[o.action]):
        clock = result.get(op.clock)
        if op.action == "start":
            if clock is None or clock.finished:
                result[op.clock] = _started(op, clock)
        elif clock is not None:
            result[op.clock] = _applied(op, clock)
    return result


def _started(op: ClockOperation, previous: SlaClock | None) -> SlaClock:
    if op.kind is None or op.target is None or op.calendar is None:
        raise ValueError(f"starting clock {op.clock!r} needs kind, target and calendar")
    clock = SlaClock.start(op.clock, op.kind, op.at, op.target, op.calendar, warnings=op.warnings)
    if previous is None:
        return clock
    return SlaClock(
        clock.name,
        clock.kind,
        clock.calendar,
        clock.target,
        clock.started_at,
        warnings=clock.warnings,
        cycle=previous.cycle + 1,
    )


def _applied(op: ClockOperation, clock: SlaClock) -> SlaClock:
    if op.action == "stop":
        return clock.stop(op.at)
    if op.action == "reset":
        return clock.reset(op.at)
    if op.action == "cancel":
        return clock.cancel(op.at)
    if op.action == "pause":
        return clock.pause(op.at, op.reason)
    if op.action == "resume":
        return clock.resume(op.at)
    if op.target is None:
        raise ValueError(f"re-targeting clock {op.clock!r} needs a target")
    return clock.retarget(op.target, op.at, op.retroactive, op.calendar)
