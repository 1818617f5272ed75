"""Escalation paths and the criteria that move a ticket along them.

Each criterion is tagged by `type` so a policy file reads as a list of plain rules and the engine
can explain a decision by naming the criterion that fired.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from escalon.domain.durations import Duration, DurationField
from escalon.domain.events import Priority
from escalon.domain.policy.base import Clock, Money, PolicyModel

VendorKind = Literal["vendor", "infrastructure", "partner"]


class _Scoped(PolicyModel):
    """Optional filters: a criterion applies only to these priorities and segments (null: all)."""

    priorities: list[Priority] | None = None
    segments: list[str] | None = None


class TimeCriterion(_Scoped):
    """Escalate when the ticket stays unresolved longer than `threshold`."""

    type: Literal["time"]
    threshold: DurationField
    clock: Clock = "business"
    since: Literal["tier_entry", "opened"] = Field(
        default="tier_entry", description="Start counting when the ticket reached the tier."
    )


class ComplexityCriterion(_Scoped):
    """Escalate when the agent judges the issue beyond the tier's capability."""

    type: Literal["complexity"]


class EngineeringRequiredCriterion(_Scoped):
    """Escalate when the ticket is flagged as needing code-level work."""

    type: Literal["engineering_required"]


class CustomerRequestedCriterion(_Scoped):
    """Escalate when the customer asks for a higher level of support."""

    type: Literal["customer_requested"]


class ImpactCriterion(_Scoped):
    """Escalate on breadth or severity of impact; any one of the set conditions fires it."""

    type: Literal["impact"]
    min_customers: int | None = Field(default=None, description="Affected customers >= this.")
    revenue_at_risk: Money | None = Field(default=None, description="Revenue at risk > this.")
    security: bool = False


class RepeatedFailureCriterion(_Scoped):
    """Escalate when the issue comes back: reopened often, or recurring for the customer."""

    type: Literal["repeated_failure"]
    min_reopens: int | None = Field(default=None, description="Reopen count >= this.")
    recurring_issue: bool = False
    window: DurationField = Field(
        default=Duration(days=90), description="How far back a recurrence counts."
    )


class VendorDependencyCriterion(_Scoped):
    """Escalate when resolution depends on a vendor, infrastructure provider or partner."""

    type: Literal["vendor_dependency"]
    vendor_kinds: list[VendorKind] | None = None


Criterion = Annotated[
    TimeCriterion
    | ComplexityCriterion
    | EngineeringRequiredCriterion
    | CustomerRequestedCriterion
    | ImpactCriterion
    | RepeatedFailureCriterion
    | VendorDependencyCriterion,
    Field(discriminator="type"),
]


class EscalationPath(PolicyModel):
    """One step of the technical path; any criterion moves the ticket from one tier to the next."""

    from_tier: str
    to_tier: str
    criteria: list[Criterion] = Field(min_length=1)
    handoff_fields: list[str] = Field(
        default_factory=list, description="Dotted handoff form fields required to escalate."
    )
    justification_required: bool = True
    rca_required: bool = False

    @property
    def name(self) -> str:
        """How decisions name the path: `L1->L2`."""
        return f"{self.from_tier}->{self.to_tier}"
