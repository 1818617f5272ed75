"""Technical escalation: tiers, paths and their criteria, acknowledgement and vendor contracts.

Automatic criteria (time, engineering required, impact, repeated failure, vendor dependency)
escalate on their own; complexity and customer-requested escalations arrive as
`escalation.requested` and are held to the path's justification rule. Every escalation records the
policy ref in force when it started, and its timers carry their targets, so a later policy never
rewrites it.
"""

from __future__ import annotations

from escalon.domain.engine import clocks
from escalon.domain.engine.context import Context, span_text
from escalon.domain.engine.decisions import Fact, decision_id, us_to_datetime
from escalon.domain.engine.issues import in_scope, issue_history
from escalon.domain.engine.records import EventRecord
from escalon.domain.engine.rulebook import text
from escalon.domain.engine.state import Escalation, TicketState
from escalon.domain.engine.timers import Timer, retarget
from escalon.domain.handoff import (
    HandoffCheck,
    HandoffSignals,
    KbFollowUp,
    Resolution,
    TicketInformation,
    check_handoff,
    check_resolution,
    choose_handoff_mode,
    summarise_handoff,
)
from escalon.domain.policy import EscalationPath

CRITERION_FOR_REASON: dict[str, str] = {
    "technical_complexity": "complexity",
    "integration_issue": "complexity",
    "other": "complexity",
    "product_bug": "engineering_required",
    "engineering_required": "engineering_required",
    "customer_requested": "customer_requested",
    "impact": "impact",
    "repeated_failure": "repeated_failure",
    "vendor_dependency": "vendor_dependency",
    "sla_breach_risk": "time",
}
"""How an agent's stated reason maps onto the policy's criterion types."""


def enter_tier(ctx: Context, ticket: TicketState, tier: str, now: int, *, fresh: bool) -> None:
    """The tier now owns the ticket: the ticket's resolution clock continues under the tier's
    target, and the tier's own time criterion (`tier_time`) starts counting."""
    ticket.tier = tier
    ticket.tier_since = now
    continue_resolution(ctx, ticket, now)
    start_tier_time(ctx, ticket, now, fresh=fresh)


def continue_resolution(ctx: Context, ticket: TicketState, now: int) -> None:
    """A transfer (escalation, rejection, reassignment) keeps the ticket's resolution cycle:
    same start, same consumed working time, same pauses; only the target becomes the new tier's
    for the ticket's priority. Thresholds already decided stay decided (one breach per cycle)."""
    timer = ticket.timers.get("resolution")
    if timer is None:
        start_resolution(ctx, ticket, now)
        return
    target = ctx.book.policy.response.resolution.get(ticket.priority, {}).get(ticket.tier)  # type: ignore[call-overload]
    if target is None:
        timer.facts["tier"] = ticket.tier
        return
    span = ctx.book.span(target, timer.calendar)
    timer.facts.update({"tier": ticket.tier, "target": text(target)})
    retarget(timer, ctx.calendar(timer.calendar), ctx.book.sla_thresholds(span))


def start_resolution(ctx: Context, ticket: TicketState, now: int) -> None:
    target = ctx.book.policy.response.resolution.get(ticket.priority, {}).get(ticket.tier)  # type: ignore[call-overload]
    if target is None:
        clocks.stop(ctx, ticket, "resolution", now, "no target")
        return
    span = ctx.book.span(target, ticket.calendar)
    facts = {"tier": ticket.tier, "priority": ticket.priority, "target": text(target)}
    clocks.start(
        ctx,
        ticket,
        "resolution",
        ticket.calendar,
        now,
        ctx.book.sla_thresholds(span),
        facts,
        running=not clocks.is_paused_status(ticket.status),
    )


