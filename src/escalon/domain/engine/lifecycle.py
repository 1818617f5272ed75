"""Applying one event to one ticket: check the transition first, then change the state.

`validate` raises `InvalidEvent` before anything changes, so a refused event leaves the state as
it was (and `--skip-invalid` can carry on).
"""

from __future__ import annotations

from typing import Any

from escalon.domain.engine import (
    approvals,
    clocks,
    criteria,
    escalation,
    incidents,
    issues,
    management,
)
from escalon.domain.engine.context import Context, InvalidEvent
from escalon.domain.engine.records import EventRecord
from escalon.domain.engine.rulebook import text
from escalon.domain.engine.state import TicketState
from escalon.domain.engine.timers import retarget

FLAG_FIELDS = (
    "churn_threat",
    "public_complaint",
    "legal_compliance_security",
    "revenue_at_risk",
    "engineering_required",
    "vendor",
    "affected_customers",
)
ACTIVE_AFTER_SOLVED = frozenset({"new", "open", "pending_customer", "pending_vendor", "on_hold"})
_ONLY_OPEN_CHECKED = frozenset(
    {"ticket.commented", "ticket.status_changed", "ticket.updated", "csat.received"}
)
"""Types whose only transition check on a known ticket is that it is not closed (the most
common events take this short way through `validate`)."""


def validate(ctx: Context, ticket: TicketState | None, event: EventRecord) -> None:
    """Refuse unknown tickets and impossible transitions, naming the event and the field."""
    kind = event.type
    if ticket is not None and kind in _ONLY_OPEN_CHECKED:
        if ticket.closed and kind != "csat.received":
            raise InvalidEvent(event.id, "type", f"{kind} on ticket {ticket.id!r}, which is closed")
        return
    if ticket is None:
        if kind != "ticket.created":
            raise InvalidEvent(
                event.id,
                "ticket",
                f"unknown ticket {event.ticket!r}: its first event must be ticket.created",
            )
        _known_tier(ctx, event, event.data.get("tier", "L1"))
        return
    if kind == "ticket.created":
        raise InvalidEvent(event.id, "ticket", f"ticket {ticket.id!r} already exists")
    if ticket.closed and kind not in ("csat.received", "ticket.reopened"):
        raise InvalidEvent(event.id, "type", f"{kind} on ticket {ticket.id!r}, which is closed")
    solved = ticket.resolved_at is not None
    if kind == "ticket.reopened" and not solved:
        raise InvalidEvent(
            event.id, "type", f"ticket {ticket.id!r} is not solved, so it cannot be reopened"
        )
    if kind == "ticket.resolved" and solved:
        raise InvalidEvent(event.id, "type", f"ticket {ticket.id!r} is already solved")
    if kind == "escalation.requested":
        if solved:
            raise InvalidEvent(event.id, "type", f"ticket {ticket.id!r} is solved")
        to = event.data.get("to")
        path = ctx.book.path_from.get(ticket.tier)
        if path is None or path.to_tier != to:
            raise InvalidEvent(
                event.id,
                "data.to",
                f"no escalation path {ticket.tier} -> {to} in policy {ctx.book.policy.version}",
            )
    if kind == "escalation.accepted" and ticket.open_escalation is None:
        raise InvalidEvent(
            event.id, "type", f"ticket {ticket.id!r} has no escalation awaiting acknowledgement"
        )
    if kind == "escalation.rejected":
        last = ticket.escalations[-1] if ticket.escalations else None
        if last is None or last.status not in ("open", "accepted") or last.target != ticket.tier:
            raise InvalidEvent(
                event.id,
                "type",
                f"ticket {ticket.id!r} has no escalation to {ticket.tier} to reject",
            )
    if kind == "management.responded" and ticket.management is None:
        raise InvalidEvent(event.id, "type", f"ticket {ticket.id!r} has no management escalation")
    if kind == "ticket.assigned" and event.data.get("tier") is not None:
        _known_tier(ctx, event, event.data["tier"])


def _known_tier(ctx: Context, event: EventRecord, tier: str) -> None:
    if tier not in ctx.book.policy.tiers:
        raise InvalidEvent(
            event.id,
            "data.tier",
            f"unknown tier {tier!r} (policy tiers: {', '.join(ctx.book.tier_order)})",
        )


