"""The mapping file: what differs between organisations when their history is imported.

Two ServiceNow instances never share assignment groups, state labels or priority wording, so an
importer is generic over this model and each organisation writes (or adapts) one YAML file.
Clock pausing is expressed through the canonical status a source status maps to: the engine pauses
customer-facing clocks in `pending_customer` and `on_hold`; `pending_vendor` keeps them running
(waiting on a vendor is the provider's time) and marks a vendor dependency.
"""

from __future__ import annotations

import fnmatch
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from escalon.adapters.yamlsource import load_model
from escalon.domain.events import EscalationReason, Priority, Segment, TicketStatus

Source = Literal["servicenow", "servicenow-api", "zendesk", "jsm", "csv"]
SOURCES: tuple[str, ...] = ("servicenow", "servicenow-api", "zendesk", "jsm", "csv")
Activity = Literal["created", "resolved", "reopened", "commented", "escalated", "closed"]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TierPattern(_Strict):
    """A shell-style pattern (`Network*`, `*-L2`) over group names, tried in order."""

    match: str = Field(min_length=1)
    tier: str = Field(min_length=1)


class TierRules(_Strict):
    """Assignment groups (ServiceNow), groups (Zendesk) or teams (JSM) to support tiers."""

    default: str = "L1"
    order: list[str] = Field(default_factory=lambda: ["L1", "L2", "L3", "vendor"], min_length=1)
    groups: dict[str, str] = Field(default_factory=dict)
    patterns: list[TierPattern] = Field(default_factory=list)

    @model_validator(mode="after")
    def _tiers_are_ranked(self) -> TierRules:
        named = [self.default, *self.groups.values(), *(p.tier for p in self.patterns)]
        unknown = sorted({t for t in named if t not in self.order})
        if unknown:
            raise ValueError(f"tier {unknown[0]!r} is not in tiers.order {self.order}")
        return self

    def tier_of(self, group: str | None) -> str:
        """The tier of a group; an unassigned ticket sits in the default tier."""
        if group is None:
            return self.default
        if group in self.groups:
            return self.groups[group]
        for pattern in self.patterns:
            if fnmatch.fnmatchcase(group, pattern.match):
                return pattern.tier
        return self.default

    def rank(self, tier: str) -> int:
        return self.order.index(tier)


class FieldEscalation(_Strict):
    """A source field whose change to one of `values` means the ticket was escalated."""

    name: str = Field(min_length=1)
    values: list[str] = Field(min_length=1)


class EscalationRules(_Strict):
    """How an escalation shows in the source: a move up the tiers, a tag, or a field value."""

    on_tier_change: bool = True
    tags: list[str] = Field(default_factory=list)
    field: FieldEscalation | None = None
    reason: EscalationReason = "other"


class CustomerRules(_Strict):
    """Which source field identifies the customer and which decides the segment."""

    field: str | None = None
    segment_field: str | None = None
    segments: dict[str, Segment] = Field(default_factory=dict)
    default_segment: Segment = "smb"

    def segment_of(self, value: str | None) -> Segment:
        return self.segments.get(value, self.default_segment) if value else self.default_segment


class CsvColumns(_Strict):
    """Column names of a generic event-log CSV (one row per status or assignment change)."""

    ticket: str = Field(min_length=1)
    time: str = Field(min_length=1)
    status: str | None = None
    group: str | None = None
    agent: str | None = None
    priority: str | None = None
    customer: str | None = None
    activity: str | None = None


class ImportMapping(_Strict):
    """One organisation's mapping for one source; loaded from YAML by `load_mapping`."""

    source: Source
    timezone: str = "UTC"
    date_format: str = "iso"
    missing: list[str] = Field(default_factory=lambda: ["", "?"])
    statuses: dict[str, TicketStatus] = Field(min_length=1)
    priorities: dict[str, Priority] = Field(default_factory=dict)
    impacts: dict[str, Priority] = Field(default_factory=dict)
    default_priority: Priority = "P3"
    tiers: TierRules = Field(default_factory=TierRules)
    customer: CustomerRules = Field(default_factory=CustomerRules)
    escalation: EscalationRules = Field(default_factory=EscalationRules)
    group_field: str | None = None
    columns: CsvColumns | None = None
    activities: dict[str, Activity] = Field(default_factory=dict)
    delimiter: str = Field(default=",", min_length=1, max_length=1)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from err
        return value

    @field_validator("date_format")
    @classmethod
    def _usable_format(cls, value: str) -> str:
        if value == "iso":
            return value
        if "%" not in value:
            raise ValueError("date_format is 'iso' or a strptime format such as '%d/%m/%Y %H:%M'")
        try:
            datetime.strptime(datetime(2024, 1, 2, 3, 4, 5).strftime(value), value)
        except ValueError as err:
            raise ValueError(f"date_format {value!r} cannot read its own output") from err
        return value

    @model_validator(mode="after")
    def _csv_needs_columns(self) -> ImportMapping:
        if self.source == "csv" and self.columns is None:
            raise ValueError("a csv mapping needs `columns` (at least `ticket` and `time`)")
        return self

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def missing_values(self) -> frozenset[str]:
        return frozenset(self.missing)

    def status_of(self, label: str) -> TicketStatus | None:
        """The canonical status of a source label, matched exactly then case-insensitively."""
        found = self.statuses.get(label)
        if found is None:
            found = self._folded_statuses.get(label.casefold())
        return found

    @cached_property
    def _folded_statuses(self) -> dict[str, TicketStatus]:
        return {k.casefold(): v for k, v in self.statuses.items()}

    def priority_of(self, label: str | None, impact: str | None = None) -> Priority:
        """Priority from its label; the impact label fills in when the priority is missing."""
        if label is not None and label in self.priorities:
            return self.priorities[label]
        if impact is not None and impact in self.impacts:
            return self.impacts[impact]
        return self.default_priority


def load_mapping(path: Path | str) -> ImportMapping:
    """Load a mapping YAML; raises `SourceError` with FILE:LINE:COLUMN for every problem."""
    return load_model(path, ImportMapping)
