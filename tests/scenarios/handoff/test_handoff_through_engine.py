"""Handoff scenarios run through the engine with the shipped policy.

Tuesday 2025-04-01 13:00Z is 09:00 in New York: the enterprise P2 tickets below live inside the
`amer` business calendar for the whole morning, so every expected instant is plain arithmetic.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from escalon.adapters.policy_files import load_default_policy
from escalon.domain.engine import Decision, EngineState, TicketState, step
from escalon.domain.events import parse_event
from escalon.domain.handoff import (
    Resolution,
    TicketInformation,
    check_handoff,
    check_resolution,
    choose_handoff_mode,
    confirm_transfer,
    rejection_feedback,
)

POLICY = load_default_policy()
T0 = datetime(2025, 4, 1, 13, 0, tzinfo=UTC)
PATHS = {path.name: path for path in POLICY.paths}

COMPLETE = {
    "issue_summary": {
        "customer_description": "Orders stopped syncing",
        "technical_description": "ERP webhook returns 401",
        "impact": "All orders blocked",
    },
    "troubleshooting": {
        "steps": [{"step": "Re-sent webhook", "result": "401", "time_spent": "10m"}]
    },
    "current_status": {"issue_reproduced": "yes", "customer_sentiment": "frustrated"},
    "hypothesis": {"likely_cause": "token audience", "recommended_action": "check audience"},
    "customer_communication": {"customer_notified": True, "notified_at": "2025-04-01T13:50:00Z"},
}


class Run:
    """One engine state fed event by event; keeps every decision."""

    def __init__(self) -> None:
        self.state = EngineState()
        self.decisions: list[Decision] = []
        self.n = 0

    def event(self, kind: str, minutes: float, ticket: str = "T-1", **data: Any) -> list[Decision]:
        self.n += 1
        raw = {"id": f"e{self.n}", "type": kind, "at": _at(minutes), "ticket": ticket, "data": data}
        out = step(self.state, parse_event(raw), POLICY).decisions
        self.decisions += out
        return out

    def tick(self, minutes: float) -> list[Decision]:
        return self.event("tick", minutes, ticket="*")

    def kinds(self, kind: str) -> list[Decision]:
        return [d for d in self.decisions if d.kind == kind]


def _at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def _open(run: Run, priority: str = "P2", vip: bool = False) -> None:
    customer = {"id": "acme", "segment": "enterprise", "vip": vip}
    run.event("ticket.created", 0, priority=priority, customer=customer, subject="ERP sync")


def _request(run: Run, minutes: float, handoff: dict[str, Any], **extra: Any) -> list[Decision]:
    return run.event(
        "escalation.requested",
        minutes,
        to="L2",
        reason="technical_complexity",
        justification="401s from ERP",
        requested_by="dana",
        handoff=handoff,
        **extra,
    )


def _context(priority: str = "P2") -> TicketInformation:
    """What the engine fills in itself: the agent does not retype the ticket's own facts."""
    return TicketInformation(
        ticket_id="T-1", priority=priority, escalation_from="L1", escalation_to="L2"
    )


def test_incomplete_handoff_is_refused_with_every_missing_field() -> None:
    run = Run()
    _open(run)
    partial = {"issue_summary": COMPLETE["issue_summary"], "hypothesis": COMPLETE["hypothesis"]}
    (refusal,) = _request(run, 60, partial)
    verdict = check_handoff(partial, PATHS["L1->L2"].handoff_fields, context=_context())
    assert not verdict.complete
    assert refusal.kind == "escalation_refused_incomplete_handoff"
    assert (
        refusal.facts["missing"]
        == list(verdict.missing)
        == [
            "troubleshooting.steps",
            "current_status.issue_reproduced",
            "current_status.customer_sentiment",
            "customer_communication.customer_notified",
        ]
    )
    assert refusal.facts["handoff_score"] == verdict.score
    assert refusal.facts["check"] == verdict.reason
    assert verdict.reason.startswith("handoff refused: missing troubleshooting.steps")
    assert verdict.reason in refusal.reason
    ticket = run.state.tickets["T-1"]
    assert ticket.tier == "L1" and ticket.escalations == []
    assert run.state.indexes.agents["dana"]["refused_incomplete_handoff"] == 1
    # nobody is chased for an escalation that was never sent (the 2 h time criterion is later)
    run.tick(110)
    assert run.kinds("require_acknowledgement") == []
    assert run.kinds("acknowledgement_missed") == []


def test_no_handoff_at_all_is_refused() -> None:
    run = Run()
    _open(run)
    out = run.event(
        "escalation.requested",
        60,
        to="L2",
        reason="technical_complexity",
        justification="401s from ERP",
    )
    assert [d.kind for d in out] == ["escalation_refused_incomplete_handoff"]
    assert out[0].facts["missing"] == PATHS["L1->L2"].handoff_fields
    # only the four ticket-information fields the engine knows itself: 4 of 26
    assert out[0].facts["handoff_score"] == 15


