"""Jira Service Management: issues with their `changelog` histories (and SLA fields).

The input is the search API's pages (`{"issues": [...]}` from `/rest/api/3/search?expand=changelog`)
as JSON or JSON Lines, or single issues. Each issue is self-contained, so issues stream one by one.
A field's value at creation is the `fromString` of its first change (or its current value when it
never changed); histories are then replayed oldest first. JSM's SLA fields are skipped: escalon
computes its own clocks from the same history, and the docs compare the two.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
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
from escalon.domain.events import Event, TicketStatus

SOURCE = "jsm"
DUPLICATE_RESOLUTIONS = frozenset({"duplicate", "won't do", "cancelled", "canceled"})


def jira_text(value: Any) -> str | None:
    """Jira fields are plain, objects (`{name}`, `{value}`, users) or lists of them: as text."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, dict):
        for key in ("value", "name", "displayName", "accountId", "key", "id"):
            if value.get(key) is not None:
                return str(value[key])
        return None
    if isinstance(value, list):
        parts = [p for p in (jira_text(v) for v in value) if p is not None]
        return ",".join(sorted(parts)) or None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class JsmImport:
    """Issue by issue: initial state from the changelog, then one step per history."""

    def __init__(self, mapping: ImportMapping, counter: RowCounter) -> None:
        self.mapping = mapping
        self.counter = counter
        self.times = TimeReader("iso", mapping.zone)
        self.group_field = mapping.group_field or "Team"

    def run(self, records: Iterable[JsonRecord]) -> Iterator[ImportItem]:
        for record in records:
            page = record.value
            issues = page.get("issues") if isinstance(page, dict) and "issues" in page else [page]
            names = page.get("names") if isinstance(page, dict) else None
            for issue in issues if isinstance(issues, list) else []:
                self.counter.rows += 1
                key = jira_text(issue.get("key")) if isinstance(issue, dict) else None
                if key is None:
                    yield Rejection(self.counter.rows, "issue without key")
                    continue
                try:
                    yield from self._issue(key, _by_name(issue, names), self.counter.rows)
                except RowError as err:
                    yield Rejection(self.counter.rows, str(err), key)

    def _issue(self, key: str, issue: dict[str, Any], row: int) -> Iterator[ImportItem]:
        fields = issue.get("fields") or {}
        changelog = issue.get("changelog") or {}
        histories = [h for h in changelog.get("histories", []) if isinstance(h, dict)]
        total = changelog.get("total")
        if isinstance(total, int) and total > len(histories):
            raise RowError(
                f"changelog holds {len(histories)} of {total} histories "
                "(export each issue's full changelog)"
            )
        slas = {
            id(v)
            for v in fields.values()
            if isinstance(v, dict) and ("completedCycles" in v or "ongoingCycle" in v)
        }
        for _ in slas:
            yield Skipped(row, "SLA field (escalon computes its own clocks)", key)
        histories.sort(key=lambda h: (self._at(h.get("created")), str(h.get("id"))))
        state = self._initial(fields, histories)
        created = self._at(fields.get("created"))
        timeline = TicketTimeline(self.mapping, EventBuilder(SOURCE, key))
        yield from timeline.created(
            created,
            "created",
            status=self._status(state["status"]),
            customer=self._customer(fields),
            segment=self._segment(fields),
            group=state.get(self.group_field.casefold()),
            agent=state.get("assignee"),
            priority=self.mapping.priority_of(state.get("priority")),
            subject=jira_text(fields.get("summary")),
            category=jira_text(fields.get("issuetype")),
            tags=_labels(state.get("labels")),
            lookup=lambda name: state.get(name.casefold()),
        )
        for history in histories:
            yield from self._history(timeline, state, history)

    def _initial(self, fields: dict[str, Any], histories: list[dict[str, Any]]) -> dict[str, Any]:
        state: dict[str, Any] = {
            "status": jira_text(fields.get("status")),
            "priority": jira_text(fields.get("priority")),
            "assignee": jira_text(fields.get("assignee")),
            "resolution": jira_text(fields.get("resolution")),
            "labels": jira_text(fields.get("labels")),
            self.group_field.casefold(): jira_text(fields.get(self.group_field)),
        }
        rule = self.mapping.escalation.field
        if rule is not None:
            state[rule.name.casefold()] = jira_text(fields.get(rule.name))
        seen: set[str] = set()
        for history in histories:
            for item in history.get("items", []):
                name = str(item.get("field", "")).casefold()
                if name and name not in seen:
                    seen.add(name)
                    state[name] = self._from(item)
        if state["status"] is None:
            raise RowError("issue without status")
        return state

    def _from(self, item: dict[str, Any]) -> str | None:
        name = str(item.get("field", "")).casefold()
        raw = item.get("from") if name == "assignee" else item.get("fromString")
        return jira_text(raw if raw is not None else item.get("fromString"))

    def _to(self, item: dict[str, Any]) -> str | None:
        name = str(item.get("field", "")).casefold()
        raw = item.get("to") if name == "assignee" else item.get("toString")
        return jira_text(raw if raw is not None else item.get("toString"))

    def _history(
        self, timeline: TicketTimeline, state: dict[str, Any], history: dict[str, Any]
    ) -> list[Event]:
        at = self._at(history.get("created"))
        key = history.get("id") or at.isoformat()
        changed: set[str] = set()
        for item in history.get("items", []):
            name = str(item.get("field", "")).casefold()
            state[name] = self._to(item)
            changed.add(name)
        group_name = self.group_field.casefold()
        assignment = None
        if group_name in changed or "assignee" in changed:
            assignment = (state.get(group_name), state.get("assignee"))
        status, closed_as = None, None
        if "status" in changed:
            status = self._status(state["status"])
            resolution = (state.get("resolution") or "").casefold()
            if status in ("solved", "closed") and resolution in DUPLICATE_RESOLUTIONS:
                status, closed_as = "closed", "duplicate"
        priority = None
        if "priority" in changed:
            priority = self.mapping.priority_of(state.get("priority"))
        change = Change(
            assignment=assignment,
            status=status,
            by=state.get("assignee"),
            closed_as=closed_as,
            priority=priority,
            tags=_labels(state.get("labels")) if "labels" in changed else None,
            lookup=lambda name: state.get(name.casefold()),
        )
        return timeline.apply(at, key, change)

    def _at(self, value: Any) -> Any:
        if not value:
            raise RowError("missing timestamp")
        return self.times.parse(str(value))

    def _status(self, label: str | None) -> TicketStatus:
        status = self.mapping.status_of(label or "")
        if status is None:
            raise RowError(f"unknown status {label!r} (add it to `statuses`)")
        return status

    def _customer(self, fields: dict[str, Any]) -> str:
        name = self.mapping.customer.field or "reporter"
        return jira_text(fields.get(name)) or jira_text(fields.get("reporter")) or "unknown"

    def _segment(self, fields: dict[str, Any]) -> str | None:
        name = self.mapping.customer.segment_field
        return jira_text(fields.get(name)) if name else None


def _labels(text: str | None) -> frozenset[str]:
    return frozenset((text or "").replace(",", " ").split())


def _by_name(issue: Any, names: Any) -> Any:
    """Add display-name keys (`Team`) beside custom field ids, from the `names` expansion."""
    if not isinstance(issue, dict):
        return issue
    names = issue.get("names") or names
    fields = issue.get("fields")
    if not isinstance(names, dict) or not isinstance(fields, dict):
        return issue
    named = {str(names[k]): v for k, v in fields.items() if k in names and names[k] not in fields}
    return {**issue, "fields": {**fields, **named}}


def import_jsm(
    records: Iterable[JsonRecord], mapping: ImportMapping, counter: RowCounter | None = None
) -> Iterator[ImportItem]:
    """Yield events, rejections and skipped SLA fields for a JSM issue export."""
    return JsmImport(mapping, counter or RowCounter()).run(records)
