"""The executive preparation briefing: who meets the customer's executive and what they read first.

The preparation briefing is built only from the ticket's events (plus the SLA status and the
authority matrix handed in), so it can be regenerated at any moment and always agrees with the
timeline. Nothing here reads the clock: `now` is a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from escalon.domain.authority import Matrix, RequestKind, lowest_approver, money, ordered_roles
from escalon.domain.events import (
    AssignedEvent,
    CreditRequestedEvent,
    CsatReceivedEvent,
    Customer,
    EscalationAcceptedEvent,
    EscalationRejectedEvent,
    EscalationRequestedEvent,
    Event,
    ExecutiveLevel,
    ManagementRespondedEvent,
    StatusChangedEvent,
    TicketCommentedEvent,
    TicketCreatedEvent,
    TicketReopenedEvent,
    TicketResolvedEvent,
    TicketUpdatedEvent,
)
from escalon.domain.executive.followup import StatusUpdatePlan, status_update_plan
from escalon.domain.handoff.form import HandoffForm

Channel = Literal["call", "video", "email"]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def match_executive(level: ExecutiveLevel, matching: Mapping[ExecutiveLevel, str]) -> str | None:
    """Our role that engages a customer executive of `level` (policy `executive_matching`)."""
    return matching.get(level)


class TimelineEntry(_Record):
    at: AwareDatetime
    what: str


class EscalationSummary(_Record):
    requested_at: AwareDatetime
    to: str
    reason: str
    requested_by: str | None = None
    outcome: Literal["pending", "accepted", "rejected"] = "pending"
    outcome_at: AwareDatetime | None = None
    outcome_note: str | None = None


class SlaLine(_Record):
    """One SLA clock as the engine reports it (name, state, due, how far from due)."""

    name: str
    state: str
    due: AwareDatetime | None = None
    remaining: str | None = None


class CommunicationEntry(_Record):
    """One executive or customer conversation: a call, a video meeting or an e-mail."""

    at: AwareDatetime
    channel: Channel
    by: str
    with_: str = Field(alias="with")
    summary: str
    next_step: str | None = None


class ManagementEscalation(_Record):
    """The ticket's management escalation as the engine decided it."""

    level: str
    escalated_at: AwareDatetime
    triggers: list[str] = Field(default_factory=list)


class ManagementStatus(_Record):
    level: str
    escalated_at: AwareDatetime
    triggers: list[str]
    status_updates: StatusUpdatePlan | None = None


class PreparationBriefing(_Record):
    ticket: str
    as_of: AwareDatetime
    customer: Customer | None = None
    subject: str | None = None
    priority: str | None = None
    status: str | None = None
    opened_at: AwareDatetime | None = None
    engaging_role: str | None = None
    issue_summary: list[str] = Field(default_factory=list)
    customer_impact: list[str] = Field(default_factory=list)
    timeline: list[TimelineEntry] = Field(default_factory=list)
    escalations: list[EscalationSummary] = Field(default_factory=list)
    sla_status: list[SlaLine] = Field(default_factory=list)
    resolution_options: list[str] = Field(default_factory=list)
    communications: list[CommunicationEntry] = Field(default_factory=list)
    management: ManagementStatus | None = None


def build_briefing(
    ticket: str,
    events: Sequence[Event],
    *,
    now: datetime,
    matrix: Matrix,
    executive_matching: Mapping[ExecutiveLevel, str],
    sla_status: Sequence[SlaLine] = (),
    communications: Sequence[CommunicationEntry] = (),
    management: ManagementEscalation | None = None,
    status_update_cadence: timedelta | None = None,
) -> PreparationBriefing:
    """The briefing for whoever engages the customer's executive, from the ticket's events."""
    mine = sorted((e for e in events if e.ticket == ticket and e.at <= now), key=lambda e: e.at)
    created = next((e for e in mine if isinstance(e, TicketCreatedEvent)), None)
    customer = created.data.customer if created else None
    priority, status = (created.data.priority, created.data.status) if created else (None, None)
    for event in mine:
        if isinstance(event, TicketUpdatedEvent):
            priority = event.data.priority or priority
            customer = event.data.customer or customer
        elif isinstance(event, StatusChangedEvent):
            status = event.data.status
        elif isinstance(event, TicketResolvedEvent):
            status = "solved"
        elif isinstance(event, TicketReopenedEvent):
            status = "open"
    handoff = _latest_handoff(mine)
    role = match_executive(customer.executive_level, executive_matching) if customer else None
    return PreparationBriefing(
        ticket=ticket,
        as_of=now,
        customer=customer,
        subject=created.data.subject if created else None,
        priority=priority,
        status=status,
        opened_at=created.at if created else None,
        engaging_role=role,
        issue_summary=_issue_summary(created, handoff),
        customer_impact=_impact(mine, handoff),
        timeline=[TimelineEntry(at=e.at, what=w) for e in mine if (w := describe(e))],
        escalations=_escalations(mine),
        sla_status=list(sla_status),
        resolution_options=_options(mine, matrix, role, handoff),
        communications=sorted(communications, key=lambda c: c.at),
        management=_management(mine, management, status_update_cadence, now),
    )