def test_invalid_handoff_is_refused_naming_the_field() -> None:
    run = Run()
    _open(run)
    broken = {**COMPLETE, "current_status": {"issue_reproduced": "maybe"}}
    (refusal,) = _request(run, 60, broken)
    assert refusal.kind == "escalation_refused_incomplete_handoff"
    assert [i.split(":")[0] for i in refusal.facts["invalid"]] == [
        "current_status.issue_reproduced"
    ]
    assert run.state.tickets["T-1"].tier == "L1"


def test_complete_handoff_escalates_with_its_score() -> None:
    run = Run()
    _open(run)
    (escalate,) = [d for d in _request(run, 60, COMPLETE) if d.kind == "escalate"]
    verdict = check_handoff(COMPLETE, PATHS["L1->L2"].handoff_fields, context=_context())
    assert verdict.complete
    assert escalate.facts["handoff_score"] == verdict.score
    assert f"handoff score {verdict.score}" in escalate.reason
    assert run.state.tickets["T-1"].tier == "L2"


@pytest.mark.parametrize(
    ("priority", "vip", "sentiment", "live", "warm", "mode"),
    [
        ("P2", False, "neutral", None, None, "warm"),
        ("P3", False, "neutral", None, None, "cold"),
        ("P3", True, "neutral", None, None, "warm"),
        ("P3", False, "upset", None, None, "warm"),
        ("P3", False, "neutral", True, None, "warm"),
        ("P3", False, "neutral", None, True, "warm"),
        ("P2", False, "neutral", None, False, "warm"),
    ],
)
def test_the_escalation_records_warm_or_cold_and_why(
    priority: str,
    vip: bool,
    sentiment: str,
    live: bool | None,
    warm: bool | None,
    mode: str,
) -> None:
    run = Run()
    _open(run, priority=priority, vip=vip)
    form = {
        **COMPLETE,
        "current_status": {"issue_reproduced": "yes", "customer_sentiment": sentiment},
        "customer_communication": {"customer_notified": False, "prefers_live_transfer": live},
    }
    extra = {} if warm is None else {"warm": warm}
    (escalate,) = [d for d in _request(run, 60, form, **extra) if d.kind == "escalate"]
    choice = choose_handoff_mode(
        POLICY.handoff.warm_when,
        priority=priority,
        vip=vip,
        sentiment=sentiment,
        prefers_live_transfer=live,
        requested_warm=warm,
    )
    assert choice.mode == mode
    assert escalate.facts["handoff_mode"] == mode
    assert escalate.facts["handoff_mode_reason"] == choice.reason
    assert f"{mode} handoff: {choice.reason}" in escalate.reason
    assert run.state.tickets["T-1"].escalations[-1].terms["handoff_mode"] == mode
    if mode == "cold":
        assert choice.reason == "no warm-handoff condition holds (priority P3, sentiment neutral)"


def test_missed_acknowledgement_notifies_the_tier_lead_then_the_support_manager() -> None:
    run = Run()
    _open(run)
    _request(run, 60, COMPLETE)
    assert run.tick(74) == []
    (lead,) = run.tick(76)
    assert lead.kind == "acknowledgement_missed" and lead.facts["notify"] == "l2_lead"
    assert lead.at == T0 + timedelta(minutes=75)
    assert run.tick(89) == []
    (manager,) = run.tick(95)
    assert manager.facts["notify"] == "support_manager"
    assert manager.at == T0 + timedelta(minutes=90)


def test_acknowledging_in_time_stops_the_chain_and_confirms_the_transfer() -> None:
    run = Run()
    _open(run)
    _request(run, 60, COMPLETE)
    run.event("escalation.accepted", 72, by="lee", estimated_resolution="4h")
    run.tick(200)
    assert run.kinds("acknowledgement_missed") == []
    record = run.state.tickets["T-1"].escalations[-1]
    assert record.status == "accepted"
    transfer = confirm_transfer(
        ticket="T-1",
        from_tier=record.source,
        to_tier=record.target,
        owner="lee",
        requested_at=T0 + timedelta(minutes=60),
        accepted_at=T0 + timedelta(minutes=72),
        acknowledgement_target=POLICY.tiers["L2"].acknowledgement.as_timedelta,
    )
    assert transfer.acknowledged_within_target
    assert transfer.confirmation.startswith("T-1 now owned by lee (L2), taken over from L1")


