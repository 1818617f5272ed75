"""Time passing on one ticket: decide each threshold of its timers in due order."""

from __future__ import annotations

from escalon.domain.engine import clocks, escalation, management
from escalon.domain.engine.context import Context
from escalon.domain.engine.state import TicketState
from escalon.domain.engine.timers import Timer, take_due

_MAX_FIRINGS = 10_000


def fire_ticket(ctx: Context, ticket: TicketState, upto: int, *, inclusive: bool) -> int | None:
    """Decide every timer threshold due before `upto` (or at it, when `inclusive`); return the
    ticket's next due instant afterwards."""
    limit = upto if inclusive else upto - 1
    timers = ticket.timers
    calendars = ctx.book.calendars
    for _ in range(_MAX_FIRINGS):
        earliest: Timer | None = None
        best = 0
        for timer in timers.values():
            due = timer.due
            if due is not None and (earliest is None or due < best):
                earliest, best = timer, due
        if earliest is None:
            return None
        if best > limit:
            return best
        crossed = take_due(earliest, calendars[earliest.calendar], best)
        if crossed is not None:
            if best > ticket.last:
                ticket.last = best
            _decide(ctx, ticket, earliest, crossed[0], crossed[1])
    return ticket.next_due


def _decide(ctx: Context, ticket: TicketState, timer: Timer, index: int, at: int) -> None:
    name = timer.name
    if name == "tier_time":
        clocks.stop(ctx, ticket, name, at, "threshold reached")
        escalation.on_tier_time(ctx, ticket, timer, at)
    elif name == "resolution" or name == "assessment":
        _sla(ctx, ticket, timer, index, at)
    elif name == "ack":
        _ack_missed(ctx, ticket, timer, index, at)
    elif name == "updates":
        ctx.emit(
            ticket,
            "update_due",
            subject=ticket.id,
            rule="updates",
            key=f"{timer.cycle}",
            at=at,
            reason=(
                f"no public update to the customer for {timer.facts['target']} "
                f"({ticket.priority} cadence, calendar {timer.calendar}): one is due now"
            ),
            facts={
                "target": timer.facts["target"],
                "priority": ticket.priority,
                "calendar": timer.calendar,
            },
            policy=timer.policy,
        )
        clocks.start(ctx, ticket, name, timer.calendar, at, timer.thresholds, dict(timer.facts))
    elif name in ("vendor_ack", "vendor_resolution"):
        _vendor_missed(ctx, ticket, timer, at)
    elif name.startswith("trigger:"):
        clocks.stop(ctx, ticket, name, at, "threshold reached")
        management.on_unresolved(ctx, ticket, timer, at)
    elif name.startswith("mgmt_"):
        if name != "mgmt_updates":
            clocks.stop(ctx, ticket, name, at, "missed")
        management.on_response_clock(ctx, ticket, timer, at)


def _sla(ctx: Context, ticket: TicketState, timer: Timer, index: int, at: int) -> None:
    target = timer.facts["target"]
    what = "resolution" if timer.name == "resolution" else "initial assessment"
    tier = timer.facts["tier"]
    base = {
        "clock": timer.name,
        "tier": tier,
        "target": target,
        "calendar": timer.calendar,
        "cycle": timer.cycle,
    }
    if index < len(timer.thresholds) - 1:
        used = timer.thresholds[index]
        fraction = round(used / timer.target, 4)
        ctx.emit(
            ticket,
            "sla_warning",
            subject=ticket.id,
            rule=f"sla:{timer.name}",
            key=f"{tier}#{timer.cycle}@{index}",
            at=at,
            reason=(
                f"{escalation.elapsed_text(used)} of {what} target {target} used at {tier} "
                f"({fraction:.0%}, calendar {timer.calendar})"
            ),
            facts={**base, "fraction": fraction, "elapsed": escalation.elapsed_text(used)},
            policy=timer.policy,
        )
        return
    ctx.emit(
        ticket,
        "sla_breach",
        subject=ticket.id,
        rule=f"sla:{timer.name}",
        key=f"{tier}#{timer.cycle}",
        at=at,
        reason=(
            f"{what} target {target} at {tier} passed without it being met "
            f"(calendar {timer.calendar})"
        ),
        facts=base,
        policy=timer.policy,
    )


def _ack_missed(ctx: Context, ticket: TicketState, timer: Timer, index: int, at: int) -> None:
    notify = timer.facts["notify"]
    who = notify[min(index, len(notify) - 1)]
    tier = timer.facts["tier"]
    ctx.emit(
        ticket,
        "acknowledgement_missed",
        subject=ticket.id,
        rule=f"ack:{tier}",
        key=f"{timer.facts['escalation']}@{index}",
        at=at,
        reason=(
            f"{tier} has not acknowledged the escalation within {timer.facts['target']} "
            f"(calendar {timer.calendar}): notify {who}"
        ),
        facts={
            "tier": tier,
            "target": timer.facts["target"],
            "notify": who,
            "step": index + 1,
            "calendar": timer.calendar,
        },
        policy=timer.policy,
    )


def _vendor_missed(ctx: Context, ticket: TicketState, timer: Timer, at: int) -> None:
    facts = timer.facts
    clocks.stop(ctx, ticket, timer.name, at, "missed")
    vendor = facts.get("vendor") or "(unnamed vendor)"
    ctx.emit(
        ticket,
        "vendor_escalation",
        subject=ticket.id,
        rule=f"vendor:{timer.name}",
        key=f"{timer.cycle}",
        at=at,
        reason=(
            f"vendor {vendor} missed its contract {facts['what']} target of "
            f"{facts['target']} (calendar {timer.calendar}): escalate to vendor management "
            f"({facts['contact']})"
        ),
        facts={
            "vendor": facts.get("vendor"),
            "missed": facts["what"],
            "target": facts["target"],
            "contact": facts["contact"],
            "calendar": timer.calendar,
        },
        policy=timer.policy,
    )
