from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from escalon.domain.notify.message import Notification, message_key
from escalon.domain.notify.routing import hold_until, route
from escalon.domain.policy.notifications import NotificationsPolicy, QuietHours

MON_10 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday
MON_22 = datetime(2026, 3, 2, 22, 0, tzinfo=UTC)
TUE_09 = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


@dataclass
class OfficeHours:
    """09:00-17:00 UTC every day: enough calendar to test holding."""

    def is_open(self, t: datetime) -> bool:
        return 9 <= t.hour < 17

    def next_open(self, t: datetime) -> datetime:
        if self.is_open(t):
            return t
        day = t if t.hour < 9 else t + timedelta(days=1)
        return day.replace(hour=9, minute=0, second=0, microsecond=0)


def notification(**fields: Any) -> Notification:
    base: dict[str, Any] = {
        "decision_id": "d1",
        "kind": "escalate",
        "ticket_id": "T-1",
        "summary": "escalated",
        "occurred_at": MON_10,
        "priority": "P3",
        "tier": "L2",
        "team": "integrations",
        "segment": "smb",
    }
    return Notification.model_validate(base | fields)


POLICY = NotificationsPolicy.model_validate(
    {
        "channels": {
            "l2-slack": {"type": "slack", "url": "https://hooks.slack.com/services/T/B/x"},
            "mgmt-mail": {"type": "email", "host": "smtp.example.com", "sender": "e@example.com"},
            "pd": {"type": "pagerduty", "routing_key": "R" * 32},
        },
        "routes": [
            {"channel": "l2-slack", "tiers": ["L2"], "calendar": "office"},
            {"channel": "l2-slack", "tiers": ["L2"], "calendar": "office"},
            {"channel": "mgmt-mail", "kinds": ["management_escalation"], "target": "vp@x.com"},
            {"channel": "pd", "priorities": ["P1", "P2"]},
            {"channel": "mgmt-mail", "segments": ["enterprise"], "target": "csm@x.com"},
        ],
    }
)
CALENDARS = {"office": OfficeHours()}


def test_filters_select_routes_and_duplicates_collapse() -> None:
    messages = route(notification(), POLICY, CALENDARS, MON_10)
    assert [(m.channel, m.target) for m in messages] == [("l2-slack", None)]


def test_every_filter_must_match() -> None:
    n = notification(priority="P2", segment="enterprise")
    assert [(m.channel, m.target) for m in route(n, POLICY, CALENDARS, MON_10)] == [
        ("l2-slack", None),
        ("pd", None),
        ("mgmt-mail", "csm@x.com"),
    ]


def test_pagerduty_only_receives_kinds_it_can_express() -> None:
    n = notification(priority="P1", kind="update_due")
    assert "pd" not in {m.channel for m in route(n, POLICY, CALENDARS, MON_10)}


def test_non_urgent_message_to_a_closed_team_waits_for_opening() -> None:
    (held,) = route(notification(), POLICY, CALENDARS, MON_22)
    assert held.not_before == TUE_09 and held.created_at == MON_22


def test_p1_is_never_held() -> None:
    messages = route(notification(priority="P1"), POLICY, CALENDARS, MON_22)
    assert {m.channel: m.not_before for m in messages} == {"l2-slack": MON_22, "pd": MON_22}


@pytest.mark.parametrize(
    "fields",
    [{"kind": "management_escalation"}, {"tier": "management"}, {"priority": "P1"}],
)
def test_urgent_messages_go_at_once(fields: dict[str, Any]) -> None:
    assert hold_until(notification(**fields), OfficeHours(), QuietHours(), MON_22) == MON_22


def test_quiet_hours_can_be_switched_off() -> None:
    off = QuietHours(enabled=False)
    assert hold_until(notification(), OfficeHours(), off, MON_22) == MON_22
    assert hold_until(notification(), OfficeHours(), QuietHours(), MON_22) == TUE_09


def test_keys_are_deterministic_per_decision_channel_and_target() -> None:
    first = route(notification(), POLICY, CALENDARS, MON_10)[0]
    again = route(notification(), POLICY, CALENDARS, MON_10 + timedelta(hours=1))[0]
    assert first.key == again.key == message_key("d1", "l2-slack", None)
    assert message_key("d1", "l2-slack", "a") != message_key("d1", "l2-slack", "b")


def test_incident_key_follows_the_escalation() -> None:
    assert notification(escalation_id="E-7").incident_key == "escalon-escalation-E-7"
    assert notification().incident_key == "escalon-ticket-T-1"


def test_empty_policy_routes_nothing() -> None:
    assert route(notification(), NotificationsPolicy(), {}, MON_10) == []


def test_every_engine_decision_kind_can_be_routed() -> None:
    engine = pytest.importorskip("escalon.domain.engine.decisions")
    from escalon.domain.notify.message import NOTIFICATION_KINDS

    assert set(engine.DECISION_KINDS) <= set(NOTIFICATION_KINDS)
