"""Firing what came due: the worker's use case, one claimed batch of tickets per transaction.

A ticket's state, projections, decisions and outbox rows commit together, and decisions are
unique on their deterministic id, so a worker killed mid-batch and restarted fires each decision
exactly once; a decision fired after its due instant is stored as late with its due time.

One ticket the engine cannot tick must not stop the worker: when a batch fails in the engine,
its tickets are ticked one by one in the same transaction, and each that fails is logged,
recorded in the audit log, and parked until `FAILED_RETRY` later (so it neither blocks the
others nor spins), then fired again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from escalon.domain.events import Event, TickEvent
from escalon.services.access import SYSTEM
from escalon.services.applying import apply_events
from escalon.services.engine_port import SHARED, BatchOut, StateSource, TicketEngine
from escalon.services.errors import InvalidEvent, SharedStateMoved
from escalon.services.policies import PolicyBook
from escalon.services.ports import Notifier, UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

FAILED_RETRY = timedelta(minutes=15)
"""How long a ticket whose tick failed in the engine waits before the worker tries again."""

RETRIES = 3
"""Attempts at a batch that lost the race for the shared document to another writer."""


@dataclass(frozen=True)
class Fired:
    tickets: int
    decisions: int
    failed: int = 0


class EngineFailure(Exception):
    """The engine raised while ticking; carries the original error."""


class _Guarded:
    """The engine with every exception it raises turned into EngineFailure.

    Storage errors then keep their own types (and stop the batch), while anything the engine
    itself raised is the one ticket's problem.
    """

    def __init__(self, inner: TicketEngine) -> None:
        self.inner = inner

    def apply(
        self,
        source: StateSource,
        items: Sequence[tuple[str, Event]],
        policy: Any,
        *,
        skip_refused: bool = False,
    ) -> BatchOut:
        try:
            return self.inner.apply(source, items, policy, skip_refused=skip_refused)
        except Exception as error:
            if getattr(source, "failure", None) is not None:
                raise  # storage failed under the engine's reads: not the tickets' fault
            raise EngineFailure(f"{type(error).__name__}: {error}") from error


@dataclass(frozen=True)
class Firer:
    uow_factory: UnitOfWorkFactory
    engine: TicketEngine
    policies: PolicyBook
    late_after_seconds: float
    notifier: Notifier | None
    batch_size: int

    def fire_due(self, now: datetime) -> Fired:
        """Claim up to `batch_size` tickets due at `now`, tick them, store everything."""
        attempt = 1
        while True:
            try:
                return self._fire_due(now, locking=attempt > 1)
            except SharedStateMoved:
                if attempt >= RETRIES:
                    raise
                attempt += 1

    def _fire_due(self, now: datetime, *, locking: bool) -> Fired:
        with self.uow_factory() as uow:
            if locking:  # lost a race for a cross-ticket entry: wait for its writer this time
                uow.index.lock_reads()
            due = uow.tickets.claim_due(now, self.batch_size)
            shared = uow.shared.due(now)
            if not due and not shared:
                return Fired(0, 0)
            policy = self.policies.active(uow)
            ids = [*due, SHARED] if shared else list(due)
            try:
                decisions = self._tick(uow, policy, ids, now)
                failed = 0
            except (EngineFailure, InvalidEvent):
                decisions, failed = self._tick_one_by_one(uow, policy, ids, now)
            uow.commit()
        return Fired(len(due), decisions, failed)

    def _tick(self, uow: UnitOfWork, policy: Any, ids: Sequence[str], now: datetime) -> int:
        applied = apply_events(
            uow,
            _Guarded(self.engine),
            policy,
            [("/", _tick(ticket, now)) for ticket in ids],
            now=now,
            late_after_seconds=self.late_after_seconds,
            notifier=self.notifier,
        )
        return applied.decisions

    def _tick_one_by_one(
        self,
        uow: UnitOfWork,
        policy: Any,
        ids: Sequence[str],
        now: datetime,
    ) -> tuple[int, int]:
        """Tick each ticket alone; park and record the ones the engine fails on.

        A failed engine call stages nothing (writes follow a successful apply), so the
        tickets that do tick commit with the batch.
        """
        decisions = failed = 0
        for ticket in ids:
            try:
                decisions += self._tick(uow, policy, [ticket], now)
            except (EngineFailure, InvalidEvent) as error:
                failed += 1
                log.exception("the engine failed to tick %s; retrying after %s", ticket, error)
                _park(uow, ticket, now + FAILED_RETRY)
                detail = {"error": str(error), "retry_at": (now + FAILED_RETRY).isoformat()}
                uow.audit.record(SYSTEM.audit("worker.tick_failed", ticket, detail, now))
        return decisions, failed

    def earliest_wakeup(self) -> datetime | None:
        with self.uow_factory(read_only=True) as uow:
            times = [uow.tickets.earliest_wakeup(), uow.shared.next_wakeup()]
        return min((t for t in times if t is not None), default=None)


def _park(uow: UnitOfWork, ticket: str, until: datetime) -> None:
    """Move a failing ticket's (or the shared document's) wake-up to `until`."""
    if ticket != SHARED:
        row = uow.tickets.get_many([ticket], lock=True)[ticket]
        uow.tickets.save([{**row, "next_wakeup": until}], existing={ticket})
        return
    body = uow.shared.get(lock=False)
    if body is not None and not uow.shared.save(body, until):
        raise SharedStateMoved("the engine's cross-ticket document changed meanwhile")


def _tick(ticket: str, now: datetime) -> TickEvent:
    return TickEvent(type="tick", id=f"tick:{ticket}:{now.isoformat()}", at=now, ticket=ticket)
