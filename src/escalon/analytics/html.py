"""`--format html`: one self-contained offline page (inline CSS and SVG, no scripts, no CDN)."""

from __future__ import annotations

import json
from html import escape

from escalon.analytics.dashboard import Dashboard
from escalon.analytics.layout import hours, pct, sections, title
from escalon.analytics.svg import hbars, stacked_columns
from escalon.analytics.trend_render import trend_tables

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#0f172a}
h1{font-size:1.4rem} h2{font-size:1rem;margin:1.2rem 0 .3rem;letter-spacing:.04em}
ul{margin:0;padding-left:1.2rem} .grid{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem}
svg text{font:12px system-ui,sans-serif;fill:#0f172a} svg .ct{font-weight:600}
table{border-collapse:collapse} td,th{padding:.2rem .6rem;border-bottom:1px solid #e2e8f0}
.empty{color:#64748b}
"""


def render_html(dash: Dashboard) -> str:
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(title(dash))}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title(dash))}</h1><div class='grid'><div>",
    ]
    for name, body in sections(dash):
        parts.append(f"<h2>{escape(name)}</h2><ul>")
        parts += [f"<li>{escape(line)}</li>" for line in body]
        parts.append("</ul>")
    parts.append("</div><div>")
    parts.append(_charts(dash))
    parts.append("</div></div>")
    parts.append(_teams(dash))
    parts.append(_trend_tables(dash))
    parts += [f"<p class='empty'>{escape(note)}</p>" for note in dash.notes]
    data = json.dumps(dash.to_dict(), ensure_ascii=False, default=str).replace("</", "<\\/")
    parts.append(f"<script type='application/json' id='escalon-dashboard'>{data}</script>")
    parts.append("</body></html>\n")
    return "".join(parts)


def _charts(dash: Dashboard) -> str:
    paths = sorted({p for h in dash.history for p in h["volume_by_path"]})
    columns = [(h["period"], h["volume_by_path"]) for h in dash.history]
    reasons = [
        (f.label, f.value or 0, f"{int(f.value or 0)} ({pct(f.share)})")
        for f in dash.all("reasons.by_reason")
    ]
    tiers = [
        (f.key or "", f.value or 0, hours(f.value))
        for f in dash.all("resolution.avg_hours")
        if f.value is not None
    ]
    fcr = [
        (f.label, f.value or 0, pct(f.value, 0))
        for f in dash.all("fcr.by_category")
        if f.value is not None
    ]
    return "".join(
        [
            stacked_columns("Escalation volume by path, by month", columns, paths),
            hbars("Escalation reasons", reasons),
            hbars("Average resolution time by tier (hours)", tiers),
            hbars("First contact resolution by category", fcr),
        ]
    )


def _teams(dash: Dashboard) -> str:
    if not dash.coaching:
        return ""
    rows = "".join(
        f"<tr><td>{escape(t['team'])}</td><td>{t['escalations']}</td><td>{t['avoidable']}</td>"
        f"<td>{t['rate']:.1%}</td><td>{t['p_value']:.4f}</td>"
        f"<td>{'coaching' if t['flagged'] else ''}</td></tr>"
        for t in dash.coaching
    )
    return (
        "<h2>OVER-ESCALATION BY TEAM</h2><table><tr><th>team</th><th>escalations</th>"
        "<th>avoidable</th><th>rate</th><th>p-value vs org</th><th></th></tr>"
        f"{rows}</table>"
    )


def _trend_tables(dash: Dashboard) -> str:
    parts = []
    for name, header, rows in trend_tables(dash.trends):
        parts.append(f"<h2>{escape(name.upper())}</h2>")
        if not rows:
            parts.append("<p class='empty'>None in this period.</p>")
            continue
        head = "".join(f"<th>{escape(h)}</th>" for h in header)
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows
        )
        parts.append(f"<table><tr>{head}</tr>{body}</table>")
    return "".join(parts)
