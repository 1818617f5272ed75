"""Automatic escalation criteria: escalate when the ticket's facts satisfy one of them.

Time runs on a clock (`tier_time`), complexity and customer-requested escalations are requested;
engineering required, impact, repeated failure and vendor dependency are decided here, after every
change of the ticket's facts and after every escalation.

Each of these escalates a ticket along a path once per cycle of the ticket (its life between
reopens): the escalation it makes records the ticket's reopen count (`terms["reopens"]`), and the
criterion stays silent on that path while the count is the same. So a ticket moved back down by an
assignment (the L2 team taking a recurring issue the criterion had sent on to L3) is not sent on
again by the same facts; a reopen, another criterion or the tier's time criterion is new and
escalates as usual.
"""

from __future__ import annotations

from escalon.domain.engine.context import Context
from escalon.domain.engine.decisions import Fact
from escalon.domain.engine.escalation import escalate
from escalon.domain.engine.issues import in_scope, issue_key, recurrences
from escalon.domain.engine.rulebook import text
from escalon.domain.engine.state import TicketState
from escalon.domain.policy import Criterion, EscalationPath


def automatic_criterion(
    ctx: Context, ticket: TicketState, path: EscalationPath
) -> tuple[str, dict[str, Fact], str] | None:
    """The first automatic criterion of `path` that the ticket's facts satisfy."""
    declined = ticket.flags.get("declined", ())
    for criterion, key in ctx.book.automatic.get(path.from_tier, ()):
        if key in declined or not in_scope(criterion, ticket):
            continue
        hit = _satisfied(ctx, ticket, criterion)
        if hit is not None and not _fired_this_cycle(ticket, path, criterion.type):
            return criterion.type, hit[0], hit[1]
    return None


def _fired_this_cycle(ticket: TicketState, path: EscalationPath, criterion: str) -> bool:
    """Whether `criterion` already escalated the ticket along `path` since its last reopen."""
    for record in ticket.escalations:
        if (
            record.criterion == criterion
            and record.source == path.from_tier
            and record.target == path.to_tier
            and record.terms.get("reopens") == ticket.reopens
        ):
            return True
    return False


def _satisfied(
    ctx: Context, ticket: TicketState, criterion: Criterion
) -> tuple[dict[str, Fact], str] | None:
    flags = ticket.flags
    where = f"at {ticket.tier}"
    if criterion.type == "engineering_required" and flags.get("engineering_required"):
        return {"engineering_required": True}, f"engineering required is flagged {where}"
    if criterion.type == "impact":
        affected = flags.get("affected_customers")
        if criterion.min_customers is not None and affected is not None:
            if affected >= criterion.min_customers:
                return (
                    {"affected_customers": affected, "min_customers": criterion.min_customers},
                    f"{affected} customers affected >= {criterion.min_customers} {where}",
                )
        revenue = flags.get("revenue_at_risk")
        if criterion.revenue_at_risk is not None and revenue is not None:
            if revenue > float(criterion.revenue_at_risk):
                return (
                    {"revenue_at_risk": revenue, "above": float(criterion.revenue_at_risk)},
                    f"revenue at risk {revenue:,.0f} > {criterion.revenue_at_risk:,.0f} {where}",
                )
        if criterion.security and flags.get("legal_compliance_security"):
            return {"security": True}, f"legal/compliance/security concern {where}"
    if criterion.type == "repeated_failure":
        if criterion.min_reopens is not None and ticket.reopens >= criterion.min_reopens:
            return (
                {"reopens": ticket.reopens, "min_reopens": criterion.min_reopens},
                f"reopened {ticket.reopens} times >= {criterion.min_reopens} {where}",
            )
        if criterion.recurring_issue:
            seen = recurrences(ctx, ticket, ctx.book.window_us(criterion.window))
            if seen:
                return (
                    {
                        "recurrences": seen,
                        "window": text(criterion.window),
                        "issue_key": issue_key(ctx, ticket),
                    },
                    f"the same issue was raised {seen} time(s) before within "
                    f"{criterion.window} {where}",
                )
    if criterion.type == "vendor_dependency":
        vendor = flags.get("vendor")
        if vendor or ticket.status == "pending_vendor":
            spec = ctx.book.policy.vendors.get(vendor) if vendor else None
            kind = spec.kind if spec is not None else "vendor"
            if criterion.vendor_kinds is None or kind in criterion.vendor_kinds:
                return (
                    {"vendor": vendor, "vendor_kind": kind},
                    f"resolution depends on {kind} {vendor or '(unnamed)'} {where}",
                )
    return None


def check_paths(ctx: Context, ticket: TicketState, now: int) -> None:
    """Escalate as long as an automatic criterion of the current tier's path holds."""
    for _ in range(len(ctx.book.tier_order)):
        if ticket.resolved_at is not None or ticket.closed:
            return
        path = ctx.book.path_from.get(ticket.tier)
        if path is None or not ctx.book.automatic.get(ticket.tier):
            return
        hit = automatic_criterion(ctx, ticket, path)
        if hit is None:
            return
        criterion, facts, sentence = hit
        escalate(
            ctx,
            ticket,
            path,
            criterion,
            now,
            reason=f"{sentence} -> escalate {path.name}",
            facts=facts,
        )
        ticket.escalations[-1].terms["reopens"] = ticket.reopens
