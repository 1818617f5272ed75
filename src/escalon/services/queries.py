"""Read models for the API: ticket lists, a ticket's full story, the escalation queue, metrics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from escalon.services.errors import UnknownTicket
from escalon.services.ports import Row, UnitOfWorkFactory

TICKET_FILTERS = ("status", "priority", "tier", "team", "agent", "customer_id", "segment")


@dataclass(frozen=True)
class TicketStory:
    """Everything the detail view shows: state, clocks with ledgers, decisions, timeline."""

    ticket: Row
    clocks: list[Row]
    escalations: list[Row]
    decisions: list[Row]
    events: list[Row]

    def timeline(self) -> list[dict[str, Any]]:
        """Events and decisions in time order; a decision sorts at its due instant."""
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
        return sorted(entries, key=lambda e: (e["at"], e["kind"] != "event"))


def list_tickets(
    uow_factory: UnitOfWorkFactory, filters: Mapping[str, Any], limit: int, offset: int
) -> list[Row]:
    chosen = {k: v for k, v in filters.items() if k in TICKET_FILTERS and v is not None}
    with uow_factory(read_only=True) as uow:
        return uow.tickets.search(chosen, limit, offset)


def ticket_story(uow_factory: UnitOfWorkFactory, ticket: str) -> TicketStory:
    with uow_factory(read_only=True) as uow:
        row = uow.tickets.get(ticket)
        if row is None:
            raise UnknownTicket(f"no ticket {ticket!r}", field="ticket")
        return TicketStory(
            ticket=row,
            clocks=uow.projections.clocks_for(ticket),
            escalations=uow.projections.escalations_for(ticket),
            decisions=uow.decisions.for_ticket(ticket),
            events=uow.events.for_ticket(ticket),
        )


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
