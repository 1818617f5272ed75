"""Running the engine over a batch of events and staging every write in the open unit of work.

Both live ingestion and the worker's ticks go through here, so a decision is stored, projected
and queued for delivery the same way whoever caused it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from escalon.domain.events import Event, TicketCreatedEvent
from escalon.services.engine_port import (
    SHARED,
    BatchOut,
    ClockOut,
    DecisionOut,
    EngineRefusal,
    EscalationOut,
    TicketEngine,
)
from escalon.services.errors import InvalidEvent, ServiceError, SharedStateMoved, UnknownTicket
from escalon.services.ports import IngestUnitOfWork, Notifier, Row
from escalon.services.ticket_summary import created_summary, fold_summary

log = logging.getLogger(__name__)


ENGINE_OWNED = ("tier", "status", "priority")

_T = TypeVar("_T")


@dataclass(frozen=True)
class Applied:
    decisions: int
    wakeup_moved_earlier: bool
    tickets: Mapping[str, Row]
    refused: Sequence[tuple[int, ServiceError]] = ()
    """With `skip_refused`: the items refused (by index), applied as if never sent."""


class _Source:
    """Stored state for the engine: the batch's tickets up front, any other ticket on demand."""

    def __init__(
        self, uow: IngestUnitOfWork, rows: dict[str, dict[str, Any]], created: set[str]
    ) -> None:
        self.uow = uow
        self.rows = rows
        self.created = created
        self.extra: dict[str, dict[str, Any]] = {}
        self._shared: Mapping[str, Any] | None = None
        self._shared_read = False
        self.failure: Exception | None = None
        """A storage error raised while the engine read through this source: the storage's
        problem (a lost connection, a deadlock), not an engine refusal."""

    def _read(self, read: Callable[[], _T]) -> _T:
        """Run a storage read for the engine, remembering a failure as the storage's."""
        try:
            return read()
        except Exception as error:
            self.failure = error
            raise

    def ticket(self, ticket_id: str) -> Mapping[str, Any] | None:
        return self._read(lambda: self._ticket(ticket_id))

    def _ticket(self, ticket_id: str) -> Mapping[str, Any] | None:
        row = self.rows.get(ticket_id) or self.extra.get(ticket_id)
        if row is None and ticket_id not in self.rows and ticket_id not in self.created:
            found = self.uow.tickets.get_many([ticket_id], lock=True).get(ticket_id)
            if found is None:
                return None
            row = self.extra[ticket_id] = dict(found)
        if row is None or not row["state"]:
            return None
        state: Mapping[str, Any] = row["state"]
        return state

    def shared(self) -> Mapping[str, Any] | None:
        """Read without a lock: the write checks the version read (see SharedDocument)."""
        if not self._shared_read:
            self._shared = self._read(lambda: self.uow.shared.get(lock=False))
            self._shared_read = True
        return self._shared

    def entries(self, kind: str, keys: Sequence[str]) -> Mapping[str, Mapping[str, Any]]:
        """Read without a lock, like the shared document (see EngineIndex)."""
        return self._read(lambda: self.uow.index.get_many(kind, keys))


def apply_events(
    uow: IngestUnitOfWork,
    engine: TicketEngine,
    policy: Any,
    items: Sequence[tuple[str, Event]],
    *,
    now: datetime,
    late_after_seconds: float,
    notifier: Notifier | None = None,
    skip_refused: bool = False,
) -> Applied:
    """Apply (field path, event) pairs; stage tickets, views, decisions and outbox messages.

    Raises InvalidEvent or UnknownTicket naming the field; the caller's transaction then rolls
    back, so nothing of the request is half-stored. With `skip_refused` (an import told to
    skip invalid rows) a refused event is reported in `Applied.refused` instead, and the others
    apply as if it had never been sent, as in replay.
    """
    if not items:
        return Applied(0, False, {})
    ids = sorted({e.ticket for _, e in items if e.ticket != SHARED})
    stored = uow.tickets.get_many(ids, lock=True)
    rows = {tid: dict(row) for tid, row in stored.items()}
    refused: list[tuple[int, ServiceError]] = []
    kept: list[int] = []
    known = set(rows)
    for i, (path, event) in enumerate(items):
        try:
            _check(known, path, event)
        except ServiceError as error:
            if not skip_refused:
                raise
            refused.append((i, error))
            continue
        kept.append(i)
    source = _Source(uow, rows, known - set(rows))
    try:
        out = engine.apply(source, [items[i] for i in kept], policy, skip_refused=skip_refused)
    except Exception as error:
        if source.failure is not None:
            raise source.failure from None
        if isinstance(error, EngineRefusal):
            raise InvalidEvent(str(error), field=error.field) from error
        raise
    by_engine = {kept[j] for j, _ in out.refused}
    refused += [(kept[j], InvalidEvent(str(r), field=r.field)) for j, r in out.refused]
    for i in kept:
        if i not in by_engine:
            _fold(rows, items[i][1], policy)
    moved = _stage_tickets(uow, out, rows, source.extra, stored, items)
    if out.shared is not None:
        if not uow.shared.save(out.shared, out.shared_wakeup):
            raise SharedStateMoved("the engine's cross-ticket document changed meanwhile")
        moved = moved or out.shared_wakeup is not None
    if out.entries and not uow.index.save(out.entries):
        raise SharedStateMoved("one of the engine's cross-ticket entries changed meanwhile")
    all_rows = {**source.extra, **rows}
    fresh = _stage_decisions(
        uow, out.decisions, all_rows, policy, notifier, now, late_after_seconds
    )
    return Applied(
        decisions=fresh, wakeup_moved_earlier=moved, tickets=all_rows, refused=sorted(refused)
    )


