"""Semantic checks about time: calendar windows and targets that contradict one another.

Durations written in days depend on the calendar (`1d` is 24 hours on 24x7, one working day on a
business calendar), so targets are compared after converting days with the shortest working day
among the calendars the target can run on: a conflict is reported only when it is certain.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time, timedelta

from escalon.domain.calendar.spec import CalendarSpec, parse_window
from escalon.domain.durations import Duration
from escalon.domain.events import Priority
from escalon.domain.policy.base import LintIssue, Loc
from escalon.domain.policy.model import Policy

PRIORITIES: tuple[Priority, ...] = ("P1", "P2", "P3", "P4")
_DAY = timedelta(days=1)


def _minutes(moment: time | None) -> int:
    return 24 * 60 if moment is None else moment.hour * 60 + moment.minute


def _overlaps(loc: Loc, windows: list[str]) -> Iterator[LintIssue]:
    spans = [
        (_minutes(start), _minutes(end), i)
        for i, (start, end) in enumerate(map(parse_window, windows))
    ]
    for start, end, index in spans:
        for other_start, other_end, other in spans:
            if other < index and start < other_end and other_start < end:
                message = f"window {windows[index]} overlaps {windows[other]} on the same day"
                yield LintIssue((*loc, index), message)
                break


def working_day(spec: CalendarSpec) -> timedelta:
    """What `1d` means on a calendar: 24 h when always open, else its longest working day."""
    if spec.always_open:
        return _DAY
    lengths = [
        sum((_minutes(end) - _minutes(start) for start, end in map(parse_window, windows)), 0)
        for windows in spec.hours.values()
    ]
    return timedelta(minutes=max(lengths, default=0))


def check_calendars(policy: Policy) -> Iterator[LintIssue]:
    """Overlapping windows within a day, and calendars that are never open."""
    for name, spec in policy.calendars.items():
        for day, windows in spec.hours.items():
            yield from _overlaps(("calendars", name, "hours", day), windows)
        for index, holiday in enumerate(spec.holidays.dates):
            if holiday.hours:
                loc: Loc = ("calendars", name, "holidays", "dates", index, "hours")
                yield from _overlaps(loc, holiday.hours)
        if spec.always_open and spec.hours:
            message = "an always-open calendar ignores its hours; remove them or always_open"
            yield LintIssue(("calendars", name, "hours"), message, "key")
        elif not spec.always_open and working_day(spec) == timedelta(0):
            message = "the calendar is never open: give weekly hours or set always_open: true"
            yield LintIssue(("calendars", name), message, "key")


def _calendars_for(policy: Policy, priority: Priority) -> list[CalendarSpec]:
    clocks = policy.clocks
    if priority in clocks.by_priority:
        names = [clocks.by_priority[priority]]
    else:
        names = [clocks.default, *clocks.by_region.values()]
    return [policy.calendars[name] for name in names if name in policy.calendars]


def _shortest(duration: Duration, calendars: list[CalendarSpec]) -> timedelta:
    """The shortest span `duration` can mean on any of `calendars`."""
    return duration.on(min((working_day(spec) for spec in calendars), default=_DAY))


def _longest(duration: Duration, calendars: list[CalendarSpec]) -> timedelta:
    """The longest span `duration` can mean on any of `calendars`."""
    return duration.on(max((working_day(spec) for spec in calendars), default=_DAY))


def check_targets(policy: Policy) -> Iterator[LintIssue]:
    """Acknowledgement and assessment within resolution; time criteria that can fire in time."""
    resolution = policy.response.resolution
    spans = {
        priority: _calendars_for(policy, priority)
        for priority in PRIORITIES
        if priority in resolution
    }
    for name, tier in policy.tiers.items():
        for field in ("acknowledgement", "initial_assessment"):
            target: Duration | None = getattr(tier, field)
            if target is None:
                continue
            for priority, calendars in spans.items():
                limit = resolution[priority].get(name)
                if limit is not None and _shortest(target, calendars) > _longest(limit, calendars):
                    message = (
                        f"{field.replace('_', ' ')} target {target} is longer than the "
                        f"{priority} {name} resolution target {limit}"
                    )
                    yield LintIssue(("tiers", name, field), message)
                    break
    yield from _time_criteria(policy, spans)
    for name, vendor in policy.vendors.items():
        if vendor.acknowledgement.as_timedelta > vendor.resolution.as_timedelta:
            ack, resolve = vendor.acknowledgement, vendor.resolution
            message = f"acknowledgement {ack} is longer than resolution {resolve}"
            yield LintIssue(("vendors", name, "acknowledgement"), message)
    chain = policy.handoff.acceptance_chain
    for index in range(1, len(chain)):
        if chain[index].after.as_timedelta < chain[index - 1].after.as_timedelta:
            message = (
                f"step waits {chain[index].after}, less than the {chain[index - 1].after} before it"
            )
            yield LintIssue(("handoff", "acceptance_chain", index, "after"), message)


def _time_criteria(
    policy: Policy, spans: dict[Priority, list[CalendarSpec]]
) -> Iterator[LintIssue]:
    """A time criterion that only elapses after the resolution target of every priority it
    covers is already breached can never escalate a ticket in time."""
    resolution = policy.response.resolution
    for index, path in enumerate(policy.paths):
        for number, criterion in enumerate(path.criteria):
            if criterion.type != "time":
                continue
            scope = criterion.priorities if criterion.priorities is not None else list(PRIORITIES)
            limits = [
                (priority, resolution[priority][path.from_tier])
                for priority in scope
                if priority in spans and path.from_tier in resolution[priority]
            ]
            threshold = criterion.threshold
            if limits and all(
                _shortest(threshold, spans[p] if criterion.clock == "business" else [])
                > _longest(limit, spans[p])
                for p, limit in limits
            ):
                shown = ", ".join(f"{p} {limit}" for p, limit in limits)
                message = (
                    f"threshold {criterion.threshold} is longer than the {path.from_tier} "
                    f"resolution target of every priority it covers ({shown}): it can never fire "
                    "before the target is breached"
                )
                yield LintIssue(("paths", index, "criteria", number, "threshold"), message)
