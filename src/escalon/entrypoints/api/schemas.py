"""Response and request bodies of the API (the OpenAPI schema at /openapi.json)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from escalon.domain.events import (
    CreditRequested,
    EscalationAccepted,
    EscalationRejected,
    EscalationRequested,
)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class IngestOut(_Out):
    received: int
    stored: int
    duplicates: int
    decisions: int


class TicketOut(_Out):
    id: str
    status: str
    priority: str
    tier: str
    team: str | None
    agent: str | None
    customer_id: str
    segment: str
    subject: str | None
    opened_at: datetime
    updated_at: datetime
    next_wakeup: datetime | None
    policy_version: str
    events: int


class ClockOut(_Out):
    name: str
    status: str
    due_at: datetime | None
    breached: bool
    detail: dict[str, Any] = Field(description="Elapsed and remaining time and the ledger.")


class DecisionOut(_Out):
    id: str
    kind: str
    due_at: datetime
    fired_at: datetime
    late: bool
    reason: str
    policy_version: str
    body: dict[str, Any]


class EscalationOut(_Out):
    id: str
    ticket: str
    kind: str
    to_level: str
    reason: str | None
    status: str
    opened_at: datetime
    breach_at: datetime | None
    closed_at: datetime | None
    detail: dict[str, Any]


class QueueEntryOut(EscalationOut):
    seconds_to_breach: float | None = Field(
        description="Negative once breached; null: no deadline."
    )


class TimelineEntryOut(BaseModel):
    at: datetime
    kind: Literal["event", "decision", "delivery"]
    type: str
    id: str
    data: dict[str, Any]


class DeliveryAttemptOut(BaseModel):
    at: datetime
    number: int
    outcome: str = Field(description="delivered, retry, rejected")
    status_code: int | None
    error: str | None
    duration_ms: float


class DeliveryOut(BaseModel):
    """One outgoing message about the ticket and what happened to it."""

    key: str = Field(description="Idempotency key of the message.")
    channel: str
    target: str | None
    kind: str
    decision_id: str
    status: str = Field(description="pending, claimed, delivered, rejected, dead")
    attempts: int
    due_at: datetime = Field(description="Next attempt (or the last one, once settled).")
    log: list[DeliveryAttemptOut]


class TicketDetailOut(BaseModel):
    ticket: TicketOut
    state: dict[str, Any]
    clocks: list[ClockOut]
    escalations: list[EscalationOut]
    decisions: list[DecisionOut]
    deliveries: list[DeliveryOut]
    timeline: list[TimelineEntryOut]


class HandoffIn(EscalationRequested):
    id: str | None = Field(
        default=None, min_length=1, max_length=200, description="Event id; repeat it to retry."
    )


class AcceptIn(EscalationAccepted):
    id: str | None = Field(default=None, min_length=1, max_length=200)


class RejectIn(EscalationRejected):
    id: str | None = Field(default=None, min_length=1, max_length=200)


class CommandOut(BaseModel):
    event_id: str
    ticket: str
    type: str
    decisions: int
    duplicate: bool


class ApprovalIn(CreditRequested):
    id: str | None = Field(default=None, min_length=1, max_length=200)


class ApprovalDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "refuse"]
    note: str | None = None


class ApprovalOut(_Out):
    id: str
    ticket: str
    kind: str
    amount: Decimal
    reason: str | None
    requested_by: str
    requested_at: datetime
    route_to: str
    status: str
    decided_by: str | None
    decided_role: str | None
    decided_at: datetime | None
    note: str | None


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, description="The policy document (YAML or JSON).")


class PolicyCheckOut(BaseModel):
    valid: bool
    version: str | None
    fingerprint: str | None
    errors: list[str]


class PolicyVersionOut(_Out):
    version: str
    fingerprint: str
    created_at: datetime
    created_by: str
    activated_at: datetime | None
    active: bool


class PolicyOut(PolicyVersionOut):
    source: str


class AuditOut(_Out):
    seq: int
    at: datetime
    actor: str
    role: str
    action: str
    target: str | None
    detail: dict[str, Any]
