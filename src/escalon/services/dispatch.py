"""The dispatcher: drains the outbox into the channels, at least once, without letting one channel
hold up another.

Each channel has a `Lane` with its own thread, rate limit and pause. A lane claims due messages
(with a lease, so a crashed worker's messages come back), sends them, and records every attempt in
the delivery log: delivered; rejected (permanent error, no retry); retried later with exponential
back-off and jitter; or dead-lettered with its last error once the attempts are used up. A 429
pauses only the lane that received it, for as long as the receiver asked.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from escalon.domain.notify.delivery import DeliveryAttempt, OutboxEntry, RetrySchedule, SendResult
from escalon.domain.notify.message import OutboxMessage
from escalon.domain.policy.notifications import NotificationsPolicy, channel_rate
from escalon.services.outbox import Outbox

Clock = Callable[[], datetime]
DEFAULT_BATCH = 50
DEFAULT_CONCURRENCY = 4
Jitter = Callable[[], float]
"""A source of draws from [0, 1), e.g. `random.Random(seed).random`."""


class Sender(Protocol):
    """Delivers one message to one channel (see `escalon.adapters.notify`)."""

    def send(self, message: OutboxMessage) -> SendResult: ...


@dataclass(frozen=True, slots=True)
class LaneSettings:
    """How one channel is drained: `rate_per_second=None` means no rate limit."""

    rate_per_second: float | None = None
    batch: int = DEFAULT_BATCH
    lease: timedelta = timedelta(minutes=5)
    concurrency: int = 1
    """Sends in flight at once on this channel (without a rate limit only). A claimed batch holds
    at most one message per incident, so parallel sends never reorder an incident's messages."""


def lane_settings(policy: NotificationsPolicy) -> dict[str, LaneSettings]:
    """Each channel's lane: its rate limit, and a lease longer than a batch of timeouts."""
    settings = {}
    for name, spec in policy.channels.items():
        rate = channel_rate(spec)
        batch = 1 if rate else DEFAULT_BATCH
        lease = max(timedelta(minutes=5), spec.timeout.as_timedelta * batch * 2)
        concurrency = 1 if rate else DEFAULT_CONCURRENCY
        settings[name] = LaneSettings(
            rate_per_second=rate, batch=batch, lease=lease, concurrency=concurrency
        )
    return settings


def retry_schedule(policy: NotificationsPolicy) -> RetrySchedule:
    """The back-off of the policy: 5 s doubling to 10 min, `max_attempts` tries in all."""
    return RetrySchedule(max_attempts=policy.max_attempts)


@dataclass
class DeliveryCounters:
    """Totals by channel and result, for `/metrics`; thread-safe."""

    _counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, channel: str, result: str) -> None:
        with self._lock:
            self._counts[(channel, result)] += 1

    def snapshot(self) -> dict[tuple[str, str], int]:
        """{(channel, result): count}; results are delivered, retried, rejected and dead."""
        with self._lock:
            return dict(self._counts)


