"""Semantic checks of a policy that the schema alone cannot express.

A policy can be well-formed and still wrong: a path to a tier that does not exist, a trigger that
can never fire, a credit cap that shrinks as seniority grows. `lint_policy` finds these and names
each by its location in the document (`('paths', 1, 'to_tier')`); the adapter that read the file
turns a location into FILE:LINE:COLUMN. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from escalon.domain.handoff.form import HANDOFF_FIELDS
from escalon.domain.policy.base import LintIssue, Loc
from escalon.domain.policy.lint_time import check_calendars, check_targets
from escalon.domain.policy.model import Policy


def lint_policy(policy: Policy) -> list[LintIssue]:
    """Every semantic problem of the policy, in document order of the checks."""
    issues: list[LintIssue] = []
    for check in (
        _tier_references,
        _paths,
        _roles,
        _authority_growth,
        _calendar_references,
        _segment_references,
        _never_fire,
        _notification_references,
    ):
        issues.extend(check(policy))
    issues.extend(check_calendars(policy))
    issues.extend(check_targets(policy))
    return issues


def _unknown(kind: str, name: str, known: Iterable[str]) -> str:
    listed = ", ".join(sorted(known)) or "none defined"
    return f"unknown {kind} {name!r} (known: {listed})"


def _tier_references(policy: Policy) -> Iterator[LintIssue]:
    tiers = policy.tiers
    for index, path in enumerate(policy.paths):
        for end in ("from_tier", "to_tier"):
            name = getattr(path, end)
            if name not in tiers:
                yield LintIssue(("paths", index, end), _unknown("tier", name, tiers))
    for priority, targets in policy.response.resolution.items():
        for tier in targets:
            if tier not in tiers:
                loc: Loc = ("response", "resolution", priority, tier)
                yield LintIssue(loc, _unknown("tier", tier, tiers), "key")
        for tier in tiers:
            if tier not in targets:
                loc = ("response", "resolution", priority, tier)
                yield LintIssue(loc, f"no {priority} resolution target for tier {tier}", "missing")
    for tier in policy.dashboard.avg_resolution:
        if tier not in tiers:
            loc = ("dashboard", "avg_resolution", tier)
            yield LintIssue(loc, _unknown("tier", tier, tiers), "key")
    known = set(tiers) | set(policy.authority.roles)
    for name in policy.costs.labour_per_hour:
        if name not in known:
            loc = ("costs", "labour_per_hour", name)
            yield LintIssue(loc, _unknown("tier or role", name, known), "key")
    orders: dict[int, str] = {}
    for name, spec in tiers.items():
        if spec.order in orders:
            message = f"order {spec.order} is already taken by tier {orders[spec.order]}"
            yield LintIssue(("tiers", name, "order"), message)
        orders.setdefault(spec.order, name)


def _paths(policy: Policy) -> Iterator[LintIssue]:
    """Cycles, unreachable tiers and unknown handoff fields."""
    edges: dict[str, list[tuple[int, str]]] = {}
    for index, path in enumerate(policy.paths):
        if path.from_tier in policy.tiers and path.to_tier in policy.tiers:
            edges.setdefault(path.from_tier, []).append((index, path.to_tier))
        for field_index, name in enumerate(path.handoff_fields):
            if name not in HANDOFF_FIELDS:
                loc: Loc = ("paths", index, "handoff_fields", field_index)
                yield LintIssue(loc, f"unknown handoff form field {name!r}")
    yield from _cycles(edges)
    ordered = policy.tiers_in_order()
    if not ordered:
        return
    reached = {ordered[0]}
    frontier = [ordered[0]]
    while frontier:
        for _, target in edges.get(frontier.pop(), []):
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    for name in ordered:
        if name not in reached:
            message = (
                f"tier {name} cannot be reached: no escalation path leads to it from {ordered[0]}"
            )
            yield LintIssue(("tiers", name), message, "key")


def _cycles(edges: dict[str, list[tuple[int, str]]]) -> Iterator[LintIssue]:
    """Report each path that closes a cycle (a back edge of a depth-first walk)."""
    state: dict[str, int] = {}  # 1: on the current walk, 2: finished

    def visit(tier: str, trail: list[str]) -> Iterator[LintIssue]:
        state[tier] = 1
        for index, target in edges.get(tier, []):
            if state.get(target) == 1:
                cycle = " -> ".join([*trail[trail.index(target) :], tier, target])
                yield LintIssue(
                    ("paths", index, "to_tier"), f"escalation paths form a cycle: {cycle}"
                )
            elif target not in state:
                yield from visit(target, [*trail, tier])
        state[tier] = 2

    for tier in list(edges):
        if tier not in state:
            yield from visit(tier, [])


def _roles(policy: Policy) -> Iterator[LintIssue]:
    roles = policy.authority.roles

    def check(loc: Loc, name: str, *, extra: tuple[str, ...] = ()) -> Iterator[LintIssue]:
        if name not in roles and name not in extra:
            yield LintIssue(loc, _unknown("role", name, [*roles, *extra]))

    for name, tier in policy.tiers.items():
        if tier.role is not None:
            yield from check(("tiers", name, "role"), tier.role)
    for level, role in policy.authority.executive_matching.items():
        yield from check(("authority", "executive_matching", level), role)
    for index, role in enumerate(policy.management.chain):
        yield from check(("management", "chain", index), role)
    for name, trigger in policy.management.triggers.items():
        yield from check(("management", "triggers", name, "level"), trigger.level)
    notification = policy.management.response.executive_notification
    yield from check(
        ("management", "response", "executive_notification", "role"), notification.role
    )
    for index, step in enumerate(policy.handoff.acceptance_chain):
        yield from check(
            ("handoff", "acceptance_chain", index, "notify"), step.notify, extra=("tier_lead",)
        )
    yield from check(("major_incident", "notify"), policy.major_incident.notify)


def _authority_growth(policy: Policy) -> Iterator[LintIssue]:
    """Credit caps must not fall as seniority rises; null (unlimited) only at the top."""
    roles = policy.authority.roles
    for name, role in roles.items():
        for other_name, other in roles.items():
            if other.seniority >= role.seniority:
                continue
            cap, lower_cap = role.credit_cap, other.credit_cap
            if cap is not None and (lower_cap is None or lower_cap > cap):
                shown = "unlimited" if lower_cap is None else f"{lower_cap:,f}"
                message = (
                    f"credit cap {cap:,f} is below the {shown} of the less senior role "
                    f"{other_name} (seniority {other.seniority} < {role.seniority})"
                )
                yield LintIssue(("authority", "roles", name, "credit_cap"), message)
                break
    chain = [name for name in policy.management.chain if name in roles]
    for previous, current in zip(chain, chain[1:], strict=False):
        if roles[current].seniority <= roles[previous].seniority:
            index = policy.management.chain.index(current)
            message = f"{current} must be more senior than {previous}, which it follows"
            yield LintIssue(("management", "chain", index), message)


def _calendar_references(policy: Policy) -> Iterator[LintIssue]:
    calendars = policy.calendars
    clocks = policy.clocks

    def check(loc: Loc, name: str) -> Iterator[LintIssue]:
        if name not in calendars:
            yield LintIssue(loc, _unknown("calendar", name, calendars))

    yield from check(("clocks", "default"), clocks.default)
    for priority, name in clocks.by_priority.items():
        yield from check(("clocks", "by_priority", priority), name)
    for region, name in clocks.by_region.items():
        yield from check(("clocks", "by_region", region), name)
    for name, vendor in policy.vendors.items():
        yield from check(("vendors", name, "calendar"), vendor.calendar)
    if policy.follow_the_sun is not None:
        for index, region in enumerate(policy.follow_the_sun.regions):
            if region not in clocks.by_region:
                message = _unknown("region", region, clocks.by_region)
                yield LintIssue(("follow_the_sun", "regions", index), message)
            elif (spec := calendars.get(clocks.by_region[region])) and spec.always_open:
                message = f"region {region} runs on an always-open calendar: nothing to hand over"
                yield LintIssue(("follow_the_sun", "regions", index), message)


def _segment_references(policy: Policy) -> Iterator[LintIssue]:
    segments = policy.segments
    message = "{name!r} is not a defined segment, so this never matches (known: {known})"
    known = ", ".join(sorted(segments)) or "none defined"
    for loc, names in _segment_filters(policy):
        for index, name in enumerate(names):
            if name not in segments:
                yield LintIssue((*loc, index), message.format(name=name, known=known))


def _segment_filters(policy: Policy) -> Iterator[tuple[Loc, list[str]]]:
    for index, path in enumerate(policy.paths):
        for number, criterion in enumerate(path.criteria):
            if criterion.segments is not None:
                yield ("paths", index, "criteria", number, "segments"), criterion.segments
    for name, trigger in policy.management.triggers.items():
        if trigger.segments is not None:
            yield ("management", "triggers", name, "segments"), trigger.segments
    notification = policy.management.response.executive_notification
    yield ("management", "response", "executive_notification", "segments"), notification.segments


def _never_fire(policy: Policy) -> Iterator[LintIssue]:
    """Filters that match nothing, thresholds that cannot be met, conditions left empty."""
    for index, path in enumerate(policy.paths):
        for number, criterion in enumerate(path.criteria):
            loc: Loc = ("paths", index, "criteria", number)
            yield from _empty_filters(loc, criterion.priorities, criterion.segments)
            if criterion.type == "impact":
                if (
                    criterion.min_customers is None
                    and criterion.revenue_at_risk is None
                    and not criterion.security
                ):
                    yield LintIssue(loc, "impact criterion sets no condition, so it never fires")
                if criterion.min_customers is not None and criterion.min_customers < 1:
                    yield LintIssue((*loc, "min_customers"), "must be at least 1")
                if criterion.revenue_at_risk is not None and criterion.revenue_at_risk < 0:
                    yield LintIssue((*loc, "revenue_at_risk"), "a negative amount is never meant")
            elif criterion.type == "repeated_failure":
                if criterion.min_reopens is None and not criterion.recurring_issue:
                    yield LintIssue(
                        loc, "repeated-failure criterion sets no condition, so it never fires"
                    )
                if criterion.min_reopens is not None and criterion.min_reopens < 1:
                    yield LintIssue((*loc, "min_reopens"), "must be at least 1")
                if criterion.recurring_issue and not criterion.window.as_timedelta:
                    yield LintIssue(
                        (*loc, "window"), "a zero window means a recurrence never counts"
                    )
            elif criterion.type == "vendor_dependency" and criterion.vendor_kinds == []:
                yield LintIssue(
                    (*loc, "vendor_kinds"), "an empty list matches no vendor, so this never fires"
                )
    for name, trigger in policy.management.triggers.items():
        loc = ("management", "triggers", name)
        yield from _empty_filters(loc, trigger.priorities, trigger.segments)
        if trigger.type == "revenue_at_risk" and trigger.above < 0:
            yield LintIssue(
                (*loc, "above"), "a negative threshold is never meant; use 0 for any amount"
            )
        elif trigger.type == "repeated_escalation":
            if trigger.min_escalations < 1:
                yield LintIssue((*loc, "min_escalations"), "must be at least 1")
            if not trigger.window.as_timedelta:
                yield LintIssue(
                    (*loc, "window"), "a zero window means no escalation is ever repeated"
                )
    incident = policy.major_incident
    if incident.min_customers < 2:
        yield LintIssue(
            ("major_incident", "min_customers"), "a major incident needs at least 2 customers"
        )
    if not incident.window.as_timedelta:
        yield LintIssue(
            ("major_incident", "window"), "a zero window means no incident is ever declared"
        )
    if not incident.update_every.as_timedelta:
        yield LintIssue(
            ("major_incident", "update_every"), "updates need a cadence longer than zero"
        )


def _empty_filters(
    loc: Loc, priorities: Sequence[str] | None, segments: Sequence[str] | None
) -> Iterator[LintIssue]:
    if priorities == []:
        yield LintIssue(
            (*loc, "priorities"), "an empty list matches no priority, so this never fires"
        )
    if segments == []:
        yield LintIssue((*loc, "segments"), "an empty list matches no segment, so this never fires")


def _notification_references(policy: Policy) -> Iterator[LintIssue]:
    notifications = policy.notifications
    priorities = ("P1", "P2", "P3", "P4")
    for index, route in enumerate(notifications.routes):
        loc: Loc = ("notifications", "routes", index)
        if route.channel not in notifications.channels:
            yield LintIssue(
                (*loc, "channel"), _unknown("channel", route.channel, notifications.channels)
            )
        for number, tier in enumerate(route.tiers):
            if tier not in policy.tiers:
                yield LintIssue((*loc, "tiers", number), _unknown("tier", tier, policy.tiers))
        for number, priority in enumerate(route.priorities):
            if priority not in priorities:
                yield LintIssue(
                    (*loc, "priorities", number), _unknown("priority", priority, priorities)
                )
        for number, segment in enumerate(route.segments):
            if segment not in policy.segments:
                yield LintIssue(
                    (*loc, "segments", number), _unknown("segment", segment, policy.segments)
                )
        if route.calendar is not None and route.calendar not in policy.calendars:
            yield LintIssue(
                (*loc, "calendar"), _unknown("calendar", route.calendar, policy.calendars)
            )
