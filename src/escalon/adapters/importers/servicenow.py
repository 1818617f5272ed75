"""ServiceNow incident event log (one CSV row per update of an incident) to canonical events.

The export is grouped by incident `number`, so it is processed one incident at a time and memory
stays flat whatever the file size. Within an incident, rows are put in the order ServiceNow wrote
them: `sys_updated_at`, then `sys_mod_count` (minutes are often shared), then file position.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from escalon.adapters.importers.common import (
    EventBuilder,
    ImportItem,
    Rejection,
    RowCounter,
    RowError,
    TimeReader,
    optional,
)
from escalon.adapters.importers.mapping import ImportMapping
from escalon.adapters.importers.reader import Row
from escalon.adapters.importers.timeline import Change, TicketTimeline
from escalon.domain.events import Event, TicketStatus

SOURCE = "servicenow"
REQUIRED_COLUMNS = ("number", "incident_state", "sys_updated_at", "sys_mod_count")


@dataclass(frozen=True, slots=True)
class IncidentRow:
    """One validated update of an incident."""

    row: int
    updated_at: datetime
    mod_count: int
    status: TicketStatus
    raw: dict[str, str]
    missing: frozenset[str]

    def get(self, column: str) -> str | None:
        """A cell's text, or None where missing (only the few columns used are cleaned)."""
        return optional(self.raw.get(column), self.missing)

    @property
    def order(self) -> tuple[datetime, int, int]:
        return (self.updated_at, self.mod_count, self.row)


def import_event_log(
    rows: Iterable[Row], mapping: ImportMapping, counter: RowCounter | None = None
) -> Iterator[ImportItem]:
    """Yield events and rejections for every incident of an event-log export, in file order."""
    counter = counter or RowCounter()
    reader = TimeReader(mapping.date_format, mapping.zone)
    current: str | None = None
    batch: list[Row] = []
    finished: set[str] = set()
    for row in rows:
        counter.rows += 1
        number = (row.values.get("number") or "").strip()
        if number in mapping.missing_values:
            yield Rejection(row.number, "missing incident number")
            continue
        if number != current:
            if current is not None:
                finished.add(current)
                yield from _incident(current, batch, mapping, reader)
            if number in finished:
                yield Rejection(
                    row.number, "rows of this incident are not contiguous (sort by number)", number
                )
                current, batch = None, []
                continue
            current, batch = number, []
        batch.append(row)
    if current is not None:
        yield from _incident(current, batch, mapping, reader)


def _incident(
    number: str, rows: list[Row], mapping: ImportMapping, reader: TimeReader
) -> Iterator[ImportItem]:
    valid: list[IncidentRow] = []
    for row in rows:
        try:
            valid.append(_validated(row, mapping, reader))
        except RowError as err:
            yield Rejection(row.number, str(err), number)
    valid.sort(key=lambda r: r.order)
    timeline = TicketTimeline(mapping, EventBuilder(SOURCE, number))
    for update in valid:
        try:
            yield from _events(timeline, update, mapping, reader)
        except RowError as err:
            yield Rejection(update.row, str(err), number)


def _validated(row: Row, mapping: ImportMapping, reader: TimeReader) -> IncidentRow:
    missing = mapping.missing_values
    state = optional(row.values.get("incident_state"), missing)
    if state is None:
        raise RowError("missing incident_state")
    status = mapping.status_of(state)
    if status is None:
        raise RowError(f"unknown incident_state {state!r} (add it to `statuses`)")
    updated = optional(row.values.get("sys_updated_at"), missing)
    if updated is None:
        raise RowError("missing sys_updated_at")
    mods = optional(row.values.get("sys_mod_count"), missing)
    if mods is None or not mods.isdigit():
        raise RowError(f"sys_mod_count {mods!r} is not a whole number")
    return IncidentRow(row.number, reader.parse(updated), int(mods), status, row.values, missing)


def _events(
    timeline: TicketTimeline, update: IncidentRow, mapping: ImportMapping, reader: TimeReader
) -> list[Event]:
    cells, at, key = update, update.updated_at, update.mod_count
    group, agent = cells.get("assignment_group"), cells.get("assigned_to")
    priority = mapping.priority_of(cells.get("priority"), cells.get("impact"))
    if not timeline.started:
        opened = cells.get("opened_at")
        created_at = min(reader.parse(opened), at) if opened else at
        customer_field = mapping.customer.field or "caller_id"
        segment_field = mapping.customer.segment_field
        return timeline.created(
            created_at,
            key,
            status=update.status,
            customer=cells.get(customer_field) or "unknown",
            segment=cells.get(segment_field) if segment_field else None,
            group=group,
            agent=agent,
            priority=priority,
            category=cells.get("category"),
            product_area=cells.get("subcategory"),
            channel=cells.get("contact_type"),
            lookup=update.get,
        )
    change = Change(
        assignment=(group, agent),
        status=update.status,
        by=cells.get("resolved_by"),
        priority=priority,
        lookup=update.get,
    )
    return timeline.apply(at, key, change)
