"""The ticket's resolution clock continues across tier transfers and rejections.

Tue 2025-04-01 09:00 New York (13:00Z), smb customer on the `amer` business calendar. The ticket
waits on the customer 09:30-10:00, so by 10:30 it has counted 1h of resolution time.
"""

from __future__ import annotations

from escalon.domain.engine import instant_us
from escalon.domain.engine.rulebook import rulebook_for
from escalon.domain.engine.timers import counted

from .conftest import Desk
from .handoffs import COMPLETE_HANDOFF

ACME = {"id": "acme", "segment": "smb", "region": "amer"}
HOUR = 3_600_000_000
OPENED = "2025-04-01T09:00:00-04:00"


def _paused_then_escalated(desk: Desk, priority: str) -> None:
    desk.send("ticket.created", OPENED, customer=ACME, priority=priority)
    desk.send("ticket.status_changed", "2025-04-01T09:30:00-04:00", status="pending_customer")
    desk.send("ticket.status_changed", "2025-04-01T10:00:00-04:00", status="open")
    desk.send(
        "escalation.requested",
        "2025-04-01T10:30:00-04:00",
        to="L2",
        reason="technical_complexity",
        justification="needs config access",
        handoff=COMPLETE_HANDOFF,
    )


def _at(text: str) -> int:
    from datetime import datetime

    return instant_us(datetime.fromisoformat(text))


def test_escalation_keeps_the_resolution_cycle_its_start_and_its_pause(desk: Desk) -> None:
    _paused_then_escalated(desk, "P3")
    ticket = desk.state.tickets["T1"]
    resolution = ticket.timers["resolution"]
    assert resolution.cycle == 1
    assert resolution.started == _at(OPENED)
    assert [piece[2] for piece in resolution.ledger[:-1]] == ["paused: pending_customer"]
    calendar = rulebook_for(desk.policy).calendars["amer"]
    assert counted(resolution, calendar, _at("2025-04-01T10:30:00-04:00")) == HOUR
    # the target is now L2's for P3 (2d = 16 business hours), counted since opening
    assert resolution.target == 16 * HOUR
    assert resolution.facts["tier"] == "L2"
    # the per-tier time criterion is the separate timer, and it starts at L2 entry
    assert ticket.timers["tier_time"].started == _at("2025-04-01T10:30:00-04:00")
    assert ticket.timers["tier_time"].facts["tier"] == "L2"


def test_rejection_gives_no_fresh_resolution_budget(desk: Desk) -> None:
    _paused_then_escalated(desk, "P3")
    desk.send(
        "escalation.rejected",
        "2025-04-01T11:00:00-04:00",
        by="lee",
        reason="belongs at L1",
        feedback="check the runbook first",
    )
    resolution = desk.state.tickets["T1"].timers["resolution"]
    assert resolution.cycle == 1
    assert resolution.started == _at(OPENED)
    assert resolution.target == 8 * HOUR
    assert resolution.facts["tier"] == "L1"


def test_resolution_breach_counts_from_opening_not_from_the_transfer(desk: Desk) -> None:
    # P2 at L2: 8 business hours since opening, minus the 30 min pause:
    # Tue 09:00-09:30 and 10:00-17:00 (7h30m) + Wed 09:00-09:30 -> due Wed 09:30 (13:30Z).
    _paused_then_escalated(desk, "P2")
    desk.send("escalation.accepted", "2025-04-01T10:40:00-04:00", by="lee")
    desk.tick("2025-04-02T14:00:00Z")
    breaches = [
        d for d in desk.decisions if d.kind == "sla_breach" and d.facts.get("clock") == "resolution"
    ]
    assert [d.at.isoformat() for d in breaches] == ["2025-04-02T13:30:00+00:00"]
