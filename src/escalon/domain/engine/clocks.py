"""Starting, stopping, pausing and resuming a ticket's timers, by rule name.

Timer names used by the engine (docs/engine.md lists them with what meets each):
`tier_time`, `resolution`, `ack`, `assessment`, `updates`, `vendor_ack`, `vendor_resolution`,
`trigger:<name>` (time-based management triggers), `mgmt_ack`, `mgmt_executive`,
`mgmt_contact`, `mgmt_plan`, `mgmt_updates`.
"""

from __future__ import annotations

from typing import Any

from escalon.domain.engine.context import Context
from escalon.domain.engine.state import TicketState
from escalon.domain.engine.timers import Timer, move_to_calendar, pause, resume

PAUSABLE = frozenset({"tier_time", "resolution", "updates"})
"""Customer-facing clocks: they stop while the ticket waits on the customer or is on hold."""

SURVIVES_SOLVED = frozenset({"tier_time", "resolution"})
"""Clocks paused (not stopped) by a solve, so a reopen continues the same budget."""

ON_TICKET_CALENDAR = frozenset({"resolution", "ack", "assessment", "updates"})
"""Clocks that follow the ticket's calendar when a priority change moves it (P3 -> P1)."""


def start(
    ctx: Context,
    ticket: TicketState,
    name: str,
    calendar: str,
    now: int,
    thresholds: list[int],
    facts: dict[str, Any],
    *,
    begin: int | None = None,
    running: bool = True,
) -> Timer:
    """Start a new cycle of `name` (ending the previous one); `begin` backdates it."""
    if name in ticket.timers:
        stop(ctx, ticket, name, now, "restarted")
    cycles = ticket.cycles
    cycle = cycles[name] = cycles.get(name, 0) + 1
    start = now if begin is None else begin
    timer = Timer(name, calendar, start, thresholds, ctx.book.ref, cycle, facts=facts)
    if running:
        resume(timer, ctx.book.calendars[calendar], start)
    ticket.timers[name] = timer
    return timer


def stop(ctx: Context, ticket: TicketState, name: str, now: int, why: str) -> Timer | None:
    """End the current cycle of `name` (met, cancelled or replaced)."""
    timer = ticket.timers.pop(name, None)
    if timer is None or not ctx.state.keep_history:
        return timer
    pause(timer, ctx.calendar(timer.calendar), now, why)
    timer.facts["ended"] = why
    ticket.finished.append(timer)
    return timer


def stop_all(ctx: Context, ticket: TicketState, now: int, why: str, keep: frozenset[str]) -> None:
    """Stop every timer except those in `keep` (which are paused with reason `why`)."""
    for name in list(ticket.timers):
        if name in keep:
            timer = ticket.timers[name]
            pause(timer, ctx.calendar(timer.calendar), now, why)
        else:
            stop(ctx, ticket, name, now, why)


def pause_customer_clocks(ctx: Context, ticket: TicketState, now: int, why: str) -> None:
    for name in PAUSABLE:
        timer = ticket.timers.get(name)
        if timer is not None:
            pause(timer, ctx.calendar(timer.calendar), now, why)


def resume_clocks(ctx: Context, ticket: TicketState, now: int, names: frozenset[str]) -> None:
    for name in names:
        timer = ticket.timers.get(name)
        if timer is not None:
            resume(timer, ctx.calendar(timer.calendar), now)


def follow_calendar(ctx: Context, ticket: TicketState, now: int) -> None:
    """After the ticket's calendar changed, recount its calendar-bound clocks on the new one."""
    calendar = ctx.calendar(ticket.calendar)
    for name in ON_TICKET_CALENDAR:
        timer = ticket.timers.get(name)
        if timer is not None:
            move_to_calendar(timer, calendar, now)
    timer = ticket.timers.get("tier_time")
    if timer is not None and timer.facts.get("clock") == "business":
        move_to_calendar(timer, calendar, now)


def is_paused_status(status: str) -> bool:
    return status in ("pending_customer", "on_hold")
