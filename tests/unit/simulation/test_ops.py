"""The simulator emits valid, time-ordered canonical events, identical for the same seed."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from escalon.adapters.policy_files import load_default_policy
from escalon.domain.events import parse_event
from escalon.entrypoints.cli.report import run_engine
from escalon.simulation.ops import simulate_ops


def test_same_seed_same_events_and_other_seed_differs() -> None:
    first = simulate_ops(days=7, tickets=300, seed=3)
    again = simulate_ops(days=7, tickets=300, seed=3)
    other = simulate_ops(days=7, tickets=300, seed=4)
    assert first.events == again.events
    assert first.records == again.records
    assert first.events != other.events


def test_events_are_valid_ordered_and_unique() -> None:
    result = simulate_ops(days=10, tickets=800, seed=11)
    parsed = [parse_event(e) for e in result.events]
    instants = [e.at for e in parsed]
    assert instants == sorted(instants)
    assert len({e.id for e in parsed}) == len(parsed)
    created = [e for e in parsed if e.type == "ticket.created"]
    assert len(created) == 800
    kinds = Counter(e.type for e in parsed)
    assert kinds["escalation.requested"] > 0
    assert kinds["csat.received"] > 0


def test_arrivals_mostly_fall_in_the_customers_local_business_hours() -> None:
    zones = {
        "AMER": ZoneInfo("America/New_York"),
        "EMEA": ZoneInfo("Europe/Berlin"),
        "APAC": ZoneInfo("Asia/Singapore"),
    }
    result = simulate_ops(days=14, tickets=1000, seed=5)
    inside = total = 0
    for event in result.events:
        if event["type"] != "ticket.created":
            continue
        at = datetime.fromisoformat(event["at"]).astimezone(UTC)
        local = at.astimezone(zones[event["data"]["customer"]["region"]])
        total += 1
        inside += 8 <= local.hour < 18
    assert inside / total > 0.8


def test_team_delta_over_escalates() -> None:
    result = simulate_ops(days=30, tickets=3000, seed=7)
    team_of: dict[str, str] = {}
    escalated: Counter[str] = Counter()
    avoidable: Counter[str] = Counter()
    for event in result.events:
        if event["type"] == "ticket.created":
            team_of[event["ticket"]] = event["data"]["team"]
        elif event["type"] == "escalation.requested":
            escalated[team_of[event["ticket"]]] += 1
        elif event["type"] == "ticket.resolved" and event["data"].get("over_escalation"):
            avoidable[team_of[event["ticket"]]] += 1
    delta = avoidable["Team Delta"] / escalated["Team Delta"]
    alpha = avoidable["Team Alpha"] / escalated["Team Alpha"]
    assert delta > 2 * alpha


def test_agents_never_ask_for_the_tier_the_engine_already_escalated_to() -> None:
    """Time-based escalations come first when they are due: no agent asks for the tier the
    time criterion already moved the ticket to (the engine used to refuse about 3% of requests
    so); the receiving team takes those escalations over without anyone requesting them.

    What is left is rare: the engine's recurring-issue rule (same customer and issue key within
    90 days) escalating L2 -> L3 on its own, which the simulator does not track (about one
    request in 7,000 tickets; here one in 1,500)."""
    result = simulate_ops(days=30, tickets=1500, seed=7, start=datetime(2025, 3, 1, tzinfo=UTC))
    events = [parse_event(e) for e in result.events]
    run = run_engine(events, load_default_policy())
    assert not any("L2 -> L2" in message for message in run.refused), run.refused
    assert sum(run.refused.values()) <= 2, run.refused
    by_time = {
        d.ticket
        for d in run.decisions
        if d.kind == "escalate"
        and d.facts.get("criterion") == "time"
        and not d.facts.get("requested_by")
    }
    requested = {e.ticket for e in events if e.type == "escalation.requested"}
    assert len(by_time) > 50  # the 2-hour L1 budget runs out on a good share of tickets
    assert by_time - requested  # some are taken over with no request at all
