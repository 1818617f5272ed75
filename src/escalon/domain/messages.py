"""What the customer is told when their ticket is escalated, and when they will hear from us next.

Customers who are escalated and then hear nothing escalate again, so every notice states the
expected next update time. That time is the policy's longest silence for the priority
(`response.customer_updates`) counted from the notice, or the time the agent promised on the
handoff form (`customer_communication.expected_update_time`) when that is sooner: a promise made to
the customer is kept even if the policy would allow longer.

This module builds the notice as data; the wording lives in Jinja2 templates a team can override
(see `escalon.adapters.customer_messages`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, field_validator

NoticeKind = Literal["escalation_notice"]

_TEAM_WORDS: dict[str, str] = {
    "L2": "our specialist support team",
    "L3": "our engineering team",
    "L4": "our technology partner, coordinated by our engineering team",
    "management": "our support management team",
}


def expected_next_update(
    at: datetime, cadence: timedelta, promised: datetime | None = None
) -> datetime:
    """When the customer will next hear from us: the sooner of the cadence and a promise."""
    if cadence <= timedelta(0):
        raise ValueError("customer update cadence must be positive")
    due = at + cadence
    if promised is not None and at < promised < due:
        return promised
    return due


def team_words(target: str) -> str:
    """How an escalation target is named to a customer (never internal tier codes)."""
    return _TEAM_WORDS.get(target, f"our {target} team")


class EscalationNotice(BaseModel):
    """Everything a customer-facing escalation notice template may use."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ticket: str
    customer_name: str | None = None
    contact_name: str | None = None
    subject: str | None = None
    priority: str
    escalated_to: str
    escalated_at: AwareDatetime
    next_update_at: AwareDatetime
    timezone: str = "UTC"
    warm_handoff: bool = False
    signature: str = "The Support Team"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    def template_context(self) -> dict[str, Any]:
        """Template variables; times also come pre-formatted in the customer's time zone."""
        zone = ZoneInfo(self.timezone)
        context = self.model_dump()
        context["team"] = team_words(self.escalated_to)
        context["escalated_at_local"] = _local(self.escalated_at, zone)
        context["next_update_local"] = _local(self.next_update_at, zone)
        return context


def escalation_notice(
    *,
    ticket: str,
    priority: str,
    escalated_to: str,
    escalated_at: datetime,
    cadence: timedelta,
    promised_update: datetime | None = None,
    customer_name: str | None = None,
    contact_name: str | None = None,
    subject: str | None = None,
    timezone: str = "UTC",
    warm_handoff: bool = False,
) -> EscalationNotice:
    """The notice for one escalation, with its expected next update time worked out."""
    return EscalationNotice(
        ticket=ticket,
        customer_name=customer_name,
        contact_name=contact_name,
        subject=subject,
        priority=priority,
        escalated_to=escalated_to,
        escalated_at=escalated_at,
        next_update_at=expected_next_update(escalated_at, cadence, promised_update),
        timezone=timezone,
        warm_handoff=warm_handoff,
    )


def _local(at: datetime, zone: ZoneInfo) -> str:
    local = at.astimezone(zone)
    return f"{local:%A %d %B %Y at %H:%M} ({local.tzname()})"
