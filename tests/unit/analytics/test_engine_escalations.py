"""Escalations the engine adds (time-based, management triggers) become records, once each."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from escalon.analytics.records import build_records
from escalon.domain.engine import Decision
from escalon.domain.events import parse_event

T0 = datetime(2025, 4, 7, 9, 0, tzinfo=UTC)


def _us(hours: float) -> int:
    return int((T0.timestamp() + hours * 3600) * 1_000_000)


def _event(n: int, kind: str, hours: float, data: dict[str, object]):  # type: ignore[no-untyped-def]
    at = datetime.fromtimestamp(T0.timestamp() + hours * 3600, UTC).isoformat()
    return parse_event({"id": f"X-{n}", "type": kind, "at": at, "ticket": "X", "data": data})


def _decision(kind: str, hours: float, facts: dict[str, object], n: int) -> Decision:
    return Decision(f"d{n}", kind, "X", _us(hours), "rule", "why", "p@1", facts)  # type: ignore[arg-type]


def test_time_based_and_management_escalations_from_the_engine() -> None:
    events = [
        _event(
            1,
            "ticket.created",
            0,
            {"customer": {"id": "C1", "segment": "enterprise"}, "tier": "L1", "team": "Team Alpha"},
        ),
        # the agent asks for L2 after the engine had already escalated on time: not a second one
        _event(2, "escalation.requested", 2.5, {"to": "L2", "reason": "technical_complexity"}),
        _event(3, "ticket.updated", 3, {"churn_threat": True}),
        _event(4, "ticket.resolved", 5, {}),
    ]
    decisions = [
        _decision("escalate", 2, {"from": "L1", "to": "L2", "criterion": "time"}, 1),
        _decision("sla_breach", 2, {}, 2),
        _decision("management_escalation", 3, {"trigger": "churn_threat"}, 3),
        _decision("management_escalation", 3.5, {"trigger": "acknowledgement_missed"}, 4),
        # a requested escalation the engine confirms is already an event: not counted twice
        _decision("escalate", 2.5, {"from": "L2", "to": "L3", "requested_by": "a1"}, 5),
    ]
    rows = build_records(events, decisions=decisions).escalations.to_pylist()
    assert [(r["path"], r["source"], r["reason"]) for r in rows] == [
        ("L1->L2", "engine", "sla_breach_risk"),
        ("management", "engine", "impact"),
    ]
    assert rows[0]["resolution_hours"] == pytest.approx(3.0)  # 09:00+2h -> 09:00+5h
    assert rows[1]["resolution_hours"] == pytest.approx(2.0)
