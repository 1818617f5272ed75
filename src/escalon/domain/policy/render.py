"""The policy as text, in the layout of the seed's "ESCALATION POLICY — 2025" block.

Support leads already know that block by heart; `escalon policy show` prints the policy in the
same order and wording, with the values of the file, so a review reads like the document it
replaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from escalon.domain.durations import Duration
from escalon.domain.policy.base import Goal
from escalon.domain.policy.calendars_text import calendar_line
from escalon.domain.policy.criteria import Criterion, EscalationPath
from escalon.domain.policy.management import ManagementTrigger
from escalon.domain.policy.model import Policy

_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


def duration_words(duration: Duration) -> str:
    """`15m` -> `15 minutes`, `1h` -> `1 hour`, `1h30m` -> `1 hour 30 minutes`, `2d` -> `2 days`."""
    parts = [f"{duration.days} day{'s' if duration.days != 1 else ''}"] if duration.days else []
    rest = duration.seconds
    for unit, size in _UNITS[1:]:
        amount, rest = divmod(rest, size)
        if amount:
            parts.append(f"{amount} {unit}{'s' if amount != 1 else ''}")
    return " ".join(parts) or "0 minutes"


def money(amount: Decimal | None, currency: str = "USD") -> str:
    """`50000` -> `$50K`, `500` -> `$500`, `None` -> `unlimited`."""
    if amount is None:
        return "unlimited"
    symbol = "$" if currency == "USD" else f"{currency} "
    if amount >= 1000 and amount % 1000 == 0:
        return f"{symbol}{amount / 1000:,.0f}K"
    if amount == amount.to_integral_value():
        return f"{symbol}{amount:,.0f}"
    return f"{symbol}{amount:,.2f}"


def _scope(priorities: Sequence[str] | None, segments: Sequence[str] | None) -> str:
    bits = []
    if segments:
        bits.append("/".join(segments))
    if priorities:
        bits.append("/".join(priorities))
    return f" [{' '.join(bits)}]" if bits else ""


def criterion_text(criterion: Criterion, currency: str = "USD") -> str:
    """One criterion as the seed words it: `Time-based (>2 hours unresolved)`."""
    scope = _scope(criterion.priorities, criterion.segments)
    if criterion.type == "time":
        clock = "business hours" if criterion.clock == "business" else "calendar hours"
        since = "since opened" if criterion.since == "opened" else "at this tier"
        text = f"Time-based (>{duration_words(criterion.threshold)} unresolved {since}, {clock})"
    elif criterion.type == "complexity":
        text = "complexity-based"
    elif criterion.type == "engineering_required":
        text = "engineering-required"
    elif criterion.type == "customer_requested":
        text = "customer-requested"
    elif criterion.type == "impact":
        bits = []
        if criterion.min_customers is not None:
            bits.append(f"{criterion.min_customers}+ customers")
        if criterion.revenue_at_risk is not None:
            bits.append(f">{money(criterion.revenue_at_risk, currency)} revenue at risk")
        if criterion.security:
            bits.append("security")
        text = f"impact-based ({', '.join(bits)})"
    elif criterion.type == "repeated_failure":
        bits = []
        if criterion.min_reopens is not None:
            bits.append(f"reopened {criterion.min_reopens}+ times")
        if criterion.recurring_issue:
            bits.append(f"recurring within {duration_words(criterion.window)}")
        text = f"repeated failure ({', '.join(bits)})"
    else:
        kinds = criterion.vendor_kinds
        text = "vendor dependency" + (f" ({', '.join(kinds)})" if kinds else "")
    return text + scope


def path_text(path: EscalationPath, currency: str = "USD") -> str:
    """`L1 → L2: Time-based (...) or complexity-based`."""
    rules = " or ".join(criterion_text(criterion, currency) for criterion in path.criteria)
    extras = [
        word
        for word, on in (("justification", path.justification_required), ("RCA", path.rca_required))
        if on
    ]
    tail = f"  [requires {' and '.join(extras)}]" if extras else ""
    return f"{path.from_tier} → {path.to_tier}: {rules[0].upper()}{rules[1:]}{tail}"


def trigger_text(trigger: ManagementTrigger, currency: str = "USD") -> str:
    """One management trigger in the seed's words."""
    if trigger.type == "unresolved":
        who = " ".join(s.capitalize() for s in trigger.segments or []) or "Any"
        which = "/".join(trigger.priorities or []) or "any-priority"
        clock = "" if trigger.clock == "calendar" else " business"
        return f"{who} customer with {which} issue >{duration_words(trigger.after)}{clock}"
    scope = _scope(trigger.priorities, trigger.segments)
    if trigger.type == "churn_threat":
        text = "Churn threat identified by CSM or support agent"
    elif trigger.type == "public_complaint":
        text = "Public complaint (social media, review site, press)"
    elif trigger.type == "revenue_at_risk":
        text = f"Revenue impact >{money(trigger.above, currency)} at risk"
    elif trigger.type == "legal_compliance_security":
        text = "Legal/compliance/security concern"
    else:
        text = (
            f"Same issue escalated {trigger.min_escalations}+ times by same customer "
            f"(within {duration_words(trigger.window)})"
        )
    return text + scope


