"""Dashboard renderers for `escalon report --format`: text (Rich), markdown and json.

html lives in `analytics.html`. All read the same `Dashboard` and the lines of
`analytics.layout`, so the same number is printed the same way in each.
"""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table
from rich.text import Text

from escalon.analytics.dashboard import Dashboard
from escalon.analytics.layout import CHECK, WARN, sections, title
from escalon.analytics.trend_render import markdown_tables, trend_tables

FORMATS = ("text", "markdown", "json", "html")


def print_text(dash: Dashboard, console: Console) -> None:
    """The seed's layout in the terminal, with marks coloured (green check, yellow warning)."""
    head = title(dash)
    console.print(Text(head, style="bold"))
    console.print("=" * len(head), markup=False)
    console.print()
    for name, body in sections(dash):
        console.print(Text(f"{name}:", style="bold"))
        for line in body:
            text = Text("  " + line)
            text.highlight_words([CHECK], style="green")
            text.highlight_words([WARN], style="yellow")
            console.print(text)
        console.print()
    for note in dash.notes:
        console.print(note, markup=False)
    for name, header, rows in trend_tables(dash.trends)[1:3]:
        table = Table(title=name, title_justify="left")
        for column in header:
            table.add_column(column)
        for row in rows:
            table.add_row(*row)
        console.print(table if rows else Text(f"{name}: none in this period"))
    if dash.trends:
        console.print("Month over month, ping-pong and per-team rates: --format markdown or html.")


def render_markdown(dash: Dashboard) -> str:
    lines = [f"# {title(dash)}", ""]
    for name, body in sections(dash):
        lines += [f"## {name.capitalize()}", ""]
        lines += [f"- {line}" for line in body]
        lines.append("")
    if dash.coaching:
        lines += [
            "## Over-escalation by team",
            "",
            "| team | escalations | avoidable | rate | org rate | p-value | flagged |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for t in dash.coaching:
            lines.append(
                f"| {t['team']} | {t['escalations']} | {t['avoidable']} | {t['rate']:.1%} |"
                f" {t['org_rate']:.1%} | {t['p_value']:.4f} | {'yes' if t['flagged'] else 'no'} |"
            )
        lines.append("")
    lines += markdown_tables(trend_tables(dash.trends))
    lines += [f"_{note}_" for note in dash.notes]
    return "\n".join(lines).rstrip() + "\n"


def render_json(dash: Dashboard, extra: dict[str, object] | None = None) -> str:
    body = dash.to_dict()
    if extra:
        body.update(extra)
    return json.dumps(body, indent=2, ensure_ascii=False, default=str) + "\n"
