from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from tests.unit.notify.conftest import T0, FakeClock

from escalon.adapters.notify.channels import build_senders
from escalon.domain.notify.delivery import RetrySchedule, SendResult
from escalon.domain.notify.message import Notification, OutboxMessage
from escalon.domain.policy.notifications import NotificationsPolicy
from escalon.services.dispatch import Dispatcher, Lane, LaneSettings, lane_settings
from escalon.services.outbox import InMemoryOutbox

SCHEDULE = RetrySchedule(base=timedelta(seconds=4), cap=timedelta(minutes=1), max_attempts=3)


def notification(decision: str, **fields: Any) -> Notification:
    base: dict[str, Any] = {
        "decision_id": decision,
        "kind": "escalate",
        "ticket_id": "T-1",
        "summary": f"decision {decision}",
        "occurred_at": T0,
        "escalation_id": f"E-{decision}",
        "priority": "P2",
    }
    return Notification.model_validate(base | fields)


def queue(outbox: InMemoryOutbox, channel: str, *decisions: str, **fields: Any) -> list[str]:
    messages = [
        OutboxMessage.create(notification(d, **fields), channel=channel, target=None, now=T0)
        for d in decisions
    ]
    outbox.enqueue(messages)
    return [m.key for m in messages]


class ScriptedSender:
    """Answers from a script (then success), noting the clock at each send."""

    def __init__(self, clock: FakeClock, *script: SendResult) -> None:
        self.clock = clock
        self.script = list(script)
        self.sent: list[tuple[float, str]] = []

    def send(self, message: OutboxMessage) -> SendResult:
        self.sent.append(((self.clock() - T0).total_seconds(), message.notification.decision_id))
        if self.script:
            return self.script.pop(0)
        return SendResult(outcome="delivered", status_code=200)


def lane(sender: ScriptedSender, outbox: InMemoryOutbox, **settings: Any) -> Lane:
    return Lane(
        "ch",
        sender,
        outbox,
        schedule=SCHEDULE,
        clock=sender.clock,
        jitter=random.Random(7).random,
        settings=LaneSettings(**settings),
    )


def test_slack_429_retry_after_delays_that_webhook_by_two_seconds_and_nothing_else(
    clock: FakeClock,
) -> None:
    sent: list[tuple[float, str]] = []
    throttled_once: list[bool] = []

    def service(request: httpx.Request) -> httpx.Response:
        sent.append(((clock() - T0).total_seconds(), request.url.path))
        if request.url.path == "/a" and not throttled_once:
            throttled_once.append(True)
            return httpx.Response(429, headers={"Retry-After": "2"}, text="rate_limited")
        if request.url.path == "/teams":
            return httpx.Response(202)
        return httpx.Response(200, text="ok")

    policy = NotificationsPolicy.model_validate(
        {
            "channels": {
                "slack-a": {"type": "slack", "url": "https://hooks.test/a"},
                "slack-b": {"type": "slack", "url": "https://hooks.test/b"},
                "teams": {"type": "teams", "url": "https://hooks.test/teams"},
            }
        }
    )
    senders = build_senders(policy, clock=clock, env={}, transport=httpx.MockTransport(service))
    outbox = InMemoryOutbox()
    for channel in policy.channels:
        queue(outbox, channel, f"{channel}-1", f"{channel}-2")
    dispatcher = Dispatcher(
        outbox,
        senders,
        schedule=SCHEDULE,
        clock=clock,
        jitter=random.Random(1).random,
        settings=lane_settings(policy),
    )
    for second in range(5):
        clock.now = T0 + timedelta(seconds=second)
        dispatcher.drain()

    def times(path: str) -> list[float]:
        return [t for t, p in sent if p == path]

    assert times("/a") == [0, 2, 3]  # 429 at 0; retried at 2 as asked; next message 1 s later
    assert times("/b") == [0, 1]  # the other webhook keeps its 1 message/s pace
    assert times("/teams") == [0, 0]  # other channels never wait
    assert all(e.status == "delivered" for e in outbox.entries())
    (first_a,) = [e for e in outbox.entries() if e.message.notification.decision_id == "slack-a-1"]
    assert [(a.status_code, a.outcome) for a in first_a.log] == [(429, "retry"), (200, "delivered")]


def test_server_errors_back_off_with_jitter_and_log_each_attempt(clock: FakeClock) -> None:
    outbox = InMemoryOutbox()
    (key,) = queue(outbox, "ch", "d1")
    failure = SendResult(outcome="retry", status_code=503, error="HTTP 503")
    sender = ScriptedSender(clock, failure, failure)
    ch = lane(sender, outbox)
    jitter = random.Random(7)
    first = SCHEDULE.delay(1, jitter.random())
    second = SCHEDULE.delay(2, jitter.random())
    assert ch.step() is not None
    assert ch.step() == T0 + first
    clock.now = T0 + first
    ch.step()
    clock.now = T0 + first + second
    ch.step()
    entry = outbox.get(key)
    assert entry is not None and entry.status == "delivered"
    assert [a.status_code for a in entry.log] == [503, 503, 200]
    assert [a.at for a in entry.log] == [T0, T0 + first, T0 + first + second]
    assert [t for t, _ in sender.sent] == [
        0,
        first.total_seconds(),
        (first + second).total_seconds(),
    ]


def test_permanent_rejection_is_not_retried(clock: FakeClock) -> None:
    outbox = InMemoryOutbox()
    (key,) = queue(outbox, "ch", "d1")
    sender = ScriptedSender(clock, SendResult(outcome="rejected", status_code=400, error="bad"))
    ch = lane(sender, outbox)
    ch.step()
    clock.advance(3600)
    assert ch.step() is None
    entry = outbox.get(key)
    assert entry is not None and entry.status == "rejected" and entry.last_error == "bad"
    assert len(sender.sent) == 1