def start_tier_time(ctx: Context, ticket: TicketState, now: int, *, fresh: bool) -> None:
    """The time-based criterion of the path leaving the tier (the first one in scope)."""
    clocks.stop(ctx, ticket, "tier_time", now, "tier changed")
    path = ctx.book.path_from.get(ticket.tier)
    if path is None:
        return
    for criterion in ctx.book.time_criteria[ticket.tier]:
        if in_scope(criterion, ticket):
            break
    else:
        return
    if criterion.type != "time":
        return
    calendar = ctx.book.clock_calendar(criterion.clock, ticket.calendar)
    threshold = ctx.book.span(criterion.threshold, calendar)
    begin = ticket.opened if criterion.since == "opened" and not fresh else now
    facts = {
        "tier": ticket.tier,
        "to": path.to_tier,
        "threshold": text(criterion.threshold),
        "clock": criterion.clock,
        "since": "opened" if begin == ticket.opened and not fresh else "tier entry",
    }
    clocks.start(ctx, ticket, "tier_time", calendar, now, [threshold], facts, begin=begin)
    if clocks.is_paused_status(ticket.status):
        clocks.pause_customer_clocks(ctx, ticket, now, f"paused: {ticket.status}")


def escalate(
    ctx: Context,
    ticket: TicketState,
    path: EscalationPath,
    criterion: str,
    now: int,
    *,
    reason: str,
    facts: dict[str, Fact],
    requested_by: str | None = None,
) -> None:
    """Move the ticket along `path`: decide, record the escalation, start the new tier's clocks."""
    seq = len(ticket.escalations) + 1
    rule = f"path:{path.name}:{criterion}"
    key = f"{seq}"
    ident = decision_id(ticket.id, rule, key)
    ctx.emit(
        ticket,
        "escalate",
        subject=ticket.id,
        rule=rule,
        key=key,
        at=now,
        reason=reason,
        facts={"from": path.from_tier, "to": path.to_tier, "criterion": criterion, **facts},
        ident=ident,
    )
    previous = ticket.escalations[-1] if ticket.escalations else None
    if previous is not None and previous.status in ("open", "accepted"):
        previous.status = "closed"
        previous.closed_at = now
    for name in ("ack", "assessment", "vendor_ack", "vendor_resolution"):
        clocks.stop(ctx, ticket, name, now, "escalated further")
    record = Escalation(
        seq,
        path.from_tier,
        path.to_tier,
        criterion,
        now,
        ctx.book.ref,
        ident,
        requested_by,
    )
    ticket.escalations.append(record)
    _register_escalation(ctx, ticket, now)
    enter_tier(ctx, ticket, path.to_tier, now, fresh=False)
    tier = ctx.book.policy.tiers[path.to_tier]
    if tier.kind == "vendor":
        _engage_vendor(ctx, ticket, record, now)
    else:
        _require_acknowledgement(ctx, ticket, record, now)
    if tier.initial_assessment is not None:
        span = ctx.book.span(tier.initial_assessment, ticket.calendar)
        clocks.start(
            ctx,
            ticket,
            "assessment",
            ticket.calendar,
            now,
            [span],
            {"tier": tier_name(record), "target": text(tier.initial_assessment)},
        )
        record.terms["assessment"] = text(tier.initial_assessment)
    if "updates" not in ticket.timers:
        start_updates(ctx, ticket, now)


def tier_name(record: Escalation) -> str:
    return record.target


def _register_escalation(ctx: Context, ticket: TicketState, now: int) -> None:
    """Cross-ticket bookkeeping, keyed by ticket so a replayed escalation counts once."""
    history = issue_history(ctx, ticket)
    if history is not None:
        history["escalations"][ticket.id] = now
    from escalon.domain.engine.management import check_repeated_escalation

    check_repeated_escalation(ctx, ticket, now)


def _require_acknowledgement(
    ctx: Context, ticket: TicketState, record: Escalation, now: int
) -> None:
    ack, thresholds, notify, target = _acknowledgement_plan(ctx, record.target, ticket.calendar)
    record.terms["acknowledgement"] = target
    if ack <= 0:
        return
    facts = {
        "tier": record.target,
        "target": target,
        "notify": list(notify),
        "escalation": record.seq,
    }
    clocks.start(ctx, ticket, "ack", ticket.calendar, now, list(thresholds), facts)
    ctx.emit(
        ticket,
        "require_acknowledgement",
        subject=ticket.id,
        rule=f"ack:{record.target}",
        key=str(record.seq),
        at=now,
        reason=(
            f"{record.target} must acknowledge escalation {record.source}->{record.target} "
            f"within {target} (calendar {ticket.calendar})"
        ),
        facts={
            "tier": record.target,
            "target": target,
            "calendar": ticket.calendar,
        },
    )