def _check(known: set[str], path: str, event: Event) -> None:
    """Refuse what cannot apply to the tickets known so far (stored, or created before it)."""
    if event.ticket == SHARED:
        return
    if isinstance(event, TicketCreatedEvent):
        if event.ticket in known:
            raise InvalidEvent(f"ticket {event.ticket!r} already exists", field=f"{path}ticket")
        known.add(event.ticket)
    elif event.ticket not in known:
        raise UnknownTicket(
            f"ticket {event.ticket!r} does not exist; send ticket.created first",
            field=f"{path}ticket",
        )


def _fold(rows: dict[str, dict[str, Any]], event: Event, policy: Any) -> None:
    """Keep the searchable summary columns of an applied event's ticket."""
    if event.ticket == SHARED:
        return
    current = rows.get(event.ticket)
    if isinstance(event, TicketCreatedEvent) or current is None:
        assert isinstance(event, TicketCreatedEvent), "checked: the ticket exists"
        rows[event.ticket] = current = _new_row(event, policy)
    else:
        current.update(fold_summary(current, event))
        current["updated_at"] = max(current["updated_at"], event.at)
    if event.type != "tick":
        current["events"] += 1


def _new_row(event: TicketCreatedEvent, policy: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"id": event.ticket, "state": {}, "next_wakeup": None}
    row.update(created_summary(event))
    row.update(updated_at=event.at, policy_version=str(policy.version), events=0)
    return row


def _stage_tickets(
    uow: IngestUnitOfWork,
    out: BatchOut,
    rows: dict[str, dict[str, Any]],
    extra: dict[str, dict[str, Any]],
    stored: Mapping[str, Row],
    items: Sequence[tuple[str, Event]],
) -> bool:
    ticks = {e.ticket: e.at for _, e in items if e.type == "tick"}
    changed: dict[str, dict[str, Any]] = {}
    for tid in rows:
        if tid not in out.tickets and rows[tid] != stored.get(tid):
            changed[tid] = rows[tid]  # summary moved though the engine state did not
    moved = False
    for tid, ticket in out.tickets.items():
        row = rows.get(tid) or extra.get(tid)
        if row is None:
            continue  # the engine reported a ticket escalon never stored; nothing to attach to
        before = row["next_wakeup"]
        row["state"] = dict(ticket.state)
        for column in ENGINE_OWNED:  # the engine moves tiers and status on its own decisions
            if isinstance(ticket.state.get(column), str):
                row[column] = ticket.state[column]
        row["next_wakeup"] = _guard(tid, ticket.next_wakeup, ticks.get(tid))
        after = row["next_wakeup"]
        if after is not None and (before is None or after < before):
            moved = True
        changed[tid] = row
    existing = set(stored) | set(extra)
    uow.tickets.save(list(changed.values()), existing=existing)
    uow.projections.replace_clocks(
        [tid for tid in out.tickets if tid in existing],
        [_clock_row(t, c) for t, o in out.tickets.items() for c in o.clocks],
    )
    escalations = {
        e.id: _escalation_row(t, e) for t, o in out.tickets.items() for e in o.escalations
    }
    uow.projections.upsert_escalations(list(escalations.values()))
    return moved


def _guard(ticket: str, wakeup: datetime | None, tick: datetime | None) -> datetime | None:
    """A tick fires everything due up to its instant, so a wake-up not after it would spin."""
    if tick is not None and wakeup is not None and wakeup <= tick:
        log.warning("engine wake-up %s for %s is not after tick %s", wakeup, ticket, tick)
        return None
    return wakeup


def _clock_row(ticket: str, clock: ClockOut) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "name": clock.name,
        "status": clock.status,
        "due_at": clock.due_at,
        "breached": clock.breached,
        "detail": dict(clock.detail),
    }


def _escalation_row(ticket: str, esc: EscalationOut) -> dict[str, Any]:
    return {
        "id": esc.id,
        "ticket": ticket,
        "kind": esc.kind,
        "to_level": esc.to_level,
        "reason": esc.reason,
        "status": esc.status,
        "opened_at": esc.opened_at,
        "breach_at": esc.breach_at,
        "closed_at": esc.closed_at,
        "detail": dict(esc.detail),
    }


def _stage_decisions(
    uow: IngestUnitOfWork,
    decisions: Sequence[DecisionOut],
    ticket_rows: Mapping[str, Row],
    policy: Any,
    notifier: Notifier | None,
    now: datetime,
    late_after_seconds: float,
) -> int:
    rows: list[dict[str, Any]] = [
        {
            "id": d.id,
            "ticket": d.ticket,
            "kind": d.kind,
            "due_at": d.due_at,
            "fired_at": now,
            "late": (now - d.due_at).total_seconds() > late_after_seconds,
            "reason": d.reason,
            "policy_version": d.policy_version,
            "body": dict(d.body),
        }
        for d in {d.id: d for d in decisions}.values()
    ]
    fresh = set(uow.decisions.add_new(rows))
    if notifier is not None and fresh:
        new_rows = [row for row in rows if row["id"] in fresh]
        uow.outbox.enqueue(notifier(new_rows, ticket_rows, policy, now))
    return len(fresh)
