"""Trend, prevention and coaching analysis on the hand-built April 2025 log, checked by hand."""

from __future__ import annotations

import pytest
from tests.unit.analytics.handbuilt import handbuilt_events, handbuilt_ops_records

from escalon.analytics.coaching import UnknownSubject, coaching_report
from escalon.analytics.duck import connect
from escalon.analytics.records import build_records
from escalon.analytics.targets import Targets
from escalon.analytics.trends import trends

APRIL = 202504


@pytest.fixture(scope="module")
def con():  # type: ignore[no-untyped-def]
    return connect(build_records(handbuilt_events(), handbuilt_ops_records()))


def test_month_over_month_has_march_and_april(con) -> None:  # type: ignore[no-untyped-def]
    mom = trends(con, APRIL, Targets())["month_over_month"]
    assert mom["months"] == ["2025-03", "2025-04"]
    assert mom["metrics"]["volume.total"] == [2, 8]
    assert mom["metrics"]["volume.trend"] == [None, pytest.approx(3.0)]


def test_top_drivers(con) -> None:  # type: ignore[no-untyped-def]
    drivers = trends(con, APRIL, Targets())["top_drivers"]
    # Reporting x customer_requested x general: T4 twice; every other combination once
    assert (drivers[0]["product_area"], drivers[0]["reason"], drivers[0]["category"]) == (
        "Reporting",
        "customer_requested",
        "general",
    )
    assert drivers[0]["escalations"] == 2 and drivers[0]["avoidable"] == 1
    assert sum(d["escalations"] for d in drivers) == 8
    assert len(drivers) == 7


def test_ping_pong_reopen_and_rates(con) -> None:  # type: ignore[no-untyped-def]
    t = trends(con, APRIL, Targets())
    assert t["ping_pong"]["tickets"] == 1  # T4: L2, back to L1, L2 again
    assert t["ping_pong"]["examples"][0]["ticket_id"] == "T4"
    assert t["reopen_driven"] == {"escalations": 1, "share": pytest.approx(1 / 8)}  # T5
    rates = {r["team"]: (r["tickets"], r["escalated"]) for r in t["team_escalation_rates"]}
    assert rates == {"Team Alpha": (4, 2), "Team Delta": (3, 3)}  # T1,T2,T5,T6 / T3,T4,T7


def test_coaching_report_for_team_delta(con) -> None:  # type: ignore[no-untyped-def]
    report = coaching_report(con, APRIL, "Team Delta")
    assert report["kind"] == "team"
    assert (report["tickets"], report["escalated_tickets"]) == (3, 3)
    assert (report["escalations"], report["avoidable"]) == (4, 1)  # T3, T4 x2, T7; T4 tool
    assert report["org_avoidable_rate"] == pytest.approx(2 / 8)
    assert report["significant"] is False  # 4 escalations: far below the minimum sample
    assert report["barriers"] == [{"code": "tool_limitation", "escalations": 1}]


def test_unknown_coaching_subject(con) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownSubject):
        coaching_report(con, APRIL, "Team Zulu")
