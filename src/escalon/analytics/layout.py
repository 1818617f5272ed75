"""The seed's dashboard layout as sections of lines: the one wording every format shares.

Text, markdown and html all render these lines, so a number reads the same in each of them.
"""

from __future__ import annotations

from calendar import month_name

from escalon.analytics.dashboard import Dashboard, Figure

CHECK, WARN = "✓", "⚠"
SEGMENT_LABELS = {"enterprise": "Enterprise", "mid-market": "Mid-market", "smb": "SMB"}


def mark(figure: Figure | None) -> str:
    if figure is None or figure.met is None:
        return ""
    return f" {CHECK}" if figure.met else f" {WARN}"


def pct(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value * 100:.{digits}f}%"


def hours(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} hours"


def money(value: float | None, currency: str) -> str:
    if value is None:
        return "n/a"
    symbol = "$" if currency == "USD" else f"{currency} "
    return f"{symbol}{value:,.0f}"


def score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}/5.0"


def title(dash: Dashboard) -> str:
    year, month = dash.period.split("-")
    return f"ESCALATION METRICS — {month_name[int(month)]} {year}"


def _trend(fig: Figure | None) -> str:
    if fig is None or fig.value is None:
        return "Trend: n/a (no escalations last month)"
    arrow = "↑" if fig.value > 0 else "↓" if fig.value < 0 else "→"
    return f"Trend: {arrow} {abs(fig.value) * 100:.0f}% from last month{mark(fig)}"


def sections(dash: Dashboard) -> list[tuple[str, list[str]]]:
    g = dash.get
    out: list[tuple[str, list[str]]] = []
    total = g("volume.total")
    volume = [f"Total escalations: {0 if total is None else int(total.value or 0)}"]
    for f in dash.all("volume.by_path"):
        label = (
            "Management escalations"
            if f.key == "management"
            else (f.key or "").replace("->", " → ")
        )
        volume.append(f"{label}: {int(f.value or 0)} ({pct(f.share)})")
    volume.append(_trend(g("volume.trend")))
    out.append(("ESCALATION VOLUME", volume))
    out.append(
        (
            "ESCALATION REASONS",
            [
                f"{f.label}: {int(f.value or 0)} ({pct(f.share)})"
                for f in dash.all("reasons.by_reason")
            ]
            or ["No escalations in this period"],
        )
    )
    resolution = [
        f"{f.label}: {hours(f.value)}{mark(f)} (median {hours(m.value if m else None)})"
        for f in dash.all("resolution.avg_hours")
        for m in [g("resolution.median_hours", f.key)]
    ]
    success, re_esc = g("resolution.success_rate"), g("resolution.re_escalation_rate")
    resolution.append(
        f"Escalation success rate (resolved at escalated tier): "
        f"{pct(success.value if success else None, 0)}{mark(success)}"
    )
    resolution.append(f"Re-escalation rate: {pct(re_esc.value if re_esc else None)}{mark(re_esc)}")
    out.append(("RESOLUTION METRICS", resolution))
    csat, non = g("impact.csat_escalated"), g("impact.csat_not_escalated")
    non_value = non.value if non else None
    out.append(
        (
            "ESCALATION IMPACT",
            [
                f"Customer satisfaction (escalated tickets): {score(csat.value if csat else None)}"
                f"{mark(csat)} (vs {'n/a' if non_value is None else f'{non_value:.1f}'}"
                " non-escalated)",
                "Service credits issued (escalation-related): "
                + money(_value(g("impact.service_credits")), dash.currency),
                f"Churned customers (escalation-related): "
                f"{int(_value(g('impact.churned_customers')) or 0)}",
                "Escalation cost (labor): " + money(_value(g("impact.labour_cost")), dash.currency),
            ],
        )
    )
    fcr = g("fcr.rate")
    by_category = ", ".join(f"{f.label} {pct(f.value, 0)}" for f in dash.all("fcr.by_category"))
    barriers = ", ".join(f"{f.label} ({pct(f.share, 0)})" for f in dash.all("fcr.barriers"))
    target = f"target: {fcr.target}{mark(fcr)}" if fcr and fcr.target else ""
    out.append(
        (
            "FIRST CONTACT RESOLUTION",
            [
                f"FCR rate: {pct(fcr.value if fcr else None, 0)} ({target})",
                f"FCR by category: {by_category or 'n/a'}",
                f"Primary FCR barriers: {barriers or 'none recorded'}",
            ],
        )
    )
    out.append(
        (
            "PREVENTION INITIATIVES",
            [
                f"{f.label}: {int(f.value or 0)}"
                for f in dash.figures
                if f.metric.startswith("prevention.")
            ],
        )
    )
    out.append(("TOP ESCALATION SOURCES", _sources(dash)))
    return out


def _value(fig: Figure | None) -> float | None:
    return None if fig is None else fig.value


def _sources(dash: Dashboard) -> list[str]:
    lines = []
    area = next(iter(dash.all("sources.product_area")), None)
    if area is not None:
        n = int(area.value or 0)
        lines.append(f"Product area: {area.key} ({n} escalation{'' if n == 1 else 's'})")
    segment = next(iter(dash.all("sources.segment")), None)
    if segment is not None:
        lines.append(
            f"Customer segment: {SEGMENT_LABELS.get(segment.key or '', segment.key)}"
            f" ({pct(segment.share, 0)})"
        )
    region = next(iter(dash.all("sources.region")), None)
    if region is not None:
        lines.append(f"Region: {region.key} ({pct(region.share, 0)})")
    flagged = dash.all("sources.over_escalating_team")
    if flagged:
        lines.append(
            "Agent team requiring coaching: "
            + ", ".join(f"{f.key} ({pct(f.value, 0)} over-escalation)" for f in flagged)
        )
    elif area is not None:
        lines.append("Agent team requiring coaching: none significantly above the organisation")
    return lines or ["No escalations in this period"]


def render_plain(dash: Dashboard) -> str:
    """The seed's layout as plain text (what `--format text` prints, without colour)."""
    head = title(dash)
    lines = [head, "=" * len(head), ""]
    for name, body in sections(dash):
        lines.append(f"{name}:")
        lines += [f"  {line}" for line in body]
        lines.append("")
    lines += dash.notes
    return "\n".join(lines).rstrip() + "\n"