def _acknowledgement_plan(
    ctx: Context, tier_name: str, calendar: str
) -> tuple[int, tuple[int, ...], tuple[str, ...], str]:
    """The receiving tier's acknowledgement target on `calendar`, the chain's thresholds (sorted)
    and whom each step notifies, and the target as text: the same for every escalation there."""
    key = ("ack", tier_name, calendar)
    plan: tuple[int, tuple[int, ...], tuple[str, ...], str] | None = ctx.book.memo.get(key)
    if plan is None:
        tier = ctx.book.policy.tiers[tier_name]
        ack = ctx.book.span(tier.acknowledgement, calendar)
        chain = ctx.book.policy.handoff.acceptance_chain
        notify = tuple(
            tier.lead_role if step.notify == "tier_lead" else step.notify for step in chain
        )
        thresholds = tuple(sorted(ack + ctx.book.span(step.after, calendar) for step in chain))
        plan = ctx.book.memo[key] = (ack, thresholds, notify, text(tier.acknowledgement))
    return plan


def _engage_vendor(ctx: Context, ticket: TicketState, record: Escalation, now: int) -> None:
    """L4: the vendor's contract SLA when the vendor is known, else the tier's target."""
    name = ticket.flags.get("vendor")
    vendor = ctx.book.policy.vendors.get(name) if name else None
    tier = ctx.book.policy.tiers[record.target]
    if vendor is not None:
        calendar = vendor.calendar if vendor.calendar in ctx.book.calendars else ticket.calendar
        ack_text, ack = (
            text(vendor.acknowledgement),
            ctx.book.span(vendor.acknowledgement, calendar),
        )
        base = {"vendor": name, "contact": vendor.escalation_contact, "calendar": calendar}
        resolution = ctx.book.span(vendor.resolution, calendar)
        clocks.start(
            ctx,
            ticket,
            "vendor_resolution",
            calendar,
            now,
            [resolution],
            {**base, "target": text(vendor.resolution), "what": "resolution"},
        )
    else:
        calendar = ticket.calendar
        ack_text, ack = text(tier.acknowledgement), ctx.book.span(tier.acknowledgement, calendar)
        base = {"vendor": name, "contact": tier.lead_role, "calendar": calendar}
    record.terms.update({"acknowledgement": ack_text, "vendor": name})
    if ack > 0:
        clocks.start(
            ctx,
            ticket,
            "vendor_ack",
            calendar,
            now,
            [ack],
            {**base, "target": ack_text, "what": "acknowledgement"},
        )
    ctx.emit(
        ticket,
        "require_acknowledgement",
        subject=ticket.id,
        rule=f"ack:{record.target}",
        key=str(record.seq),
        at=now,
        reason=(
            f"vendor {name or '(unnamed)'} must acknowledge within {ack_text} (calendar {calendar})"
        ),
        facts={"tier": record.target, "vendor": name, "target": ack_text, "calendar": calendar},
    )


def start_updates(ctx: Context, ticket: TicketState, now: int) -> None:
    """Customer update cadence while the ticket is escalated (technical or management)."""
    cadence = ctx.book.policy.response.customer_updates.get(ticket.priority)  # type: ignore[call-overload]
    if cadence is None:
        return
    span = ctx.book.span(cadence, ticket.calendar)
    clocks.start(
        ctx,
        ticket,
        "updates",
        ticket.calendar,
        now,
        [span],
        {"priority": ticket.priority, "target": text(cadence)},
        running=not clocks.is_paused_status(ticket.status),
    )


