"""The domain engine behind the service's engine port.

Stored tickets are loaded into the engine's state on demand (a repeated-issue or major-incident
rule may consult tickets other than the event's), and so are the cross-ticket entries: an issue
key's history, a match key's incident candidates, an agent's counters, each read the first time
an event asks for it. The major incidents themselves come from one small shared document. After
the batch every ticket and entry whose serialised state changed is handed back, tickets with
their clocks and escalations as read-model views.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from escalon.domain.engine.context import Context, InvalidEvent
from escalon.domain.engine.decisions import Decision, us_to_datetime
from escalon.domain.engine.issues import issue_key
from escalon.domain.engine.records import EventRecord
from escalon.domain.engine.rulebook import rulebook_for
from escalon.domain.engine.state import (
    INCIDENT_REF,
    EngineState,
    Incident,
    Indexes,
    TicketState,
)
from escalon.domain.engine.step import advance
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

_CANONICAL = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def _canonical(raw: Any) -> bytes:
    """A key-sorted encoding: equal state, equal bytes (compared, never stored)."""
    return orjson.dumps(raw, option=_CANONICAL, default=str)


class _LazyTickets(dict[str, TicketState]):
    """The engine's ticket map, filled from storage the first time a ticket is asked for."""

    def __init__(self, source: StateSource) -> None:
        super().__init__()
        self.source = source
        self.loaded: dict[str, bytes] = {}

    def get(self, key: str, default: Any = None) -> Any:
        if key in self:
            return self[key]
        if key in self.loaded:
            return default
        raw = self.source.ticket(key)
        if raw is None:
            self.loaded[key] = b""
            return default
        ticket = TicketState.from_dict(dict(raw))
        # The stored form, not a round trip through the engine's: they encode alike (a state
        # written by an older escalon that does not is merely written again).
        self.loaded[key] = _canonical(raw)
        self[key] = ticket
        return ticket


class _LazyEntries(dict[str, Any]):
    """One kind of cross-ticket entry, read from storage the first time a key is asked for.

    `loaded` keeps each entry's encoding as read (empty when there was none), so what changed
    is found by comparing small entries, never the whole index.
    """

    def __init__(self, source: StateSource, kind: str, read: list[tuple[str, str]]) -> None:
        super().__init__()
        self.source = source
        self.kind = kind
        self.loaded: dict[str, bytes] = {}
        self.read = read  # every kind's entries in the order first asked for

    def _load(self, key: str) -> bool:
        """Read `key` if not read yet; whether it is present now."""
        if key not in self.loaded:
            self.prefetch([key])
        return dict.__contains__(self, key)

    def prefetch(self, keys: Iterable[str]) -> None:
        """Read the entries of `keys` not read yet, in one query (a worker's batch of ticks
        would otherwise ask for its tickets' issue histories one by one)."""
        unread = sorted(
            {k for k in keys if k not in self.loaded and not dict.__contains__(self, k)}
        )
        if not unread:
            return
        found = self.source.entries(self.kind, unread)
        self.read += [(self.kind, key) for key in unread]
        for key in unread:
            raw = found.get(key)
            text = self.loaded[key] = b"" if raw is None else _canonical(raw)
            if raw is not None:
                dict.__setitem__(self, key, orjson.loads(text))  # the engine's own copy

    def __missing__(self, key: str) -> Any:
        if self._load(key):
            return dict.__getitem__(self, key)
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._load(key)

    def get(self, key: str, default: Any = None) -> Any:
        return dict.__getitem__(self, key) if self._load(key) else default

    def setdefault(self, key: str, default: Any = None) -> Any:
        if not self._load(key):
            dict.__setitem__(self, key, default)
        return dict.__getitem__(self, key)

    def changed(self) -> dict[tuple[str, str], Any]:
        out: dict[tuple[str, str], Any] = {}
        for key, value in self.items():
            before = self.loaded.get(key)
            if not before or before != _canonical(value):
                out[(self.kind, key)] = value
        for key, before in self.loaded.items():
            if before and not dict.__contains__(self, key):
                out[(self.kind, key)] = None
        return out


