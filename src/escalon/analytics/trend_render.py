"""Trend and prevention sections as plain tables, shared by the text, markdown and html reports."""

from __future__ import annotations

from typing import Any

from escalon.analytics.dashboard import REASON_LABELS
from escalon.analytics.layout import pct

_MOM_LABELS = {
    "volume.total": "Total escalations",
    "volume.trend": "Volume trend",
    "resolution.success_rate": "Success rate",
    "resolution.re_escalation_rate": "Re-escalation rate",
    "impact.csat_escalated": "CSAT escalated",
    "impact.csat_not_escalated": "CSAT non-escalated",
    "impact.service_credits": "Service credits",
    "impact.churned_customers": "Churned customers",
    "impact.labour_cost": "Labour cost",
    "fcr.rate": "FCR rate",
    "prevention.kb_article": "KB articles",
    "prevention.training": "Trainings",
    "prevention.process_change": "Process changes",
    "prevention.tool_enhancement": "Tool enhancements",
}
_SHARES = {"volume.trend", "resolution.success_rate", "resolution.re_escalation_rate", "fcr.rate"}


def _cell(metric: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    if metric in _SHARES:
        return pct(value)
    if metric.startswith("impact.csat"):
        return f"{value:.2f}"
    return f"{value:,.0f}"


Table = tuple[str, list[str], list[list[str]]]


def trend_tables(trends: dict[str, Any]) -> list[Table]:
    """(title, header, rows) for each trend and prevention analysis; empty input gives none."""
    if not trends:
        return []
    tables: list[Table] = []
    mom = trends["month_over_month"]
    tables.append(
        (
            "Month over month",
            ["metric", *mom["months"]],
            [
                [_MOM_LABELS.get(m, m), *(_cell(m, v) for v in values)]
                for m, values in mom["metrics"].items()
            ],
        )
    )
    tables.append(
        (
            "Top escalation drivers (product area x reason x category)",
            ["#", "product area", "reason", "category", "escalations", "share", "avoidable"],
            [
                [
                    str(i),
                    d["product_area"],
                    REASON_LABELS.get(d["reason"], d["reason"]),
                    d["category"],
                    str(d["escalations"]),
                    pct(d["share"]),
                    str(d["avoidable"]),
                ]
                for i, d in enumerate(trends["top_drivers"], start=1)
            ],
        )
    )
    tables.append(
        (
            "Recurring issues (same issue key escalated on several tickets)",
            ["issue key", "tickets", "customers", "escalations"],
            [
                [
                    r["issue_signature"],
                    str(r["tickets"]),
                    str(r["customers"]),
                    str(r["escalations"]),
                ]
                for r in trends["recurring_issues"]
            ],
        )
    )
    ping, reopen = trends["ping_pong"], trends["reopen_driven"]
    tables.append(
        (
            "Ping-pong and reopen-driven escalations",
            ["pattern", "count", "detail"],
            [
                [
                    "ping-pong tickets (down a tier and up again)",
                    str(ping["tickets"]),
                    ", ".join(e["ticket_id"] for e in ping["examples"][:5]),
                ],
                [
                    "reopen-driven escalations",
                    str(reopen["escalations"]),
                    f"{pct(reopen['share'])} of escalations",
                ],
            ],
        )
    )
    tables.append(
        (
            "Escalation rate by team (tickets escalated at least once)",
            ["team", "tickets", "escalated", "rate"],
            [
                [r["team"], str(r["tickets"]), str(r["escalated"]), pct(r["rate"])]
                for r in trends["team_escalation_rates"]
            ],
        )
    )
    tables.append(
        (
            "Escalation rate by agent (at least 20 tickets, highest first)",
            ["agent", "tickets", "escalated", "rate"],
            [
                [r["agent"], str(r["tickets"]), str(r["escalated"]), pct(r["rate"])]
                for r in trends["agent_escalation_rates"]
            ],
        )
    )
    return tables


def markdown_tables(tables: list[Table]) -> list[str]:
    lines: list[str] = []
    for title, header, rows in tables:
        lines += [f"## {title}", ""]
        if not rows:
            lines += ["None in this period.", ""]
            continue
        lines.append("| " + " | ".join(header) + " |")
        lines.append("| " + " | ".join("---" for _ in header) + " |")
        lines += [
            "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows
        ]
        lines.append("")
    return lines
