"""The policy: one validated, versioned document that every part of escalon reads.

A decision records `Policy.ref` (version plus content fingerprint), so an explanation can always
say which policy produced it, even when two files carry the same version string.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import Field, PrivateAttr

from escalon.domain.calendar.spec import CalendarSpec
from escalon.domain.policy.base import PolicyModel
from escalon.domain.policy.criteria import EscalationPath
from escalon.domain.policy.management import ManagementPolicy
from escalon.domain.policy.notifications import NotificationsPolicy
from escalon.domain.policy.operations import Costs, DashboardTargets, Prevention, Segment, Vendor
from escalon.domain.policy.service import (
    ClockCalendars,
    FollowTheSun,
    HandoffRules,
    IssueKey,
    MajorIncident,
    ResponseTargets,
)
from escalon.domain.policy.tiers import Authority, Tier


class Policy(PolicyModel):
    """The whole escalation policy (see docs/policy.md for every field)."""

    name: str = "Escalation policy"
    version: str = Field(min_length=1)
    currency: str = Field(default="USD", min_length=3, max_length=3)
    tiers: dict[str, Tier] = Field(min_length=1)
    paths: list[EscalationPath] = Field(default_factory=list)
    authority: Authority
    management: ManagementPolicy
    response: ResponseTargets
    handoff: HandoffRules
    major_incident: MajorIncident
    issue_key: IssueKey = Field(default_factory=IssueKey)
    calendars: dict[str, CalendarSpec] = Field(min_length=1)
    clocks: ClockCalendars
    follow_the_sun: FollowTheSun | None = None
    segments: dict[str, Segment] = Field(default_factory=dict)
    vendors: dict[str, Vendor] = Field(default_factory=dict)
    dashboard: DashboardTargets
    costs: Costs
    prevention: Prevention = Field(default_factory=Prevention)
    notifications: NotificationsPolicy = Field(default_factory=NotificationsPolicy)

    _fingerprint: str = PrivateAttr(default="")

    def model_post_init(self, context: Any, /) -> None:  # noqa: ARG002 (pydantic hook signature)
        canonical = json.dumps(
            self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        self._fingerprint = hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def fingerprint(self) -> str:
        """sha256 of the canonical JSON of the content: equal policies share it, whatever the
        formatting, comments or key order of their files."""
        return self._fingerprint

    @property
    def ref(self) -> str:
        """How decisions name the policy: `2025@1a2b3c4d5e6f`."""
        return f"{self.version}@{self._fingerprint[:12]}"

    def tiers_in_order(self) -> list[str]:
        """Tier names by their `order`."""
        return sorted(self.tiers, key=lambda name: self.tiers[name].order)

    def path_from(self, tier: str) -> EscalationPath | None:
        """The escalation path leaving `tier`, if any."""
        return next((path for path in self.paths if path.from_tier == tier), None)
