"""The engine's guarantees, each checked so that it can fail."""

from __future__ import annotations

from typing import Any

import pytest
from bench.eventgen import generate

from escalon.domain.engine import EngineState, EventRecord, InvalidEvent, step
from escalon.domain.events import parse_event
from escalon.domain.policy import Policy
from escalon.services.replay import Replayer, bulk_collection, replay

from .conftest import Desk
from .handoffs import COMPLETE_HANDOFF

ACME = {"id": "acme", "segment": "smb", "region": "amer"}


def _edited(policy: Policy, **tier_changes: Any) -> Policy:
    raw = policy.model_dump(mode="json")
    raw["version"] = "2026"
    for tier, change in tier_changes.items():
        raw["tiers"][tier].update(change)
    return Policy.model_validate(raw)


def test_policy_edit_never_rewrites_a_running_escalation(desk: Desk, policy: Policy) -> None:
    desk.send("ticket.created", "2025-04-01T13:00:00Z", customer=ACME)
    desk.send(
        "escalation.requested",
        "2025-04-01T13:10:00Z",
        to="L2",
        reason="technical_complexity",
        justification="config bug",
        handoff=COMPLETE_HANDOFF,
    )
    desk.policy = _edited(policy, L2={"acknowledgement": "45m"}, L3={"acknowledgement": "2h"})
    desk.tick("2025-04-01T13:30:00Z")
    missed = [d for d in desk.decisions if d.kind == "acknowledgement_missed"]
    # started under the 2025 policy: 15m, not the edited 45m
    assert [d.at.isoformat() for d in missed] == ["2025-04-01T13:25:00+00:00"]
    assert missed[0].policy == policy.ref
    assert desk.state.tickets["T1"].escalations[0].policy == policy.ref
    # an escalation started after the edit runs on the new policy
    desk.send("ticket.updated", "2025-04-01T14:00:00Z", engineering_required=True)
    required = [d for d in desk.decisions if d.kind == "require_acknowledgement"]
    assert required[-1].facts["target"] == "2h"
    assert required[-1].policy == desk.policy.ref != policy.ref


def test_late_event_is_applied_in_time_order_without_reissuing(desk: Desk) -> None:
    desk.send("ticket.created", "2025-04-01T13:00:00Z", customer=ACME, priority="P2")
    desk.tick("2025-04-01T16:00:00Z")
    issued = {d.id for d in desk.decisions}
    assert "escalate" in desk.kinds()  # 2 business hours at L1 passed at 15:00Z
    # the customer had been waiting since 14:00Z; the engine learns it late
    late = desk.send("ticket.status_changed", "2025-04-01T14:00:00Z", status="pending_customer")
    assert all(d.id not in issued for d in late)
    ticket = desk.state.tickets["T1"]
    assert ticket.status == "pending_customer"
    assert [e.type for e in ticket.log] == ["ticket.created", "ticket.status_changed"]
    # replaying the same late event again changes nothing
    before = ticket.to_dict()
    assert (
        desk.event(
            {
                "id": "e3",
                "type": "ticket.status_changed",
                "at": "2025-04-01T14:00:00Z",
                "ticket": "T1",
                "data": {"status": "pending_customer"},
            }
        )
        == []
    )
    assert desk.state.tickets["T1"].to_dict() == before


def test_late_event_that_changes_the_outcome_issues_only_the_new_decision(desk: Desk) -> None:
    desk.send("ticket.created", "2025-04-01T13:00:00Z", customer=ACME)
    desk.send("ticket.commented", "2025-04-01T13:40:00Z", author="agent", public=True)
    first = len(desk.decisions)
    late = desk.send(
        "escalation.requested",
        "2025-04-01T13:20:00Z",
        to="L2",
        reason="customer_requested",
        justification="asked for a specialist",
        handoff=COMPLETE_HANDOFF,
    )
    assert [d.kind for d in late][:2] == ["escalate", "require_acknowledgement"]
    assert late[0].at.isoformat() == "2025-04-01T13:20:00+00:00"
    assert len(desk.decisions) == first + len(late)


