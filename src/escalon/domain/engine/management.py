"""Management (hierarchical) escalation: the six triggers and the management response clocks.

Each trigger fires at most once per ticket. The first one opens the ticket's management
escalation at the trigger's level and starts the response clocks of the policy in force then;
later triggers can only raise the level. A missed management acknowledgement raises it one step
up the chain.
"""

from __future__ import annotations

from typing import Any

from escalon.domain.engine import clocks
from escalon.domain.engine.context import Context
from escalon.domain.engine.decisions import Fact
from escalon.domain.engine.escalation import start_updates
from escalon.domain.engine.issues import in_scope, issue_key
from escalon.domain.engine.records import EventRecord
from escalon.domain.engine.rulebook import text
from escalon.domain.engine.state import Management, TicketState
from escalon.domain.engine.timers import Timer

MILESTONE_CLOCKS = {
    "acknowledged": "mgmt_ack",
    "executive_notified": "mgmt_executive",
    "customer_contacted": "mgmt_contact",
    "resolution_plan": "mgmt_plan",
}


def _level_rank(ctx: Context, level: str) -> int:
    chain = ctx.book.policy.management.chain
    return chain.index(level) if level in chain else -1


def check_triggers(ctx: Context, ticket: TicketState, now: int) -> None:
    """Fact-based triggers, and the timers of the time-based ones."""
    if ticket.resolved_at is not None or ticket.closed:
        return
    fired = ticket.management.triggers if ticket.management is not None else ()
    flags = ticket.flags
    for name, trigger, kind in ctx.book.triggers:
        if name in fired:
            continue
        if kind == "unresolved":
            _arm_unresolved(ctx, ticket, name, trigger, now, in_scope(trigger, ticket))
            continue
        if not flags.get(kind) or not in_scope(trigger, ticket):
            continue
        facts: dict[str, Fact] = {}
        if kind in ("churn_threat", "public_complaint", "legal_compliance_security"):
            facts[kind] = True
            sentence = kind.replace("_", " ").replace(
                "legal compliance security", "legal/compliance/security concern"
            )
            sentence = f"{sentence} flagged on {ticket.id}"
        elif trigger.type == "revenue_at_risk":
            revenue = flags.get("revenue_at_risk")
            if revenue is None or revenue <= float(trigger.above):
                continue
            facts.update({"revenue_at_risk": revenue, "above": float(trigger.above)})
            sentence = f"revenue at risk {revenue:,.0f} > {trigger.above:,.0f}"
        else:
            continue
        open_management(ctx, ticket, name, trigger.level, now, sentence, facts)


def _arm_unresolved(
    ctx: Context, ticket: TicketState, name: str, trigger: Any, now: int, scoped: bool
) -> None:
    timer_name = "trigger:" + name
    if not scoped:
        if timer_name in ticket.timers:
            clocks.stop(ctx, ticket, timer_name, now, "out of scope")
        return
    if timer_name in ticket.timers:
        return
    calendar = ctx.book.clock_calendar(trigger.clock, ticket.calendar)
    span = ctx.book.span(trigger.after, calendar)
    facts = {
        "trigger": name,
        "after": text(trigger.after),
        "clock": trigger.clock,
        "segment": ticket.segment,
        "priority": ticket.priority,
    }
    clocks.start(ctx, ticket, timer_name, calendar, now, [span], facts, begin=ticket.opened)


def on_unresolved(ctx: Context, ticket: TicketState, timer: Timer, at: int) -> None:
    facts = timer.facts
    name = facts["trigger"]
    trigger = ctx.book.policy.management.triggers.get(name)
    level = trigger.level if trigger is not None else ctx.book.policy.management.chain[0]
    sentence = (
        f"{ticket.segment} {ticket.priority} ticket unresolved for {facts['after']} "
        f"({facts['clock']} clock, calendar {timer.calendar}) >= {facts['after']}"
    )
    open_management(
        ctx,
        ticket,
        name,
        level,
        at,
        sentence,
        {
            "after": facts["after"],
            "clock": facts["clock"],
            "calendar": timer.calendar,
            "segment": ticket.segment,
            "priority": ticket.priority,
        },
    )


def check_repeated_escalation(ctx: Context, ticket: TicketState, now: int) -> None:
    """Same customer, same issue, escalated `min_escalations` times within the window."""
    for name, trigger, window in ctx.book.repeated_triggers:
        if not in_scope(trigger, ticket):
            continue
        if ticket.management is not None and name in ticket.management.triggers:
            continue
        key = issue_key(ctx, ticket)
        history = ctx.state.indexes.issues.get(key) if key is not None else None
        if history is None:
            continue
        since = now - window
        count = 0
        for at in history["escalations"].values():
            if since <= at <= now:
                count += 1
        if count >= trigger.min_escalations:
            sentence = (
                f"issue {key} escalated on {count} tickets within {trigger.window} "
                f">= {trigger.min_escalations}"
            )
            open_management(
                ctx,
                ticket,
                name,
                trigger.level,
                now,
                sentence,
                {
                    "issue_key": key,
                    "escalations": count,
                    "min_escalations": trigger.min_escalations,
                    "window": text(trigger.window),
                },
            )


