"""Dashboard targets and labour costs, as the analytics read them from a policy.

Kept as a small value object so the metrics can be computed (and tested) without a whole policy;
`targets_from_policy` reads the policy's `dashboard` and `costs` sections. The defaults equal the
embedded default policy, which puts the seed's April 2025 marks where the seed prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Goal:
    """At least or at most `value`; `met` decides the check (✓) or warning (⚠) mark."""

    value: float
    at_least: bool

    def met(self, measured: float | None) -> bool | None:
        if measured is None:
            return None
        return measured >= self.value if self.at_least else measured <= self.value

    def describe(self, unit: str = "") -> str:
        shown = f"{self.value:.0%}" if unit == "share" else f"{self.value:g}{unit}"
        return f"{'>=' if self.at_least else '<='} {shown}"


def _default_costs() -> dict[str, float]:
    return {"L1": 35.0, "L2": 55.0, "L3": 95.0, "L4": 60.0, "management": 85.0}


def _default_resolution() -> dict[str, float]:
    return {"L2": 8.0, "L3": 24.0, "L4": 24.0}


@dataclass(frozen=True)
class Targets:
    """Goals per dashboard figure plus the loaded labour cost per hour by tier."""

    fcr_rate: Goal = Goal(0.70, at_least=True)
    avg_resolution_hours: dict[str, float] = field(default_factory=_default_resolution)
    escalation_success_rate: Goal = Goal(0.75, at_least=True)
    re_escalation_rate: Goal = Goal(0.10, at_least=False)
    csat_escalated: Goal = Goal(4.0, at_least=True)
    volume_trend: Goal = Goal(0.0, at_least=False)
    over_escalation_rate: Goal = Goal(0.15, at_least=False)
    labour_per_hour: dict[str, float] = field(default_factory=_default_costs)
    currency: str = "USD"
    top_drivers: int = 10


# the policy names management roles; an escalation "to management" is costed at the first found
MANAGEMENT_COST_KEYS = ("management", "support_manager", "manager")


def _goal(raw: Any) -> Goal:
    if raw.at_least is not None:
        return Goal(float(raw.at_least), at_least=True)
    return Goal(float(raw.at_most), at_least=False)


def targets_from_policy(policy: Any) -> Targets:
    """Read `policy.dashboard`, `policy.costs` and `policy.prevention` (see docs/policy.md)."""
    dash = policy.dashboard
    costs = {tier: float(v) for tier, v in policy.costs.labour_per_hour.items()}
    management = next((costs[k] for k in MANAGEMENT_COST_KEYS if k in costs), None)
    if management is not None:
        costs["management"] = management
    return Targets(
        fcr_rate=_goal(dash.fcr_rate),
        avg_resolution_hours={
            tier: d.as_timedelta.total_seconds() / 3600.0 for tier, d in dash.avg_resolution.items()
        },
        escalation_success_rate=_goal(dash.escalation_success_rate),
        re_escalation_rate=_goal(dash.re_escalation_rate),
        csat_escalated=_goal(dash.csat_escalated),
        volume_trend=_goal(dash.volume_trend),
        over_escalation_rate=_goal(dash.over_escalation_rate),
        labour_per_hour=costs,
        currency=str(policy.currency),
        top_drivers=int(policy.prevention.top_drivers),
    )
