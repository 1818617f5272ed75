"""Running the engine over tickets and staging every resulting write in the open unit of work.

Both live ingestion and the worker's ticks go through here, so a decision is stored, projected
and queued for delivery the same way whoever caused it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from escalon.domain.events import Event, TicketCreatedEvent
from escalon.services.engine_port import DecisionOut, EngineRefusal, StepOut, TicketEngine
from escalon.services.errors import InvalidEvent, UnknownTicket
from escalon.services.ports import Notifier, Row, UnitOfWork
from escalon.services.ticket_summary import created_summary, fold_summary

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Applied:
    decisions: int
    wakeup_moved_earlier: bool


@dataclass
class _Working:
    row: dict[str, Any]
    result: StepOut | None = None


def apply_events(
    uow: UnitOfWork,
    engine: TicketEngine,
    policy: Any,
    items: Sequence[tuple[str, Event]],
    *,
    now: datetime,
    late_after_seconds: float,
    notifier: Notifier | None = None,
) -> Applied:
    """Step each (field path, event) through its ticket's state; stage tickets, views, decisions.

    Raises InvalidEvent or UnknownTicket naming the field; the caller's transaction then rolls
    back, so nothing of the request is half-stored.
    """
    tickets = {item[1].ticket for item in items}
    stored = uow.tickets.get_many(sorted(tickets), lock=True)
    working = {tid: _Working(dict(row)) for tid, row in stored.items()}
    decisions: list[DecisionOut] = []
    decision_tickets: dict[str, str] = {}
    for path, event in items:
        current = working.get(event.ticket)
        if isinstance(event, TicketCreatedEvent):
            if current is not None:
                raise InvalidEvent(f"ticket {event.ticket!r} already exists", field=f"{path}ticket")
            current = working[event.ticket] = _Working(_new_row(event, policy))
        elif current is None:
            raise UnknownTicket(
                f"ticket {event.ticket!r} does not exist; send ticket.created first",
                field=f"{path}ticket",
            )
        else:
            current.row.update(fold_summary(current.row, event))
        result = _step(engine, current.row["state"] or None, event, policy, path)
        current.result = result
        current.row["state"] = dict(result.state)
        current.row["next_wakeup"] = _next_wakeup(result, event)
        current.row["updated_at"] = max(current.row["updated_at"], event.at)
        current.row["events"] += 0 if event.type == "tick" else 1
        for decision in result.decisions:
            decisions.append(decision)
            decision_tickets[decision.id] = event.ticket
    moved = _stage(uow, working, stored)
    fresh = _stage_decisions(
        uow,
        decisions,
        decision_tickets,
        {tid: w.row for tid, w in working.items()},
        policy,
        notifier,
        now,
        late_after_seconds,
    )
    return Applied(decisions=fresh, wakeup_moved_earlier=moved)


def _step(
    engine: TicketEngine, state: Mapping[str, Any] | None, event: Event, policy: Any, path: str
) -> StepOut:
    try:
        return engine.step(state, event, policy)
    except EngineRefusal as refusal:
        raise InvalidEvent(str(refusal), field=f"{path}{refusal.field}") from refusal


def _next_wakeup(result: StepOut, event: Event) -> datetime | None:
    """A tick fires everything due up to its instant, so a wake-up not after it would spin."""
    wakeup = result.next_wakeup
    if event.type == "tick" and wakeup is not None and wakeup <= event.at:
        log.warning(
            "engine asked to wake %s at %s, not after tick %s", event.ticket, wakeup, event.at
        )
        return None
    return wakeup


def _new_row(event: TicketCreatedEvent, policy: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"id": event.ticket, "state": {}, "next_wakeup": None}
    row.update(created_summary(event))
    row.update(updated_at=event.at, policy_version=str(policy.version), events=0)
    return row


def _stage(uow: UnitOfWork, working: dict[str, _Working], stored: Mapping[str, Row]) -> bool:
    changed = [w for w in working.values() if w.result is not None]
    uow.tickets.save([w.row for w in changed], existing=set(stored))
    moved = False
    clocks: list[dict[str, Any]] = []
    escalations: list[dict[str, Any]] = []
    for w in changed:
        assert w.result is not None
        ticket = w.row["id"]
        clocks += [_clock_row(ticket, c) for c in w.result.clocks]
        escalations += [_escalation_row(ticket, e) for e in w.result.escalations]
        before = stored.get(ticket, {}).get("next_wakeup")
        after = w.row["next_wakeup"]
        if after is not None and (before is None or after < before):
            moved = True
    uow.projections.replace_clocks([w.row["id"] for w in changed], clocks)
    uow.projections.upsert_escalations(list({e["id"]: e for e in escalations}.values()))
    return moved


def _clock_row(ticket: str, clock: Any) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "name": clock.name,
        "status": clock.status,
        "due_at": clock.due_at,
        "breached": clock.breached,
        "detail": dict(clock.detail),
    }


def _escalation_row(ticket: str, esc: Any) -> dict[str, Any]:
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
    uow: UnitOfWork,
    decisions: Sequence[DecisionOut],
    tickets: Mapping[str, str],
    ticket_rows: Mapping[str, Row],
    policy: Any,
    notifier: Notifier | None,
    now: datetime,
    late_after_seconds: float,
) -> int:
    rows: list[dict[str, Any]] = [
        {
            "id": d.id,
            "ticket": tickets[d.id],
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
