"""Zendesk: incremental ticket export pages, ticket audits and ticket metric events.

The input is JSON (or JSON Lines, one API page per line) holding pages exactly as the API returns
them: `{"tickets": [...], "after_cursor": ..., "end_of_stream": ...}`, `{"audits": [...]}` and
`{"ticket_metric_events": [...]}`. Put ticket pages first, then audits (each ticket's audits
oldest first, as `GET /api/v2/tickets/{id}/audits` returns them), then metric events.

A ticket with audits gets its history from them. A ticket without audits is imported from its
snapshot (created, then its current status at `updated_at`): lossy, but the best the export holds.
Deleted tickets (`status: deleted`) are skipped; merged tickets close (not solve) with the
`closed_by_merge` tag Zendesk adds, so they never count as resolutions.

Event ids name the Zendesk fact, not the audit that recorded it (see `FactIds`), so the ticket
event webhooks (`escalon.adapters.importers.webhooks`), which never see an audit id, give the
same change the same id and importing an export after them adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from escalon.adapters.importers.common import (
    EventBuilder,
    ImportItem,
    Rejection,
    RowCounter,
    RowError,
    Skipped,
    TimeReader,
)
from escalon.adapters.importers.mapping import ImportMapping
from escalon.adapters.importers.reader import JsonRecord
from escalon.adapters.importers.timeline import Change, TicketTimeline
from escalon.domain.events import Event, Priority

SOURCE = "zendesk"
MERGE_TAG = "closed_by_merge"
CSAT_SCORES = {"good": 5, "bad": 1}
FACT = "fact"
"""The key the Zendesk translations give the timeline; `FactIds` puts the fact in its place."""
AT_CREATION = ("status", "group_id", "assignee_id", "priority", "tags")
"""Fields the creation audit sets with a Create event whenever they have a value."""


def text_of(value: Any) -> str | None:
    """Field values change type between audits (text, number, list, null): compare them as text."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(sorted(str(v) for v in value))
    return str(value)


def tags_of(value: Any) -> frozenset[str]:
    if isinstance(value, list):
        return frozenset(str(v) for v in value)
    if isinstance(value, str):
        return frozenset(value.split())
    return frozenset()


def fact_second(at: datetime) -> str:
    """The second a change was saved, in UTC: what an audit and a webhook both know of it."""
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


class FactIds(EventBuilder):
    """Event ids made of the Zendesk fact itself, whichever record brought it.

    An export knows the audit of each change; a ticket event webhook does not (its `id` is the
    delivery's, its `meta.sequence.id` the action's, neither an audit id). What both carry is
    the ticket, the second the update was saved (the audit's `created_at`, the webhook ticket's
    `updated_at`) and the values it set, so ids are built from those:

    - `zendesk:<ticket>:ticket:created`: a ticket is created once;
    - `zendesk:<ticket>:comment:<comment id>:commented`: a comment's id is its audit event's id;
    - what an update did, at its second: `<second>:<tier>:requested`,
      `<second>:<group>:<agent>:assigned`, `<second>:<priority>:updated`,
      `<second>:<status>:status_changed` (`<second>:closed:merged:status_changed` for a merge),
      `<second>:resolved`, `<second>:reopened`.

    Events the timeline builds come with the key `FACT` (plus its `:group`, `:agent` or
    `:merged` marker); other keys (comments, ratings) are used as they are.
    """

    def __init__(self, ticket: str) -> None:
        super().__init__(SOURCE, ticket)

    def build(self, kind: str, at: datetime, key: object, data: Mapping[str, Any]) -> Event:
        return super().build(kind, at, self.fact(kind, at, key, data), data)

    @staticmethod
    def fact(kind: str, at: datetime, key: object, data: Mapping[str, Any]) -> object:
        text = str(key)
        if not text.startswith(FACT):
            return key
        if kind == "ticket.created":
            return "ticket"
        second = fact_second(at)
        if kind == "ticket.assigned":
            # One assignment whether the group, the agent or both moved: Zendesk sends one
            # webhook per field, each with the ticket as the whole update left it.
            return f"{second}:{data.get('team') or '-'}:{data.get('agent') or '-'}"
        if kind == "escalation.requested":
            return f"{second}:{data['to']}"
        if kind == "ticket.updated":
            return f"{second}:{data.get('priority')}"
        if kind == "ticket.status_changed":
            closed_as = text.removeprefix(FACT)  # the timeline marks a close without solving
            return f"{second}:{data['status']}{closed_as}"
        return second


