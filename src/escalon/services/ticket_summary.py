"""The searchable columns of a ticket (status, priority, tier, ...) folded from its events.

Kept apart from engine state so list filters work on indexed columns, whatever the engine
stores inside its JSON state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from escalon.domain.events import (
    AssignedEvent,
    EscalationAcceptedEvent,
    Event,
    StatusChangedEvent,
    TicketCreatedEvent,
    TicketReopenedEvent,
    TicketResolvedEvent,
    TicketUpdatedEvent,
)


def created_summary(event: TicketCreatedEvent) -> dict[str, Any]:
    data = event.data
    return {
        "status": data.status,
        "priority": data.priority,
        "tier": data.tier,
        "team": data.team,
        "agent": data.agent,
        "customer_id": data.customer.id,
        "segment": data.customer.segment,
        "subject": data.subject,
        "opened_at": event.at,
    }


def fold_summary(summary: Mapping[str, Any], event: Event) -> dict[str, Any]:
    """The summary after `event`; events that do not touch these columns leave them as they are."""
    if isinstance(event, TicketCreatedEvent):
        return created_summary(event)
    out = dict(summary)
    if isinstance(event, TicketUpdatedEvent):
        if event.data.priority is not None:
            out["priority"] = event.data.priority
        if event.data.customer is not None:
            out["customer_id"] = event.data.customer.id
            out["segment"] = event.data.customer.segment
    elif isinstance(event, StatusChangedEvent):
        out["status"] = event.data.status
    elif isinstance(event, AssignedEvent):
        for name in ("tier", "team", "agent"):
            value = getattr(event.data, name)
            if value is not None:
                out[name] = value
    elif isinstance(event, EscalationAcceptedEvent):
        out["status"] = "open" if out["status"] == "new" else out["status"]
    elif isinstance(event, TicketResolvedEvent):
        out["status"] = "solved"
    elif isinstance(event, TicketReopenedEvent):
        out["status"] = "open"
    return out


SUMMARY_COLUMNS = (
    "status",
    "priority",
    "tier",
    "team",
    "agent",
    "customer_id",
    "segment",
    "subject",
    "opened_at",
)
