"""Handoffs over the API: submit, accept, reject — each one a canonical escalation event.

Turning the command into the same event an importer would send keeps one path into the engine:
what the API does, a replay of the event log does too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from escalon.domain.events import (
    EscalationAccepted,
    EscalationAcceptedEvent,
    EscalationRejected,
    EscalationRejectedEvent,
    EscalationRequested,
    EscalationRequestedEvent,
    Event,
)
from escalon.services.access import Caller
from escalon.services.ingest import Ingestor, IngestResult


@dataclass(frozen=True)
class Handoffs:
    ingestor: Ingestor

    def submit(
        self,
        ticket: str,
        data: EscalationRequested,
        caller: Caller,
        now: datetime,
        event_id: str | None = None,
    ) -> tuple[Event, IngestResult]:
        if data.requested_by is None:
            data = data.model_copy(update={"requested_by": caller.name})
        event = EscalationRequestedEvent(
            type="escalation.requested", id=_id(event_id), at=now, ticket=ticket, data=data
        )
        return event, self._ingest(event, caller, now)

    def accept(
        self,
        ticket: str,
        data: EscalationAccepted,
        caller: Caller,
        now: datetime,
        event_id: str | None = None,
    ) -> tuple[Event, IngestResult]:
        if data.by is None:
            data = data.model_copy(update={"by": caller.name})
        event = EscalationAcceptedEvent(
            type="escalation.accepted", id=_id(event_id), at=now, ticket=ticket, data=data
        )
        return event, self._ingest(event, caller, now)

    def reject(
        self,
        ticket: str,
        data: EscalationRejected,
        caller: Caller,
        now: datetime,
        event_id: str | None = None,
    ) -> tuple[Event, IngestResult]:
        if data.by is None:
            data = data.model_copy(update={"by": caller.name})
        event = EscalationRejectedEvent(
            type="escalation.rejected", id=_id(event_id), at=now, ticket=ticket, data=data
        )
        return event, self._ingest(event, caller, now)

    def _ingest(self, event: Any, caller: Caller, now: datetime) -> IngestResult:
        return self.ingestor.ingest([event], caller, now, batch=False)


def _id(given: str | None) -> str:
    """A client-chosen id makes the command idempotent; without one each call is a new fact."""
    return given or f"api-{uuid.uuid4().hex}"