def test_rejection_sends_the_ticket_back_with_feedback_and_stops_the_chase() -> None:
    run = Run()
    _open(run)
    partial = {"issue_summary": COMPLETE["issue_summary"]}
    _request(run, 60, COMPLETE)
    run.event(
        "escalation.rejected", 70, by="lee", reason="handoff incomplete", feedback="add steps"
    )
    run.tick(120)
    ticket = run.state.tickets["T-1"]
    assert ticket.tier == "L1"
    record = ticket.escalations[-1]
    assert record.status == "rejected"
    assert (record.rejected_by, record.rejection_reason, record.rejection_feedback) == (
        "lee",
        "handoff incomplete",
        "add steps",
    )
    stored = TicketState.from_dict(json.loads(json.dumps(ticket.to_dict())))
    assert stored.escalations[-1].rejection_feedback == "add steps"
    assert run.kinds("acknowledgement_missed") == []
    feedback = rejection_feedback(
        ticket="T-1",
        originating_tier=ticket.escalations[-1].source,
        rejecting_tier=ticket.escalations[-1].target,
        at=T0 + timedelta(minutes=70),
        reason="handoff incomplete",
        feedback="add steps",
        handoff=check_handoff(partial, PATHS["L1->L2"].handoff_fields),
    )
    assert feedback.returned_to == "L1"
    assert "troubleshooting.steps" in feedback.missing_fields
    assert feedback.message.startswith("L2 sent T-1 back: handoff incomplete. Feedback: add steps.")


def test_ticket_level_clocks_continue_across_the_transfer() -> None:
    """The customer-facing clocks are the ticket's: escalating and accepting do not restart them,
    so the enterprise P1/P2 > 4h management trigger fires 4 h after opening, not after the
    transfer."""
    run = Run()
    _open(run)
    _request(run, 60, COMPLETE)
    run.event("escalation.accepted", 70, by="lee")
    ticket = run.state.tickets["T-1"]
    trigger = ticket.timers["trigger:enterprise_p1_p2_unresolved"]
    assert trigger.cycle == 1
    assert trigger.started == int(T0.timestamp() * 1_000_000)
    run.tick(4 * 60 + 1)
    (management,) = run.kinds("management_escalation")
    assert management.at == T0 + timedelta(hours=4)


def test_rca_is_required_after_an_l2_to_l3_escalation_only() -> None:
    run = Run()
    _open(run)
    _request(run, 60, COMPLETE)
    run.event("escalation.accepted", 65, by="lee")
    l3_form = {
        **COMPLETE,
        "troubleshooting": {**COMPLETE["troubleshooting"], "attachments": ["log"]},
        "current_status": {**COMPLETE["current_status"], "workaround_provided": False},
    }
    run.event(
        "escalation.requested",
        120,
        to="L3",
        reason="engineering_required",
        justification="bug",
        requested_by="lee",
        handoff=l3_form,
    )
    resolved = run.event("ticket.resolved", 300, by="kim", summary="fixed audience")
    (missing,) = [d for d in resolved if d.kind == "rca_missing"]
    assert missing.kind == "rca_missing"
    assert missing.facts["paths"] == ["L2->L3"]
    assert missing.facts["resolved_by"] == "kim"
    assert "root_cause" in missing.facts["missing"]
    assert "requires root-cause analysis after L2->L3" in missing.reason
    ticket = run.state.tickets["T-1"]
    last = ticket.escalations[-1]
    path = PATHS[f"{last.source}->{last.target}"]
    assert path.name == "L2->L3" and path.rca_required
    resolution = Resolution(
        ticket="T-1",
        resolved_at=T0 + timedelta(minutes=300),
        summary="fixed audience",
        kb={"action": "create", "reason": "new"},
    )
    assert check_resolution(resolution, rca_required=path.rca_required).missing == ["root_cause"]
    assert not PATHS["L1->L2"].rca_required
    assert check_resolution(resolution, rca_required=PATHS["L1->L2"].rca_required).complete


def test_ticket_context_fills_the_ticket_information_from_engine_state() -> None:
    run = Run()
    _open(run)
    ticket = run.state.tickets["T-1"]
    context = TicketInformation(
        ticket_id=ticket.id, priority=ticket.priority, escalation_from=ticket.tier
    )
    verdict = check_handoff(COMPLETE, ["ticket_information.ticket_id"], context=context)
    assert verdict.complete and verdict.form is not None
    assert verdict.form.ticket_information.escalation_from == "L1"


def _escalated_to_l3(run: Run) -> None:
    _open(run)
    _request(run, 60, COMPLETE)
    run.event("escalation.accepted", 65, by="lee")
    run.event(
        "escalation.requested",
        120,
        to="L3",
        reason="engineering_required",
        justification="bug",
        requested_by="lee",
        handoff={
            **COMPLETE,
            "troubleshooting": {**COMPLETE["troubleshooting"], "attachments": ["log"]},
            "current_status": {**COMPLETE["current_status"], "workaround_provided": False},
        },
    )


def test_a_root_cause_satisfies_the_rca_rule() -> None:
    run = Run()
    _escalated_to_l3(run)
    out = run.event("ticket.resolved", 300, by="kim", summary="fixed", root_cause="bad audience")
    assert [d.kind for d in out if d.kind == "rca_missing"] == []


def test_no_rca_needed_after_only_l1_to_l2() -> None:
    run = Run()
    _open(run)
    _request(run, 60, COMPLETE)
    out = run.event("ticket.resolved", 300, by="lee", summary="fixed")
    assert [d.kind for d in out if d.kind == "rca_missing"] == []
