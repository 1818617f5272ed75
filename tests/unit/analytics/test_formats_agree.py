"""text, markdown, json and html show the same numbers for the hand-built log."""

from __future__ import annotations

import html
import json
import re

from tests.unit.analytics.handbuilt import handbuilt_events, handbuilt_ops_records

from escalon.analytics.dashboard import Dashboard
from escalon.analytics.formats import render_json, render_markdown
from escalon.analytics.html import render_html
from escalon.analytics.layout import render_plain
from escalon.analytics.records import build_records
from escalon.analytics.report import dashboard_for
from escalon.analytics.targets import Targets


def _dash() -> Dashboard:
    records = build_records(handbuilt_events(), handbuilt_ops_records())
    return dashboard_for(records, "2025-04", Targets())


def test_json_figures_appear_identically_in_text_markdown_and_html() -> None:
    dash = _dash()
    body = json.loads(render_json(dash))
    text = render_plain(dash)
    markdown = render_markdown(dash)
    page = html.unescape(re.sub(r"<script.*?</script>", "", render_html(dash), flags=re.S))
    fig = {(f["metric"], f["key"]): f for f in body["figures"]}
    expected = [
        f"Total escalations: {fig[('volume.total', None)]['value']}",
        f"L1 → L2: {fig[('volume.by_path', 'L1->L2')]['value']}"
        f" ({fig[('volume.by_path', 'L1->L2')]['share'] * 100:.1f}%)",
        f"Customer requested: {fig[('reasons.by_reason', 'customer_requested')]['value']}",
        f"Avg L2 resolution time: {fig[('resolution.avg_hours', 'L2')]['value']:.1f} hours",
        f"Re-escalation rate: {fig[('resolution.re_escalation_rate', None)]['value'] * 100:.1f}%",
        f"{fig[('impact.csat_escalated', None)]['value']:.1f}/5.0",
        f"Escalation cost (labor): ${fig[('impact.labour_cost', None)]['value']:,.0f}",
        f"FCR rate: {fig[('fcr.rate', None)]['value'] * 100:.0f}%",
        f"Product area: {fig[('sources.product_area', 'API integration')]['key']}",
    ]
    for line in expected:
        assert line in text, line
        assert line in markdown, line
        assert line in page, line


def test_html_is_self_contained() -> None:
    page = render_html(_dash())
    assert "<link" not in page and "src=" not in page
    assert page.count("<svg") == 4
