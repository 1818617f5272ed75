"""Every figure of the dashboard for the hand-built April 2025 log, computed by hand.

The arithmetic behind each expected value is written next to it (see handbuilt.py for the
timeline). Costs use the default policy's L2 $55, L3 $95 and management $85 an hour.
"""

from __future__ import annotations

import pytest
from tests.unit.analytics.handbuilt import handbuilt_events, handbuilt_ops_records

from escalon.analytics.dashboard import Dashboard
from escalon.analytics.records import build_records
from escalon.analytics.report import dashboard_for
from escalon.analytics.targets import Targets


@pytest.fixture(scope="module")
def dash() -> Dashboard:
    records = build_records(handbuilt_events(), handbuilt_ops_records())
    return dashboard_for(records, "2025-04", Targets())


def value(dash: Dashboard, metric: str, key: str | None = None) -> float | None:
    figure = dash.get(metric, key)
    assert figure is not None, (metric, key)
    return figure.value


def test_volume_by_path_and_trend(dash: Dashboard) -> None:
    assert value(dash, "volume.total") == 8  # T1, T3 x2, T4 x2, T5 x2, T7
    paths = {f.key: (f.value, f.share) for f in dash.all("volume.by_path")}
    assert paths == {"L1->L2": (6, 6 / 8), "L2->L3": (1, 1 / 8), "management": (1, 1 / 8)}
    trend = dash.get("volume.trend")
    assert trend is not None and trend.value == pytest.approx((8 - 2) / 2)  # March had 2
    assert trend.met is False  # the volume should not grow


def test_reasons_with_shares(dash: Dashboard) -> None:
    reasons = {f.key: (f.value, f.share) for f in dash.all("reasons.by_reason")}
    assert reasons["customer_requested"] == (3, 3 / 8)  # T4 twice, T5 to management
    for single in (
        "technical_complexity",
        "product_bug",
        "engineering_required",
        "integration_issue",
        "sla_breach_risk",
    ):
        assert reasons[single] == (1, 1 / 8)
    assert sum(v for v, _ in reasons.values()) == 8


def test_resolution_times_by_tier(dash: Dashboard) -> None:
    assert value(dash, "resolution.avg_hours", "L2") == pytest.approx((4 + 2 + 6) / 3)
    assert value(dash, "resolution.median_hours", "L2") == pytest.approx(4.0)
    assert value(dash, "resolution.avg_hours", "L3") == pytest.approx(18.0)
    assert value(dash, "resolution.avg_hours", "management") == pytest.approx(5.0)
    assert dash.get("resolution.avg_hours", "L4") is None  # nothing went to L4


def test_success_and_re_escalation(dash: Dashboard) -> None:
    # 7 functional escalations; T7's is still open, so 6 have an outcome; 4 were resolved where
    # they landed (T1, T3 at L3, T4's second, T5); T3's first went further, T4's first came back
    assert value(dash, "resolution.success_rate") == pytest.approx(4 / 6)
    assert value(dash, "resolution.re_escalation_rate") == pytest.approx(1 / 7)  # T4's second


def test_impact(dash: Dashboard) -> None:
    assert value(dash, "impact.csat_escalated") == pytest.approx((3 + 2 + 4) / 3)
    assert value(dash, "impact.csat_not_escalated") == pytest.approx((5 + 4) / 2)
    assert value(dash, "impact.service_credits") == pytest.approx(500)
    assert value(dash, "impact.churned_customers") == 2
    # handling hours x cost: T1 4x55, T3 2x55 + 18x95, T4 2x55 + 2x55, T5 6x55 + 5x85
    expected = 4 * 55 + 2 * 55 + 18 * 95 + 2 * 55 + 2 * 55 + 6 * 55 + 5 * 85
    assert value(dash, "impact.labour_cost") == pytest.approx(expected)


def test_first_contact_resolution(dash: Dashboard) -> None:
    # 6 April tickets resolved (T7 open); T2 and T6 at first contact (T5 was reopened)
    assert value(dash, "fcr.rate") == pytest.approx(2 / 6)
    assert value(dash, "fcr.by_category", "technical") == pytest.approx(0 / 3)
    assert value(dash, "fcr.by_category", "billing") == pytest.approx(1 / 1)
    assert value(dash, "fcr.by_category", "general") == pytest.approx(1 / 2)
    barriers = {f.key: (f.value, f.share) for f in dash.all("fcr.barriers")}
    assert barriers == {"knowledge_gap": (1, 0.5), "tool_limitation": (1, 0.5)}


def test_prevention(dash: Dashboard) -> None:
    assert value(dash, "prevention.kb_article") == 1  # KB-1; KB-2 was not escalation-related
    assert value(dash, "prevention.training") == 1  # the March one is another period
    assert value(dash, "prevention.process_change") == 1
    assert value(dash, "prevention.tool_enhancement") == 0


def test_top_sources_and_teams(dash: Dashboard) -> None:
    area, segment, region = (
        dash.all(m)[0] for m in ("sources.product_area", "sources.segment", "sources.region")
    )
    assert (area.key, area.value) == ("API integration", 6)
    assert (segment.key, segment.share) == ("enterprise", 5 / 8)
    assert (region.key, region.share) == ("EMEA", 5 / 8)
    teams = {t["team"]: (t["escalations"], t["avoidable"]) for t in dash.coaching}
    assert teams == {"Team Alpha": (2, 1), "Team Delta": (4, 1), "Integrations": (2, 0)}
    assert dash.all("sources.over_escalating_team") == []  # far below the minimum sample


def test_marks_follow_the_targets(dash: Dashboard) -> None:
    marks = {f.metric: f.met for f in dash.figures if f.met is not None and f.key is None}
    assert marks == {
        "volume.trend": False,
        "resolution.success_rate": False,
        "resolution.re_escalation_rate": False,
        "impact.csat_escalated": False,
        "fcr.rate": False,
    }
    assert dash.get("resolution.avg_hours", "L2").met is True  # type: ignore[union-attr]
