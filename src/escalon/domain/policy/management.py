"""Management escalation: the chain, the six triggers of the seed, and the response SLA.

Triggers are keyed by name so a decision can say which one fired; each names the management level
(an authority role) that takes the escalation.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from escalon.domain.durations import Duration, DurationField
from escalon.domain.events import Priority
from escalon.domain.policy.base import Clock, Money, PolicyModel


class _Trigger(PolicyModel):
    level: str = Field(description="The authority role the escalation goes to.")
    priorities: list[Priority] | None = None
    segments: list[str] | None = None


class UnresolvedTrigger(_Trigger):
    """A ticket in scope is still unresolved `after` this long (enterprise P1/P2 > 4h)."""

    type: Literal["unresolved"]
    after: DurationField
    clock: Clock = "calendar"


class ChurnThreatTrigger(_Trigger):
    """A CSM or support agent flags that the customer may leave."""

    type: Literal["churn_threat"]


class PublicComplaintTrigger(_Trigger):
    """A complaint on social media, a review site or in the press."""

    type: Literal["public_complaint"]


class RevenueAtRiskTrigger(_Trigger):
    """Revenue at risk (renewal, expansion) strictly above `above`."""

    type: Literal["revenue_at_risk"]
    above: Money


class LegalComplianceSecurityTrigger(_Trigger):
    """Any legal, compliance or security concern."""

    type: Literal["legal_compliance_security"]


class RepeatedEscalationTrigger(_Trigger):
    """The same customer escalates the same issue `min_escalations` times within `window`.

    "The same issue" is the policy's `issue_key`.
    """

    type: Literal["repeated_escalation"]
    min_escalations: int
    window: DurationField = Field(default=Duration(days=90))


ManagementTrigger = Annotated[
    UnresolvedTrigger
    | ChurnThreatTrigger
    | PublicComplaintTrigger
    | RevenueAtRiskTrigger
    | LegalComplianceSecurityTrigger
    | RepeatedEscalationTrigger,
    Field(discriminator="type"),
]


class ExecutiveNotification(PolicyModel):
    """Tell an executive within `within` when the customer is in `segments` or revenue is hit."""

    within: DurationField
    segments: list[str] = Field(default_factory=list)
    on_revenue_impact: bool = True
    role: str = Field(description="The executive role notified.")


class ManagementResponse(PolicyModel):
    """The ESCALATION RESPONSE SLA, counted from the management escalation."""

    clock: Clock = "calendar"
    acknowledgement: DurationField
    executive_notification: ExecutiveNotification
    initial_customer_contact: DurationField
    resolution_plan: DurationField
    status_updates: DurationField = Field(description="Cadence of updates until resolved.")


class ManagementPolicy(PolicyModel):
    """Hierarchical escalation: chain, triggers and response SLA."""

    chain: list[str] = Field(min_length=1, description="Roles from first to last level.")
    triggers: dict[str, ManagementTrigger]
    response: ManagementResponse
