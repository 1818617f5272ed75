"""Turns a ticket's successive source states into canonical events.

Every source ends up describing the same few facts (a ticket opened, moved between groups,
changed status, changed priority, was tagged), so the rules that decide which canonical events
those facts become — what counts as a resolution, a reopening or an escalation — live here once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from escalon.adapters.importers.common import EventBuilder
from escalon.adapters.importers.mapping import ImportMapping
from escalon.domain.events import Event, Priority, TicketStatus

_DONE: frozenset[str] = frozenset({"solved", "closed"})


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
        self._escalated_in: object = None

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
        **details: Any,
    ) -> list[Event]:
        """The ticket.created event; `details` are optional TicketCreated fields (channel...)."""
        self.status, self.group, self.agent = status, group, agent
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
        return [self.builder.build("ticket.created", at, key, data)]

    def assigned(
        self, at: datetime, key: object, group: str | None, agent: str | None
    ) -> list[Event]:
        """A change of group (maybe an escalation) or, within the group, of agent."""
        if group == self.group and agent == self.agent:
            return []
        events: list[Event] = []
        tiers = self.mapping.tiers
        if group != self.group:
            tier = tiers.tier_of(group) if group is not None else self.tier
            if self.mapping.escalation.on_tier_change and tiers.rank(tier) > tiers.rank(self.tier):
                events += self.escalated(at, key, "tier", tier)
            self.tier = tier
            events.append(
                self.builder.build(
                    "ticket.assigned",
                    at,
                    f"{key}:group",
                    {"tier": tier, "team": group, "agent": agent},
                )
            )
        else:
            events.append(
                self.builder.build(
                    "ticket.assigned",
                    at,
                    f"{key}:agent",
                    {"tier": self.tier, "team": group, "agent": agent},
                )
            )
        self.group, self.agent = group, agent
        return events

    def escalated(self, at: datetime, key: object, how: str, to: str | None = None) -> list[Event]:
        """One escalation per source change, however many signs of it (tier, tag, field) it has."""
        if key == self._escalated_in:
            return []
        self._escalated_in = key
        target = to or self._next_tier()
        data = {"to": target, "reason": self.mapping.escalation.reason}
        return [self.builder.build("escalation.requested", at, f"{key}:{how}", data)]

    def _next_tier(self) -> str:
        order = self.mapping.tiers.order
        return order[min(order.index(self.tier) + 1, len(order) - 1)]

    def status_changed(
        self, at: datetime, key: object, status: TicketStatus, *, by: str | None = None
    ) -> list[Event]:
        """Resolution, reopening (leaving solved/closed for an active status) or a plain move."""
        before = self.status
        if status == before:
            return []
        self.status = status
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

    def priority_changed(self, at: datetime, key: object, priority: Priority) -> list[Event]:
        if priority == self.priority:
            return []
        self.priority = priority
        return [self.builder.build("ticket.updated", at, key, {"priority": priority})]

    def tags_changed(self, at: datetime, key: object, tags: frozenset[str]) -> list[Event]:
        """An escalation when a tag the mapping names is added."""
        added = tags - self.tags
        self.tags = tags
        if added & set(self.mapping.escalation.tags):
            return self.escalated(at, key, "tag")
        return []

    def fields_seen(self, at: datetime, key: object, lookup: Callable[[str], Any]) -> list[Event]:
        """An escalation when the mapped field takes one of its escalation values.

        `lookup` returns a field's current value (or None) by name.
        """
        rule = self.mapping.escalation.field
        if rule is None:
            return []
        raw = lookup(rule.name)
        value = None if raw is None else str(raw)
        before, self.watched = self.watched, value
        if value in rule.values and before not in rule.values:
            return self.escalated(at, key, "field")
        return []