def request(ctx: Context, ticket: TicketState, event: EventRecord) -> None:
    """An agent asks to escalate; the path's justification rule decides whether it stands."""
    data = event.data
    path = ctx.book.path_from[ticket.tier]
    agent = data.get("requested_by") or ticket.agent
    reason = data.get("reason", "other")
    criterion = CRITERION_FOR_REASON.get(reason, "complexity")
    justification = (data.get("justification") or "").strip()
    ctx.count_agent(agent, "requested")
    if path.justification_required and not justification:
        ctx.emit(
            ticket,
            "escalation_rejected_unjustified",
            subject=ticket.id,
            rule=f"path:{path.name}:justification",
            key=event.id,
            at=event.at,
            reason=(
                f"escalation {path.name} requested by {agent or 'an unnamed agent'} "
                f"({reason}) has no justification; policy {ctx.book.policy.version} "
                f"requires one on this path"
            ),
            facts={
                "from": path.from_tier,
                "to": path.to_tier,
                "reason": reason,
                "requested_by": agent,
                "event": event.id,
            },
        )
        ctx.count_agent(agent, "rejected_unjustified")
        return
    raw = data.get("handoff") or {}
    known = {
        "ticket_id": ticket.id,
        "priority": ticket.priority,
        "escalation_from": path.from_tier,
        "escalation_to": path.to_tier,
    }
    quick = summarise_handoff(raw, path.handoff_fields, known)
    signals: HandoffSignals | None
    if quick is not None:
        verdict, signals = quick
    else:
        context = TicketInformation.model_validate(known)
        verdict = check_handoff(raw, path.handoff_fields, context=context)
        signals = None if verdict.form is None else HandoffSignals.of(verdict.form)
    if not verdict.complete or signals is None:
        _refuse_incomplete(ctx, ticket, event, path, verdict, agent, reason)
        return
    mode = choose_handoff_mode(
        ctx.book.policy.handoff.warm_when,
        priority=ticket.priority,
        vip=ticket.vip or bool(signals.vip),
        sentiment=signals.sentiment,
        prefers_live_transfer=signals.prefers_live_transfer,
        requested_warm=data.get("warm"),
    )
    escalate(
        ctx,
        ticket,
        path,
        criterion,
        event.at,
        reason=(
            f"{agent or 'an agent'} requested {path.name} ({reason}): {justification}; "
            f"handoff score {verdict.score}; {mode.mode} handoff: {mode.reason}"
        ),
        facts={
            "reason": reason,
            "justification": justification,
            "requested_by": agent,
            "handoff_score": verdict.score,
            "handoff_mode": mode.mode,
            "handoff_mode_reason": mode.reason,
        },
        requested_by=agent,
    )
    ticket.escalations[-1].terms.update({"handoff_mode": mode.mode, "handoff_score": verdict.score})
    ctx.count_agent(agent, "escalated")


def _refuse_incomplete(
    ctx: Context,
    ticket: TicketState,
    event: EventRecord,
    path: EscalationPath,
    verdict: HandoffCheck,
    agent: str | None,
    reason: str,
) -> None:
    """The path requires handoff fields the form lacks (or has wrong): the ticket stays put and
    the requester gets every field to fix in one list."""
    ctx.emit(
        ticket,
        "escalation_refused_incomplete_handoff",
        subject=ticket.id,
        rule=f"path:{path.name}:handoff",
        key=event.id,
        at=event.at,
        reason=(
            f"escalation {path.name} requested by {agent or 'an unnamed agent'} ({reason}) "
            f"not sent: {verdict.reason}; completeness score {verdict.score}/100, "
            f"policy {ctx.book.policy.version}"
        ),
        facts={
            "from": path.from_tier,
            "to": path.to_tier,
            "reason": reason,
            "requested_by": agent,
            "event": event.id,
            "missing": list(verdict.missing),
            "invalid": list(verdict.invalid),
            "handoff_score": verdict.score,
            "check": verdict.reason,
        },
    )
    ctx.count_agent(agent, "refused_incomplete_handoff")


