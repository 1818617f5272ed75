"""Read models for the API: ticket lists, a ticket's full story, the escalation queue, metrics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from escalon.domain.notify.delivery import OutboxEntry
from escalon.services.errors import UnknownTicket
from escalon.services.outbox import Outbox
from escalon.services.ports import Row, UnitOfWorkFactory

TICKET_FILTERS = ("status", "priority", "tier", "team", "agent", "customer_id", "segment")


@dataclass(frozen=True)
class TicketStory:
    """Everything the detail view shows: state, clocks with ledgers, decisions, the messages sent
    about the ticket with their delivery logs, and the timeline."""

    ticket: Row
    clocks: list[Row]
    escalations: list[Row]
    decisions: list[Row]
    events: list[Row]
    deliveries: list[OutboxEntry] = field(default_factory=list)

    def timeline(self) -> list[dict[str, Any]]:
        """Events, decisions and delivery attempts in time order; a decision sorts at its due
        instant, an attempt when it started."""
        entries: list[dict[str, Any]] = [
            {"at": e["at"], "kind": "event", "type": e["type"], "id": e["id"], "data": e["body"]}
            for e in self.events
        ]
        entries += [
            {
                "at": d["due_at"],
                "kind": "decision",
                "type": d["kind"],
                "id": d["id"],
                "data": {"reason": d["reason"], "late": d["late"]},
            }
            for d in self.decisions
        ]
        entries += [
            {
                "at": attempt.at,
                "kind": "delivery",
                "type": entry.message.notification.kind,
                "id": entry.key,
                "data": {
                    "channel": entry.message.channel,
                    "target": entry.message.target,
                    "decision_id": entry.message.notification.decision_id,
                    "attempt": attempt.number,
                    "outcome": attempt.outcome,
                    "status_code": attempt.status_code,
                    "error": attempt.error,
                    "duration_ms": round(attempt.duration_ms, 1),
                },
            }
            for entry in self.deliveries
            for attempt in entry.log
        ]
        order = {"event": 0, "decision": 1, "delivery": 2}
        return sorted(entries, key=lambda e: (e["at"], order[e["kind"]]))


def list_tickets(
    uow_factory: UnitOfWorkFactory, filters: Mapping[str, Any], limit: int, offset: int
) -> list[Row]:
    chosen = {k: v for k, v in filters.items() if k in TICKET_FILTERS and v is not None}
    with uow_factory(read_only=True) as uow:
        return uow.tickets.search(chosen, limit, offset)


MAX_DELIVERIES = 1000
"""Messages shown per ticket; a ticket with more has a routing problem worth seeing anyway."""


def ticket_story(
    uow_factory: UnitOfWorkFactory, ticket: str, outbox: Outbox | None = None
) -> TicketStory:
    """The ticket's story; with `outbox`, also every message about it and its delivery log."""
    with uow_factory(read_only=True) as uow:
        row = uow.tickets.get(ticket)
        if row is None:
            raise UnknownTicket(f"no ticket {ticket!r}", field="ticket")
        clocks = uow.projections.clocks_for(ticket)
        escalations = uow.projections.escalations_for(ticket)
        decisions = uow.decisions.for_ticket(ticket)
        events = uow.events.for_ticket(ticket)
    deliveries = outbox.entries(ticket_id=ticket, limit=MAX_DELIVERIES) if outbox else []
    return TicketStory(row, clocks, escalations, decisions, events, deliveries)


def escalation_queue(uow_factory: UnitOfWorkFactory, limit: int) -> list[Row]:
    with uow_factory(read_only=True) as uow:
        return uow.projections.open_escalations(limit)


@dataclass(frozen=True)
class ServiceMetrics:
    events: int
    decisions_by_kind: dict[str, int]
    breaches: int
    worker_lag_seconds: float
    due_tickets_at: datetime | None


BREACH_KINDS = frozenset({"sla_breach", "acknowledgement_missed"})


def service_metrics(uow_factory: UnitOfWorkFactory, now: datetime) -> ServiceMetrics:
    """Counts for /metrics; worker lag is how long the oldest due wake-up has been waiting."""
    with uow_factory(read_only=True) as uow:
        kinds = uow.decisions.counts_by_kind()
        earliest = uow.tickets.earliest_wakeup()
        events = uow.events.count()
    lag = max(0.0, (now - earliest).total_seconds()) if earliest is not None else 0.0
    breaches = sum(n for kind, n in kinds.items() if kind in BREACH_KINDS)
    return ServiceMetrics(events, kinds, breaches, lag, earliest)
