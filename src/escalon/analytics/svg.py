"""Small inline SVG charts drawn by hand, so the html report works offline with no library."""

from __future__ import annotations

from html import escape

PALETTE = ("#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#64748b")


def hbars(title: str, rows: list[tuple[str, float, str]], *, width: int = 520) -> str:
    """Horizontal bars: (label, value, shown text) per row; the longest bar spans the chart."""
    if not rows:
        return f'<p class="empty">{escape(title)}: no data for this period.</p>'
    label_w, bar_h, gap = 170, 20, 8
    top = max((v for _, v, _ in rows), default=0.0) or 1.0
    height = 30 + len(rows) * (bar_h + gap)
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<text x="0" y="16" class="ct">{escape(title)}</text>',
    ]
    span = width - label_w - 90
    for i, (label, value, shown) in enumerate(rows):
        y = 28 + i * (bar_h + gap)
        w = max(0.0, value) / top * span
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" '
            f'fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 14}">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def stacked_columns(
    title: str, columns: list[tuple[str, dict[str, int]]], series: list[str], *, width: int = 520
) -> str:
    """One stacked column per period (label, {series: count}), with a legend."""
    if not columns or not series:
        return f'<p class="empty">{escape(title)}: no data.</p>'
    height, base, left = 260, 200, 40
    top = max(sum(c.values()) for _, c in columns) or 1
    step = (width - left - 10) / len(columns)
    col_w = min(60.0, step * 0.7)
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<text x="0" y="16" class="ct">{escape(title)}</text>',
        f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#94a3b8"/>',
        f'<text x="{left - 4}" y="34" text-anchor="end">{top}</text>',
    ]
    for i, (label, counts) in enumerate(columns):
        x = left + i * step + (step - col_w) / 2
        y = float(base)
        for s, name in enumerate(series):
            h = counts.get(name, 0) / top * (base - 30)
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{col_w:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(label)} {escape(name)}: '
                f"{counts.get(name, 0)}</title></rect>"
            )
        parts.append(
            f'<text x="{x + col_w / 2:.1f}" y="{base + 14}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    for s, name in enumerate(series):
        x = left + s * 110
        parts.append(
            f'<rect x="{x}" y="{base + 30}" width="10" height="10" '
            f'fill="{PALETTE[s % len(PALETTE)]}"/><text x="{x + 14}" y="{base + 39}">'
            f"{escape(name)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
