"""Routing: which channel targets hear about a notification, and when (quiet hours).

Pure: the caller passes `now` and the recipients' calendars. A non-urgent message to a recipient
with a calendar is held until that calendar next opens; P1 and management escalations (as the
policy's `quiet_hours` defines urgency) always go out at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from escalon.domain.notify.message import Notification, OutboxMessage
from escalon.domain.policy.notifications import NotificationsPolicy, QuietHours, Route

PAGERDUTY_ACTIONS: dict[str, str] = {
    "escalate": "trigger",
    "management_escalation": "trigger",
    "sla_breach": "trigger",
    "acknowledgement_missed": "trigger",
    "vendor_escalation": "trigger",
    "major_incident_declared": "trigger",
    "test": "trigger",
    "acknowledged": "acknowledge",
    "resolved": "resolve",
    "major_incident_resolved": "resolve",
}
PAGERDUTY_KINDS: frozenset[str] = frozenset(PAGERDUTY_ACTIONS)
"""Kinds that map to a PagerDuty event action; other kinds are never routed to PagerDuty."""


class OpeningHours(Protocol):
    """The part of a calendar quiet hours need (`escalon.domain.calendar.Calendar` has it)."""

    def is_open(self, t: datetime) -> bool: ...

    def next_open(self, t: datetime) -> datetime: ...


def _matches(route: Route, notification: Notification) -> bool:
    checks = (
        (route.kinds, notification.kind),
        (route.tiers, notification.tier),
        (route.teams, notification.team),
        (route.priorities, notification.priority),
        (route.segments, notification.segment),
    )
    return all(not allowed or value in allowed for allowed, value in checks)


def is_urgent(notification: Notification, quiet_hours: QuietHours) -> bool:
    """Urgent messages are never held: P1 and management escalations by default."""
    return (
        notification.priority in quiet_hours.urgent_priorities
        or notification.kind in quiet_hours.urgent_kinds
        or notification.tier in quiet_hours.urgent_tiers
    )


def hold_until(
    notification: Notification,
    calendar: OpeningHours | None,
    quiet_hours: QuietHours,
    now: datetime,
) -> datetime:
    """When a message may go out: `now`, or the recipient's next opening if it is closed."""
    if calendar is None or not quiet_hours.enabled or is_urgent(notification, quiet_hours):
        return now
    if calendar.is_open(now):
        return now
    return calendar.next_open(now)


def route(
    notification: Notification,
    policy: NotificationsPolicy,
    calendars: Mapping[str, OpeningHours],
    now: datetime,
) -> list[OutboxMessage]:
    """One message per matching route, deduplicated by (channel, target); policy order is kept."""
    messages: dict[tuple[str, str | None], OutboxMessage] = {}
    for rule in policy.routes:
        channel = policy.channels.get(rule.channel)
        if channel is None or not _matches(rule, notification):
            continue
        if channel.type == "pagerduty" and notification.kind not in PAGERDUTY_KINDS:
            continue
        if (rule.channel, rule.target) in messages:
            continue
        calendar = calendars.get(rule.calendar) if rule.calendar else None
        messages[(rule.channel, rule.target)] = OutboxMessage.create(
            notification,
            channel=rule.channel,
            target=rule.target,
            now=now,
            not_before=hold_until(notification, calendar, policy.quiet_hours, now),
        )
    return list(messages.values())
