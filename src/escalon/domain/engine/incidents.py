"""Major incidents: several customers hitting the same problem at once become one incident.

Tickets are grouped by the policy's `match_on` keys (explicit signature, then product area). When
at least `min_customers` distinct customers opened tickets with the same key within `window`, one
incident is declared, the tickets are linked, and its communication cadence starts. Later tickets
with the key join it while it is open and the burst goes on (each within `window` of the previous
one); after a quiet `window` a new ticket counts towards a new incident instead. The incident is
resolved when its last linked ticket is.
"""

from __future__ import annotations

from escalon.domain.engine.context import Context
from escalon.domain.engine.decisions import decision_id
from escalon.domain.engine.rulebook import ALWAYS_OPEN, text
from escalon.domain.engine.state import INCIDENT_REF, Incident, TicketState
from escalon.domain.engine.timers import Timer, start_timer, take_due


def match_keys(ctx: Context, ticket: TicketState) -> list[str]:
    keys = []
    for field in ctx.book.policy.major_incident.match_on:
        value = ticket.signature if field == "signature" else ticket.product_area
        if value:
            keys.append(f"{field}:{value}")
    return keys


def register(ctx: Context, ticket: TicketState, now: int) -> None:
    """Join an open incident for the ticket's key, or count it towards declaring one."""
    if ticket.incident is not None or ticket.resolved_at is not None or ticket.closed:
        return
    keys = match_keys(ctx, ticket)
    if not keys:
        return
    indexes = ctx.state.indexes
    rule = ctx.book.policy.major_incident
    window = ctx.book.incident_window_us
    for key in keys:
        incident_id = indexes.open_incidents.get(key)
        if incident_id is not None:
            incident = indexes.incidents[incident_id]
            if ticket.opened - incident.last_linked <= window:
                link(ctx, ticket, incident, now)
                return
    for key in keys:
        group = indexes.candidates.setdefault(key, {})
        group[ticket.id] = [ticket.opened, ticket.customer]
        _prune(ctx, group, now - window)
        customers = {customer for _, customer in group.values()}
        if len(customers) >= rule.min_customers:
            _declare(ctx, key, group, now)
            return


def _prune(ctx: Context, group: dict[str, list[object]], cutoff: int) -> None:
    """Drop candidates opened before the window or already resolved (oldest first)."""
    tickets = ctx.state.tickets
    stale = []
    for ticket_id, (opened, _) in group.items():
        known = tickets.get(ticket_id)
        if known is not None and (known.resolved_at is not None or known.closed):
            stale.append(ticket_id)
        elif isinstance(opened, int) and opened < cutoff:
            stale.append(ticket_id)
    for ticket_id in stale:
        del group[ticket_id]


def _declare(ctx: Context, key: str, group: dict[str, list[object]], now: int) -> None:
    indexes = ctx.state.indexes
    first = min(int(str(opened)) for opened, _ in group.values())
    incident_id = "MI-" + decision_id(key, "major_incident", str(first))[2:14]
    rule = ctx.book.policy.major_incident
    calendar = ctx.calendar(ALWAYS_OPEN)
    cadence = int(rule.update_every.as_timedelta.total_seconds()) * 1_000_000
    timer = start_timer(
        "incident_updates",
        calendar,
        now,
        [cadence],
        policy=ctx.book.ref,
        cycle=1,
        facts={"target": text(rule.update_every)},
    )
    incident = Incident(incident_id, key, now, ctx.book.ref, timer=timer)
    indexes.incidents[incident_id] = incident
    indexes.open_incidents[key] = incident_id
    customers = sorted({str(customer) for _, customer in group.values()})
    ctx.emit(
        None,
        "major_incident_declared",
        subject=incident_id,
        rule="major_incident:declare",
        key=key,
        at=now,
        reason=(
            f"{len(customers)} customers opened tickets with {key} within {rule.window} "
            f">= {rule.min_customers}: major incident {incident_id}, notify {rule.notify}, "
            f"customer updates every {rule.update_every}"
        ),
        facts={
            "key": key,
            "customers": customers,
            "tickets": sorted(group),
            "min_customers": rule.min_customers,
            "window": text(rule.window),
            "notify": rule.notify,
        },
    )
    for ticket_id in sorted(group):
        ticket = ctx.state.tickets.get(ticket_id)
        if ticket is not None:
            link(ctx, ticket, incident, now)
    group.clear()
    ctx.state.schedule(INCIDENT_REF + incident_id, timer.due)


