"""Engine timers: a budget of working time consumed over counted intervals, with thresholds.

Every timed rule of the policy (time-based escalation, acknowledgement, assessment, resolution,
update cadence, management response, vendor contract) is one `Timer`. Pausing closes a counted
interval; resuming opens one; the next threshold is due at `calendar.add(since, threshold -
consumed)` (never "add the hold time to the start"). Calendar arithmetic itself belongs to
`escalon.domain.calendar`; this module only keeps the books.

Instants are epoch microseconds. A timer is a plain slotted record so that a ticket's state is
cheap to copy, compare and serialise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from escalon.domain.calendar.model import Calendar

Ledger = list[list[Any]]
"""Counted intervals as [start_us, end_us | None, why it ended]."""


@dataclass(slots=True)
class Timer:
    """One clock cycle of one rule on one ticket.

    `thresholds` are working-time offsets in microseconds, ascending; the last one is the target
    and the earlier ones are warnings. `fired` counts thresholds already decided, so a threshold
    is decided at most once per cycle. `facts` is the snapshot of what the rule compared (the
    policy in force when the cycle started), so a policy edit never rewrites a running timer.
    """

    name: str
    calendar: str
    started: int
    thresholds: list[int]
    policy: str
    cycle: int = 0
    consumed: int = 0
    since: int | None = None
    fired: int = 0
    due: int | None = None
    ledger: Ledger = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def target(self) -> int:
        return self.thresholds[-1]

    @property
    def finished(self) -> bool:
        return self.fired >= len(self.thresholds)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "calendar": self.calendar,
            "started": self.started,
            "thresholds": list(self.thresholds),
            "policy": self.policy,
            "cycle": self.cycle,
            "consumed": self.consumed,
            "since": self.since,
            "fired": self.fired,
            "due": self.due,
            "ledger": [list(piece) for piece in self.ledger],
            "facts": dict(self.facts),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Timer:
        return cls(
            name=raw["name"],
            calendar=raw["calendar"],
            started=raw["started"],
            thresholds=list(raw["thresholds"]),
            policy=raw["policy"],
            cycle=raw["cycle"],
            consumed=raw["consumed"],
            since=raw["since"],
            fired=raw["fired"],
            due=raw["due"],
            ledger=[list(piece) for piece in raw["ledger"]],
            facts=dict(raw["facts"]),
        )


def start_timer(
    name: str,
    calendar: Calendar,
    now: int,
    thresholds: list[int],
    *,
    policy: str,
    cycle: int = 0,
    running: bool = True,
    facts: dict[str, Any] | None = None,
) -> Timer:
    """A new cycle counting from `now` (or waiting to be resumed when `running` is false)."""
    timer = Timer(name, calendar.name, now, thresholds, policy, cycle, facts=facts or {})
    if running:
        resume(timer, calendar, now)
    return timer


def refresh_due(timer: Timer, calendar: Calendar) -> None:
    """Recompute when the next undecided threshold falls due (None while paused or finished)."""
    if timer.since is None or timer.fired >= len(timer.thresholds):
        timer.due = None
        return
    remaining = timer.thresholds[timer.fired] - timer.consumed
    timer.due = timer.since if remaining <= 0 else calendar.add_us(timer.since, remaining)


def counted(timer: Timer, calendar: Calendar, now: int) -> int:
    """Working time consumed by `now` (microseconds)."""
    if timer.since is None or now <= timer.since:
        return timer.consumed
    return timer.consumed + calendar.elapsed_us(timer.since, now)


def pause(timer: Timer, calendar: Calendar, now: int, why: str) -> None:
    """Stop counting at `now`; the budget consumed so far is kept."""
    if timer.since is None:
        return
    timer.consumed = counted(timer, calendar, now)
    timer.ledger[-1][1] = max(now, timer.since)
    timer.ledger[-1][2] = why
    timer.since = None
    timer.due = None


def resume(timer: Timer, calendar: Calendar, now: int) -> None:
    """Count again from `now`."""
    if timer.since is not None:
        return
    timer.since = now
    timer.ledger.append([now, None, None])
    refresh_due(timer, calendar)


def retarget(timer: Timer, calendar: Calendar, thresholds: list[int]) -> None:
    """New thresholds for the same cycle; thresholds already decided stay decided."""
    timer.thresholds = thresholds
    refresh_due(timer, calendar)


def move_to_calendar(timer: Timer, calendar: Calendar, now: int) -> None:
    """Recount the cycle's counted intervals on another calendar (e.g. P3 -> P1 goes 24x7)."""
    if timer.calendar == calendar.name:
        return
    total = 0
    for start, end, _ in timer.ledger:
        stop = now if end is None else end
        if stop > start:
            total += calendar.elapsed_us(start, stop)
    running = timer.since is not None
    timer.calendar = calendar.name
    if running:
        # the open interval is now counted in `total`; restart it at `now`
        timer.ledger[-1][1] = now
        timer.ledger[-1][2] = "calendar changed"
        timer.ledger.append([now, None, None])
        timer.since = now
    timer.consumed = total
    refresh_due(timer, calendar)


def take_due(timer: Timer, calendar: Calendar, now: int) -> tuple[int, int] | None:
    """Decide every threshold due by `now`; return (index, due instant) of the highest one.

    Thresholds overtaken together (a retroactive retarget, a long pause ending) collapse into the
    highest: one breach, never a burst of warnings followed by the breach.
    """
    crossed: tuple[int, int] | None = None
    while timer.due is not None and timer.due <= now:
        crossed = (timer.fired, timer.due)
        timer.fired += 1
        refresh_due(timer, calendar)
    return crossed
