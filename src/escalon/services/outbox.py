"""The outbox port: durable queue of messages to deliver, with leases and a delivery log.

Decisions are written to the outbox in the same transaction as the state change that caused them,
and the dispatcher drains it. Delivery is at-least-once: a worker that dies after sending but before
recording the result leaves its claim to expire, and the message is sent again by the next worker.
The idempotency key (`OutboxMessage.key`) makes enqueuing safe to repeat.

`InMemoryOutbox` is the reference implementation (tests, `escalon notify test`); the SQL outbox in
`escalon.adapters.db` implements the same protocol and must pass the same contract tests.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from escalon.domain.calendar import build_calendars
from escalon.domain.notify.decisions import notification_for_decision, notification_for_event
from escalon.domain.notify.delivery import SETTLED, DeliveryAttempt, MessageStatus, OutboxEntry
from escalon.domain.notify.message import Notification, OutboxMessage
from escalon.domain.notify.routing import OpeningHours, route
from escalon.domain.policy import Policy


class Outbox(Protocol):
    """Storage for outgoing messages. Every method is atomic; implementations must be safe to call
    from several threads and, for durable ones, several processes at once."""

    def enqueue(self, messages: Sequence[OutboxMessage]) -> int:
        """Add messages as `pending`, due at `not_before`. A key already present (in any status)
        is ignored, so repeating an enqueue never duplicates. Returns how many were new."""
        ...

    def claim(
        self, channel: str, *, now: datetime, limit: int, lease: timedelta
    ) -> list[OutboxEntry]:
        """Take up to `limit` messages of `channel` that are due: `pending` with `due_at <= now`, or
        `claimed` with `lease_until <= now` (their worker died). Order by (`due_at`, `seq`).

        Skip a message when an earlier message (lower `seq`) of the same `message.group` on the
        same channel is not settled (`pending` or `claimed`): messages of one incident go out in
        order. At most one message per group is returned per call.

        Claimed messages get status `claimed` and `lease_until = now + lease`; no other claim may
        return them until the lease expires. Returned entries reflect the new state."""
        ...

    def mark_delivered(self, key: str, attempt: DeliveryAttempt) -> None:
        """Record a successful attempt; status `delivered` (final). Idempotent."""
        ...

    def mark_failed(self, key: str, attempt: DeliveryAttempt) -> None:
        """Record a permanently rejected attempt (e.g. HTTP 400); status `rejected` (final)."""
        ...

    def reschedule(self, key: str, *, at: datetime, attempt: DeliveryAttempt | None) -> None:
        """Back to `pending`, due at `at`, lease cleared. With `attempt`, append it to the log (a
        retryable failure); without, the claim is just released (the message was not sent)."""
        ...

    def dead_letter(self, key: str, attempt: DeliveryAttempt) -> None:
        """Record the last failed attempt; status `dead` (final) after retries are exhausted."""
        ...

    def requeue(self, key: str, *, now: datetime) -> bool:
        """Put a `dead` or `rejected` message back to `pending`, due now, keeping its log (an
        operator's manual retry). Returns False if the key is unknown or not in a final failure."""
        ...

    def get(self, key: str) -> OutboxEntry | None:
        """The entry with this key, with its full delivery log."""
        ...

    def entries(
        self,
        *,
        ticket_id: str | None = None,
        statuses: Iterable[MessageStatus] | None = None,
        limit: int = 100,
    ) -> list[OutboxEntry]:
        """Entries filtered by ticket and status, oldest first (the ticket timeline, the API)."""
        ...

    def next_due(self, channel: str) -> datetime | None:
        """The earliest `due_at` (or `lease_until` for claimed) of unsettled messages on `channel`;
        lets the dispatcher sleep until there is work."""
        ...


class InMemoryOutbox:
    """The outbox in a dict, guarded by a lock: the reference semantics of `Outbox`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, OutboxEntry] = {}

    def enqueue(self, messages: Sequence[OutboxMessage]) -> int:
        added = 0
        with self._lock:
            for message in messages:
                if message.key in self._entries:
                    continue
                seq = len(self._entries)
                self._entries[message.key] = OutboxEntry(
                    message=message, seq=seq, due_at=message.not_before
                )
                added += 1
        return added

    def claim(
        self, channel: str, *, now: datetime, limit: int, lease: timedelta
    ) -> list[OutboxEntry]:
        with self._lock:
            blocked: set[str] = set()
            due: list[OutboxEntry] = []
            for entry in self._entries.values():  # insertion order is `seq` order
                if entry.message.channel != channel or entry.status in SETTLED:
                    continue
                group = entry.message.group
                if group not in blocked and _is_due(entry, now):
                    due.append(entry)
                blocked.add(group)
            due.sort(key=lambda e: (e.due_at, e.seq))
            claimed = []
            for entry in due[:limit]:
                updated = entry.model_copy(update={"status": "claimed", "lease_until": now + lease})
                self._entries[entry.key] = updated
                claimed.append(updated)
            return claimed

    def mark_delivered(self, key: str, attempt: DeliveryAttempt) -> None:
        self._settle(key, "delivered", attempt)

    def mark_failed(self, key: str, attempt: DeliveryAttempt) -> None:
        self._settle(key, "rejected", attempt)

    def dead_letter(self, key: str, attempt: DeliveryAttempt) -> None:
        self._settle(key, "dead", attempt)

    def reschedule(self, key: str, *, at: datetime, attempt: DeliveryAttempt | None) -> None:
        with self._lock:
            entry = self._entries[key]
            if entry.status in SETTLED:
                return
            log = entry.log + ((attempt,) if attempt else ())
            self._entries[key] = entry.model_copy(
                update={"status": "pending", "due_at": at, "lease_until": None, "log": log}
            )

    def requeue(self, key: str, *, now: datetime) -> bool:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.status not in ("dead", "rejected"):
                return False
            self._entries[key] = entry.model_copy(
                update={"status": "pending", "due_at": now, "lease_until": None}
            )
            return True

    def get(self, key: str) -> OutboxEntry | None:
        with self._lock:
            return self._entries.get(key)

    def entries(
        self,
        *,
        ticket_id: str | None = None,
        statuses: Iterable[MessageStatus] | None = None,
        limit: int = 100,
    ) -> list[OutboxEntry]:
        wanted = set(statuses) if statuses is not None else None
        with self._lock:
            found = [
                entry
                for entry in sorted(self._entries.values(), key=lambda e: e.seq)
                if (ticket_id is None or entry.message.notification.ticket_id == ticket_id)
                and (wanted is None or entry.status in wanted)
            ]
        return found[:limit]

    def next_due(self, channel: str) -> datetime | None:
        with self._lock:
            times = [
                entry.lease_until
                if entry.status == "claimed" and entry.lease_until
                else entry.due_at
                for entry in self._entries.values()
                if entry.message.channel == channel and entry.status not in SETTLED
            ]
        return min(times, default=None)

    def _settle(self, key: str, status: MessageStatus, attempt: DeliveryAttempt) -> None:
        with self._lock:
            entry = self._entries[key]
            if entry.status in SETTLED:
                return
            self._entries[key] = entry.model_copy(
                update={"status": status, "lease_until": None, "log": (*entry.log, attempt)}
            )


def _is_due(entry: OutboxEntry, now: datetime) -> bool:
    if entry.status == "claimed":
        return entry.lease_until is not None and entry.lease_until <= now
    return entry.due_at <= now


def _wake_at(entry: OutboxEntry) -> datetime:
    if entry.status == "claimed" and entry.lease_until is not None:
        return entry.lease_until
    return entry.due_at


class RoutingNotifier:
    """Turns newly stored decisions into routed outbox messages (the services' `Notifier`).

    Quiet hours need the recipients' calendars; they are built once per policy fingerprint.
    """

    def __init__(self, *, ticket_url: str | None = None) -> None:
        """`ticket_url` is a pattern such as `https://support.example.com/tickets/{ticket}`."""
        self._ticket_url = ticket_url
        self._calendars: tuple[str, Mapping[str, OpeningHours]] | None = None

    def __call__(
        self,
        decisions: Sequence[Mapping[str, Any]],
        tickets: Mapping[str, Mapping[str, Any]],
        policy: Policy,
        now: datetime,
    ) -> list[OutboxMessage]:
        calendars = self._calendars_of(policy)
        messages: list[OutboxMessage] = []
        for decision in decisions:
            ticket_id = str(decision["ticket"])
            url = self._ticket_url.format(ticket=ticket_id) if self._ticket_url else None
            notification = notification_for_decision(
                decision, tickets.get(ticket_id, {}), ticket_url=url
            )
            if notification is not None:
                messages.extend(route(notification, policy.notifications, calendars, now))
        return messages

    def for_events(
        self,
        events: Sequence[Mapping[str, Any]],
        tickets: Mapping[str, Mapping[str, Any]],
        policy: Policy,
        now: datetime,
    ) -> list[OutboxMessage]:
        """Messages for acknowledgement and resolution events (`id`, `type`, `at`, `ticket`),
        which acknowledge and resolve the escalation's PagerDuty incident."""
        calendars = self._calendars_of(policy)
        messages: list[OutboxMessage] = []
        for event in events:
            ticket_id = str(event["ticket"])
            url = self._ticket_url.format(ticket=ticket_id) if self._ticket_url else None
            notification = notification_for_event(event, tickets.get(ticket_id, {}), ticket_url=url)
            if notification is not None:
                messages.extend(route(notification, policy.notifications, calendars, now))
        return messages

    def _calendars_of(self, policy: Policy) -> Mapping[str, OpeningHours]:
        if self._calendars is None or self._calendars[0] != policy.fingerprint:
            self._calendars = (policy.fingerprint, build_calendars(policy.calendars))
        return self._calendars[1]


def enqueue_notification(
    outbox: Outbox,
    notification: Notification,
    policy: Policy,
    now: datetime,
) -> int:
    """Route one notification (e.g. an acknowledgement or a resolution) and enqueue its messages."""
    calendars = build_calendars(policy.calendars)
    return outbox.enqueue(route(notification, policy.notifications, calendars, now))