class Lane:
    """One channel's deliveries: claim what is due, send in order, record the outcome."""

    def __init__(
        self,
        channel: str,
        sender: Sender,
        outbox: Outbox,
        *,
        schedule: RetrySchedule,
        clock: Clock,
        jitter: Jitter,
        settings: LaneSettings = LaneSettings(),
        counters: DeliveryCounters | None = None,
    ) -> None:
        self.channel = channel
        self._sender = sender
        self._outbox = outbox
        self._schedule = schedule
        self._clock = clock
        self._jitter = jitter
        self._settings = settings
        self._interval = (
            timedelta(seconds=1 / settings.rate_per_second) if settings.rate_per_second else None
        )
        self._counters = counters or DeliveryCounters()
        self.ready_at: datetime | None = None
        """No send before this instant: the rate limit's next slot or a receiver's Retry-After."""
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        if settings.concurrency > 1 and self._interval is None:
            self._pool = ThreadPoolExecutor(settings.concurrency, thread_name_prefix=channel)

    def close(self) -> None:
        """Stop the lane's sending threads (after the sends in flight)."""
        if self._pool is not None:
            self._pool.shutdown()

    def step(self) -> datetime | None:
        """Deliver what is due now. Returns when to step again: now if there may be more work,
        a later instant, or None when nothing is waiting."""
        now = self._clock()
        if self.ready_at is not None and self.ready_at > now:
            return self.ready_at
        limit = 1 if self._interval else self._settings.batch
        entries = self._outbox.claim(self.channel, now=now, limit=limit, lease=self._settings.lease)
        if self._pool is not None and len(entries) > 1:
            list(self._pool.map(self._deliver, entries))
        else:
            self._deliver_in_order(entries)
        if entries:
            return max(self._clock(), self.ready_at) if self.ready_at else self._clock()
        upcoming = self._outbox.next_due(self.channel)
        if upcoming is None:
            return None
        return max(upcoming, self.ready_at) if self.ready_at else upcoming

    def _deliver_in_order(self, entries: list[OutboxEntry]) -> None:
        for index, entry in enumerate(entries):
            if self.ready_at is not None and self.ready_at > self._clock():
                self._release(entries[index:], self.ready_at)
                return
            self._deliver(entry)

    def _deliver(self, entry: OutboxEntry) -> None:
        started_at = self._clock()
        started = time.perf_counter()
        try:
            result = self._sender.send(entry.message)
        except Exception as exc:  # a bug in one adapter must not kill the lane: log and retry
            result = SendResult(outcome="retry", error=f"{type(exc).__name__}: {exc}"[:300])
        finished_at = self._clock()
        number = entry.attempts + 1
        attempt = DeliveryAttempt(
            at=started_at,
            number=number,
            outcome=result.outcome,
            status_code=result.status_code,
            error=result.error,
            duration_ms=(time.perf_counter() - started) * 1000,
        )
        if self._interval:  # spaced from the answer, so the receiver never sees two too close
            self._hold(finished_at, self._interval)
        self._record(entry, result, attempt, finished_at)

    def _record(
        self, entry: OutboxEntry, result: SendResult, attempt: DeliveryAttempt, now: datetime
    ) -> None:
        if result.outcome == "delivered":
            self._outbox.mark_delivered(entry.key, attempt)
            self._counters.add(self.channel, "delivered")
            return
        if result.outcome == "rejected":
            self._outbox.mark_failed(entry.key, attempt)
            self._counters.add(self.channel, "rejected")
            return
        jitter = self._jitter()
        retry_at = self._schedule.next_attempt_at(result, attempt.number, now, jitter)
        if result.throttled:
            self._hold(now, result.retry_after or self._schedule.delay(attempt.number, jitter))
        if retry_at is None:
            self._outbox.dead_letter(entry.key, attempt)
            self._counters.add(self.channel, "dead")
        else:
            self._outbox.reschedule(entry.key, at=retry_at, attempt=attempt)
            self._counters.add(self.channel, "retried")

    def _hold(self, now: datetime, pause: timedelta) -> None:
        with self._lock:
            self.ready_at = max(self.ready_at or now, now + pause)

    def _release(self, entries: list[OutboxEntry], at: datetime) -> None:
        for entry in entries:
            self._outbox.reschedule(entry.key, at=at, attempt=None)


class Dispatcher:
    """All lanes of a policy's channels; `run` gives each its own thread."""

    def __init__(
        self,
        outbox: Outbox,
        senders: Mapping[str, Sender],
        *,
        schedule: RetrySchedule,
        clock: Clock,
        jitter: Jitter,
        settings: Mapping[str, LaneSettings] | None = None,
        poll_interval: timedelta = timedelta(seconds=1),
    ) -> None:
        self.counters = DeliveryCounters()
        self._outbox = outbox
        self._clock = clock
        self._poll = poll_interval
        self.lanes = {
            name: Lane(
                name,
                sender,
                outbox,
                schedule=schedule,
                clock=clock,
                jitter=jitter,
                settings=(settings or {}).get(name, LaneSettings()),
                counters=self.counters,
            )
            for name, sender in senders.items()
        }
        self._wake = threading.Event()

    def pump(self) -> dict[str, datetime | None]:
        """Step every lane once, one after another (deterministic; for tests and tools)."""
        return {name: lane.step() for name, lane in self.lanes.items()}

    def drain(self, *, max_steps: int = 100_000) -> None:
        """Step until no lane has work due now (messages due later stay queued)."""
        for _ in range(max_steps):
            wakes = self.pump().values()
            now = self._clock()
            if not any(wake is not None and wake <= now for wake in wakes):
                return

    def deliver_due(self, sleep: Callable[[float], None]) -> None:
        """Attempt every message due now, waiting out rate limits and Retry-After pauses but not
        retries scheduled for later (`escalon notify run --once`)."""
        start = self._clock()
        while True:
            before = self.counters.snapshot()
            self.drain()
            now = self._clock()
            waiting = [
                lane
                for lane in self.lanes.values()
                if (due := self._outbox.next_due(lane.channel)) is not None and due <= start
            ]
            wake = min((max(lane.ready_at or now, now) for lane in waiting), default=None)
            if wake is None or (wake <= now and self.counters.snapshot() == before):
                return  # nothing left, or only messages held behind a later retry
            sleep((wake - now).total_seconds())

    def notify(self) -> None:
        """Wake idle lanes early: new messages were enqueued."""
        self._wake.set()

    def run(self, stop: threading.Event) -> None:
        """Run every lane in its own thread until `stop` is set; returns when all have ended."""
        threads = [
            threading.Thread(target=self._run_lane, args=(lane, stop), name=f"lane-{name}")
            for name, lane in self.lanes.items()
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for lane in self.lanes.values():
            lane.close()

    def _run_lane(self, lane: Lane, stop: threading.Event) -> None:
        while not stop.is_set():
            wake = lane.step()
            now = self._clock()
            if wake is not None and wake <= now:
                continue
            wait = self._poll if wake is None else min(self._poll, wake - now)
            if self._wake.wait(wait.total_seconds()):
                self._wake.clear()
