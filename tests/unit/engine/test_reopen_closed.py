"""A closed ticket can be reopened (ServiceNow allows it): open again, same resolution clock.

P3 smb ticket on `amer` (Mon-Fri 09:00-17:00 New York). Opened Tue 09:00, solved 10:00 (1 business
hour counted), closed 11:00, reopened Wed 09:00. Both counts resume where they stopped: the 2 h
L1 time criterion fires Wed 10:00 EDT (14:00Z), and at L2 the resolution clock (P3 at L2: 2d = 16
business hours) reaches its 50% warning after 8 h counted since opening, Wed 16:00 EDT (20:00Z).
"""

from __future__ import annotations

import pytest

from escalon.domain.engine import EngineState, InvalidEvent

from .conftest import Desk

ACME = {"id": "acme", "segment": "smb", "region": "amer"}


def _closed(desk: Desk) -> None:
    desk.send("ticket.created", "2025-04-01T09:00:00-04:00", customer=ACME, priority="P3")
    desk.send("ticket.resolved", "2025-04-01T10:00:00-04:00", by="ana", summary="fixed")
    desk.send("ticket.status_changed", "2025-04-01T11:00:00-04:00", status="closed")


@pytest.mark.parametrize("keep_history", [False, True])
def test_reopening_a_closed_ticket_resumes_its_resolution_clock(
    desk: Desk, keep_history: bool
) -> None:
    desk.state = EngineState(keep_history=keep_history)
    _closed(desk)
    assert desk.state.tickets["T1"].closed
    desk.send("ticket.reopened", "2025-04-02T09:00:00-04:00", reason="came back")
    ticket = desk.state.tickets["T1"]
    assert not ticket.closed
    assert ticket.status == "open"
    assert ticket.resolved_at is None
    assert ticket.reopens == 1
    resolution = ticket.timers["resolution"]
    assert resolution.cycle == 1 and resolution.since is not None
    desk.tick("2025-04-02T21:00:00Z")
    escalations = [d for d in desk.decisions if d.kind == "escalate"]
    assert [(d.at.isoformat(), d.facts["criterion"]) for d in escalations] == [
        ("2025-04-02T14:00:00+00:00", "time")
    ]
    warnings = [
        d
        for d in desk.decisions
        if d.kind == "sla_warning" and d.facts.get("clock") == "resolution"
    ]
    assert [(d.at.isoformat(), d.facts["fraction"]) for d in warnings] == [
        ("2025-04-02T20:00:00+00:00", 0.5)
    ]


def test_other_events_on_a_closed_ticket_are_still_refused(desk: Desk) -> None:
    _closed(desk)
    with pytest.raises(InvalidEvent):
        desk.send("ticket.commented", "2025-04-01T12:00:00-04:00", author="agent")


def test_a_late_event_from_before_the_closure_is_refused_after_reopening(desk: Desk) -> None:
    _closed(desk)
    desk.send("ticket.reopened", "2025-04-02T09:00:00-04:00")
    with pytest.raises(InvalidEvent) as refused:
        desk.send("ticket.commented", "2025-04-01T09:30:00-04:00", author="agent")
    assert refused.value.field == "at"
    assert desk.state.tickets["T1"].status == "open"
