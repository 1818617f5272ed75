"""What escalon delivers: a notification about one decision, and its copy for one channel target.

A `Notification` says what happened (an escalation, a breach, an acknowledgement...). Routing turns
it into one `OutboxMessage` per matching channel and target, each with a deterministic idempotency
key so that enqueuing the same decision twice, or retrying a send, never creates a second message.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal, get_args

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from escalon.domain.decision_kinds import DecisionKind

NotificationKind = Literal[
    DecisionKind,
    # lifecycle events that close the loop on an incident
    "acknowledged",
    "resolved",
    # `escalon notify test`
    "test",
]
NOTIFICATION_KINDS: tuple[str, ...] = get_args(NotificationKind)


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Notification(_Frozen):
    """One decision worth telling someone about; `decision_id` is unique per decision."""

    decision_id: str = Field(min_length=1)
    kind: NotificationKind
    ticket_id: str
    summary: str
    occurred_at: AwareDatetime
    escalation_id: str | None = None
    priority: str | None = None
    tier: str | None = None
    team: str | None = None
    segment: str | None = None
    customer: str | None = None
    reason: str | None = None
    ticket_url: str | None = None
    details: dict[str, str] = Field(default_factory=dict)

    @property
    def incident_key(self) -> str:
        """Stable across trigger/acknowledge/resolve: one incident per escalation (or ticket)."""
        if self.escalation_id:
            return f"escalon-escalation-{self.escalation_id}"
        return f"escalon-ticket-{self.ticket_id}"

    def template_context(self) -> dict[str, object]:
        """The variables templates may use (documented in docs/notifications.md)."""
        return {
            "kind": self.kind,
            "ticket_id": self.ticket_id,
            "summary": self.summary,
            "occurred_at": self.occurred_at.isoformat(),
            "escalation_id": self.escalation_id or "",
            "priority": self.priority or "",
            "tier": self.tier or "",
            "team": self.team or "",
            "segment": self.segment or "",
            "customer": self.customer or "",
            "reason": self.reason or "",
            "ticket_url": self.ticket_url or "",
            "details": dict(self.details),
        }


def sample_notification(occurred_at: datetime) -> Notification:
    """A fully populated notification: templates are checked against it at validation time."""
    return Notification(
        decision_id="sample-decision",
        kind="escalate",
        ticket_id="T-1001",
        summary="P2 ticket T-1001 escalated from L1 to L2 (time-based)",
        occurred_at=occurred_at,
        escalation_id="E-1001-1",
        priority="P2",
        tier="L2",
        team="integrations",
        segment="enterprise",
        customer="Acme Corp",
        reason="sla_breach_risk",
        ticket_url="https://support.example.com/tickets/T-1001",
        details={"sla": "first_response", "due": occurred_at.isoformat()},
    )


def message_key(decision_id: str, channel: str, target: str | None) -> str:
    """The idempotency key of one notification on one channel target (64 hex characters)."""
    raw = f"{decision_id}\x1f{channel}\x1f{target or ''}"
    return hashlib.sha256(raw.encode()).hexdigest()


class OutboxMessage(_Frozen):
    """One notification addressed to one channel target, due no earlier than `not_before`.

    `group` orders messages: on one channel, a message is not sent while an earlier message of the
    same group is still unsettled, so a PagerDuty `resolve` never overtakes its `trigger`.
    """

    key: str
    channel: str
    target: str | None = None
    notification: Notification
    not_before: AwareDatetime
    created_at: AwareDatetime
    group: str

    @classmethod
    def create(
        cls,
        notification: Notification,
        *,
        channel: str,
        target: str | None,
        now: datetime,
        not_before: datetime | None = None,
    ) -> OutboxMessage:
        return cls(
            key=message_key(notification.decision_id, channel, target),
            channel=channel,
            target=target,
            notification=notification,
            not_before=not_before or now,
            created_at=now,
            group=notification.incident_key,
        )