def test_dead_letter_after_the_last_attempt_keeps_the_last_error(clock: FakeClock) -> None:
    outbox = InMemoryOutbox()
    (key,) = queue(outbox, "ch", "d1")
    errors = [SendResult(outcome="retry", error=f"timeout {n}") for n in range(1, 5)]
    sender = ScriptedSender(clock, *errors)
    ch = lane(sender, outbox)
    for _ in range(6):
        ch.step()
        clock.advance(120)
    entry = outbox.get(key)
    assert entry is not None and entry.status == "dead"
    assert entry.attempts == SCHEDULE.max_attempts and entry.last_error == "timeout 3"
    assert ch.step() is None


def test_an_adapter_crash_is_recorded_and_retried(clock: FakeClock) -> None:
    outbox = InMemoryOutbox()
    (key,) = queue(outbox, "ch", "d1")

    class Broken:
        def send(self, message: OutboxMessage) -> SendResult:
            raise RuntimeError("boom")

    Lane("ch", Broken(), outbox, schedule=SCHEDULE, clock=clock, jitter=lambda: 0.0).step()
    entry = outbox.get(key)
    assert entry is not None and entry.status == "pending"
    assert entry.last_error == "RuntimeError: boom"


def test_messages_of_one_incident_keep_their_order_through_retries(clock: FakeClock) -> None:
    outbox = InMemoryOutbox()
    queue(outbox, "ch", "trigger", escalation_id="E1")
    queue(outbox, "ch", "resolve", escalation_id="E1", kind="resolved")
    sender = ScriptedSender(clock, SendResult(outcome="retry", status_code=500))
    ch = lane(sender, outbox)
    for _ in range(4):
        ch.step()
        clock.advance(10)
    assert [d for _, d in sender.sent] == ["trigger", "trigger", "resolve"]


def test_a_crashed_worker_s_claim_comes_back_after_its_lease(clock: FakeClock) -> None:
    outbox = InMemoryOutbox()
    (key,) = queue(outbox, "ch", "d1")
    outbox.claim("ch", now=T0, limit=10, lease=timedelta(seconds=30))  # worker dies here
    sender = ScriptedSender(clock)
    ch = lane(sender, outbox)
    assert ch.step() == T0 + timedelta(seconds=30)
    clock.advance(30)
    ch.step()
    entry = outbox.get(key)
    assert entry is not None and entry.status == "delivered" and len(sender.sent) == 1


def test_rate_limit_spaces_sends(clock: FakeClock) -> None:
    outbox = InMemoryOutbox()
    queue(outbox, "ch", "a", "b", "c")
    sender = ScriptedSender(clock)
    ch = lane(sender, outbox, rate_per_second=2.0)
    for _ in range(6):
        wake = ch.step()
        if wake is not None:
            clock.now = max(clock.now, wake)
    assert [t for t, _ in sender.sent] == [0, 0.5, 1.0]


def test_counters_by_channel_and_result(clock: FakeClock) -> None:
    outbox = InMemoryOutbox()
    queue(outbox, "ok", "a", "b")
    queue(outbox, "bad", "c")
    senders: dict[str, Callable[..., Any] | Any] = {
        "ok": ScriptedSender(clock),
        "bad": ScriptedSender(clock, SendResult(outcome="rejected", status_code=404)),
    }
    dispatcher = Dispatcher(
        outbox, senders, schedule=SCHEDULE, clock=clock, jitter=random.Random(0).random
    )
    dispatcher.drain()
    assert dispatcher.counters.snapshot() == {("ok", "delivered"): 2, ("bad", "rejected"): 1}


def test_concurrent_sends_keep_each_incident_in_order(clock: FakeClock) -> None:
    outbox = InMemoryOutbox()
    queue(outbox, "ch", "a", "b", "c", "d")
    queue(outbox, "ch", "d-resolve", escalation_id="E-d", kind="resolved")
    barrier = threading.Barrier(4, timeout=5)
    sent: list[str] = []

    class Parallel:
        def send(self, message: OutboxMessage) -> SendResult:
            if message.notification.kind == "escalate":
                barrier.wait()  # breaks, and the send fails, unless four are in flight at once
            sent.append(message.notification.decision_id)
            return SendResult(outcome="delivered", status_code=200)

    lane = Lane(
        "ch",
        Parallel(),
        outbox,
        schedule=SCHEDULE,
        clock=clock,
        jitter=lambda: 0.0,
        settings=LaneSettings(concurrency=4),
    )
    try:
        lane.step()
        lane.step()
    finally:
        lane.close()
    assert sorted(sent[:4]) == ["a", "b", "c", "d"] and sent[4] == "d-resolve"
    assert {e.status for e in outbox.entries()} == {"delivered"}


def test_deliver_due_waits_out_rate_limits_but_not_later_retries(clock: FakeClock) -> None:
    outbox = InMemoryOutbox()
    queue(outbox, "slow", "a", "b", "c")
    (failing,) = queue(outbox, "flaky", "x")
    slow = ScriptedSender(clock)
    flaky = ScriptedSender(clock, SendResult(outcome="retry", status_code=503))
    dispatcher = Dispatcher(
        outbox,
        {"slow": slow, "flaky": flaky},
        schedule=SCHEDULE,
        clock=clock,
        jitter=lambda: 0.99,  # the retry falls due at 3.98 s, after the slow lane is done
        settings={"slow": LaneSettings(rate_per_second=1.0)},
    )
    dispatcher.deliver_due(clock.advance)
    assert [t for t, _ in slow.sent] == [0, 1, 2]
    assert len(flaky.sent) == 1
    entry = outbox.get(failing)
    assert entry is not None and entry.status == "pending" and entry.due_at > clock()
