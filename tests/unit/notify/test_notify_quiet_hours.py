"""Quiet hours end to end: a decision routed with the policy's real calendar, then dispatched."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.notify.conftest import FakeClock

from escalon.adapters.policy_files import load_default_policy
from escalon.domain.calendar import DEFAULT_CALENDARS, build_calendar
from escalon.domain.notify.decisions import notification_for_decision
from escalon.domain.notify.delivery import RetrySchedule, SendResult
from escalon.domain.notify.message import OutboxMessage
from escalon.domain.notify.routing import hold_until
from escalon.domain.policy import Policy
from escalon.domain.policy.notifications import QuietHours
from escalon.services.dispatch import Dispatcher
from escalon.services.outbox import InMemoryOutbox, RoutingNotifier

FRI_23_NY = datetime(2026, 3, 7, 4, 0, tzinfo=UTC)  # Friday 23:00 in New York (EST)
MON_09_NY = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # Monday 09:00 EDT (DST began Sunday)


@pytest.fixture(scope="module")
def policy() -> Policy:
    document = load_default_policy().model_dump(mode="json")
    document["notifications"] = {
        "channels": {
            "l2-chat": {"type": "teams", "url": "https://hooks.example.com/l2"},
            "pager": {"type": "pagerduty", "routing_key": "R" * 32},
        },
        "routes": [
            {"channel": "l2-chat", "teams": ["integrations"], "calendar": "amer"},
            {"channel": "pager", "priorities": ["P1"]},
        ],
    }
    return Policy.model_validate(document)


def decision(ticket: str, kind: str = "escalate") -> dict[str, Any]:
    return {
        "id": f"d-{ticket}-{kind}",
        "ticket": ticket,
        "kind": kind,
        "due_at": FRI_23_NY,
        "fired_at": FRI_23_NY,
        "reason": "4h unresolved at L1 >= 2h",
        "body": {"facts": {"to": "L2", "threshold": "2h"}},
    }


def ticket(priority: str) -> dict[str, Any]:
    return {"priority": priority, "tier": "L1", "team": "integrations", "segment": "smb"}


class Recorder:
    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.sent: list[tuple[datetime, str]] = []

    def send(self, message: OutboxMessage) -> SendResult:
        self.sent.append((self.clock(), message.notification.ticket_id))
        return SendResult(outcome="delivered", status_code=202)


def test_team_outside_hours_waits_for_opening_and_p1_does_not(
    policy: Policy, clock: FakeClock
) -> None:
    clock.now = FRI_23_NY
    notifier = RoutingNotifier(ticket_url="https://support.example.com/t/{ticket}")
    messages = notifier(
        [decision("T-3"), decision("T-1")],
        {"T-3": ticket("P3"), "T-1": ticket("P1")},
        policy,
        clock(),
    )
    assert {(m.notification.ticket_id, m.channel): m.not_before for m in messages} == {
        ("T-3", "l2-chat"): MON_09_NY,
        ("T-1", "l2-chat"): FRI_23_NY,
        ("T-1", "pager"): FRI_23_NY,
    }
    outbox = InMemoryOutbox()
    outbox.enqueue(messages)
    chat, pager = Recorder(clock), Recorder(clock)
    dispatcher = Dispatcher(
        outbox,
        {"l2-chat": chat, "pager": pager},
        schedule=RetrySchedule(),
        clock=clock,
        jitter=random.Random(0).random,
    )
    for instant in (FRI_23_NY, MON_09_NY - timedelta(seconds=1), MON_09_NY):
        clock.now = instant
        dispatcher.drain()
    assert chat.sent == [(FRI_23_NY, "T-1"), (MON_09_NY, "T-3")]
    assert pager.sent == [(FRI_23_NY, "T-1")]


def test_decision_becomes_a_notification() -> None:
    n = notification_for_decision(
        decision("T-9"), {**ticket("P2"), "subject": "Checkout fails", "customer_id": "acme"}
    )
    assert n is not None
    assert n.summary == "P2 T-9 Escalated: Checkout fails (L1)"
    assert (n.kind, n.tier, n.priority, n.customer) == ("escalate", "L2", "P2", "acme")
    assert n.details == {"to": "L2", "threshold": "2h"}
    assert n.incident_key == "escalon-escalation-T-9"
    assert notification_for_decision(decision("T-9", kind="unheard_of"), ticket("P2")) is None


def test_acknowledgement_and_resolution_reach_the_same_incident(policy: Policy) -> None:
    notifier = RoutingNotifier()
    tickets = {"T-1": ticket("P1")}
    (trigger_chat, trigger_pager) = notifier([decision("T-1")], tickets, policy, FRI_23_NY)
    events = [
        {"id": "ev-ack", "type": "escalation.accepted", "at": FRI_23_NY, "ticket": "T-1"},
        {"id": "ev-note", "type": "ticket.commented", "at": FRI_23_NY, "ticket": "T-1"},
        {"id": "ev-done", "type": "ticket.resolved", "at": FRI_23_NY, "ticket": "T-1"},
    ]
    follow_ups = notifier.for_events(events, tickets, policy, FRI_23_NY)
    pager = [m for m in follow_ups if m.channel == "pager"]
    assert [m.notification.kind for m in pager] == ["acknowledged", "resolved"]
    assert {m.group for m in pager} == {trigger_pager.group} == {trigger_chat.group}


AMER = build_calendar("amer", DEFAULT_CALENDARS["amer"])
INSTANTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=200, deadline=None)
@given(INSTANTS, st.sampled_from(["P2", "P3", "P4"]))
def test_a_held_message_goes_out_at_the_first_opening(now: datetime, priority: str) -> None:
    n = notification_for_decision(decision("T-5"), ticket(priority))
    assert n is not None
    held = hold_until(n, AMER, QuietHours(), now)
    assert held >= now and AMER.is_open(held)
    if held > now:
        assert not AMER.is_open(now)
        assert not AMER.is_open(held - timedelta(minutes=1))  # nothing opened earlier


@settings(max_examples=100, deadline=None)
@given(INSTANTS)
def test_a_p1_is_never_held(now: datetime) -> None:
    n = notification_for_decision(decision("T-6"), ticket("P1"))
    assert n is not None and hold_until(n, AMER, QuietHours(), now) == now
