"""An automatic criterion escalates a ticket along a path once per cycle of the ticket.

The regression behind this file came from the support-operations simulator (seed 1, 7,000
tickets, ticket T-002207): an L1 agent's escalation brought a recurring issue to L2, where the
repeated-failure criterion sent it straight on to L3; the L2 team then accepted and assigned the
ticket to itself (`ticket.assigned` with tier L2), and the criterion fired again at the
assignment: two `escalate` L2->L3 decisions for one recurrence. The events below are that
sequence, written by hand.

Tue 2025-04-01 09:00 New York (13:00Z), smb customer on the `amer` business calendar; an earlier
ticket of the same issue (customer + product area + category) was opened and resolved in March.
"""

from __future__ import annotations

from escalon.domain.engine import Decision, EngineState

from .conftest import Desk
from .handoffs import COMPLETE_HANDOFF

ACME = {"id": "acme", "segment": "smb", "region": "amer"}
ISSUE = {"customer": ACME, "product_area": "api", "category": "technical"}


def _escalations(desk: Desk) -> list[Decision]:
    return [d for d in desk.decisions if d.kind == "escalate"]


def _moves(desk: Desk) -> list[tuple[str, str, str]]:
    return [
        (str(d.facts["from"]), str(d.facts["to"]), str(d.facts["criterion"]))
        for d in _escalations(desk)
    ]


def _request(desk: Desk, at: str, to: str, ticket: str = "T1") -> None:
    desk.send(
        "escalation.requested",
        at,
        ticket=ticket,
        to=to,
        reason="technical_complexity",
        justification="beyond the runbook",
        handoff=COMPLETE_HANDOFF,
    )


def _earlier_ticket_resolved(desk: Desk) -> None:
    desk.send("ticket.created", "2025-03-10T10:00:00-04:00", ticket="OLD", **ISSUE)
    desk.send("ticket.resolved", "2025-03-10T11:00:00-04:00", ticket="OLD")


def _recurrence_reaches_l2_then_l2_takes_it(desk: Desk) -> None:
    """T-002207's events: request L1->L2, the recurrence moves it on to L3 at once, then the L2
    team accepts and assigns the ticket to itself."""
    _earlier_ticket_resolved(desk)
    desk.send("ticket.created", "2025-04-01T09:00:00-04:00", priority="P3", **ISSUE)
    _request(desk, "2025-04-01T09:30:00-04:00", "L2")
    desk.send("escalation.accepted", "2025-04-01T09:45:00-04:00", by="platform-05")
    desk.send(
        "ticket.assigned",
        "2025-04-01T09:45:00-04:00",
        tier="L2",
        team="Platform",
        agent="platform-05",
    )


def test_assignment_back_to_l2_does_not_repeat_the_recurrence_escalation(desk: Desk) -> None:
    _recurrence_reaches_l2_then_l2_takes_it(desk)
    assert _moves(desk) == [
        ("L1", "L2", "complexity"),
        ("L2", "L3", "repeated_failure"),
    ]
    ticket = desk.state.tickets["T1"]
    # the assignment is a fact of the helpdesk: the ticket is at L2, with L2 working it
    assert ticket.tier == "L2"
    assert ticket.team == "Platform"
    assert [(e.source, e.target, e.criterion) for e in ticket.escalations] == [
        ("L1", "L2", "complexity"),
        ("L2", "L3", "repeated_failure"),
    ]


def test_l2_can_still_ask_for_l3_after_taking_the_ticket_back(desk: Desk) -> None:
    """Before the fix the engine had moved the ticket to L3 again, so L2's own request was
    refused (`no escalation path L3 -> L3`)."""
    _recurrence_reaches_l2_then_l2_takes_it(desk)
    _request(desk, "2025-04-01T13:30:00-04:00", "L3")
    assert _moves(desk)[-1] == ("L2", "L3", "complexity")
    assert desk.state.tickets["T1"].tier == "L3"


def test_time_at_l2_still_counts_from_the_assignment(desk: Desk) -> None:
    """Not firing again is about the same facts: L2's time criterion (8 business hours at L2)
    is new information and escalates as usual."""
    _recurrence_reaches_l2_then_l2_takes_it(desk)
    desk.tick("2025-04-02T18:00:00Z")
    assert _moves(desk)[-1] == ("L2", "L3", "time")
    assert _escalations(desk)[-1].at.isoformat() == "2025-04-02T13:45:00+00:00"
    assert [m[2] for m in _moves(desk)].count("repeated_failure") == 1


def test_another_criterion_of_the_path_is_something_new(desk: Desk) -> None:
    _recurrence_reaches_l2_then_l2_takes_it(desk)
    desk.send("ticket.updated", "2025-04-01T10:00:00-04:00", engineering_required=True)
    assert _moves(desk)[-1] == ("L2", "L3", "engineering_required")


