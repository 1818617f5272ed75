"""The engine as the services see it: serialised state in, state, decisions and views out.

Keeping state as plain JSON-ready mappings on this side means storage never depends on the
engine's classes, and a policy or engine upgrade needs no schema change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from escalon.domain.events import Event


@dataclass(frozen=True)
class DecisionOut:
    """A decision as stored: `due_at` is when it was meant to fire, whatever the firing time."""

    id: str
    ticket: str
    kind: str
    due_at: datetime
    reason: str
    policy_version: str
    body: Mapping[str, Any]


@dataclass(frozen=True)
class ClockOut:
    name: str
    status: str
    due_at: datetime | None
    breached: bool
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EscalationOut:
    id: str
    kind: str
    to_level: str
    reason: str | None
    status: str
    opened_at: datetime
    breach_at: datetime | None
    closed_at: datetime | None
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TicketOut:
    """A ticket after a batch: its serialised state, next wake-up and read-model views."""

    state: Mapping[str, Any]
    next_wakeup: datetime | None
    clocks: Sequence[ClockOut]
    escalations: Sequence[EscalationOut]


@dataclass(frozen=True)
class BatchOut:
    """What a batch changed. `shared` is None when the cross-ticket document did not change;
    `entries` holds the changed cross-ticket entries by (kind, key), None for a removed one."""

    tickets: Mapping[str, TicketOut]
    decisions: Sequence[DecisionOut]
    shared: Mapping[str, Any] | None
    shared_wakeup: datetime | None
    entries: Mapping[tuple[str, str], Mapping[str, Any] | None] = field(default_factory=dict)
    refused: Sequence[tuple[int, EngineRefusal]] = ()
    """With `skip_refused`: the items the engine refused (by index), as if never sent."""


class StateSource(Protocol):
    """Stored state, read on demand: the engine may consult tickets other than the event's,
    and the cross-ticket entries (the shared document, and one entry per issue key, match key
    or agent) its events touch."""

    def ticket(self, ticket_id: str) -> Mapping[str, Any] | None: ...
    def shared(self) -> Mapping[str, Any] | None: ...
    def entries(self, kind: str, keys: Sequence[str]) -> Mapping[str, Mapping[str, Any]]: ...


SHARED = "*"
"""The ticket id of a tick for the cross-ticket document (major incidents)."""


class TicketEngine(Protocol):
    """Applies events (or ticks) in order under a policy and reports every change.

    A refused event raises EngineRefusal, unless `skip_refused`: it is then reported in
    `BatchOut.refused` and the batch goes on without it, as replay does.
    """

    def apply(
        self,
        source: StateSource,
        items: Sequence[tuple[str, Event]],
        policy: Any,
        *,
        skip_refused: bool = False,
    ) -> BatchOut: ...


class EngineRefusal(Exception):
    """The engine refused an event (an impossible transition); `field` names the culprit."""

    def __init__(self, detail: str, *, field: str = "type") -> None:
        super().__init__(detail)
        self.field = field
