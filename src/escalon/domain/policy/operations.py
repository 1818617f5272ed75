"""Who and what surrounds the escalation: segments, vendors, dashboard goals, costs, prevention."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from escalon.domain.durations import DurationField
from escalon.domain.policy.base import Goal, Money, PolicyModel
from escalon.domain.policy.criteria import VendorKind


class Segment(PolicyModel):
    """A customer segment; triggers and notifications filter on its key."""

    title: str
    description: str = ""


class Vendor(PolicyModel):
    """A third party behind L4, with the SLA its contract promises."""

    title: str
    kind: VendorKind = "vendor"
    acknowledgement: DurationField
    resolution: DurationField
    calendar: str
    escalation_contact: str = Field(description="Vendor management contact when the SLA slips.")


class DashboardTargets(PolicyModel):
    """Goals that put a check or a warning mark next to each dashboard figure."""

    fcr_rate: Goal
    avg_resolution: dict[str, DurationField] = Field(
        description="Tier -> the longest acceptable average resolution time (real hours)."
    )
    escalation_success_rate: Goal
    re_escalation_rate: Goal
    csat_escalated: Goal = Field(description="Mean CSAT of escalated tickets, out of 5.")
    volume_trend: Goal = Field(description="Month-over-month change in escalation volume.")
    over_escalation_rate: Goal = Field(description="Per team; above it, the team gets coaching.")


class Prevention(PolicyModel):
    """The ESCALATION PREVENTION routine."""

    trend_review: Literal["weekly", "monthly", "quarterly"] = "monthly"
    top_drivers: int = Field(default=10, ge=1)
    practices: list[str] = Field(default_factory=list)


class Costs(PolicyModel):
    """Loaded labour cost per hour, by tier or management role, for escalation cost analysis."""

    labour_per_hour: dict[str, Money]
