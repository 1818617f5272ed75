"""From the engine's decisions (and a ticket's lifecycle) to notifications.

A decision arrives as the stored row (`id`, `ticket`, `kind`, `due_at`, `reason`, `body`) together
with its ticket's row (`priority`, `tier`, `team`, `segment`, `customer_id`, `subject`). The
decision id becomes the notification's `decision_id`, so enqueuing it twice is harmless.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, get_args

from escalon.domain.notify.message import Notification, NotificationKind

TITLES: dict[str, str] = {
    "escalate": "Escalated",
    "management_escalation": "Management escalation",
    "sla_warning": "SLA at risk",
    "sla_breach": "SLA breached",
    "require_acknowledgement": "Acknowledgement required",
    "acknowledgement_missed": "Acknowledgement missed",
    "update_due": "Customer update due",
    "major_incident_declared": "Major incident declared",
    "major_incident_linked": "Linked to a major incident",
    "major_incident_resolved": "Major incident resolved",
    "vendor_escalation": "Vendor escalation",
    "escalation_rejected_unjustified": "Escalation rejected as unjustified",
    "escalation_refused_incomplete_handoff": "Escalation refused: incomplete handoff",
    "rca_missing": "Root cause missing",
    "approval_required": "Approval required",
    "acknowledged": "Escalation acknowledged",
    "resolved": "Resolved",
    "test": "Test message",
}
_KINDS = frozenset(get_args(NotificationKind))


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def summary_line(kind: str, ticket: Mapping[str, Any], ticket_id: str) -> str:
    """`P2 T-1001 Escalated: Checkout fails (L2)`: what a pager or a channel shows first."""
    subject = _text(ticket.get("subject"))
    head = " ".join(p for p in (_text(ticket.get("priority")), ticket_id) if p)
    text = f"{head} {TITLES.get(kind, kind)}"
    if subject:
        text += f": {subject}"
    tier = _text(ticket.get("tier"))
    return f"{text} ({tier})" if tier else text


def notification_for_decision(
    decision: Mapping[str, Any],
    ticket: Mapping[str, Any],
    *,
    ticket_url: str | None = None,
) -> Notification | None:
    """The notification of one stored decision; None for a kind escalon does not announce."""
    kind = str(decision["kind"])
    if kind not in _KINDS:
        return None
    body = decision.get("body") or {}
    facts = body.get("facts", body) if isinstance(body, Mapping) else {}
    ticket_id = str(decision["ticket"])
    occurred: datetime = decision.get("due_at") or decision["fired_at"]
    details = {
        str(name): str(value)
        for name, value in facts.items()
        if isinstance(value, str | int | float | bool)
    }
    return Notification.model_validate(
        {
            "decision_id": str(decision["id"]),
            "kind": kind,
            "ticket_id": ticket_id,
            "summary": summary_line(kind, ticket, ticket_id),
            "occurred_at": occurred,
            "escalation_id": _text(facts.get("escalation_id")) or ticket_id,
            "priority": _text(ticket.get("priority")),
            "tier": _text(facts.get("to")) or _text(ticket.get("tier")),
            "team": _text(ticket.get("team")),
            "segment": _text(ticket.get("segment")),
            "customer": _text(ticket.get("customer_id")),
            "reason": _text(decision.get("reason")),
            "ticket_url": ticket_url,
            "details": details,
        }
    )


LIFECYCLE_KINDS: dict[str, NotificationKind] = {
    "escalation.accepted": "acknowledged",
    "ticket.resolved": "resolved",
}
"""Events that close the loop on an escalation: the receiving tier acknowledged, or it is solved."""


def notification_for_event(
    event: Mapping[str, Any], ticket: Mapping[str, Any], *, ticket_url: str | None = None
) -> Notification | None:
    """The notification of an acknowledgement or resolution event (`id`, `type`, `at`, `ticket`);
    None for other event types."""
    kind = LIFECYCLE_KINDS.get(str(event.get("type")))
    if kind is None:
        return None
    return lifecycle_notification(
        kind,
        event_id=str(event["id"]),
        ticket=ticket,
        ticket_id=str(event["ticket"]),
        at=event["at"],
        ticket_url=ticket_url,
    )


def lifecycle_notification(
    kind: NotificationKind,
    *,
    event_id: str,
    ticket: Mapping[str, Any],
    ticket_id: str,
    at: datetime,
    escalation_id: str | None = None,
    ticket_url: str | None = None,
) -> Notification:
    """A notification for an acknowledgement or a resolution (events, not decisions), keyed by
    the event id; it shares the escalation's incident key so PagerDuty closes the right one."""
    return Notification(
        decision_id=event_id,
        kind=kind,
        ticket_id=ticket_id,
        summary=summary_line(kind, ticket, ticket_id),
        occurred_at=at,
        escalation_id=escalation_id or ticket_id,
        priority=_text(ticket.get("priority")),
        tier=_text(ticket.get("tier")),
        team=_text(ticket.get("team")),
        segment=_text(ticket.get("segment")),
        customer=_text(ticket.get("customer_id")),
        ticket_url=ticket_url,
    )
