"""Engine state: one record per ticket plus small global indexes, each storable on its own.

A ticket's state (`TicketState`) holds its facts, its running timers, its escalations, the ids of
decisions already issued and the events applied so far (so a late event can be replayed in time
order). The global indexes (`Indexes`) are what crosses tickets: repeated-issue history, major
incident candidates and open incidents, per-agent escalation counts. Storage persists a ticket's
`to_dict()` by ticket id and the indexes as one small document; `EngineState.from_parts` puts them
back together and rebuilds the wake-up heap.

All instants are epoch microseconds; every `to_dict()` is JSON-safe.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any

from escalon.domain.engine.records import EventRecord
from escalon.domain.engine.timers import Timer

INCIDENT_REF = "\x00"
"""Prefix of wake-up references that name a major incident rather than a ticket."""


@dataclass(slots=True)
class Escalation:
    """One technical escalation, with the policy ref in force when it started (its snapshot).

    A rejection keeps who sent it back, why and the feedback for the originating tier, so the
    ticket's history (and `escalon explain`) shows them; records stored before these fields
    existed load with them empty.
    """

    seq: int
    source: str
    target: str
    criterion: str
    at: int
    policy: str
    decision: str
    requested_by: str | None = None
    status: str = "open"
    accepted_at: int | None = None
    closed_at: int | None = None
    terms: dict[str, Any] = field(default_factory=dict)
    rejected_by: str | None = None
    rejection_reason: str | None = None
    rejection_feedback: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "source": self.source,
            "target": self.target,
            "criterion": self.criterion,
            "at": self.at,
            "policy": self.policy,
            "decision": self.decision,
            "requested_by": self.requested_by,
            "status": self.status,
            "accepted_at": self.accepted_at,
            "closed_at": self.closed_at,
            "terms": dict(self.terms),
            "rejected_by": self.rejected_by,
            "rejection_reason": self.rejection_reason,
            "rejection_feedback": self.rejection_feedback,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Escalation:
        return cls(**{**raw, "terms": dict(raw["terms"])})


@dataclass(slots=True)
class Management:
    """The ticket's management escalation: level reached, triggers seen, its policy snapshot."""

    opened_at: int
    level: str
    policy: str
    triggers: list[str] = field(default_factory=list)
    executive: str | None = None
    acknowledged_at: int | None = None
    closed_at: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "opened_at": self.opened_at,
            "level": self.level,
            "policy": self.policy,
            "triggers": list(self.triggers),
            "executive": self.executive,
            "acknowledged_at": self.acknowledged_at,
            "closed_at": self.closed_at,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Management:
        return cls(**{**raw, "triggers": list(raw["triggers"])})


@dataclass(slots=True)
class TicketState:
    """Everything the engine knows about one ticket."""

    id: str
    opened: int
    customer: str
    segment: str = "smb"
    region: str | None = None
    executive_level: str = "none"
    vip: bool = False
    priority: str = "P3"
    category: str | None = None
    product_area: str | None = None
    signature: str | None = None
    status: str = "new"
    tier: str = "L1"
    team: str | None = None
    agent: str | None = None
    flags: dict[str, Any] = field(default_factory=dict)
    calendar: str = ""
    tier_since: int = 0
    timers: dict[str, Timer] = field(default_factory=dict)
    cycles: dict[str, int] = field(default_factory=dict)
    escalations: list[Escalation] = field(default_factory=list)
    management: Management | None = None
    reopens: int = 0
    recurrences: int = 0
    incident: str | None = None
    resolved_at: int | None = None
    closed: bool = False
    last: int = 0
    issued: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)
    log: list[EventRecord] = field(default_factory=list)
    finished: list[Timer] = field(default_factory=list)

    @property
    def next_due(self) -> int | None:
        best: int | None = None
        for timer in self.timers.values():
            due = timer.due
            if due is not None and (best is None or due < best):
                best = due
        return best

    @property
    def open_escalation(self) -> Escalation | None:
        """The latest escalation still waiting for the receiving tier to acknowledge it."""
        if self.escalations and self.escalations[-1].status == "open":
            return self.escalations[-1]
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "opened": self.opened,
            "customer": self.customer,
            "segment": self.segment,
            "region": self.region,
            "executive_level": self.executive_level,
            "vip": self.vip,
            "priority": self.priority,
            "category": self.category,
            "product_area": self.product_area,
            "signature": self.signature,
            "status": self.status,
            "tier": self.tier,
            "team": self.team,
            "agent": self.agent,
            "flags": dict(self.flags),
            "calendar": self.calendar,
            "tier_since": self.tier_since,
            "timers": {name: t.to_dict() for name, t in self.timers.items()},
            "cycles": dict(self.cycles),
            "escalations": [e.to_dict() for e in self.escalations],
            "management": None if self.management is None else self.management.to_dict(),
            "reopens": self.reopens,
            "recurrences": self.recurrences,
            "incident": self.incident,
            "resolved_at": self.resolved_at,
            "closed": self.closed,
            "last": self.last,
            "issued": sorted(self.issued),
            "seen": sorted(self.seen),
            "log": [e.to_dict() for e in self.log],
            "finished": [t.to_dict() for t in self.finished],
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TicketState:
        values = dict(raw)
        values["flags"] = dict(raw["flags"])
        values["timers"] = {n: Timer.from_dict(t) for n, t in raw["timers"].items()}
        values["cycles"] = dict(raw["cycles"])
        values["escalations"] = [Escalation.from_dict(e) for e in raw["escalations"]]
        mgmt = raw["management"]
        values["management"] = None if mgmt is None else Management.from_dict(mgmt)
        values["issued"] = set(raw["issued"])
        values["seen"] = set(raw["seen"])
        values["log"] = [EventRecord.from_dict(e) for e in raw["log"]]
        values["finished"] = [Timer.from_dict(t) for t in raw["finished"]]
        return cls(**values)


