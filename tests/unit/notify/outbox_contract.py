"""Behaviour every `Outbox` implementation must have; subclass `OutboxContract` with an `outbox`
fixture (see test_notify_outbox_memory.py) to run it against another implementation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from escalon.domain.notify.delivery import DeliveryAttempt
from escalon.domain.notify.message import Notification, OutboxMessage
from escalon.services.outbox import Outbox

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


def message(
    decision: str,
    *,
    channel: str = "slack-l2",
    escalation: str | None = None,
    ticket: str = "T-1",
    at: datetime = T0,
) -> OutboxMessage:
    notification = Notification(
        decision_id=decision,
        kind="escalate",
        ticket_id=ticket,
        summary=f"decision {decision}",
        occurred_at=T0,
        escalation_id=escalation or f"E-{decision}",
    )
    return OutboxMessage.create(notification, channel=channel, target=None, now=T0, not_before=at)


def attempt(outcome: str = "delivered", *, at: datetime = T0, number: int = 1) -> DeliveryAttempt:
    return DeliveryAttempt.model_validate(
        {"at": at, "number": number, "outcome": outcome, "status_code": 200}
    )


class OutboxContract:
    def test_enqueue_is_idempotent(self, outbox: Outbox) -> None:
        assert outbox.enqueue([message("a"), message("b")]) == 2
        assert outbox.enqueue([message("a")]) == 0
        assert len(outbox.entries()) == 2

    def test_claim_takes_due_messages_oldest_first(self, outbox: Outbox) -> None:
        later = message("late", at=T0 + timedelta(hours=1))
        outbox.enqueue([later, message("a"), message("b"), message("x", channel="teams")])
        claimed = outbox.claim("slack-l2", now=T0, limit=10, lease=LEASE)
        assert [e.message.notification.decision_id for e in claimed] == ["a", "b"]
        assert all(e.status == "claimed" and e.lease_until == T0 + LEASE for e in claimed)

    def test_claimed_messages_are_not_claimed_twice_until_the_lease_expires(
        self, outbox: Outbox
    ) -> None:
        outbox.enqueue([message("a")])
        assert len(outbox.claim("slack-l2", now=T0, limit=10, lease=LEASE)) == 1
        assert outbox.claim("slack-l2", now=T0 + LEASE / 2, limit=10, lease=LEASE) == []
        again = outbox.claim("slack-l2", now=T0 + LEASE, limit=10, lease=LEASE)
        assert [e.message.notification.decision_id for e in again] == ["a"]

    def test_a_group_goes_out_in_order(self, outbox: Outbox) -> None:
        first, second = message("trigger", escalation="E1"), message("resolve", escalation="E1")
        outbox.enqueue([first, second, message("other")])
        claimed = outbox.claim("slack-l2", now=T0, limit=10, lease=LEASE)
        assert [e.message.notification.decision_id for e in claimed] == ["trigger", "other"]
        outbox.reschedule(first.key, at=T0 + timedelta(minutes=1), attempt=attempt("retry"))
        assert outbox.claim("slack-l2", now=T0, limit=10, lease=LEASE) == []
        outbox.claim("slack-l2", now=T0 + timedelta(minutes=1), limit=10, lease=LEASE)
        outbox.mark_delivered(first.key, attempt(number=2))
        claimed = outbox.claim("slack-l2", now=T0 + timedelta(minutes=1), limit=10, lease=LEASE)
        assert [e.message.notification.decision_id for e in claimed] == ["resolve"]

    def test_outcomes_are_logged_and_final(self, outbox: Outbox) -> None:
        a, b, c = message("a"), message("b"), message("c")
        outbox.enqueue([a, b, c])
        outbox.claim("slack-l2", now=T0, limit=10, lease=LEASE)
        outbox.reschedule(a.key, at=T0 + timedelta(seconds=5), attempt=attempt("retry"))
        outbox.mark_failed(b.key, attempt("rejected"))
        outbox.dead_letter(c.key, attempt("retry"))
        entry_a = outbox.get(a.key)
        assert entry_a is not None and entry_a.status == "pending" and entry_a.attempts == 1
        assert entry_a.due_at == T0 + timedelta(seconds=5)
        assert [e.status for e in outbox.entries(statuses=["rejected", "dead"])] == [
            "rejected",
            "dead",
        ]
        outbox.mark_delivered(b.key, attempt())
        entry_b = outbox.get(b.key)
        assert entry_b is not None and entry_b.status == "rejected" and entry_b.attempts == 1

    def test_release_without_attempt_keeps_the_log_empty(self, outbox: Outbox) -> None:
        a = message("a")
        outbox.enqueue([a])
        outbox.claim("slack-l2", now=T0, limit=1, lease=LEASE)
        outbox.reschedule(a.key, at=T0 + timedelta(seconds=2), attempt=None)
        entry = outbox.get(a.key)
        assert entry is not None and entry.status == "pending" and entry.attempts == 0
        assert outbox.next_due("slack-l2") == T0 + timedelta(seconds=2)

    def test_requeue_a_dead_letter(self, outbox: Outbox) -> None:
        a = message("a")
        outbox.enqueue([a])
        assert not outbox.requeue(a.key, now=T0)
        outbox.claim("slack-l2", now=T0, limit=1, lease=LEASE)
        outbox.dead_letter(a.key, attempt("retry"))
        later = T0 + timedelta(hours=1)
        assert outbox.requeue(a.key, now=later)
        claimed = outbox.claim("slack-l2", now=later, limit=1, lease=LEASE)
        assert [e.key for e in claimed] == [a.key] and claimed[0].attempts == 1

    def test_entries_by_ticket(self, outbox: Outbox) -> None:
        outbox.enqueue([message("a", ticket="T-1"), message("b", ticket="T-2")])
        assert [e.message.notification.ticket_id for e in outbox.entries(ticket_id="T-2")] == [
            "T-2"
        ]
        assert outbox.next_due("nowhere") is None