def link(ctx: Context, ticket: TicketState, incident: Incident, now: int) -> None:
    ticket.incident = incident.id
    incident.last_linked = max(incident.last_linked, ticket.opened)
    if ticket.id not in incident.tickets:
        incident.tickets.append(ticket.id)
    if ticket.id not in incident.unresolved and ticket.resolved_at is None:
        incident.unresolved.append(ticket.id)
    ctx.emit(
        ticket,
        "major_incident_linked",
        subject=ticket.id,
        rule="major_incident:link",
        key=incident.id,
        at=now,
        reason=f"{ticket.id} linked to major incident {incident.id} ({incident.key})",
        facts={"incident": incident.id, "key": incident.key},
        policy=incident.policy,
    )


def ticket_resolved(ctx: Context, ticket: TicketState, now: int) -> None:
    """Close the loop: the incident is resolved with its last linked ticket."""
    incident = ctx.state.indexes.incidents.get(ticket.incident or "")
    if incident is None or ticket.id not in incident.unresolved:
        return
    incident.unresolved.remove(ticket.id)
    if incident.unresolved or incident.resolved_at is not None:
        return
    incident.resolved_at = now
    incident.timer = None
    if ctx.state.indexes.open_incidents.get(incident.key) == incident.id:
        del ctx.state.indexes.open_incidents[incident.key]
    ctx.state.scheduled.pop(INCIDENT_REF + incident.id, None)
    ctx.emit(
        None,
        "major_incident_resolved",
        subject=incident.id,
        rule="major_incident:resolve",
        key=incident.key,
        at=now,
        reason=(
            f"all {len(incident.tickets)} tickets of major incident {incident.id} are "
            f"resolved; close the incident and run the post-incident review"
        ),
        facts={"tickets": list(incident.tickets), "declared_at": incident.declared_at},
        policy=incident.policy,
    )


def ticket_reopened(ctx: Context, ticket: TicketState) -> None:
    incident = ctx.state.indexes.incidents.get(ticket.incident or "")
    if incident is not None and incident.resolved_at is None:
        if ticket.id not in incident.unresolved:
            incident.unresolved.append(ticket.id)


def fire_incident(ctx: Context, incident_id: str, upto: int) -> None:
    """The incident's communication cadence: one update due per cycle while it is open."""
    incident = ctx.state.indexes.incidents.get(incident_id)
    if incident is None or incident.timer is None or incident.resolved_at is not None:
        return
    timer: Timer = incident.timer
    calendar = ctx.calendar(timer.calendar)
    crossed = take_due(timer, calendar, upto)
    if crossed is not None:
        _, at = crossed
        ctx.emit(
            None,
            "update_due",
            subject=incident.id,
            rule="major_incident:updates",
            key=f"{timer.cycle}",
            at=at,
            reason=f"major incident {incident.id}: customer update due every "
            f"{timer.facts['target']}",
            facts={
                "incident": incident.id,
                "target": timer.facts["target"],
                "linked_tickets": len(incident.tickets),
                "unresolved": len(incident.unresolved),
            },
            policy=incident.policy,
        )
        incident.timer = start_timer(
            timer.name,
            calendar,
            at,
            timer.thresholds,
            policy=incident.policy,
            cycle=timer.cycle + 1,
            facts=dict(timer.facts),
        )
    ctx.state.schedule(INCIDENT_REF + incident.id, incident.timer.due)