def priority_of(mapping: ImportMapping, value: Any) -> Priority:
    """The API writes priorities in lower case, webhooks in capitals: either maps."""
    label = text_of(value)
    if label is not None and label not in mapping.priorities:
        label = label.lower()
    return mapping.priority_of(label)


def customer_of(mapping: ImportMapping, ticket: Mapping[str, Any]) -> str:
    """The mapping's customer field, else the organisation, else the requester."""
    name = mapping.customer.field
    value = text_of(ticket.get(name)) if name else None
    return (
        value
        or text_of(ticket.get("organization_id"))
        or text_of(ticket.get("requester_id"))
        or "unknown"
    )


def segment_of(
    mapping: ImportMapping, ticket: Mapping[str, Any], fields: Mapping[str, str | None]
) -> str | None:
    name = mapping.customer.segment_field
    if name is None:
        return None
    return fields.get(name) or text_of(ticket.get(name))


def comment_author(author: str | None, requester: str | None) -> str:
    """The requester's comments are the customer's, every other author's an agent's.

    Webhooks also say whether the author is staff, audits do not; both use this rule so that a
    comment means the same thing whichever way it arrived.
    """
    return "customer" if author is not None and author == requester else "agent"


@dataclass
class _Ticket:
    snapshot: dict[str, Any]
    row: int
    timeline: TicketTimeline | None = None
    last_audit_at: Any = None
    audited: bool = False
    fields: dict[str, str | None] = field(default_factory=dict)
    audit_ids: set[str] = field(default_factory=set)