def test_invalid_late_event_leaves_the_ticket_untouched(desk: Desk) -> None:
    desk.send("ticket.created", "2025-04-01T13:00:00Z", customer=ACME)
    desk.send("ticket.commented", "2025-04-01T14:00:00Z", author="agent")
    before = desk.state.tickets["T1"].to_dict()
    with pytest.raises(InvalidEvent) as refused:
        desk.send("ticket.reopened", "2025-04-01T13:30:00Z")
    assert refused.value.field == "type"
    assert desk.state.tickets["T1"].to_dict() == before


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        ("escalation.requested", {"to": "L4", "justification": "x"}, "data.to"),
        ("escalation.accepted", {}, "type"),
        ("ticket.reopened", {}, "type"),
        ("management.responded", {"milestone": "acknowledged"}, "type"),
        ("ticket.assigned", {"tier": "L9"}, "data.tier"),
    ],
)
def test_impossible_transitions_name_the_field(
    desk: Desk, kind: str, data: dict[str, Any], field: str
) -> None:
    desk.send("ticket.created", "2025-04-01T13:00:00Z", customer=ACME)
    with pytest.raises(InvalidEvent) as refused:
        desk.send(kind, "2025-04-01T13:05:00Z", **data)
    assert (refused.value.event, refused.value.field) == ("e2", field)


def test_closed_ticket_takes_no_more_changes(desk: Desk) -> None:
    desk.send("ticket.created", "2025-04-01T13:00:00Z", customer=ACME)
    desk.send("ticket.status_changed", "2025-04-01T14:00:00Z", status="closed")
    with pytest.raises(InvalidEvent):
        desk.send("ticket.commented", "2025-04-01T15:00:00Z")
    desk.send("csat.received", "2025-04-01T15:00:00Z", score=5)


def test_agent_escalation_counts_are_kept(desk: Desk) -> None:
    desk.send("ticket.created", "2025-04-01T13:00:00Z", customer=ACME, agent="ana")
    desk.send("escalation.requested", "2025-04-01T13:05:00Z", to="L2", requested_by="ana")
    desk.send(
        "escalation.requested",
        "2025-04-01T13:06:00Z",
        to="L2",
        requested_by="ana",
        justification="needs L2 tooling",
        handoff=COMPLETE_HANDOFF,
    )
    desk.send("escalation.rejected", "2025-04-01T13:20:00Z", reason="L1 runbook covers it")
    assert desk.state.indexes.agents["ana"] == {
        "requested": 2,
        "rejected_unjustified": 1,
        "escalated": 1,
        "rejected_back": 1,
    }
    assert desk.state.tickets["T1"].tier == "L1"


def test_generated_log_replays_identically_twice(policy: Policy) -> None:
    events = list(generate(400, seed=3))
    first = [d.to_dict() for d in replay(events, policy)]
    second = [d.to_dict() for d in replay(list(generate(400, seed=3)), policy)]
    assert first == second
    assert len({d["id"] for d in first}) == len(first)


def test_generated_log_through_step_matches_the_replay_service(policy: Policy) -> None:
    events = list(generate(150, seed=5))
    via_service = [d.id for d in replay(events, policy)]
    state = EngineState()
    via_step: list[str] = []
    for record in events:
        tick = EventRecord("t", "tick", record.at - 1, "*", {})
        via_step += [d.id for d in step(state, tick, policy).decisions]
        via_step += [d.id for d in step(state, record, policy).decisions]
    via_step += [
        d.id
        for d in step(state, EventRecord("t", "tick", events[-1].at, "*", {}), policy).decisions
    ]
    assert via_step == via_service


@pytest.mark.slow
def test_generated_log_of_100k_tickets_replays_without_error(policy: Policy) -> None:
    runner = Replayer(policy)
    with bulk_collection():
        decisions = sum(1 for _ in replay(generate(100_000), policy, replayer=runner))
    assert runner.rejected == []
    assert runner.events > 600_000
    assert decisions > 0
    assert all(t.closed for t in runner.state.tickets.values())


def test_canonical_events_drive_the_engine_like_records(policy: Policy) -> None:
    raw = {
        "id": "e1",
        "type": "ticket.created",
        "at": "2025-04-01T09:00:00-04:00",
        "ticket": "T1",
        "data": {"customer": ACME, "churn_threat": True},
    }
    from_event = step(EngineState(), parse_event(raw), policy).decisions
    record = EventRecord.from_event(parse_event(raw))
    from_record = step(EngineState(), record, policy).decisions
    assert [d.id for d in from_event] == [d.id for d in from_record]