@dataclass(slots=True)
class Incident:
    """A declared major incident: its match key, linked tickets and communication cadence."""

    id: str
    key: str
    declared_at: int
    policy: str
    tickets: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    resolved_at: int | None = None
    timer: Timer | None = None
    last_linked: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.key,
            "declared_at": self.declared_at,
            "last_linked": self.last_linked,
            "policy": self.policy,
            "tickets": list(self.tickets),
            "unresolved": list(self.unresolved),
            "resolved_at": self.resolved_at,
            "timer": None if self.timer is None else self.timer.to_dict(),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Incident:
        timer = raw["timer"]
        return cls(
            **{
                **raw,
                "tickets": list(raw["tickets"]),
                "unresolved": list(raw["unresolved"]),
                "timer": None if timer is None else Timer.from_dict(timer),
            }
        )


@dataclass(slots=True)
class Indexes:
    """What crosses tickets; small, bounded by the policy windows, stored as one document.

    - `issues`: issue key -> {"tickets": {ticket: opened}, "escalations": {ticket: last at}}
    - `candidates`: major-incident match key -> {ticket: [opened, customer]} within the window
    - `open_incidents`: match key -> incident id; `incidents`: id -> Incident
    - `agents`: agent -> counters (requested, escalated, rejected_unjustified,
      refused_incomplete_handoff, rejected_back)
    """

    issues: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    candidates: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    open_incidents: dict[str, str] = field(default_factory=dict)
    incidents: dict[str, Incident] = field(default_factory=dict)
    agents: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "issues": {
                k: {"tickets": dict(v["tickets"]), "escalations": dict(v["escalations"])}
                for k, v in self.issues.items()
            },
            "candidates": {
                k: {t: list(c) for t, c in v.items()} for k, v in self.candidates.items()
            },
            "open_incidents": dict(self.open_incidents),
            "incidents": {k: v.to_dict() for k, v in self.incidents.items()},
            "agents": {k: dict(v) for k, v in self.agents.items()},
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Indexes:
        return cls(
            issues={
                k: {"tickets": dict(v["tickets"]), "escalations": dict(v["escalations"])}
                for k, v in raw["issues"].items()
            },
            candidates={
                k: {t: list(c) for t, c in v.items()} for k, v in raw["candidates"].items()
            },
            open_incidents=dict(raw["open_incidents"]),
            incidents={k: Incident.from_dict(v) for k, v in raw["incidents"].items()},
            agents={k: dict(v) for k, v in raw["agents"].items()},
        )


@dataclass(slots=True)
class EngineState:
    """Tickets, indexes and the wake-up heap (rebuilt from the timers, so never stored).

    `keep_history` keeps finished timers and the event history of closed tickets (for
    `escalon explain`); live processing and replay drop them when a ticket closes.
    """

    tickets: dict[str, TicketState] = field(default_factory=dict)
    indexes: Indexes = field(default_factory=Indexes)
    keep_history: bool = False
    heap: list[tuple[int, int, str]] = field(default_factory=list)
    scheduled: dict[str, int] = field(default_factory=dict)
    seq: int = 0

    def schedule(self, ref: str, due: int | None) -> None:
        """Make sure a wake-up is queued no later than `due` for `ref` (stale ones are skipped)."""
        if due is None:
            return
        current = self.scheduled.get(ref)
        if current is None or due < current:
            self.seq += 1
            heapq.heappush(self.heap, (due, self.seq, ref))
            self.scheduled[ref] = due

    def next_wakeup(self) -> int | None:
        """The earliest queued wake-up (epoch microseconds), dropping stale heap entries."""
        heap = self.heap
        while heap:
            due, _, ref = heap[0]
            if self.scheduled.get(ref) == due:
                return due
            heapq.heappop(heap)
        return None

    @classmethod
    def from_parts(
        cls, tickets: list[dict[str, Any]], indexes: dict[str, Any] | None = None
    ) -> EngineState:
        """Reassemble state from stored tickets and indexes; the heap is rebuilt from timers."""
        state = cls(indexes=Indexes() if indexes is None else Indexes.from_dict(indexes))
        for raw in tickets:
            ticket = TicketState.from_dict(raw)
            state.tickets[ticket.id] = ticket
            state.schedule(ticket.id, ticket.next_due)
        for incident in state.indexes.incidents.values():
            if incident.timer is not None:
                state.schedule(INCIDENT_REF + incident.id, incident.timer.due)
        return state
