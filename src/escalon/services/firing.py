"""Firing what came due: the worker's use case, one claimed batch of tickets per transaction.

A ticket's state, projections, decisions and outbox rows commit together, and decisions are
unique on their deterministic id, so a worker killed mid-batch and restarted fires each decision
exactly once; a decision fired after its due instant is stored as late with its due time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from escalon.domain.events import TickEvent
from escalon.services.applying import apply_events
from escalon.services.engine_port import SHARED, TicketEngine
from escalon.services.policies import PolicyBook
from escalon.services.ports import Notifier, UnitOfWorkFactory

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fired:
    tickets: int
    decisions: int


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
        with self.uow_factory() as uow:
            due = uow.tickets.claim_due(now, self.batch_size)
            shared = uow.shared.due(now)
            if not due and not shared:
                return Fired(0, 0)
            policy = self.policies.active(uow)
            items = [("/", _tick(str(row["id"]), now)) for row in due]
            if shared:
                items.append(("/", _tick(SHARED, now)))
            applied = apply_events(
                uow,
                self.engine,
                policy,
                items,
                now=now,
                late_after_seconds=self.late_after_seconds,
                notifier=self.notifier,
            )
            uow.commit()
        return Fired(len(due), applied.decisions)

    def earliest_wakeup(self) -> datetime | None:
        with self.uow_factory(read_only=True) as uow:
            times = [uow.tickets.earliest_wakeup(), uow.shared.next_wakeup()]
        return min((t for t in times if t is not None), default=None)


def _tick(ticket: str, now: datetime) -> TickEvent:
    return TickEvent(type="tick", id=f"tick:{ticket}:{now.isoformat()}", at=now, ticket=ticket)