def _indexes(source: StateSource) -> tuple[Indexes, list[_LazyEntries]]:
    """The engine's indexes over stored state: incidents from the shared document, the rest
    entry by entry."""
    shared = dict(source.shared() or {})
    read: list[tuple[str, str]] = []
    entries = [_LazyEntries(source, kind, read) for kind in ("issue", "candidates", "agent")]
    issues, candidates, agents = entries
    indexes = Indexes(
        issues=issues,
        candidates=candidates,
        agents=agents,
        open_incidents=dict(shared.get("open_incidents") or {}),
        incidents={k: Incident.from_dict(v) for k, v in (shared.get("incidents") or {}).items()},
    )
    return indexes, entries


def _prefetch_issues(
    ctx: Context, items: Sequence[tuple[str, Event]], issues: _LazyEntries
) -> None:
    """The issue histories of the batch's stored tickets, read in one query."""
    ids = sorted({event.ticket for _, event in items if event.ticket != SHARED})
    keys = []
    for ticket_id in ids:
        ticket = ctx.state.tickets.get(ticket_id)
        key = issue_key(ctx, ticket) if ticket is not None else None
        if key is not None:
            keys.append(key)
    issues.prefetch(keys)


def _in_read_order(entries: list[_LazyEntries]) -> dict[tuple[str, str], Any]:
    """Changed entries in the order they were first read (new ones last), so that concurrent
    writers take the entries' row locks in the order the engine asks for them, the order a
    command that retries with locked reads takes them in too (see EngineIndex)."""
    changed = {key: value for part in entries for key, value in part.changed().items()}
    order = {key: n for n, key in enumerate(entries[0].read)}
    return dict(sorted(changed.items(), key=lambda item: order.get(item[0], len(order))))


def _incident_document(indexes: Indexes) -> dict[str, Any]:
    return {
        "open_incidents": dict(indexes.open_incidents),
        "incidents": {k: v.to_dict() for k, v in indexes.incidents.items()},
    }


class DomainTicketEngine:
    """`escalon.domain.engine.step` over stored state."""

    def apply(
        self,
        source: StateSource,
        items: Sequence[tuple[str, Event]],
        policy: Any,
        *,
        skip_refused: bool = False,
    ) -> BatchOut:
        indexes, entries = _indexes(source)
        before = _canonical(_incident_document(indexes))
        tickets = _LazyTickets(source)
        state = EngineState(tickets=tickets, indexes=indexes)
        # One context for the batch, as replay keeps one: decisions a refused event's ticket
        # made due before it (the pre-event firing) are kept, as replay keeps them.
        ctx = Context(state, rulebook_for(policy))
        _prefetch_issues(ctx, items, entries[0])
        refused: list[tuple[int, EngineRefusal]] = []
        for index, (path, event) in enumerate(items):
            self._schedule(state, event)
            try:
                advance(ctx, EventRecord.from_event(event))
            except InvalidEvent as error:
                field = error.field.replace(".", "/")
                refusal = EngineRefusal(error.message, field=f"{path}{field}")
                if not skip_refused:
                    raise refusal from error
                refused.append((index, refusal))
        decisions: list[Decision] = ctx.out
        changed = {}
        for tid, ticket in tickets.items():
            raw = ticket.to_dict()
            loaded = tickets.loaded.get(tid)
            if not loaded or loaded != _canonical(raw):  # new tickets skip the comparison
                changed[tid] = _ticket_out(ticket, raw)
        after = _incident_document(indexes)
        return BatchOut(
            tickets=changed,
            decisions=[_decision_out(d) for d in decisions],
            shared=after if _canonical(after) != before else None,
            shared_wakeup=_incident_wakeup(indexes),
            entries=_in_read_order(entries),
            refused=refused,
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
    """The views' details are the state's own serialised parts (`raw`), not built again."""
    due = ticket.next_due
    timers = raw["timers"]
    return TicketOut(
        state=raw,
        next_wakeup=us_to_datetime(due) if due is not None else None,
        clocks=[_clock(timer, timers[name]) for name, timer in ticket.timers.items()],
        escalations=_escalations(ticket, raw),
    )


def _clock(timer: Timer, detail: dict[str, Any]) -> ClockOut:
    status = "running" if timer.since is not None else "paused"
    if timer.finished:
        status = "finished"
    return ClockOut(
        name=timer.name,
        status=status,
        due_at=us_to_datetime(timer.due) if timer.due is not None else None,
        breached=timer.finished,
        detail=detail,
    )


def _escalations(ticket: TicketState, raw: dict[str, Any]) -> list[EscalationOut]:
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
            detail=detail,
        )
        for esc, detail in zip(ticket.escalations, raw["escalations"], strict=True)
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
                detail=raw["management"],
            )
        )
    return out
