"""The policy as the engine reads it: built calendars and lookups, compiled once per policy.

The policy model stays the single source of truth; this only adds what the engine needs on
every event (calendars by name, the path leaving each tier, durations made concrete on a
calendar) so that a step does no repeated work. Compiled rulebooks are cached by the policy's
ref (version plus content fingerprint): equal content gives equal rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from escalon.domain.calendar import Calendar, build_calendars
from escalon.domain.durations import Duration
from escalon.domain.policy import (
    Criterion,
    EscalationPath,
    ManagementTrigger,
    Policy,
    RepeatedEscalationTrigger,
)

AUTOMATIC = frozenset({"engineering_required", "impact", "repeated_failure", "vendor_dependency"})
"""Criteria decided from the ticket's facts; time runs on a clock, the others are requested."""

PAUSING_STATUSES = frozenset({"pending_customer", "on_hold"})
"""While waiting on the customer (or on hold) customer-facing clocks stop counting."""

ALWAYS_OPEN = "24x7"


@dataclass(frozen=True, slots=True)
class Rulebook:
    """A policy plus its built calendars and per-tier lookups."""

    policy: Policy
    ref: str
    calendars: Mapping[str, Calendar]
    path_from: Mapping[str, EscalationPath]
    tier_order: tuple[str, ...]
    warnings: tuple[float, ...]
    automatic: Mapping[str, tuple[tuple[Criterion, str], ...]]
    """Per source tier: the criteria the engine checks by itself, with their `path:type` key."""
    time_criteria: Mapping[str, tuple[Criterion, ...]] = field(default_factory=dict)
    """Per source tier: the path's time criteria, in policy order."""
    triggers: tuple[tuple[str, ManagementTrigger, str], ...] = ()
    """The management triggers in policy order, with their type."""
    repeated_triggers: tuple[tuple[str, RepeatedEscalationTrigger, int], ...] = ()
    """The `repeated_escalation` triggers with their window in microseconds."""
    issue_fields: tuple[str, ...] = ()
    incident_window_us: int = 0
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    """Values derived from this policy alone (spans on a calendar, acknowledgement plans),
    computed on first use. Keyed per rulebook: two policies may name calendars alike."""

    def calendar_for(self, priority: str, region: str | None) -> str:
        """The ticket's calendar: by priority (P1 on 24x7 in the default), else region."""
        key = ("calendar", priority, region)
        name: str | None = self.memo.get(key)
        if name is None:
            name = self.policy.clocks.for_ticket(priority, region)  # type: ignore[arg-type]
            if len(self.memo) < _MEMO_LIMIT:  # regions come from events: keep it bounded
                self.memo[key] = name
        return name

    def clock_calendar(self, clock: str, ticket_calendar: str) -> str:
        """`business` counts on the ticket's calendar; `calendar` counts every hour."""
        if clock == "calendar":
            return ALWAYS_OPEN if ALWAYS_OPEN in self.calendars else ticket_calendar
        return ticket_calendar

    def span(self, duration: Duration, calendar: str) -> int:
        """A policy duration as working microseconds on `calendar` (`1d` = one working day)."""
        key = (duration, calendar)
        cached: int | None = self.memo.get(key)
        if cached is None:
            day = self.calendars[calendar].working_day
            days = duration.days * (day.days * 86_400 + day.seconds)
            cached = self.memo[key] = (days + duration.seconds) * 1_000_000
        return cached

    def window_us(self, duration: Duration) -> int:
        """A policy window in microseconds, days as 24 real hours (whole seconds)."""
        key = ("window", duration)
        cached: int | None = self.memo.get(key)
        if cached is None:
            cached = self.memo[key] = _window_us(duration)
        return cached

    def sla_thresholds(self, target: int) -> list[int]:
        """Warning offsets at the policy's fractions, then the target itself."""
        cached = _THRESHOLDS.get((target, self.warnings))
        if cached is None:
            marks = [int(target * f) for f in self.warnings if 0 < int(target * f) < target]
            cached = _THRESHOLDS[(target, self.warnings)] = [*marks, target]
        return list(cached)


_MEMO_LIMIT = 65_536
_THRESHOLDS: dict[tuple[int, tuple[float, ...]], list[int]] = {}
_TEXTS: dict[Duration, str] = {}


def text(duration: Duration) -> str:
    """`str(duration)` (`2h`, `1d4h`), remembered: the engine writes the same few often."""
    cached = _TEXTS.get(duration)
    if cached is None:
        cached = _TEXTS[duration] = str(duration)
    return cached


def _window_us(duration: Duration) -> int:
    """A policy window in microseconds, days as 24 real hours (whole seconds)."""
    return int(duration.as_timedelta.total_seconds()) * 1_000_000


_CACHE: dict[str, Rulebook] = {}


def rulebook_for(policy: Policy) -> Rulebook:
    """The compiled rules of `policy` (cached by its ref)."""
    cached = _CACHE.get(policy.ref)
    if cached is not None:
        return cached
    calendars = build_calendars(policy.calendars)
    if ALWAYS_OPEN not in calendars:
        from escalon.domain.calendar import AlwaysOpenCalendar

        calendars[ALWAYS_OPEN] = AlwaysOpenCalendar(ALWAYS_OPEN)
    book = Rulebook(
        policy=policy,
        ref=policy.ref,
        calendars=calendars,
        path_from={path.from_tier: path for path in policy.paths},
        tier_order=tuple(policy.tiers_in_order()),
        warnings=tuple(policy.response.sla_warnings),
        automatic={
            path.from_tier: tuple(
                (c, f"{path.name}:{c.type}") for c in path.criteria if c.type in AUTOMATIC
            )
            for path in policy.paths
        },
        time_criteria={
            path.from_tier: tuple(c for c in path.criteria if c.type == "time")
            for path in policy.paths
        },
        triggers=tuple(
            (name, trigger, trigger.type) for name, trigger in policy.management.triggers.items()
        ),
        repeated_triggers=tuple(
            (name, trigger, _window_us(trigger.window))
            for name, trigger in policy.management.triggers.items()
            if isinstance(trigger, RepeatedEscalationTrigger)
        ),
        issue_fields=tuple(policy.issue_key.fields),
        incident_window_us=_window_us(policy.major_incident.window),
    )
    if len(_CACHE) > 16:
        _CACHE.clear()
    _CACHE[policy.ref] = book
    return book