def _management(
    events: Sequence[Event],
    escalation: ManagementEscalation | None,
    cadence: timedelta | None,
    now: datetime,
) -> ManagementStatus | None:
    """Level, triggers and the daily status update plan (updates are `management.responded`
    events with milestone `status_update`)."""
    if escalation is None:
        return None
    plan = None
    if cadence is not None:
        sent = [
            e.at
            for e in events
            if isinstance(e, ManagementRespondedEvent) and e.data.milestone == "status_update"
        ]
        plan = status_update_plan(
            escalated_at=escalation.escalated_at,
            cadence=cadence,
            sent=sent,
            now=now,
            resolved_at=_resolved_at(events),
        )
    return ManagementStatus(
        level=escalation.level,
        escalated_at=escalation.escalated_at,
        triggers=list(escalation.triggers),
        status_updates=plan,
    )


def _resolved_at(events: Sequence[Event]) -> datetime | None:
    """When the ticket was last resolved, unless it was reopened since."""
    resolved: datetime | None = None
    for event in events:
        if isinstance(event, TicketResolvedEvent):
            resolved = event.at
        elif isinstance(event, TicketReopenedEvent):
            resolved = None
    return resolved


def _latest_handoff(events: Sequence[Event]) -> HandoffForm | None:
    for event in reversed(events):
        if isinstance(event, EscalationRequestedEvent) and event.data.handoff:
            try:
                return HandoffForm.model_validate(event.data.handoff)
            except ValueError:
                continue
    return None


def _issue_summary(created: TicketCreatedEvent | None, form: HandoffForm | None) -> list[str]:
    lines = []
    if created is not None:
        d = created.data
        lines.append(f"Subject: {d.subject or 'not given'}")
        area = ", ".join(x for x in (d.category, d.product_area) if x)
        if area:
            lines.append(f"Area: {area}")
    if form is not None:
        s, h = form.issue_summary, form.hypothesis
        for label, value in (
            ("In the customer's words", s.customer_description),
            ("Technical assessment", s.technical_description),
            ("Likely cause", h.likely_cause),
        ):
            if value:
                lines.append(f"{label}: {value}")
    return lines


def _impact(events: Sequence[Event], form: HandoffForm | None) -> list[str]:
    flags: dict[str, object] = {}
    for event in events:
        if isinstance(event, TicketCreatedEvent | TicketUpdatedEvent):
            flags.update({k: v for k, v in event.data.model_dump().items() if v is not None})
    lines = []
    if form is not None and form.issue_summary.impact:
        lines.append(form.issue_summary.impact)
    if flags.get("revenue_at_risk") is not None:
        lines.append(f"Revenue at risk: {money(Decimal(str(flags['revenue_at_risk'])))}")
    for key, text in (
        ("churn_threat", "Churn threat flagged"),
        ("public_complaint", "Public complaint"),
        ("legal_compliance_security", "Legal, compliance or security concern"),
    ):
        if flags.get(key):
            lines.append(text)
    if flags.get("affected_customers"):
        lines.append(f"Customers affected: {flags['affected_customers']}")
    if form is not None and form.current_status.customer_sentiment:
        lines.append(f"Customer sentiment: {form.current_status.customer_sentiment}")
    return lines


def _escalations(events: Sequence[Event]) -> list[EscalationSummary]:
    out: list[EscalationSummary] = []
    for event in events:
        if isinstance(event, EscalationRequestedEvent):
            out.append(
                EscalationSummary(
                    requested_at=event.at,
                    to=event.data.to,
                    reason=event.data.reason,
                    requested_by=event.data.requested_by,
                )
            )
        elif isinstance(event, EscalationAcceptedEvent) and out:
            note = f"by {event.data.by or 'the receiving tier'}"
            out[-1] = _outcome(out[-1], "accepted", event.at, note)
        elif isinstance(event, EscalationRejectedEvent) and out:
            feedback = f" (feedback: {event.data.feedback})" if event.data.feedback else ""
            out[-1] = _outcome(out[-1], "rejected", event.at, event.data.reason + feedback)
    return out


