"""Service commitments to the customer: resolution targets, update cadence, handoffs, incidents.

Resolution targets are per priority and per tier and count from the moment the ticket reaches the
tier, on the calendar chosen by `ClockCalendars`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from escalon.domain.durations import DurationField
from escalon.domain.events import Priority
from escalon.domain.policy.base import PolicyModel, Sentiment


class ResponseTargets(PolicyModel):
    """Resolution targets, customer update cadence and when SLA warnings go out."""

    resolution: dict[Priority, dict[str, DurationField]] = Field(
        description="Priority -> tier -> time to resolve once the tier has the ticket."
    )
    customer_updates: dict[Priority, DurationField] = Field(
        description="Priority -> longest silence towards the customer during an escalation."
    )
    sla_warnings: list[float] = Field(default_factory=lambda: [0.5, 0.75, 0.9])
    priority_change_retroactive: bool = Field(
        default=True, description="A new priority's clock counts from when the ticket opened."
    )

    @field_validator("sla_warnings")
    @classmethod
    def _fractions(cls, value: list[float]) -> list[float]:
        if any(not 0 < f < 1 for f in value):
            raise ValueError("warning fractions must lie strictly between 0 and 1")
        if value != sorted(set(value)):
            raise ValueError("warning fractions must be increasing and distinct")
        return value


MatchOn = Literal["product_area", "signature"]
KeyField = Literal["customer", "product_area", "category"]


def _urgent() -> list[Priority]:
    return ["P1", "P2"]


def _unhappy() -> list[Sentiment]:
    return ["frustrated", "upset"]


def _match_on() -> list[MatchOn]:
    return ["signature", "product_area"]


def _key_fields() -> list[KeyField]:
    return ["customer", "product_area", "category"]


class WarmHandoffRule(PolicyModel):
    """A handoff is warm (live transfer) when any of these holds; otherwise cold."""

    priorities: list[Priority] = Field(default_factory=_urgent)
    vip: bool = True
    sentiments: list[Sentiment] = Field(default_factory=_unhappy)
    customer_prefers_live: bool = True


class AcceptanceStep(PolicyModel):
    """Who is told, how long after the receiving tier misses its acknowledgement target."""

    notify: str = Field(description="`tier_lead` (the receiving tier's lead) or a role.")
    after: DurationField


class HandoffRules(PolicyModel):
    """Warm vs cold handoffs, and the chain that chases an unacknowledged escalation."""

    warm_when: WarmHandoffRule = Field(default_factory=WarmHandoffRule)
    acceptance_chain: list[AcceptanceStep] = Field(min_length=1)


class MajorIncident(PolicyModel):
    """Declare a major incident when several customers hit the same problem at once."""

    min_customers: int
    window: DurationField
    match_on: list[MatchOn] = Field(default_factory=_match_on, min_length=1)
    update_every: DurationField = Field(description="Customer communication cadence.")
    notify: str = Field(default="support_manager", description="Role told on declaration.")


class IssueKey(PolicyModel):
    """What makes two tickets "the same issue" for repeat and recurrence rules."""

    fields: list[KeyField] = Field(default_factory=_key_fields, min_length=1)
    signature_overrides: bool = Field(
        default=True, description="An explicit issue signature on the ticket wins."
    )


class ClockCalendars(PolicyModel):
    """Which calendar a ticket's clocks run on: by priority, else by region, else the default."""

    default: str
    by_priority: dict[Priority, str] = Field(default_factory=dict)
    by_region: dict[str, str] = Field(
        default_factory=dict,
        description="Region -> calendar; regions match without regard to case (EMEA = emea).",
    )

    @field_validator("by_region")
    @classmethod
    def _distinct_regions(cls, value: dict[str, str]) -> dict[str, str]:
        seen: dict[str, str] = {}
        for region in value:
            other = seen.setdefault(region.casefold(), region)
            if other != region:
                raise ValueError(f"regions {other!r} and {region!r} differ only in case")
        return value

    def for_ticket(self, priority: Priority, region: str | None) -> str:
        """The calendar name for a ticket of this priority and customer region.

        Helpdesks spell regions as they like ("EMEA", "emea"), so the match ignores case; a
        region the policy does not name falls back to the default calendar.
        """
        if priority in self.by_priority:
            return self.by_priority[priority]
        if region is not None:
            if region in self.by_region:
                return self.by_region[region]
            folded = region.casefold()
            for key, calendar in self.by_region.items():
                if key.casefold() == folded:
                    return calendar
        return self.default


class FollowTheSun(PolicyModel):
    """Round-the-clock coverage by handing work between regions in this order."""

    name: str
    regions: list[str] = Field(min_length=1)