def open_management(
    ctx: Context,
    ticket: TicketState,
    trigger: str,
    level: str,
    at: int,
    sentence: str,
    facts: dict[str, Fact],
) -> None:
    """Decide a management escalation for `trigger`; the first one starts the response clocks."""
    if ticket.resolved_at is not None or ticket.closed:
        return
    policy = ctx.book.policy
    mgmt = ticket.management
    if mgmt is None:
        executive = policy.authority.executive_matching.get(ticket.executive_level)  # type: ignore[call-overload]
        mgmt = Management(opened_at=at, level=level, policy=ctx.book.ref, executive=executive)
        ticket.management = mgmt
        _start_response_clocks(ctx, ticket, at)
    elif _level_rank(ctx, level) > _level_rank(ctx, mgmt.level):
        mgmt.level = level
    mgmt.triggers.append(trigger)
    ctx.emit(
        ticket,
        "management_escalation",
        subject=ticket.id,
        rule=f"management:{trigger}",
        key="once",
        at=at,
        reason=f"{sentence} -> management escalation to {mgmt.level}",
        facts={"trigger": trigger, "level": mgmt.level, "executive_match": mgmt.executive, **facts},
        policy=mgmt.policy,
    )


def _start_response_clocks(ctx: Context, ticket: TicketState, at: int) -> None:
    response = ctx.book.policy.management.response
    calendar = ctx.book.clock_calendar(response.clock, ticket.calendar)
    span = ctx.book.span
    executive = response.executive_notification
    revenue = ticket.flags.get("revenue_at_risk") or 0
    steps = [
        ("mgmt_ack", response.acknowledgement, "management acknowledgement"),
        ("mgmt_contact", response.initial_customer_contact, "initial customer contact"),
        ("mgmt_plan", response.resolution_plan, "resolution plan communication"),
        ("mgmt_updates", response.status_updates, "management status update"),
    ]
    if ticket.segment in executive.segments or (executive.on_revenue_impact and revenue > 0):
        steps.append(("mgmt_executive", executive.within, f"{executive.role} notification"))
    for name, target, what in steps:
        clocks.start(
            ctx,
            ticket,
            name,
            calendar,
            at,
            [span(target, calendar)],
            {"what": what, "target": text(target)},
        )
    if "updates" not in ticket.timers:
        start_updates(ctx, ticket, at)


def on_response_clock(ctx: Context, ticket: TicketState, timer: Timer, at: int) -> None:
    """A management response target passed unmet."""
    mgmt = ticket.management
    if mgmt is None:
        return
    what, target = timer.facts["what"], timer.facts["target"]
    base: dict[str, Fact] = {
        "clock": timer.name,
        "target": target,
        "calendar": timer.calendar,
        "level": mgmt.level,
    }
    rule = f"management:{timer.name}"
    key = f"{timer.cycle}"
    if timer.name == "mgmt_updates":
        ctx.emit(
            ticket,
            "update_due",
            subject=ticket.id,
            rule=rule,
            key=key,
            at=at,
            reason=f"no management status update for {target}: one is due now",
            facts=base,
            policy=timer.policy,
        )
        clocks.start(
            ctx, ticket, timer.name, timer.calendar, at, timer.thresholds, dict(timer.facts)
        )
        return
    if timer.name == "mgmt_ack":
        ctx.emit(
            ticket,
            "acknowledgement_missed",
            subject=ticket.id,
            rule=rule,
            key=key,
            at=at,
            reason=f"{mgmt.level} did not acknowledge the management escalation within {target}",
            facts=base,
            policy=timer.policy,
        )
        chain = ctx.book.policy.management.chain
        rank = _level_rank(ctx, mgmt.level)
        if 0 <= rank < len(chain) - 1:
            mgmt.level = chain[rank + 1]
            ctx.emit(
                ticket,
                "management_escalation",
                subject=ticket.id,
                rule="management:acknowledgement_missed",
                key=key,
                at=at,
                reason=f"management acknowledgement missed ({target}) -> raise to {mgmt.level}",
                facts={"trigger": "acknowledgement_missed", "level": mgmt.level},
                policy=timer.policy,
            )
        return
    ctx.emit(
        ticket,
        "sla_breach",
        subject=ticket.id,
        rule=rule,
        key=key,
        at=at,
        reason=f"{what} not done within {target} of the management escalation",
        facts=base,
        policy=timer.policy,
    )


def responded(ctx: Context, ticket: TicketState, event: EventRecord) -> None:
    """A management milestone was recorded (management.responded)."""
    milestone = event.data.get("milestone", "")
    if ticket.management is None:
        return
    if milestone == "acknowledged":
        ticket.management.acknowledged_at = event.at
    if milestone == "status_update":
        restart_status_updates(ctx, ticket, event.at)
        return
    name = MILESTONE_CLOCKS.get(milestone)
    if name is not None:
        clocks.stop(ctx, ticket, name, event.at, "met")


def restart_status_updates(ctx: Context, ticket: TicketState, at: int) -> None:
    timer = ticket.timers.get("mgmt_updates")
    if timer is not None:
        clocks.start(
            ctx, ticket, timer.name, timer.calendar, at, timer.thresholds, dict(timer.facts)
        )