def _outcome(
    summary: EscalationSummary,
    outcome: Literal["accepted", "rejected"],
    at: datetime,
    note: str,
) -> EscalationSummary:
    update = {"outcome": outcome, "outcome_at": at, "outcome_note": note}
    return summary.model_copy(update=update)


_KIND_ACTION: dict[RequestKind, str] = {
    "service_credit": "service credit",
    "discount": "discount",
    "contract_change": "contract change",
}


def _options(
    events: Sequence[Event], matrix: Matrix, role: str | None, form: HandoffForm | None
) -> list[str]:
    """What can be offered, each with the role that may approve it."""
    options = []
    if form is not None and form.hypothesis.recommended_action:
        options.append(f"Technical: {form.hypothesis.recommended_action}")
    for event in events:
        if isinstance(event, CreditRequestedEvent):
            d = event.data
            approver = lowest_approver(matrix, d.kind, d.amount) or "no role in the matrix"
            who = f" by {d.requested_by}" if d.requested_by else ""
            options.append(
                f"Requested{who}: {money(d.amount)} {_KIND_ACTION[d.kind]}, approver {approver}"
            )
    if role is not None and role in matrix.roles:
        spec = matrix.roles[role]
        cap = "any amount" if spec.credit_cap is None else f"up to {money(spec.credit_cap)}"
        if "service_credit" in spec.actions:
            options.append(f"Within {role}'s authority: service credit {cap}")
        if "discount" in spec.actions:
            options.append(f"Within {role}'s authority: discount {cap}")
        if "contract_modification" in spec.actions:
            options.append(f"Within {role}'s authority: contract modification")
        above = [r for r in ordered_roles(matrix) if matrix.roles[r].seniority > spec.seniority]
        if above and spec.credit_cap is not None:
            options.append(f"Beyond {money(spec.credit_cap)}: needs {above[0]} or above")
    return options


def describe(event: Event) -> str | None:
    """One timeline line per event; ticks are not part of a ticket's story."""
    if isinstance(event, TicketCreatedEvent):
        subject = event.data.subject or "no subject"
        return f"Ticket opened ({event.data.priority}, {event.data.tier}): {subject}"
    if isinstance(event, TicketUpdatedEvent):
        changed = ", ".join(f"{k} {v}" for k, v in event.data.model_dump().items() if v is not None)
        return f"Updated: {changed}" if changed else None
    if isinstance(event, TicketCommentedEvent):
        kind = "public" if event.data.public else "internal"
        body = (event.data.body or "").strip().replace("\n", " ")
        body = body if len(body) <= 100 else body[:99] + "…"
        return f"{event.data.author.capitalize()} {kind} comment" + (f": {body}" if body else "")
    if isinstance(event, StatusChangedEvent):
        return f"Status changed to {event.data.status}"
    if isinstance(event, AssignedEvent):
        who = " / ".join(x for x in (event.data.tier, event.data.team, event.data.agent) if x)
        return f"Assigned to {who or 'nobody'}"
    if isinstance(event, EscalationRequestedEvent):
        by = f" by {event.data.requested_by}" if event.data.requested_by else ""
        why = f": {event.data.justification}" if event.data.justification else ""
        return f"Escalation to {event.data.to} requested{by} ({event.data.reason}){why}"
    if isinstance(event, EscalationAcceptedEvent):
        eta = (
            f"; estimated resolution {event.data.estimated_resolution}"
            if event.data.estimated_resolution
            else ""
        )
        return f"Escalation accepted by {event.data.by or 'the receiving tier'}{eta}"
    if isinstance(event, EscalationRejectedEvent):
        feedback = f"; feedback: {event.data.feedback}" if event.data.feedback else ""
        by = event.data.by or "the receiving tier"
        return f"Escalation rejected by {by}: {event.data.reason}{feedback}"
    if isinstance(event, TicketResolvedEvent):
        return f"Resolved by {event.data.by or 'unnamed'}: {event.data.summary or 'no summary'}"
    if isinstance(event, TicketReopenedEvent):
        return f"Reopened: {event.data.reason or 'no reason given'}"
    if isinstance(event, CsatReceivedEvent):
        return f"CSAT {event.data.score}/5" + (
            f": {event.data.comment}" if event.data.comment else ""
        )
    if isinstance(event, ManagementRespondedEvent):
        by = f" by {event.data.by}" if event.data.by else ""
        note = f": {event.data.note}" if event.data.note else ""
        return f"Management response{by}: {event.data.milestone.replace('_', ' ')}{note}"
    if isinstance(event, CreditRequestedEvent):
        who = f" by {event.data.requested_by}" if event.data.requested_by else ""
        return f"{money(event.data.amount)} {_KIND_ACTION[event.data.kind]} requested{who}"
    return None
