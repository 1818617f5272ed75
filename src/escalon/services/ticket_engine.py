"""The domain engine behind the service's engine port.

Stored tickets are loaded into the engine's state on demand (a repeated-issue or major-incident
rule may consult tickets other than the event's), the cross-ticket indexes come from one shared
document, and after the batch every ticket whose serialised state changed is handed back with
its clocks and escalations as read-model views.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from escalon.domain.engine.context import InvalidEvent
from escalon.domain.engine.decisions import Decision, us_to_datetime
from escalon.domain.engine.state import INCIDENT_REF, EngineState, Indexes, TicketState
from escalon.domain.engine.step import step
from escalon.domain.engine.timers import Timer
from escalon.domain.events import Event
from escalon.services.engine_port import (
    SHARED,
    BatchOut,
    ClockOut,
    DecisionOut,
    EngineRefusal,
    EscalationOut,
    StateSource,
    TicketOut,
)


def _canonical(raw: Any) -> str:
    return json.dumps(raw, sort_keys=True, separators=(",", ":"), default=str)


class _LazyTickets(dict[str, TicketState]):
    """The engine's ticket map, filled from storage the first time a ticket is asked for."""

    def __init__(self, source: StateSource) -> None:
        super().__init__()
        self.source = source
        self.loaded: dict[str, str] = {}

    def get(self, key: str, default: Any = None) -> Any:
        if key in self:
            return self[key]
        if key in self.loaded:
            return default
        raw = self.source.ticket(key)
        if raw is None:
            self.loaded[key] = ""
            return default
        ticket = TicketState.from_dict(dict(raw))
        self.loaded[key] = _canonical(ticket.to_dict())
        self[key] = ticket
        return ticket


class DomainTicketEngine:
    """`escalon.domain.engine.step` over stored state."""

    def apply(
        self, source: StateSource, items: Sequence[tuple[str, Event]], policy: Any
    ) -> BatchOut:
        shared = source.shared()
        indexes = Indexes.from_dict(dict(shared)) if shared else Indexes()
        before = _canonical(indexes.to_dict())
        tickets = _LazyTickets(source)
        state = EngineState(tickets=tickets, indexes=indexes)
        decisions: list[Decision] = []
        for path, event in items:
            self._schedule(state, event)
            try:
                decisions += step(state, event, policy).decisions
            except InvalidEvent as error:
                field = error.field.replace(".", "/")
                raise EngineRefusal(error.message, field=f"{path}{field}") from error
        changed = {}
        for tid, ticket in tickets.items():
            raw = ticket.to_dict()
            loaded = tickets.loaded.get(tid)
            if not loaded or loaded != _canonical(raw):  # new tickets skip the comparison
                changed[tid] = _ticket_out(ticket, raw)
        after = indexes.to_dict()
        return BatchOut(
            tickets=changed,
            decisions=[_decision_out(d) for d in decisions],
            shared=after if _canonical(after) != before else None,
            shared_wakeup=_incident_wakeup(indexes),
        )

    @staticmethod
    def _schedule(state: EngineState, event: Event) -> None:
        """Queue the wake-ups a tick may fire: its ticket's, or (for `*`) the incidents'."""
        if event.ticket == SHARED:
            for incident in state.indexes.incidents.values():
                if incident.timer is not None:
                    state.schedule(INCIDENT_REF + incident.id, incident.timer.due)
            return
        ticket = state.tickets.get(event.ticket)
        if ticket is not None:
            state.schedule(ticket.id, ticket.next_due)


def _incident_wakeup(indexes: Indexes) -> Any:
    dues = [i.timer.due for i in indexes.incidents.values() if i.timer and i.timer.due]
    return us_to_datetime(min(dues)) if dues else None


def _decision_out(decision: Decision) -> DecisionOut:
    return DecisionOut(
        id=decision.id,
        ticket=decision.ticket,
        kind=decision.kind,
        due_at=decision.at,
        reason=decision.reason,
        policy_version=decision.policy,
        body=decision.to_dict(),
    )


def _ticket_out(ticket: TicketState, raw: dict[str, Any]) -> TicketOut:
    due = ticket.next_due
    return TicketOut(
        state=raw,
        next_wakeup=us_to_datetime(due) if due is not None else None,
        clocks=[_clock(timer) for timer in ticket.timers.values()],
        escalations=_escalations(ticket),
    )


def _clock(timer: Timer) -> ClockOut:
    status = "running" if timer.since is not None else "paused"
    if timer.finished:
        status = "finished"
    return ClockOut(
        name=timer.name,
        status=status,
        due_at=us_to_datetime(timer.due) if timer.due is not None else None,
        breached=timer.finished,
        detail=timer.to_dict(),
    )


def _escalations(ticket: TicketState) -> list[EscalationOut]:
    """Technical escalations and the management escalation, each with its deadline."""
    dues = [t.due for t in ticket.timers.values() if t.due is not None]
    deadline = us_to_datetime(min(dues)) if dues else None
    out = [
        EscalationOut(
            id=f"{ticket.id}#{esc.seq}",
            kind="functional",
            to_level=esc.target,
            reason=esc.criterion,
            status=esc.status,
            opened_at=us_to_datetime(esc.at),
            breach_at=deadline if esc.status in ("open", "accepted") else None,
            closed_at=us_to_datetime(esc.closed_at) if esc.closed_at else None,
            detail=esc.to_dict(),
        )
        for esc in ticket.escalations
    ]
    if ticket.management is not None:
        m = ticket.management
        out.append(
            EscalationOut(
                id=f"{ticket.id}#management",
                kind="management",
                to_level=m.level,
                reason=", ".join(m.triggers) or None,
                status="closed" if m.closed_at else "open",
                opened_at=us_to_datetime(m.opened_at),
                breach_at=None if m.closed_at else deadline,
                closed_at=us_to_datetime(m.closed_at) if m.closed_at else None,
                detail=m.to_dict(),
            )
        )
    return out
