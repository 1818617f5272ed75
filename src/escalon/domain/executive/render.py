"""Markdown for the executive workflow: the preparation briefing and the post-escalation review."""

from __future__ import annotations

from datetime import datetime, timedelta

from escalon.domain.durations import format_duration
from escalon.domain.executive.briefing import PreparationBriefing
from escalon.domain.executive.followup import PostEscalationReview, StatusUpdate


def when(at: datetime) -> str:
    """`2025-04-01 09:00 UTC` or `2025-04-01 09:00 -04:00`: minutes are enough for people."""
    offset = at.utcoffset() or timedelta(0)
    if not offset:
        return f"{at:%Y-%m-%d %H:%M} UTC"
    zone = at.strftime("%z")
    return f"{at:%Y-%m-%d %H:%M} {zone[:3]}:{zone[3:]}"


def _bullets(lines: list[str], empty: str) -> list[str]:
    return [f"- {line}" for line in lines] or [f"_{empty}_"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def briefing_markdown(b: PreparationBriefing) -> str:
    """The briefing as Markdown, sections in the order an executive reads them."""
    c = b.customer
    out = [f"# Executive briefing: ticket {b.ticket}", "", f"_As of {when(b.as_of)}_", ""]
    if c is not None:
        who = c.name or c.id
        extras = [c.segment, f"executive level {c.executive_level}"] + (["VIP"] if c.vip else [])
        out.append(f"- **Customer:** {who} ({', '.join(extras)})")
    out.append(f"- **Priority:** {b.priority or 'unknown'}; **status:** {b.status or 'unknown'}")
    if b.opened_at is not None:
        out.append(f"- **Opened:** {when(b.opened_at)}")
    out.append(f"- **Engaging role:** {b.engaging_role or 'no executive match in the policy'}")
    out += _management_lines(b)
    out += ["", "## Issue summary", "", *_bullets(b.issue_summary, "No summary recorded.")]
    out += ["", "## Customer impact", "", *_bullets(b.customer_impact, "No impact recorded.")]
    out += ["", "## Timeline", ""]
    out += [f"- {when(t.at)} — {t.what}" for t in b.timeline] or ["_No events._"]
    out += ["", "## Escalations", ""]
    if b.escalations:
        out += ["| Requested | To | Reason | By | Outcome |", "|---|---|---|---|---|"]
        for e in b.escalations:
            outcome: str = e.outcome
            if e.outcome_at is not None:
                outcome += f" {when(e.outcome_at)}"
            if e.outcome_note:
                outcome += f": {e.outcome_note}"
            row = [when(e.requested_at), e.to, e.reason, e.requested_by or "", outcome]
            out.append("| " + " | ".join(_cell(x) for x in row) + " |")
    else:
        out.append("_None._")
    out += ["", "## SLA status", ""]
    if b.sla_status:
        out += ["| Clock | State | Due | Remaining |", "|---|---|---|---|"]
        for s in b.sla_status:
            due = when(s.due) if s.due else ""
            out.append(f"| {s.name} | {s.state} | {due} | {s.remaining or ''} |")
    else:
        out.append("_No SLA clocks reported._")
    out += ["", "## Proposed resolution options (within authority)", ""]
    out += _bullets(b.resolution_options, "No options recorded.")
    out += ["", "## Communication log", ""]
    if b.communications:
        for m in b.communications:
            line = f"- {when(m.at)} — {m.channel} by {m.by} with {m.with_}: {m.summary}"
            out.append(line + (f" (next: {m.next_step})" if m.next_step else ""))
    else:
        out.append("_No executive communication yet._")
    return "\n".join(out) + "\n"


def _management_lines(b: PreparationBriefing) -> list[str]:
    m = b.management
    if m is None:
        return []
    triggers = ", ".join(m.triggers) or "none recorded"
    out = [f"- **Management escalation:** {m.level} since {when(m.escalated_at)} ({triggers})"]
    plan = m.status_updates
    if plan is not None:
        if plan.next_due is None:
            state = f"{plan.sent} sent; resolved, no more due"
        else:
            state = f"{plan.sent} sent; next due {when(plan.next_due)}"
            if plan.overdue_by is not None:
                state += f", overdue by {format_duration(plan.overdue_by)}"
        out.append(f"- **Daily status updates:** {state}")
    return out


def status_update_text(update: StatusUpdate) -> str:
    """A daily status update as plain text for e-mail or a call script."""
    out = [f"Status update — ticket {update.ticket} — {when(update.at)}", "", update.progress]
    if update.next_steps:
        out += ["", "Next steps:", *[f"  - {step}" for step in update.next_steps]]
    if update.next_update is not None:
        out += ["", f"Next update by {when(update.next_update)}."]
    return "\n".join(out) + "\n"


def review_markdown(r: PostEscalationReview) -> str:
    """The post-escalation review as a Markdown document to fill in or file."""

    def text(value: str | None) -> str:
        return value if value else "_to be completed_"

    out = [f"# Post-escalation review: ticket {r.ticket}", ""]
    out.append(f"_Held {when(r.held_at)}_" if r.held_at else "_Not held yet_")
    out += ["", "## Escalation debrief", "", text(r.debrief)]
    out += ["", "## Customer relationship status", "", text(r.relationship_status)]
    out += ["", "## Process improvements", "", *_bullets(r.process_improvements, "to be completed")]
    out += ["", "## Training needs", "", *_bullets(r.training_needs, "to be completed")]
    out += ["", "## Systemic root cause", "", text(r.systemic_root_cause)]
    out += ["", "## Follow-up items", ""]
    for item in r.follow_ups:
        meta = ", ".join(
            x
            for x in (item.owner and f"owner {item.owner}", item.due and f"due {when(item.due)}")
            if x
        )
        out.append(
            f"- [{'x' if item.done else ' '}] {item.action}" + (f" ({meta})" if meta else "")
        )
    if not r.follow_ups:
        out.append("_None._")
    return "\n".join(out) + "\n"