def _ack(tier_name: str, policy: Policy) -> str:
    tier = policy.tiers[tier_name]
    if not tier.acknowledgement.as_timedelta:
        text = f"{tier_name} acknowledges immediately"
    else:
        verb = "acknowledged" if tier.kind == "vendor" else "acknowledges"
        text = f"{tier_name} {verb} within {duration_words(tier.acknowledgement)}"
        if tier.kind == "vendor":
            text += " (vendor dependent)"
    if tier.initial_assessment is not None:
        text += f"; initial assessment within {duration_words(tier.initial_assessment)}"
    return text


def _heading(title: str) -> list[str]:
    return ["", f"{title}:"]


def render_policy(policy: Policy) -> str:
    """The whole policy as text, seed layout first, then the sections the seed keeps elsewhere."""
    title = f"{policy.name.upper()} — {policy.version}"
    cur = policy.currency
    lines = [title, "=" * len(title), f"Policy ref: {policy.ref}"]
    lines += _heading("TECHNICAL ESCALATION PATH")
    lines += [f"  {path_text(path, cur)}" for path in policy.paths]
    lines.append("  Response requirements:")
    lines += [f"    {_ack(name, policy)}" for name in policy.tiers_in_order()]

    roles = policy.authority.roles
    lines += _heading("MANAGEMENT ESCALATION TRIGGERS")
    for trigger in policy.management.triggers.values():
        level = roles[trigger.level].title if trigger.level in roles else trigger.level
        lines.append(f"  {trigger_text(trigger, cur)} → {level}")
    chain = " → ".join(roles[r].title if r in roles else r for r in policy.management.chain)
    lines.append(f"  Management chain: {chain}")

    sla = policy.management.response
    note = sla.executive_notification
    when = [*(s for s in note.segments), *(["revenue impact"] if note.on_revenue_impact else [])]
    lines += _heading("ESCALATION RESPONSE SLA")
    lines += [
        f"  Management acknowledgment: {duration_words(sla.acknowledgement)}",
        f"  Executive notification: {duration_words(note.within)} (if {'/'.join(when)})",
        f"  Initial customer contact: {duration_words(sla.initial_customer_contact)}"
        " (management escalation)",
        f"  Resolution plan communication: {duration_words(sla.resolution_plan)}",
        _cadence(sla.status_updates),
    ]

    lines += _heading("ESCALATION AUTHORITY")
    for role in sorted(roles.values(), key=lambda r: r.seniority):
        actions = ", ".join(a.replace("_", " ") for a in role.actions)
        if role.credit_cap is None:
            cap = "unlimited credit authority"
        elif role.credit_cap == 0:
            cap = "no credit authority"
        else:
            cap = f"credit up to {money(role.credit_cap, cur)}"
        lines.append(f"  {role.title}: {actions[:1].upper()}{actions[1:]}; {cap}")
    matching = ", ".join(
        f"{level} → {role}" for level, role in policy.authority.executive_matching.items()
    )
    lines.append(f"  Executive matching: {matching}")

    lines += _targets(policy)
    lines += _heading("CALENDARS")
    lines += [f"  {calendar_line(name, spec)}" for name, spec in policy.calendars.items()]
    clocks = policy.clocks
    by_priority = ", ".join(f"{p} on {c}" for p, c in clocks.by_priority.items())
    by_region = ", ".join(f"{r} → {c}" for r, c in clocks.by_region.items())
    lines.append(
        f"  Clocks: {by_priority or 'no priority override'}; by region {by_region}; "
        f"otherwise {clocks.default}"
    )
    if policy.follow_the_sun is not None:
        fts = policy.follow_the_sun
        lines.append(f"  Follow-the-sun '{fts.name}': {' → '.join(fts.regions)}")

    if policy.vendors:
        lines += _heading("VENDORS")
        for vendor in policy.vendors.values():
            lines.append(
                f"  {vendor.title} ({vendor.kind}): acknowledge within "
                f"{duration_words(vendor.acknowledgement)}, resolve within "
                f"{duration_words(vendor.resolution)} on {vendor.calendar}; "
                f"escalate to {vendor.escalation_contact}"
            )
    lines += _dashboard(policy)

    prevention = policy.prevention
    lines += _heading("ESCALATION PREVENTION")
    lines.append(f"  {prevention.trend_review.capitalize()} escalation trend review")
    lines.append(
        f"  Top {prevention.top_drivers} escalation drivers identification and remediation"
    )
    lines += [f"  {practice}" for practice in prevention.practices]
    return "\n".join(lines) + "\n"


