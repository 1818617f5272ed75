"""The outcome of sending a message, the delivery log, and the retry schedule.

Every channel adapter reduces a send to a `SendResult` with one of three outcomes, so retry rules
live in one place: `delivered`, `retry` (network error, timeout, 429, 5xx) or `rejected` (a
permanent 4xx or a documented permanent error body; retrying cannot help).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from escalon.domain.notify.message import OutboxMessage

Outcome = Literal["delivered", "retry", "rejected"]
MessageStatus = Literal["pending", "claimed", "delivered", "rejected", "dead"]
SETTLED: frozenset[str] = frozenset({"delivered", "rejected", "dead"})


class SendResult(BaseModel):
    """What one send attempt achieved; `retry_after` is the receiver's own back-off request."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    outcome: Outcome
    status_code: int | None = None
    error: str | None = None
    retry_after: timedelta | None = None
    throttled: bool = Field(
        default=False, description="The receiver is rate limiting (429): pause the whole channel."
    )


class DeliveryAttempt(BaseModel):
    """One line of a message's delivery log."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    at: AwareDatetime
    number: int = Field(ge=1)
    outcome: Outcome
    status_code: int | None = None
    error: str | None = None
    duration_ms: float = Field(default=0.0, ge=0)


class RetrySchedule(BaseModel):
    """Exponential back-off with jitter: attempt n waits base*2^(n-1), capped, half of it random."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base: timedelta = timedelta(seconds=5)
    cap: timedelta = timedelta(minutes=10)
    max_attempts: int = Field(default=12, ge=1)

    def delay(self, attempt: int, jitter: float) -> timedelta:
        """The wait after failed attempt `attempt` (1-based); `jitter` is a draw from [0, 1).

        Half the delay is fixed and half random ("equal jitter"), so a channel coming back after
        an outage is not hit by every message at once, yet no retry comes sooner than half the
        nominal delay.
        """
        if not 0.0 <= jitter < 1.0:
            raise ValueError("jitter must be in [0, 1)")
        nominal = min(self.cap, self.base * (1 << min(attempt - 1, 30)))
        return nominal / 2 + nominal / 2 * jitter

    def next_attempt_at(
        self, result: SendResult, attempt: int, now: datetime, jitter: float
    ) -> datetime | None:
        """When to try again after a failed attempt; None means give up (dead letter)."""
        if result.outcome != "retry" or attempt >= self.max_attempts:
            return None
        wait = self.delay(attempt, jitter)
        if result.retry_after is not None:
            wait = result.retry_after
        return now + wait


class OutboxEntry(BaseModel):
    """A message as the outbox holds it: its status, schedule, lease and delivery log."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    message: OutboxMessage
    seq: int = Field(ge=0, description="Insertion order; ties in `not_before` go oldest first.")
    status: MessageStatus = "pending"
    due_at: AwareDatetime
    lease_until: AwareDatetime | None = None
    log: tuple[DeliveryAttempt, ...] = ()

    @property
    def key(self) -> str:
        return self.message.key

    @property
    def attempts(self) -> int:
        return len(self.log)

    @property
    def last_error(self) -> str | None:
        return self.log[-1].error if self.log else None