class ZendeskImport:
    """State of one Zendesk import: ticket snapshots and the timelines rebuilt from audits."""

    def __init__(self, mapping: ImportMapping, counter: RowCounter) -> None:
        self.mapping = mapping
        self.counter = counter
        self.times = TimeReader("iso", mapping.zone)
        self.tickets: dict[str, _Ticket] = {}
        self.deleted: set[str] = set()

    def run(self, records: Iterable[JsonRecord]) -> Iterator[ImportItem]:
        for record in records:
            page = record.value
            if not isinstance(page, dict):
                self.counter.rows += 1
                yield Rejection(self.counter.rows, "a page must be a JSON object")
                continue
            if "tickets" in page:
                yield from self._tickets(page["tickets"])
            elif "audits" in page or "audit" in page:
                audits = page.get("audits", [page.get("audit")])
                yield from self._audits(audits)
            elif "ticket_metric_events" in page:
                yield from self._metric_events(page["ticket_metric_events"])
            else:
                self.counter.rows += 1
                yield Rejection(self.counter.rows, "not a tickets, audits or metric events page")
        yield from self._snapshots_without_audits()

    def _tickets(self, tickets: Any) -> Iterator[ImportItem]:
        for ticket in tickets if isinstance(tickets, list) else []:
            self.counter.rows += 1
            ident = text_of(ticket.get("id")) if isinstance(ticket, dict) else None
            if ident is None:
                yield Rejection(self.counter.rows, "ticket without id")
                continue
            if ticket.get("status") == "deleted":
                self.deleted.add(ident)
                self.tickets.pop(ident, None)
                yield Skipped(self.counter.rows, "deleted ticket", ident)
                continue
            known = self.tickets.get(ident)
            if known is None:
                self.tickets[ident] = _Ticket(snapshot=ticket, row=self.counter.rows)
            else:
                known.snapshot = ticket  # a later page holds the newer state

    def _audits(self, audits: Any) -> Iterator[ImportItem]:
        for audit in audits if isinstance(audits, list) else []:
            self.counter.rows += 1
            if not isinstance(audit, dict):
                yield Rejection(self.counter.rows, "an audit must be a JSON object")
                continue
            ident = text_of(audit.get("ticket_id"))
            if ident is None or audit.get("id") is None:
                yield Rejection(self.counter.rows, "audit without id or ticket_id")
                continue
            if ident in self.deleted:
                yield Skipped(self.counter.rows, "audit of a deleted ticket", ident)
                continue
            known = self.tickets.get(ident)
            if known is not None and str(audit["id"]) in known.audit_ids:
                # Overlapping exports repeat audits; the first reading already counted.
                yield Skipped(self.counter.rows, "audit already read", ident)
                continue
            try:
                yield from self._audit(ident, audit)
            except RowError as err:
                yield Rejection(self.counter.rows, str(err), ident)

    def _audit(self, ident: str, audit: dict[str, Any]) -> list[Event]:
        state = self.tickets.setdefault(ident, _Ticket(snapshot={"id": ident}, row=0))
        at = self.times.parse(str(audit.get("created_at") or ""))
        if state.last_audit_at is not None and at < state.last_audit_at:
            raise RowError(f"audit {audit['id']} is older than the previous one (oldest first)")
        state.last_audit_at, state.audited = at, True
        state.audit_ids.add(str(audit["id"]))
        changes = {
            str(e.get("field_name")): e
            for e in audit.get("events", [])
            if isinstance(e, dict) and e.get("type") in ("Create", "Change")
        }
        others = [e for e in audit.get("events", []) if isinstance(e, dict)]
        comments = [e for e in others if e.get("type") == "Comment"]
        rest = [e for e in others if e.get("type") != "Comment"]
        opening = state.timeline is None
        events = self._created(state, ident, at, audit, changes) if opening else []
        # Comments before the changes: a merge's note comes with the close, and nothing may
        # follow a close; ratings after them, since one may come with the solve it rates.
        for event in comments:
            events += self._other_event(state, at, event, audit)
        if not opening:
            events += self._changes(state, at, changes)
        for event in rest:
            events += self._other_event(state, at, event, audit)
        return events

    def _created(
        self,
        state: _Ticket,
        ident: str,
        at: Any,
        audit: dict[str, Any],
        changes: dict[str, Any],
    ) -> list[Event]:
        """The ticket as its first audit created it.

        The creation audit has a Create event for every field set, so a field it does not set
        was empty then (the snapshot holds today's value, not the first); an export that starts
        after the creation falls back on the snapshot.
        """
        snap = state.snapshot
        state.timeline = TicketTimeline(self.mapping, FactIds(ident))
        creation = any(c.get("type") == "Create" for c in changes.values())
        first = {**snap, **{name: c.get("value") for name, c in changes.items()}}

        def initial(name: str) -> Any:
            if name not in changes and creation and name in AT_CREATION:
                return None
            return first.get(name)

        status = self._status(text_of(initial("status")) or "new")
        state.fields = {k: text_of(v.get("value")) for k, v in changes.items()}
        via = audit.get("via") if creation else None
        return state.timeline.created(
            at,
            FACT,
            status=status,
            customer=customer_of(self.mapping, first),
            segment=segment_of(self.mapping, snap, state.fields),
            group=text_of(initial("group_id")),
            agent=text_of(initial("assignee_id")),
            priority=priority_of(self.mapping, initial("priority")),
            subject=text_of(initial("subject")),
            channel=text_of((snap.get("via") or via or {}).get("channel")),
            tags=tags_of(initial("tags")),
            lookup=state.fields.get,
        )

    def _changes(self, state: _Ticket, at: Any, changes: dict[str, Any]) -> list[Event]:
        timeline = state.timeline
        assert timeline is not None
        for name, change in changes.items():
            state.fields[name] = text_of(change.get("value"))
        assignment = None
        if "group_id" in changes or "assignee_id" in changes:
            group = state.fields.get("group_id") if "group_id" in changes else timeline.group
            agent = state.fields.get("assignee_id") if "assignee_id" in changes else timeline.agent
            assignment = (group, agent)
        tags = tags_of(changes["tags"].get("value")) if "tags" in changes else None
        status = None
        if "status" in changes:
            status = self._status(state.fields.get("status") or "")
        merged = status == "closed" and MERGE_TAG in (tags or timeline.tags)
        priority = None
        if "priority" in changes:
            priority = priority_of(self.mapping, state.fields.get("priority"))
        change = Change(
            assignment=assignment,
            status=status,
            closed_as="merged" if merged else None,
            priority=priority,
            tags=tags,
            lookup=state.fields.get,
        )
        return timeline.apply(at, FACT, change)

    def _other_event(
        self, state: _Ticket, at: Any, event: dict[str, Any], audit: dict[str, Any]
    ) -> list[Event]:
        timeline = state.timeline
        assert timeline is not None
        kind = event.get("type")
        if kind == "Comment":
            author = text_of(event.get("author_id") or audit.get("author_id"))
            requester = text_of(state.snapshot.get("requester_id"))
            data = {
                "public": bool(event.get("public", True)),
                "author": comment_author(author, requester),
                "author_id": author,
            }
            key = f"comment:{event.get('id')}"
            return [timeline.builder.build("ticket.commented", at, key, data)]
        if kind == "SatisfactionRating":
            score = CSAT_SCORES.get(str(event.get("score")))
            if score is not None:
                rating = {"score": score, "comment": text_of(event.get("body"))}
                key = f"{fact_second(at)}:rating:{event.get('id')}"
                return [timeline.builder.build("csat.received", at, key, rating)]
        return []

    def _metric_events(self, events: Any) -> Iterator[ImportItem]:
        for metric in events if isinstance(events, list) else []:
            self.counter.rows += 1
            ident = text_of(metric.get("ticket_id")) if isinstance(metric, dict) else None
            if ident is None or metric.get("id") is None:
                yield Rejection(self.counter.rows, "metric event without id or ticket_id")
                continue
            state = self.tickets.get(ident)
            if ident in self.deleted:
                yield Skipped(self.counter.rows, "metric event of a deleted ticket", ident)
            elif metric.get("metric") == "reply_time" and metric.get("type") == "fulfill":
                if state is None or state.audited:
                    yield Skipped(self.counter.rows, "first reply already known from audits", ident)
                    continue
                try:
                    at = self.times.parse(str(metric.get("time") or ""))
                    builder = EventBuilder(SOURCE, ident)
                    data = {"public": True, "author": "agent"}
                    yield builder.build("ticket.commented", at, f"metric:{metric['id']}", data)
                except RowError as err:
                    yield Rejection(self.counter.rows, str(err), ident)
            else:
                yield Skipped(
                    self.counter.rows, "SLA metric event (escalon computes its own clocks)", ident
                )

    def _snapshots_without_audits(self) -> Iterator[ImportItem]:
        for ident, state in self.tickets.items():
            if state.audited:
                continue
            try:
                yield from self._from_snapshot(ident, state)
            except RowError as err:
                yield Rejection(state.row, str(err), ident)

    def _from_snapshot(self, ident: str, state: _Ticket) -> list[Event]:
        snap = state.snapshot
        created = snap.get("created_at")
        if not created:
            raise RowError("ticket without created_at")
        at = self.times.parse(str(created))
        timeline = TicketTimeline(self.mapping, EventBuilder(SOURCE, ident))
        status = self._status(text_of(snap.get("status")) or "new")
        fields = {str(f.get("id")): text_of(f.get("value")) for f in snap.get("custom_fields", [])}
        events = timeline.created(
            at,
            "snapshot",
            status="new",
            customer=customer_of(self.mapping, snap),
            segment=segment_of(self.mapping, snap, fields),
            group=text_of(snap.get("group_id")),
            agent=text_of(snap.get("assignee_id")),
            priority=priority_of(self.mapping, snap.get("priority")),
            subject=text_of(snap.get("subject")),
            channel=text_of((snap.get("via") or {}).get("channel")),
        )
        updated = self.times.parse(str(snap.get("updated_at") or created))
        merged = MERGE_TAG in tags_of(snap.get("tags")) and status == "closed"
        if status in ("solved", "closed") and not merged:
            events += timeline.apply(updated, "snapshot", Change(status="solved"))
        closed_as = "merged" if merged else None
        events += timeline.apply(updated, "snapshot", Change(status=status, closed_as=closed_as))
        rating = (snap.get("satisfaction_rating") or {}).get("score")
        if rating in CSAT_SCORES:
            events.append(
                timeline.builder.build(
                    "csat.received", updated, "snapshot", {"score": CSAT_SCORES[rating]}
                )
            )
        return events

    def _status(self, label: str) -> Any:
        status = self.mapping.status_of(label)
        if status is None:
            raise RowError(f"unknown status {label!r} (add it to `statuses`)")
        return status


def import_zendesk(
    records: Iterable[JsonRecord], mapping: ImportMapping, counter: RowCounter | None = None
) -> Iterator[ImportItem]:
    """Yield events, rejections and skipped records for a Zendesk export."""
    return ZendeskImport(mapping, counter or RowCounter()).run(records)
