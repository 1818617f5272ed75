"""The dashboard: every figure of the seed's layout, each with its definition id and mark.

Built only from `Aggregates`, so the DuckDB and pandas paths give identical figures, and every
output format (text, markdown, json, html) renders this one object: the formats cannot disagree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from escalon.analytics.aggregates import Aggregates, period_label, previous_month
from escalon.analytics.stats import MIN_ESCALATIONS, SIGNIFICANCE, binomial_upper_tail
from escalon.analytics.targets import Targets

PATH_ORDER = ("L1->L2", "L2->L3", "L3->L4", "management")
REASON_LABELS = {
    "technical_complexity": "Technical complexity",
    "sla_breach_risk": "SLA breach risk",
    "customer_requested": "Customer requested",
    "product_bug": "Product bug",
    "integration_issue": "Integration issue",
    "engineering_required": "Engineering required",
    "impact": "Business impact",
    "repeated_failure": "Repeated failure",
    "vendor_dependency": "Vendor dependency",
    "other": "Other",
}
BARRIER_LABELS = {
    "knowledge_gap": "Knowledge gaps",
    "tool_limitation": "Tool limitations",
    "authority_limit": "Authority limits",
    "other": "Other",
}
INITIATIVE_LABELS = {
    "kb_article": "KB articles added (escalation-related)",
    "training": "Training sessions completed",
    "process_change": "Process improvements implemented",
    "tool_enhancement": "Tool enhancements deployed",
}


@dataclass(frozen=True)
class Figure:
    """One number on the dashboard. `metric` is its definition id in docs/metrics.md."""

    metric: str
    label: str
    value: float | None
    unit: str  # count | share | hours | money | score | change
    key: str | None = None
    share: float | None = None
    target: str | None = None
    met: bool | None = None


@dataclass
class Dashboard:
    period: str
    previous_period: str
    currency: str
    figures: list[Figure] = field(default_factory=list)
    coaching: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    trends: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def get(self, metric: str, key: str | None = None) -> Figure | None:
        return next((f for f in self.figures if f.metric == metric and f.key == key), None)

    def all(self, metric: str) -> list[Figure]:
        return [f for f in self.figures if f.metric == metric]

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "previous_period": self.previous_period,
            "currency": self.currency,
            "figures": [asdict(f) for f in self.figures],
            "teams_over_escalating": self.coaching,
            "history": self.history,
            "trends": self.trends,
            "notes": self.notes,
        }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _ordered(counts: dict[str, int], first: tuple[str, ...] = ()) -> list[tuple[str, int]]:
    """Keys in `first` keep that order; the rest follow by count (largest first), `other` last."""
    known = [(k, counts[k]) for k in first if k in counts]
    rest = sorted(
        ((k, v) for k, v in counts.items() if k not in first),
        key=lambda kv: (kv[0] == "other", -kv[1], kv[0]),
    )
    return known + rest


def build_dashboard(agg: Aggregates, targets: Targets) -> Dashboard:
    dash = Dashboard(
        period_label(agg.period), period_label(previous_month(agg.period)), targets.currency
    )
    add = dash.figures.append
    total = agg.total
    add(Figure("volume.total", "Total escalations", total, "count"))
    for path, n in _ordered(agg.volume_by_path, PATH_ORDER):
        add(Figure("volume.by_path", path, n, "count", key=path, share=_share(n, total)))
    trend = (total - agg.previous_total) / agg.previous_total if agg.previous_total else None
    add(
        Figure(
            "volume.trend",
            "Trend from last month",
            trend,
            "change",
            target=targets.volume_trend.describe("share"),
            met=targets.volume_trend.met(trend),
        )
    )
    for reason, n in _ordered(agg.reasons):
        add(
            Figure(
                "reasons.by_reason",
                REASON_LABELS.get(reason, reason),
                n,
                "count",
                key=reason,
                share=_share(n, total),
            )
        )
    for tier in sorted(agg.tiers, key=lambda t: (t == "management", t)):
        times = agg.tiers[tier]
        goal = targets.avg_resolution_hours.get(tier)
        add(
            Figure(
                "resolution.avg_hours",
                f"Avg {tier} resolution time",
                times.avg_hours,
                "hours",
                key=tier,
                target=None if goal is None else f"<= {goal:g} hours",
                met=None if goal is None or times.avg_hours is None else times.avg_hours <= goal,
            )
        )
        add(
            Figure(
                "resolution.median_hours",
                f"Median {tier} resolution time",
                times.median_hours,
                "hours",
                key=tier,
            )
        )
    add(
        Figure(
            "resolution.success_rate",
            "Escalation success rate (resolved at escalated tier)",
            agg.success.value,
            "share",
            target=targets.escalation_success_rate.describe("share"),
            met=targets.escalation_success_rate.met(agg.success.value),
        )
    )
    add(
        Figure(
            "resolution.re_escalation_rate",
            "Re-escalation rate",
            agg.re_escalation.value,
            "share",
            target=targets.re_escalation_rate.describe("share"),
            met=targets.re_escalation_rate.met(agg.re_escalation.value),
        )
    )
    csat = agg.csat_escalated.value
    add(
        Figure(
            "impact.csat_escalated",
            "Customer satisfaction (escalated tickets)",
            csat,
            "score",
            target=targets.csat_escalated.describe(),
            met=targets.csat_escalated.met(csat),
        )
    )
    add(
        Figure(
            "impact.csat_not_escalated",
            "Customer satisfaction (non-escalated tickets)",
            agg.csat_not_escalated.value,
            "score",
        )
    )
    add(
        Figure(
            "impact.service_credits",
            "Service credits issued (escalation-related)",
            agg.credits,
            "money",
        )
    )
    add(
        Figure(
            "impact.churned_customers",
            "Churned customers (escalation-related)",
            agg.churned_customers,
            "count",
        )
    )
    add(Figure("impact.labour_cost", "Escalation cost (labor)", agg.labour_cost, "money"))
    add(
        Figure(
            "fcr.rate",
            "FCR rate",
            agg.fcr.value,
            "share",
            target=targets.fcr_rate.describe("share"),
            met=targets.fcr_rate.met(agg.fcr.value),
        )
    )
    for category, ratio in sorted(agg.fcr_by_category.items()):
        add(Figure("fcr.by_category", category.capitalize(), ratio.value, "share", key=category))
    barrier_total = sum(agg.barriers.values())
    for code, n in _ordered(agg.barriers):
        add(
            Figure(
                "fcr.barriers",
                BARRIER_LABELS.get(code, code),
                n,
                "count",
                key=code,
                share=_share(n, barrier_total),
            )
        )
    for kind, label in INITIATIVE_LABELS.items():
        add(Figure(f"prevention.{kind}", label, agg.initiatives.get(kind, 0), "count"))
    for metric, counts in (
        ("sources.product_area", agg.product_areas),
        ("sources.segment", agg.segments),
        ("sources.region", agg.regions),
    ):
        if counts:
            key, n = max(counts.items(), key=lambda kv: (kv[1], kv[0] != "unknown"))
            add(Figure(metric, key, n, "count", key=key, share=_share(n, total)))
    dash.coaching = _teams_over_escalating(agg, targets)
    for team in dash.coaching:
        if team["flagged"]:
            add(
                Figure(
                    "sources.over_escalating_team",
                    team["team"],
                    team["rate"],
                    "share",
                    key=team["team"],
                    target=targets.over_escalation_rate.describe("share"),
                    met=False,
                )
            )
    if total == 0:
        dash.notes.append(f"No escalations in {dash.period}.")
    if agg.tickets == 0:
        dash.notes.append(f"No tickets created in {dash.period}.")
    return dash


def _teams_over_escalating(agg: Aggregates, targets: Targets) -> list[dict[str, Any]]:
    """Each team's avoidable share against the organisation's, with the one-sided test."""
    n_all = sum(t.escalations for t in agg.teams.values())
    k_all = sum(t.avoidable for t in agg.teams.values())
    org_rate = k_all / n_all if n_all else 0.0
    out: list[dict[str, Any]] = []
    for team, counts in sorted(agg.teams.items()):
        rate = counts.avoidable / counts.escalations if counts.escalations else 0.0
        p_value = binomial_upper_tail(counts.avoidable, counts.escalations, org_rate)
        flagged = (
            counts.escalations >= MIN_ESCALATIONS
            and rate > org_rate
            and p_value < SIGNIFICANCE
            and targets.over_escalation_rate.met(rate) is False
        )
        out.append(
            {
                "team": team,
                "escalations": counts.escalations,
                "avoidable": counts.avoidable,
                "rate": rate,
                "org_rate": org_rate,
                "p_value": p_value,
                "flagged": flagged,
            }
        )
    out.sort(key=lambda t: (not t["flagged"], -t["rate"], t["team"]))
    return out
