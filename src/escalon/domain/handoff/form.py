"""The escalation handoff form: the context one tier hands to the next, as typed data.

Its sections and fields follow the seed's ESCALATION HANDOFF FORM one for one, so that a filled
form renders back into the layout support teams already use. Every field is optional here:
which ones a given escalation path requires is the policy's decision (see `check`), and a form
being drafted must be storable before it is complete.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from escalon.domain.durations import DurationField
from escalon.domain.events import Priority

Reproduced = Literal["yes", "no", "partial"]
Sentiment = Literal["satisfied", "neutral", "frustrated", "upset"]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TicketInformation(_Section):
    ticket_id: str | None = None
    priority: Priority | None = None
    escalation_from: str | None = None
    escalation_to: str | None = None
    escalation_time: AwareDatetime | None = None
    sla_remaining: DurationField | None = None


class IssueSummary(_Section):
    customer_description: str | None = None
    technical_description: str | None = None
    impact: str | None = None


class TroubleshootingStep(_Section):
    """One thing tried: what, with what result, and how long it took."""

    step: str = Field(min_length=1)
    result: str | None = None
    time_spent: DurationField | None = None


class Troubleshooting(_Section):
    steps: list[TroubleshootingStep] = Field(default_factory=list)
    attachments: list[str] = Field(default_factory=list)


class CurrentStatus(_Section):
    issue_reproduced: Reproduced | None = None
    workaround_provided: bool | None = None
    workaround_details: str | None = None
    customer_sentiment: Sentiment | None = None
    last_customer_communication: AwareDatetime | None = None


class Hypothesis(_Section):
    likely_cause: str | None = None
    recommended_action: str | None = None
    additional_context: str | None = None


class CustomerCommunication(_Section):
    customer_notified: bool | None = None
    notified_at: AwareDatetime | None = None
    expected_update_time: AwareDatetime | None = None
    preferences: str | None = None
    prefers_live_transfer: bool | None = None
    vip: bool | None = None
    relationship_notes: str | None = None


class EscalationAcceptance(_Section):
    """Filled by the receiving tier when it acknowledges; never required at request time."""

    received_by: str | None = None
    received_at: AwareDatetime | None = None
    estimated_resolution: str | None = None
    additional_resources_needed: bool | None = None
    additional_resources_details: str | None = None


class HandoffForm(_Section):
    """A whole handoff; the sections are the seed form's, in its order."""

    ticket_information: TicketInformation = Field(default_factory=TicketInformation)
    issue_summary: IssueSummary = Field(default_factory=IssueSummary)
    troubleshooting: Troubleshooting = Field(default_factory=Troubleshooting)
    current_status: CurrentStatus = Field(default_factory=CurrentStatus)
    hypothesis: Hypothesis = Field(default_factory=Hypothesis)
    customer_communication: CustomerCommunication = Field(default_factory=CustomerCommunication)
    acceptance: EscalationAcceptance = Field(default_factory=EscalationAcceptance)


def _dotted_fields() -> tuple[str, ...]:
    names: list[str] = []
    for section, info in HandoffForm.model_fields.items():
        model = info.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        names.extend(f"{section}.{field}" for field in model.model_fields)
    return tuple(names)


HANDOFF_FIELDS: tuple[str, ...] = _dotted_fields()
"""Every field by its dotted name, as policies list them (`issue_summary.customer_description`)."""