def test_a_reopen_is_a_new_failure_and_fires_again(desk: Desk) -> None:
    """Solved at L2 and reopened: the issue came back despite that resolution, a new cycle."""
    _recurrence_reaches_l2_then_l2_takes_it(desk)
    desk.send("ticket.resolved", "2025-04-01T11:00:00-04:00", by="platform-05")
    desk.send("ticket.reopened", "2025-04-02T10:00:00-04:00")
    assert [m for m in _moves(desk) if m[2] == "repeated_failure"] == [
        ("L2", "L3", "repeated_failure"),
        ("L2", "L3", "repeated_failure"),
    ]
    first, second = [d for d in _escalations(desk) if d.facts["criterion"] == "repeated_failure"]
    assert first.id != second.id
    assert desk.state.tickets["T1"].tier == "L3"


def test_reopen_count_fires_once_until_the_next_reopen(desk: Desk) -> None:
    """The reopen branch of the criterion (2 reopens in the default policy): the second reopen
    escalates, an assignment back to L2 does not, a third reopen does."""
    desk.send("ticket.created", "2025-04-01T09:00:00-04:00", customer=ACME, tier="L2")
    for n, day in enumerate(("01", "02"), start=1):
        desk.send("ticket.resolved", f"2025-04-{day}T10:00:00-04:00")
        desk.send("ticket.reopened", f"2025-04-{day}T11:00:00-04:00")
        assert desk.state.tickets["T1"].reopens == n
    assert _moves(desk) == [("L2", "L3", "repeated_failure")]
    desk.send("ticket.assigned", "2025-04-02T12:00:00-04:00", tier="L2")
    assert _moves(desk) == [("L2", "L3", "repeated_failure")]
    desk.send("ticket.resolved", "2025-04-02T13:00:00-04:00")
    desk.send("ticket.reopened", "2025-04-02T14:00:00-04:00")
    assert _moves(desk) == [("L2", "L3", "repeated_failure")] * 2
    assert "reopened 3 times >= 2" in _escalations(desk)[-1].reason


def test_assignment_down_two_tiers_and_back_up_does_not_fire_it_either(desk: Desk) -> None:
    """Down to L1 and requested up to L2 again: the recurrence already sent this ticket on in
    this cycle, so it stays with L2 (whose time criterion and requests still apply)."""
    _recurrence_reaches_l2_then_l2_takes_it(desk)
    desk.send("ticket.assigned", "2025-04-01T10:00:00-04:00", tier="L1")
    _request(desk, "2025-04-01T10:30:00-04:00", "L2")
    assert _moves(desk)[-1] == ("L1", "L2", "complexity")
    assert desk.state.tickets["T1"].tier == "L2"


def test_an_engineering_flag_escalates_once_too(desk: Desk) -> None:
    desk.send("ticket.created", "2025-04-01T09:00:00-04:00", customer=ACME, tier="L2")
    desk.send("ticket.updated", "2025-04-01T09:30:00-04:00", engineering_required=True)
    desk.send("ticket.assigned", "2025-04-01T10:00:00-04:00", tier="L2")
    desk.send("ticket.commented", "2025-04-01T10:30:00-04:00", author="agent")
    assert _moves(desk) == [("L2", "L3", "engineering_required")]


def test_the_memory_survives_storage(desk: Desk) -> None:
    """What the criterion fired on is part of the stored ticket (services keep one document per
    ticket and rebuild the state from them)."""
    _earlier_ticket_resolved(desk)
    desk.send("ticket.created", "2025-04-01T09:00:00-04:00", priority="P3", **ISSUE)
    _request(desk, "2025-04-01T09:30:00-04:00", "L2")
    desk.state = EngineState.from_parts(
        [t.to_dict() for t in desk.state.tickets.values()], desk.state.indexes.to_dict()
    )
    desk.send("ticket.assigned", "2025-04-01T09:45:00-04:00", tier="L2")
    assert [m[2] for m in _moves(desk)].count("repeated_failure") == 1


def test_a_late_event_rebuild_keeps_one_escalation(desk: Desk) -> None:
    """A late comment makes the engine rebuild the ticket from its history: still one
    recurrence escalation, and the ticket ends at L2 as the assignment left it."""
    _recurrence_reaches_l2_then_l2_takes_it(desk)
    desk.send("ticket.commented", "2025-04-01T09:40:00-04:00", author="agent")
    assert [m[2] for m in _moves(desk)].count("repeated_failure") == 1
    assert desk.state.tickets["T1"].tier == "L2"
