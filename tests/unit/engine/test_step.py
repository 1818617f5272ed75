from __future__ import annotations

import json

import pytest

from escalon.domain.engine import EngineState, InvalidEvent, TicketState, step
from escalon.domain.events import parse_event

from .conftest import Desk

ACME = {"id": "acme", "segment": "smb", "region": "amer"}


def test_time_based_escalation_fires_at_two_business_hours(desk: Desk) -> None:
    # Tue 2025-04-01 09:00 New York = 13:00Z; 2 business hours later is 11:00 local
    desk.send("ticket.created", "2025-04-01T09:00:00-04:00", customer=ACME, priority="P3")
    desk.tick("2025-04-01T16:00:00Z")
    escalations = [d for d in desk.decisions if d.kind == "escalate"]
    assert [(d.at.isoformat(), d.facts["criterion"]) for d in escalations] == [
        ("2025-04-01T15:00:00+00:00", "time")
    ]
    assert "2h of business time unresolved at L1" in escalations[0].reason
    assert "calendar amer" in escalations[0].reason


def test_step_reports_the_next_wakeup(policy) -> None:  # type: ignore[no-untyped-def]
    state = EngineState()
    raw = {
        "id": "e1",
        "type": "ticket.created",
        "at": "2025-04-01T09:00:00-04:00",
        "ticket": "T1",
        "data": {"customer": ACME, "priority": "P3"},
    }
    result = step(state, parse_event(raw), policy)
    assert result.decisions == []
    # P3 at L1 on amer: 50% of the 1d (8 business hours) resolution target is at 13:00 local
    assert result.next_wakeup is not None
    assert result.next_wakeup.isoformat() == "2025-04-01T15:00:00+00:00"


def test_same_event_twice_changes_nothing(desk: Desk) -> None:
    raw = {
        "id": "dup",
        "type": "ticket.created",
        "at": "2025-04-01T13:00:00Z",
        "ticket": "T1",
        "data": {"customer": ACME, "churn_threat": True},
    }
    first = desk.event(raw)
    before = json.dumps(desk.state.tickets["T1"].to_dict(), sort_keys=True)
    again = desk.event(raw)
    assert [d.kind for d in first] == ["management_escalation"]
    assert again == []
    assert json.dumps(desk.state.tickets["T1"].to_dict(), sort_keys=True) == before


def test_ticks_are_idempotent(desk: Desk) -> None:
    desk.send("ticket.created", "2025-04-01T13:00:00Z", customer=ACME)
    first = desk.tick("2025-04-02T13:00:00Z")
    assert first
    assert desk.tick("2025-04-02T13:00:00Z") == []
    assert desk.tick("2025-04-01T20:00:00Z") == []


def test_unknown_ticket_is_refused_naming_event_and_field(desk: Desk) -> None:
    with pytest.raises(InvalidEvent) as refused:
        desk.send("ticket.commented", "2025-04-01T13:00:00Z", ticket="NOPE", public=True)
    assert refused.value.event == "e1"
    assert refused.value.field == "ticket"


def test_ticket_state_round_trips_through_json(desk: Desk) -> None:
    desk.send("ticket.created", "2025-04-01T13:00:00Z", customer=ACME, priority="P2")
    desk.send("ticket.status_changed", "2025-04-01T14:00:00Z", status="pending_customer")
    desk.send("ticket.created", "2025-04-01T14:00:00Z", ticket="T2", customer=ACME)
    stored = [json.loads(json.dumps(t.to_dict())) for t in desk.state.tickets.values()]
    for raw, ticket in zip(stored, desk.state.tickets.values(), strict=True):
        assert TicketState.from_dict(raw).to_dict() == ticket.to_dict()
    rebuilt = EngineState.from_parts(stored, desk.state.indexes.to_dict())
    assert desk.state.tickets["T1"].next_due is None  # paused while waiting on the customer
    assert rebuilt.next_wakeup() == desk.state.tickets["T2"].next_due is not None