def create(ctx: Context, event: EventRecord) -> TicketState:
    """A new ticket: its calendar, tier clocks, triggers and incident grouping."""
    data = event.data
    customer: dict[str, Any] = data["customer"]
    ticket = TicketState(
        id=event.ticket,
        opened=event.at,
        customer=str(customer["id"]),
        segment=customer.get("segment", "smb"),
        region=customer.get("region"),
        executive_level=customer.get("executive_level", "none"),
        vip=bool(customer.get("vip", False)),
        priority=data.get("priority", "P3"),
        category=data.get("category"),
        product_area=data.get("product_area"),
        signature=data.get("issue_signature"),
        status=data.get("status", "new"),
        tier=data.get("tier", "L1"),
        team=data.get("team"),
        agent=data.get("agent"),
        flags={k: data[k] for k in FLAG_FIELDS if data.get(k) is not None},
        last=event.at,
    )
    ticket.calendar = ctx.book.calendar_for(ticket.priority, ticket.region)
    ctx.state.tickets[ticket.id] = ticket
    history = issues.issue_history(ctx, ticket)
    if history is not None:
        history["tickets"][ticket.id] = ticket.opened
    escalation.enter_tier(ctx, ticket, ticket.tier, event.at, fresh=False)
    _after_facts(ctx, ticket, event.at)
    return ticket


def apply(ctx: Context, ticket: TicketState, event: EventRecord) -> None:
    """Apply a validated, non-creating event."""
    handler = HANDLERS.get(event.type)
    if handler is not None:
        handler(ctx, ticket, event)


def _after_facts(ctx: Context, ticket: TicketState, now: int) -> None:
    management.check_triggers(ctx, ticket, now)
    incidents.register(ctx, ticket, now)
    criteria.check_paths(ctx, ticket, now)


def _updated(ctx: Context, ticket: TicketState, event: EventRecord) -> None:
    data = event.data
    now = event.at
    for name in FLAG_FIELDS:
        if name in data:
            if data[name] is None:
                ticket.flags.pop(name, None)
            else:
                ticket.flags[name] = data[name]
    for name, attr in (
        ("category", "category"),
        ("product_area", "product_area"),
        ("issue_signature", "signature"),
    ):
        if data.get(name) is not None:
            setattr(ticket, attr, data[name])
    customer = data.get("customer")
    if customer:
        ticket.customer = str(customer.get("id", ticket.customer))
        ticket.segment = customer.get("segment", ticket.segment)
        ticket.region = customer.get("region", ticket.region)
        ticket.executive_level = customer.get("executive_level", ticket.executive_level)
        ticket.vip = bool(customer.get("vip", ticket.vip))
    priority = data.get("priority")
    if priority is not None and priority != ticket.priority:
        _reprioritise(ctx, ticket, priority, now)
    calendar = ctx.book.calendar_for(ticket.priority, ticket.region)
    if calendar != ticket.calendar:
        ticket.calendar = calendar
        clocks.follow_calendar(ctx, ticket, now)
    _after_facts(ctx, ticket, now)


def _reprioritise(ctx: Context, ticket: TicketState, priority: str, now: int) -> None:
    """New priority, new targets: retroactive to the tier's start by default (one cycle)."""
    ticket.priority = priority
    new_calendar = ctx.book.calendar_for(priority, ticket.region)
    if new_calendar != ticket.calendar:
        ticket.calendar = new_calendar
        clocks.follow_calendar(ctx, ticket, now)
    resolution = ticket.timers.get("resolution")
    target = ctx.book.policy.response.resolution.get(priority, {}).get(ticket.tier)  # type: ignore[call-overload]
    if (
        resolution is not None
        and target is not None
        and ctx.book.policy.response.priority_change_retroactive
    ):
        span = ctx.book.span(target, ticket.calendar)
        resolution.facts.update({"priority": priority, "target": text(target)})
        retarget(resolution, ctx.calendar(resolution.calendar), ctx.book.sla_thresholds(span))
    else:
        escalation.start_resolution(ctx, ticket, now)
    if "updates" in ticket.timers:
        escalation.start_updates(ctx, ticket, now)
    escalation.start_tier_time(ctx, ticket, now, fresh=False)
    for name in [n for n in ticket.timers if n.startswith("trigger:")]:
        clocks.stop(ctx, ticket, name, now, "priority changed")


def _commented(ctx: Context, ticket: TicketState, event: EventRecord) -> None:
    data = event.data
    now = event.at
    if data.get("author", "agent") == "customer":
        if ticket.status == "pending_customer":
            _set_status(ctx, ticket, "open", now)
        return
    clocks.stop(ctx, ticket, "assessment", now, "assessed")
    if data.get("public", True):
        if "updates" in ticket.timers:
            escalation.start_updates(ctx, ticket, now)
        if ticket.management is not None:
            clocks.stop(ctx, ticket, "mgmt_contact", now, "met")
            management.restart_status_updates(ctx, ticket, now)


