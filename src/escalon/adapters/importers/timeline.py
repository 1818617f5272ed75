"""Turns a ticket's successive source states into canonical events.

Every source ends up describing the same few facts (a ticket opened, moved between groups,
changed status, changed priority, was tagged), so the rules that decide which canonical events
those facts become — what counts as a resolution, a reopening or an escalation — live here once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from escalon.adapters.importers.common import EventBuilder
from escalon.adapters.importers.mapping import ImportMapping
from escalon.domain.events import Event, Priority, TicketStatus

_DONE: frozenset[str] = frozenset({"solved", "closed"})


@dataclass(frozen=True, slots=True)
class Change:
    """What one source record changed; None means "not part of this change"."""

    assignment: tuple[str | None, str | None] | None = None
    status: TicketStatus | None = None
    by: str | None = None
    closed_as: str | None = None
    priority: Priority | None = None
    tags: frozenset[str] | None = None
    lookup: Callable[[str], Any] | None = None
    escalate: bool = False


class TicketTimeline:
    """The running state of one imported ticket and the events each change produces."""

    def __init__(self, mapping: ImportMapping, builder: EventBuilder) -> None:
        self.mapping = mapping
        self.builder = builder
        self.status: TicketStatus | None = None
        self.group: str | None = None
        self.agent: str | None = None
        self.tier: str = mapping.tiers.default
        self.priority: Priority | None = None
        self.tags: frozenset[str] = frozenset()
        self.watched: str | None = None

    @property
    def started(self) -> bool:
        return self.status is not None

    def created(
        self,
        at: datetime,
        key: object,
        *,
        status: TicketStatus,
        customer: str,
        segment: str | None = None,
        group: str | None = None,
        agent: str | None = None,
        priority: Priority | None = None,
        tags: frozenset[str] = frozenset(),
        lookup: Callable[[str], Any] | None = None,
        **details: Any,
    ) -> list[Event]:
        """The ticket.created event; `details` are optional TicketCreated fields (channel...).

        Opening a ticket in a tier, with a tag or field value that marks escalations, is not an
        escalation: only later changes are.
        """
        self.status, self.group, self.agent, self.tags = status, group, agent, tags
        rule = self.mapping.escalation.field
        if rule is not None and lookup is not None:
            raw = lookup(rule.name)
            self.watched = None if raw is None else str(raw)
        self.tier = self.mapping.tiers.tier_of(group)
        self.priority = priority or self.mapping.default_priority
        data: dict[str, Any] = {
            "customer": {"id": customer, "segment": self.mapping.customer.segment_of(segment)},
            "priority": self.priority,
            "status": status,
            "tier": self.tier,
            "team": group,
            "agent": agent,
            **{k: v for k, v in details.items() if v is not None},
        }
        if status not in _DONE:
            return [self.builder.build("ticket.created", at, key, data)]
        # First seen already solved or closed: open it, then resolve (and close) it at once, so
        # the ticket is solved in the engine's eyes and a later reopening is accepted.
        self.status = "new"
        events = [self.builder.build("ticket.created", at, key, {**data, "status": "new"})]
        events += self._status(at, key, "solved", None, None)
        return events + self._status(at, key, status, None, None)

    def apply(self, at: datetime, key: object, change: Change) -> list[Event]:
        """All events of one source change, in the order the engine needs them.

        An escalation comes first (whether shown by a move up the tiers, a tag or a field), then
        the assignment, the status and the priority; one change is at most one escalation.
        """
        events: list[Event] = []
        group, agent = change.assignment if change.assignment else (self.group, self.agent)
        moved = group != self.group
        # A ticket leaving every group (`?` in ServiceNow) stays in its tier.
        tier = self.mapping.tiers.tier_of(group) if moved and group is not None else self.tier
        target = self._escalation_target(change, tier)
        if target is not None:
            request = {"to": target, "reason": self.mapping.escalation.reason}
            events.append(self.builder.build("escalation.requested", at, key, request))
        if moved or agent != self.agent:
            what = "group" if moved else "agent"
            assignment = {"tier": tier, "team": group, "agent": agent}
            events.append(self.builder.build("ticket.assigned", at, f"{key}:{what}", assignment))
            self.tier, self.group, self.agent = tier, group, agent
        if change.status is not None:
            events += self._status(at, key, change.status, change.by, change.closed_as)
        if change.priority is not None and change.priority != self.priority:
            self.priority = change.priority
            events.append(
                self.builder.build("ticket.updated", at, key, {"priority": self.priority})
            )
        return events

    def _escalation_target(self, change: Change, tier: str) -> str | None:
        rules, tiers = self.mapping.escalation, self.mapping.tiers
        raised = tiers.rank(tier) > tiers.rank(self.tier)
        signs = (raised and rules.on_tier_change) or change.escalate
        if change.tags is not None:
            signs |= bool((change.tags - self.tags) & set(rules.tags))
            self.tags = change.tags
        if change.lookup is not None and rules.field is not None:
            raw = change.lookup(rules.field.name)
            value = None if raw is None else str(raw)
            before, self.watched = self.watched, value
            signs |= value in rules.field.values and before not in rules.field.values
        if not signs:
            return None
        if raised:
            return tier
        order = tiers.order
        return order[min(order.index(self.tier) + 1, len(order) - 1)]

    def _status(
        self, at: datetime, key: object, status: TicketStatus, by: str | None, closed_as: str | None
    ) -> list[Event]:
        """Resolution, reopening (leaving solved/closed for an active status) or a plain move.

        `closed_as` (merged, duplicate) closes without a resolution and marks the event id.
        """
        before = self.status
        if status == before:
            return []
        self.status = status
        if closed_as is not None:
            return [
                self.builder.build(
                    "ticket.status_changed", at, f"{key}:{closed_as}", {"status": "closed"}
                )
            ]
        if status == "solved" and before not in _DONE:
            return [self.builder.build("ticket.resolved", at, key, {"by": by})]
        if before in _DONE and status not in _DONE:
            events = [self.builder.build("ticket.reopened", at, key, {})]
            if status != "open":
                events.append(
                    self.builder.build("ticket.status_changed", at, key, {"status": status})
                )
            return events
        return [self.builder.build("ticket.status_changed", at, key, {"status": status})]