def _goal(goal: Goal, *, percent: bool = True) -> str:
    value = goal.at_least if goal.at_least is not None else goal.at_most
    assert value is not None
    shown = f"{value:.0%}" if percent else f"{value:g}"
    return f"{'≥' if goal.at_least is not None else '≤'} {shown}"


def _dashboard(policy: Policy) -> list[str]:
    board = policy.dashboard
    lines = _heading("DASHBOARD TARGETS")
    averages = ", ".join(f"{tier} ≤ {limit}" for tier, limit in board.avg_resolution.items())
    lines += [
        f"  FCR rate: {_goal(board.fcr_rate)}",
        f"  Avg resolution time: {averages}",
        f"  Escalation success rate: {_goal(board.escalation_success_rate)}",
        f"  Re-escalation rate: {_goal(board.re_escalation_rate)}",
        f"  CSAT (escalated tickets): {_goal(board.csat_escalated, percent=False)}/5.0",
        f"  Escalation volume, month over month: {_goal(board.volume_trend)}",
        f"  Over-escalation rate per team: {_goal(board.over_escalation_rate)}",
    ]
    costs = ", ".join(
        f"{name} {money(rate, policy.currency)}"
        for name, rate in policy.costs.labour_per_hour.items()
    )
    lines.append(f"  Labour cost per hour: {costs}")
    segments = ", ".join(f"{key} ({segment.title})" for key, segment in policy.segments.items())
    lines.append(f"  Customer segments: {segments or 'none'}")
    return lines


def _cadence(every: Duration) -> str:
    if every == Duration(days=1):
        return "  Daily status updates until resolved"
    return f"  Status updates every {duration_words(every)} until resolved"


def _targets(policy: Policy) -> list[str]:
    tiers = policy.tiers_in_order()
    response = policy.response
    lines = _heading("RESOLUTION TARGETS (per tier, from when the tier has the ticket)")
    header = "  Priority  " + "".join(f"{t:<8}" for t in tiers) + "Customer updates"
    lines.append(header)
    for priority, targets in response.resolution.items():
        cells = "".join(f"{str(targets[t]) if t in targets else '-':<8}" for t in tiers)
        update = response.customer_updates.get(priority)
        lines.append(f"  {priority:<10}{cells}{'every ' + str(update) if update else '-'}")
    warnings = ", ".join(f"{fraction:.0%}" for fraction in response.sla_warnings)
    since = "when the ticket opened" if response.priority_change_retroactive else "the change"
    lines.append(
        f"  SLA warnings at {warnings} of each target; priority changes count from {since}"
    )
    incident = policy.major_incident
    matched = " or ".join(m.replace("_", " ") for m in incident.match_on)
    lines.append(
        f"  Major incident: {incident.min_customers}+ customers on the same {matched} within "
        f"{duration_words(incident.window)}; customer updates every "
        f"{duration_words(incident.update_every)}"
    )
    warm = policy.handoff.warm_when
    lines.append(
        f"  Warm handoff for {'/'.join(warm.priorities)}"
        f"{', VIP' if warm.vip else ''}, {'/'.join(warm.sentiments)} customers"
        f"{', or on customer request' if warm.customer_prefers_live else ''}; otherwise cold"
    )
    chase = ", then ".join(
        f"{step.notify.replace('_', ' ')} after {duration_words(step.after)}"
        for step in policy.handoff.acceptance_chain
    )
    lines.append(f"  Missed acknowledgement: notify {chase}")
    return lines
