"""Render a handoff as the seed's text form, as Markdown, or as JSON.

The text layout is the seed's ESCALATION HANDOFF FORM line for line (headers, labels, two-space
indentation). A field that is not filled keeps the seed's bracketed placeholder, so a blank form
is exactly the seed's template and a partly filled one shows at a glance what is missing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from escalon.domain.handoff.form import HandoffForm, TroubleshootingStep

RenderFormat = Literal["text", "markdown", "json"]
RENDER_FORMATS: tuple[RenderFormat, ...] = ("text", "markdown", "json")


@dataclass(frozen=True, slots=True)
class _Line:
    label: str
    value: str | None
    placeholder: str


@dataclass(frozen=True, slots=True)
class _Section:
    header: str
    lines: tuple[_Line, ...]
    steps: tuple[TroubleshootingStep, ...] | None = None


def render_handoff(form: HandoffForm, fmt: RenderFormat = "text") -> str:
    """The form in one of `RENDER_FORMATS`; text ends with a newline like the others."""
    if fmt == "text":
        return render_text(form)
    if fmt == "markdown":
        return render_markdown(form)
    return json.dumps(form.model_dump(mode="json"), indent=2) + "\n"


def render_text(form: HandoffForm) -> str:
    out = ["ESCALATION HANDOFF FORM", "========================"]
    for section in _sections(form):
        out += ["", f"{section.header}:"]
        if section.steps is not None:
            out += _text_steps(section.steps)
        out += [
            f"  {line.label}: {_indent(line.value or line.placeholder)}" for line in section.lines
        ]
    return "\n".join(out) + "\n"


def render_markdown(form: HandoffForm) -> str:
    out = ["# Escalation handoff form"]
    for section in _sections(form):
        out += ["", f"## {_title(section.header)}", ""]
        if section.steps is not None:
            out += [f"{n}. {_step(step)}" for n, step in enumerate(section.steps, 1)] or [
                "_No troubleshooting steps recorded._"
            ]
            out.append("")
        for line in section.lines:
            value = _md(line.value) if line.value else "_not provided_"
            out.append(f"- **{line.label}:** {value}")
    return "\n".join(out) + "\n"


def _sections(form: HandoffForm) -> tuple[_Section, ...]:
    t, i, tr = form.ticket_information, form.issue_summary, form.troubleshooting
    s, h, c, a = form.current_status, form.hypothesis, form.customer_communication, form.acceptance
    return (
        _Section(
            "TICKET INFORMATION",
            (
                _Line("Ticket ID", t.ticket_id, "[ID]"),
                _Line("Priority", t.priority, "[P1/P2/P3/P4]"),
                _Line("Escalation from", t.escalation_from, "[Tier/Agent]"),
                _Line("Escalation to", t.escalation_to, "[Tier/Team/Individual]"),
                _Line("Escalation time", _when(t.escalation_time), "[Date/Time]"),
                _Line("SLA remaining", _str(t.sla_remaining), "[Time]"),
            ),
        ),
        _Section(
            "ISSUE SUMMARY",
            (
                _Line("Customer description", i.customer_description, "[In customer's own words]"),
                _Line("Technical description", i.technical_description, "[Technical assessment]"),
                _Line("Impact", i.impact, "[Business impact, scope, urgency]"),
            ),
        ),
        _Section(
            "TROUBLESHOOTING STEPS TAKEN",
            (
                _Line(
                    "Attachments",
                    ", ".join(tr.attachments) or None,
                    "[Logs, screenshots, diagnostic output]",
                ),
            ),
            steps=tuple(tr.steps),
        ),
        _Section(
            "CURRENT STATUS",
            (
                _Line("Issue reproduced", _cap(s.issue_reproduced), "[Yes/No/Partial]"),
                _Line(
                    "Workaround provided",
                    _yes_no(s.workaround_provided, s.workaround_details, " — "),
                    "[Yes/No — details]",
                ),
                _Line(
                    "Customer sentiment",
                    _cap(s.customer_sentiment),
                    "[Satisfied/Neutral/Frustrated/Upset]",
                ),
                _Line(
                    "Last customer communication",
                    _when(s.last_customer_communication),
                    "[Date/Time]",
                ),
            ),
        ),
        _Section(
            "HYPOTHESIS & RECOMMENDATION",
            (
                _Line("Likely cause", h.likely_cause, "[Based on investigation]"),
                _Line(
                    "Recommended action",
                    h.recommended_action,
                    "[Specific steps for receiving tier]",
                ),
                _Line(
                    "Additional context",
                    h.additional_context,
                    "[Anything that will help receiving team]",
                ),
            ),
        ),
        _Section(
            "CUSTOMER COMMUNICATION",
            (
                _Line(
                    "Customer notified of escalation",
                    _yes_no(c.customer_notified, _when(c.notified_at), ", "),
                    "[Yes/No, time]",
                ),
                _Line(
                    "Expected update time",
                    _when(c.expected_update_time),
                    "[When to next update customer]",
                ),
                _Line(
                    "Customer preferences",
                    _join(
                        c.preferences,
                        "prefers a live transfer" if c.prefers_live_transfer else None,
                    ),
                    "[Communication method, frequency]",
                ),
                _Line(
                    "Key relationship notes",
                    _join("VIP" if c.vip else None, c.relationship_notes),
                    "[VIP status, history, concerns]",
                ),
            ),
        ),
        _Section(
            "ESCALATION ACCEPTANCE",
            (
                _Line(
                    "Received by", _join(a.received_by, _when(a.received_at), ", "), "[Name, time]"
                ),
                _Line("Estimated resolution time", a.estimated_resolution, "[Time]"),
                _Line(
                    "Additional resources needed",
                    _yes_no(a.additional_resources_needed, a.additional_resources_details, " — "),
                    "[Yes/No — details]",
                ),
            ),
        ),
    )


def _text_steps(steps: tuple[TroubleshootingStep, ...]) -> list[str]:
    if not steps:
        return [f"  {n}. [Step, result, time spent]" for n in (1, 2, 3)]
    return [f"  {n}. {_indent(_step(step))}" for n, step in enumerate(steps, 1)]


def _step(step: TroubleshootingStep) -> str:
    parts = [step.step, step.result or "result not recorded"]
    parts.append(str(step.time_spent) if step.time_spent is not None else "time not recorded")
    return ", ".join(parts)


def _when(value: datetime | None) -> str | None:
    if value is None:
        return None
    offset = value.utcoffset() or timedelta(0)
    zone = "UTC" if not offset else value.strftime("%z")
    zone = zone if zone == "UTC" else f"{zone[:3]}:{zone[3:]}"
    return f"{value:%Y-%m-%d %H:%M} {zone}"


def _yes_no(answer: bool | None, details: str | None, sep: str) -> str | None:
    if answer is None:
        return None
    word = "Yes" if answer else "No"
    return f"{word}{sep}{details}" if details and answer else word


def _join(first: str | None, second: str | None, sep: str = "; ") -> str | None:
    parts = [part for part in (first, second) if part and part.strip()]
    return sep.join(parts) or None


def _str(value: object | None) -> str | None:
    return None if value is None else str(value)


def _cap(value: str | None) -> str | None:
    return value.capitalize() if value else None


def _indent(text: str) -> str:
    # Continuation lines of a multi-line answer stay inside their section.
    return text.replace("\n", "\n    ")


def _title(header: str) -> str:
    return header.capitalize().replace("&", "and")


def _md(text: str) -> str:
    return text.replace("\n", " ")
