"""Support tiers and the authority matrix: who works a ticket and what each role may grant.

Tiers are functional escalation (more expertise: L1 -> L2 -> L3 -> vendor); the management chain
is hierarchical escalation (support manager -> VP support -> C-level). Both meet in the authority
matrix, which gives every role a credit cap and the actions it may take.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from escalon.domain.durations import DurationField
from escalon.domain.events import ExecutiveLevel
from escalon.domain.policy.base import Money, PolicyModel

TierKind = Literal["technical", "vendor"]

Action = Literal[
    "self_service_direction",
    "known_workaround",
    "basic_troubleshooting",
    "advanced_troubleshooting",
    "configuration_change",
    "discount",
    "service_credit",
    "code_investigation",
    "hotfix",
    "engineering_workaround",
    "contract_modification",
    "executive_engagement",
    "contract_terms_exception",
    "board_escalation",
    "strategic_relationship_management",
]
"""What a role may do; the seed's ESCALATION AUTHORITY, one slug per capability."""


class Tier(PolicyModel):
    """One support tier, with the response targets that start when a ticket reaches it."""

    title: str
    kind: TierKind = "technical"
    order: int = Field(ge=1, description="Position in the technical path; L1 is 1.")
    acknowledgement: DurationField
    initial_assessment: DurationField | None = None
    role: str | None = Field(
        default=None, description="The authority role of the tier's agents (none for vendors)."
    )
    lead_role: str = Field(description="Who hears first when the tier misses an acknowledgement.")
    capabilities: list[str] = Field(default_factory=list)


class AuthorityRole(PolicyModel):
    """One role of the authority matrix."""

    title: str
    seniority: int = Field(
        ge=1, description="Rank for commercial authority; credit caps must not fall as it rises."
    )
    credit_cap: Money | None = Field(
        ge=0,
        description="Largest service credit or discount the role grants alone; null: unlimited.",
    )
    actions: list[Action] = Field(default_factory=list)


class Authority(PolicyModel):
    """The authority matrix and how customer executives are matched to ours."""

    roles: dict[str, AuthorityRole]
    executive_matching: dict[ExecutiveLevel, str] = Field(
        description="Customer executive level -> the role of ours that engages them."
    )

    def can_grant(self, role: str, amount: Money) -> bool:
        """Whether `role` may grant a credit of `amount` on its own authority."""
        spec = self.roles[role]
        return spec.credit_cap is None or amount <= spec.credit_cap
