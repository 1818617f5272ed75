"""`step(state, event, policy)`: the engine's one entry point, and the tick that drives time.

The engine never reads the clock: time moves only with the events it is given (a `tick` says
"it is now `at`"). Before an event at T, the ticket's thresholds due strictly before T are
decided; after it, those due at T. So an event at exactly a due instant wins (a ticket solved at
the breach instant met its target).

Guarantees (docs/engine.md): an event id seen before changes nothing; a tick decides each
threshold once; a late event (older than what the ticket has seen) is applied in time order by
rebuilding the ticket from its history, and decisions already issued are not issued again.
`step` updates `state` in place and returns it, so callers that need the old state copy it first
(per ticket: `TicketState.to_dict()`).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime

from escalon.domain.engine.context import Context, InvalidEvent
from escalon.domain.engine.decisions import Decision, us_to_datetime
from escalon.domain.engine.firing import fire_ticket
from escalon.domain.engine.incidents import fire_incident
from escalon.domain.engine.lifecycle import HANDLERS, apply, create, validate
from escalon.domain.engine.records import EventRecord
from escalon.domain.engine.rulebook import rulebook_for
from escalon.domain.engine.state import INCIDENT_REF, EngineState, TicketState
from escalon.domain.events import Event
from escalon.domain.policy import Policy


@dataclass(frozen=True, slots=True)
class StepResult:
    """The state after the event, the decisions it made due, and when to wake the engine next."""

    state: EngineState
    decisions: list[Decision]
    next_wakeup_us: int | None

    @property
    def next_wakeup(self) -> datetime | None:
        return None if self.next_wakeup_us is None else us_to_datetime(self.next_wakeup_us)


def step(state: EngineState, event: Event | EventRecord, policy: Policy) -> StepResult:
    """Apply one event (or tick) under `policy`; raise `InvalidEvent` for an impossible one."""
    ctx = Context(state, rulebook_for(policy))
    record = event if isinstance(event, EventRecord) else EventRecord.from_event(event)
    advance(ctx, record)
    return StepResult(state, ctx.out, state.next_wakeup())


def advance(ctx: Context, record: EventRecord) -> None:
    """`step` without the wrapping, for loops that keep one context (replay)."""
    if record.type == "tick":
        _tick(ctx, record)
    else:
        _apply(ctx, record)


def _apply(ctx: Context, event: EventRecord) -> None:
    state = ctx.state
    at = event.at
    ticket = state.tickets.get(event.ticket)
    if ticket is None:
        validate(ctx, None, event)
        ticket = create(ctx, event)
    else:
        if event.id in ticket.seen:
            return
        if at < ticket.last and not ticket.closed:
            if not ticket.log or not ticket.log[0].creates:
                raise InvalidEvent(
                    event.id,
                    "at",
                    f"{event.type} is older than what ticket {ticket.id!r} has seen, and its "
                    "history before it was closed and reopened is not kept",
                )
            _apply_late(ctx, ticket, event)
            return
        # Every timer's due is at or after the ticket's queued wake-up, so a wake-up at or
        # after the event (the usual case in replay, which ticks first) means nothing is due.
        pending = state.scheduled.get(ticket.id)
        if pending is None or pending < at:
            fire_ticket(ctx, ticket, at, inclusive=False)
        validate(ctx, ticket, event)
        handler = HANDLERS.get(event.type)
        if handler is not None:
            handler(ctx, ticket, event)
    ticket.seen.add(event.id)  # `_remember`, inline on the hot path
    if at > ticket.last:
        ticket.last = at
    if not ticket.closed or state.keep_history:
        ticket.log.append(event)
    state.schedule(ticket.id, fire_ticket(ctx, ticket, at, inclusive=True))


def _remember(ctx: Context, ticket: TicketState, event: EventRecord) -> None:
    ticket.seen.add(event.id)
    if event.at > ticket.last:
        ticket.last = event.at
    if not ticket.closed or ctx.state.keep_history:
        ticket.log.append(event)


def _apply_late(ctx: Context, current: TicketState, event: EventRecord) -> None:
    """Rebuild the ticket from its history with the late event in its place in time."""
    state = ctx.state
    # stable: same-instant events keep the order they arrived in, the late one after them
    history = sorted([*current.log, event], key=EventRecord.order_key)
    if history[0] is event:
        raise InvalidEvent(
            event.id, "at", f"{event.type} at an instant before ticket {current.id!r} was created"
        )
    emitted = len(ctx.out)
    ctx.replaying = True
    ctx.prior = current.issued
    del state.tickets[current.id]
    try:
        fresh = create(ctx, history[0])
        _remember(ctx, fresh, history[0])
        for item in history[1:]:
            fire_ticket(ctx, fresh, item.at, inclusive=False)
            validate(ctx, fresh, item)
            apply(ctx, fresh, item)
            _remember(ctx, fresh, item)
            fire_ticket(ctx, fresh, item.at, inclusive=True)
        fire_ticket(ctx, fresh, current.last, inclusive=True)
    except InvalidEvent:
        state.tickets[current.id] = current
        del ctx.out[emitted:]
        raise
    finally:
        ctx.replaying = False
        ctx.prior = set()
    fresh.issued |= current.issued
    fresh.last = max(fresh.last, current.last)
    state.schedule(fresh.id, fresh.next_due)


def _tick(ctx: Context, tick: EventRecord) -> None:
    state = ctx.state
    if tick.ticket != "*":
        ticket = state.tickets.get(tick.ticket)
        if ticket is None:
            raise InvalidEvent(tick.id, "ticket", f"unknown ticket {tick.ticket!r}")
        upcoming = fire_ticket(ctx, ticket, tick.at, inclusive=True)
        ticket.last = max(ticket.last, tick.at)
        state.schedule(ticket.id, upcoming)
        return
    wake_until(ctx, tick.at)


def wake_until(ctx: Context, upto: int) -> None:
    """Fire every queued wake-up due at or before `upto`, in (due, queue order): what a tick
    for `*` at `upto` does, without building the tick (replay calls this between events)."""
    state = ctx.state
    heap = state.heap
    scheduled = state.scheduled
    tickets = state.tickets
    heappop = heapq.heappop
    while heap and heap[0][0] <= upto:
        due, _, ref = heappop(heap)
        if scheduled.get(ref) != due:
            continue
        del scheduled[ref]
        if ref.startswith(INCIDENT_REF):
            fire_incident(ctx, ref[len(INCIDENT_REF) :], due)
            continue
        ticket = tickets.get(ref)
        if ticket is not None:
            state.schedule(ref, fire_ticket(ctx, ticket, due, inclusive=True))