def _status_changed(ctx: Context, ticket: TicketState, event: EventRecord) -> None:
    status = event.data["status"]
    now = event.at
    if status == "solved":
        if ticket.resolved_at is None:
            _resolve(ctx, ticket, now)
        return
    if status == "closed":
        _close(ctx, ticket, now)
        return
    if ticket.resolved_at is not None and status in ACTIVE_AFTER_SOLVED:
        _reopen(ctx, ticket, now)
    _set_status(ctx, ticket, status, now)
    if status == "pending_vendor":
        criteria.check_paths(ctx, ticket, now)


def _set_status(ctx: Context, ticket: TicketState, status: str, now: int) -> None:
    was_paused = clocks.is_paused_status(ticket.status)
    ticket.status = status
    if clocks.is_paused_status(status):
        clocks.pause_customer_clocks(ctx, ticket, now, f"paused: {status}")
    elif was_paused:
        clocks.resume_clocks(ctx, ticket, now, clocks.PAUSABLE)


def _assigned(ctx: Context, ticket: TicketState, event: EventRecord) -> None:
    data = event.data
    ticket.team = data.get("team", ticket.team)
    ticket.agent = data.get("agent", ticket.agent)
    tier = data.get("tier")
    if tier is not None and tier != ticket.tier:
        for name in ("ack", "assessment", "vendor_ack", "vendor_resolution"):
            clocks.stop(ctx, ticket, name, event.at, "reassigned")
        escalation.enter_tier(ctx, ticket, tier, event.at, fresh=True)
        criteria.check_paths(ctx, ticket, event.at)


def _resolved(ctx: Context, ticket: TicketState, event: EventRecord) -> None:
    _resolve(ctx, ticket, event.at)
    escalation.check_root_cause(ctx, ticket, event)


def _resolve(ctx: Context, ticket: TicketState, now: int) -> None:
    ticket.status = "solved"
    ticket.resolved_at = now
    clocks.stop_all(ctx, ticket, now, "solved", clocks.SURVIVES_SOLVED)
    if ticket.management is not None:
        ticket.management.closed_at = now
    for record in ticket.escalations:
        if record.status in ("open", "accepted"):
            record.status = "resolved"
            record.closed_at = now
    incidents.ticket_resolved(ctx, ticket, now)


def _reopened(ctx: Context, ticket: TicketState, event: EventRecord) -> None:
    """Reopen a solved ticket, or a closed one (ServiceNow reopens closed incidents): it is open
    again, the resolution clock resumes and it counts as a reopen."""
    ticket.closed = False
    _reopen(ctx, ticket, event.at)
    _set_status(ctx, ticket, "open", event.at)
    _after_facts(ctx, ticket, event.at)


def _reopen(ctx: Context, ticket: TicketState, now: int) -> None:
    ticket.reopens += 1
    ticket.resolved_at = None
    ticket.status = "open"
    clocks.resume_clocks(ctx, ticket, now, clocks.SURVIVES_SOLVED)
    if ticket.escalations or ticket.management is not None:
        escalation.start_updates(ctx, ticket, now)
    incidents.ticket_reopened(ctx, ticket)


def _close(ctx: Context, ticket: TicketState, now: int) -> None:
    if ticket.resolved_at is None:
        _resolve(ctx, ticket, now)
    # the resolution budget stays paused (not stopped): a reopen after closure continues it
    clocks.stop_all(ctx, ticket, now, "closed", clocks.SURVIVES_SOLVED)
    ticket.status = "closed"
    ticket.closed = True
    if not ctx.state.keep_history:
        # A closed ticket takes no changes but a reopen, and no late events: its event history
        # is not needed. Issued ids and cycle counts stay, so a reopened ticket never issues a
        # decision id twice.
        ticket.log = []


def _escalation_requested(ctx: Context, ticket: TicketState, event: EventRecord) -> None:
    escalation.request(ctx, ticket, event)
    criteria.check_paths(ctx, ticket, event.at)


def _escalation_accepted(ctx: Context, ticket: TicketState, event: EventRecord) -> None:
    escalation.accept(ctx, ticket, event)


def _escalation_rejected(ctx: Context, ticket: TicketState, event: EventRecord) -> None:
    escalation.reject(ctx, ticket, event)


def _management_responded(ctx: Context, ticket: TicketState, event: EventRecord) -> None:
    management.responded(ctx, ticket, event)


HANDLERS = {
    "ticket.updated": _updated,
    "ticket.commented": _commented,
    "ticket.status_changed": _status_changed,
    "ticket.assigned": _assigned,
    "escalation.requested": _escalation_requested,
    "escalation.accepted": _escalation_accepted,
    "escalation.rejected": _escalation_rejected,
    "ticket.resolved": _resolved,
    "ticket.reopened": _reopened,
    "management.responded": _management_responded,
    "credit.requested": approvals.credit_requested,
}
"""What `apply` does per event type (types without an entry change nothing but the history)."""