def accept(ctx: Context, ticket: TicketState, event: EventRecord) -> None:
    """The receiving tier (or vendor) acknowledges: its acknowledgement clock is met."""
    record = ticket.open_escalation
    if record is None:
        return
    record.status = "accepted"
    record.accepted_at = event.at
    clocks.stop(ctx, ticket, "ack", event.at, "acknowledged")
    clocks.stop(ctx, ticket, "vendor_ack", event.at, "acknowledged")
    if event.data.get("estimated_resolution"):
        clocks.stop(ctx, ticket, "assessment", event.at, "assessed")


def reject(ctx: Context, ticket: TicketState, event: EventRecord) -> None:
    """The receiving tier sends the ticket back: the resolution clock continues (no fresh
    budget); the originating tier's time criterion counts again from the rejection."""
    record = ticket.escalations[-1]
    record.status = "rejected"
    record.closed_at = event.at
    record.rejected_by = event.data.get("by")
    record.rejection_reason = event.data.get("reason")
    record.rejection_feedback = event.data.get("feedback")
    for name in ("ack", "assessment", "vendor_ack", "vendor_resolution"):
        clocks.stop(ctx, ticket, name, event.at, "escalation rejected")
    ctx.count_agent(record.requested_by, "rejected_back")
    declined = list(ticket.flags.get("declined", []))
    declined.append(f"{record.source}->{record.target}:{record.criterion}")
    ticket.flags["declined"] = declined
    enter_tier(ctx, ticket, record.source, event.at, fresh=True)


def on_tier_time(ctx: Context, ticket: TicketState, timer: Timer, at: int) -> None:
    """The time-based criterion reached its threshold: escalate along the path."""
    facts = timer.facts
    path = ctx.book.path_from.get(ticket.tier)
    if path is None or path.to_tier != facts["to"]:
        return
    elapsed = span_text(timer.target)
    threshold = facts["threshold"]
    sentence = (
        f"{elapsed} of {facts['clock']} time unresolved at {ticket.tier} "
        f"(since {facts['since']}) >= {threshold}, calendar {timer.calendar}"
    )
    escalate(
        ctx,
        ticket,
        path,
        "time",
        at,
        reason=f"{sentence} -> escalate {path.name}",
        facts={
            "elapsed": elapsed,
            "threshold": threshold,
            "clock": facts["clock"],
            "calendar": timer.calendar,
        },
    )


def elapsed_text(us: int) -> str:
    return span_text(us)


def check_root_cause(ctx: Context, ticket: TicketState, event: EventRecord) -> None:
    """A ticket resolved after an escalation along a path with `rca_required` needs a root
    cause; without one the engine says so, naming the paths that require it."""
    paths = [
        path.name
        for record in ticket.escalations
        if record.status != "rejected"
        and (path := ctx.book.path_from.get(record.source)) is not None
        and path.to_tier == record.target
        and path.rca_required
    ]
    if not paths:
        return
    data = event.data
    kb = data.get("kb_article")
    verdict = check_resolution(
        Resolution(
            ticket=ticket.id,
            resolved_at=us_to_datetime(event.at),
            resolved_by=data.get("by"),
            summary=data.get("summary"),
            root_cause=data.get("root_cause"),
            kb=None if not kb else KbFollowUp(action="update", article=kb),
        ),
        rca_required=True,
    )
    if "root_cause" not in verdict.missing:
        return
    ctx.emit(
        ticket,
        "rca_missing",
        subject=ticket.id,
        rule=f"path:{paths[-1]}:rca",
        key=event.id,
        at=event.at,
        reason=(
            f"{ticket.id} resolved by {data.get('by') or 'an unnamed agent'} without a root "
            f"cause; policy {ctx.book.policy.version} requires root-cause analysis after "
            f"{', '.join(paths)}"
        ),
        facts={
            "paths": paths,
            "tier": ticket.tier,
            "resolved_by": data.get("by"),
            "missing": list(verdict.missing),
            "event": event.id,
        },
    )
