"""Any event-log CSV: one row per status change, assignment or activity of a ticket.

Process-mining exports (case id, activity, resource, timestamp) and home-grown helpdesk logs look
like this. The mapping names the columns and the time format. Rows may interleave tickets (logs
are often sorted by time), so the importer keeps the small running state of each open ticket —
memory grows with the number of tickets, never with the number of rows. Within a ticket, rows
must be in time order, which both common sort orders (by time; by ticket then time) satisfy.

An `activity` column is read through `activities` (created, resolved, reopened, commented,
escalated, closed); an activity named in `statuses` sets that status; other activities are
skipped and counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from escalon.adapters.importers.common import (
    EventBuilder,
    ImportItem,
    Rejection,
    RowCounter,
    RowError,
    Skipped,
    TimeReader,
    optional,
)
from escalon.adapters.importers.mapping import CsvColumns, ImportMapping
from escalon.adapters.importers.reader import Row
from escalon.adapters.importers.timeline import Change, TicketTimeline
from escalon.domain.events import Event, Priority, TicketStatus

SOURCE = "csv"
_ACTIVITY_STATUS: dict[str, TicketStatus] = {
    "resolved": "solved",
    "closed": "closed",
    "reopened": "open",
}


class CsvLogImport:
    """Running state per ticket, keyed by the ticket column."""

    def __init__(self, mapping: ImportMapping, counter: RowCounter) -> None:
        assert mapping.columns is not None  # the mapping model requires columns for csv
        self.mapping = mapping
        self.columns: CsvColumns = mapping.columns
        self.counter = counter
        self.times = TimeReader(mapping.date_format, mapping.zone)
        self.tickets: dict[str, tuple[TicketTimeline, datetime]] = {}

    def run(self, rows: Iterable[Row]) -> Iterator[ImportItem]:
        for row in rows:
            self.counter.rows += 1
            ticket = self._cell(row, self.columns.ticket)
            if ticket is None:
                yield Rejection(row.number, f"missing {self.columns.ticket}")
                continue
            try:
                yield from self._row(ticket, row)
            except RowError as err:
                yield Rejection(row.number, str(err), ticket)
            except _NotMapped as skip:
                yield Skipped(row.number, str(skip), ticket)

    def _cell(self, row: Row, column: str | None) -> str | None:
        if column is None:
            return None
        return optional(row.values.get(column), self.mapping.missing_values)

    def _row(self, ticket: str, row: Row) -> list[Event]:
        raw_time = self._cell(row, self.columns.time)
        if raw_time is None:
            raise RowError(f"missing {self.columns.time}")
        at = self.times.parse(raw_time)
        activity = self._cell(row, self.columns.activity)
        kind = self.mapping.activities.get(activity) if activity else None
        status = self._status(row, activity, kind)
        key = f"{raw_time}:{activity or status or 'row'}"
        group, agent = self._cell(row, self.columns.group), self._cell(row, self.columns.agent)
        label = self._cell(row, self.columns.priority)
        priority = self.mapping.priority_of(label) if label is not None else None
        known = self.tickets.get(ticket)
        if known is None:
            timeline = TicketTimeline(self.mapping, EventBuilder(SOURCE, ticket))
            self.tickets[ticket] = (timeline, at)
            events = timeline.created(
                at,
                key,
                status=status if status is not None and kind != "created" else "new",
                customer=self._cell(row, self.columns.customer) or "unknown",
                group=group,
                agent=agent,
                priority=priority,
            )
            return (
                events
                if kind in (None, "created")
                else events + self._change(timeline, at, key, row, kind, status, priority)
            )
        timeline, last = known
        if at < last:
            raise RowError(
                f"{raw_time!r} is earlier than this ticket's previous row "
                "(sort the log by time, or by ticket then time)"
            )
        self.tickets[ticket] = (timeline, at)
        return self._change(timeline, at, key, row, kind, status, priority)

    def _change(
        self,
        timeline: TicketTimeline,
        at: datetime,
        key: str,
        row: Row,
        kind: str | None,
        status: TicketStatus | None,
        priority: Priority | None,
    ) -> list[Event]:
        if kind == "commented":
            return [timeline.builder.build("ticket.commented", at, key, {"author": "agent"})]
        group, agent = self._cell(row, self.columns.group), self._cell(row, self.columns.agent)
        assignment = None
        if self.columns.group is not None or self.columns.agent is not None:
            assignment = (
                group if self.columns.group is not None else timeline.group,
                agent if self.columns.agent is not None else timeline.agent,
            )
        change = Change(
            assignment=assignment,
            status=status,
            priority=priority,
            escalate=kind == "escalated",
        )
        return timeline.apply(at, key, change)

    def _status(self, row: Row, activity: str | None, kind: str | None) -> TicketStatus | None:
        if kind in _ACTIVITY_STATUS:
            return _ACTIVITY_STATUS[kind]
        label = self._cell(row, self.columns.status)
        if label is not None:
            status = self.mapping.status_of(label)
            if status is None:
                raise RowError(f"unknown status {label!r} (add it to `statuses`)")
            return status
        if activity is not None and kind is None:
            status = self.mapping.status_of(activity)
            if status is None and self.columns.group is None and self.columns.agent is None:
                raise _NotMapped("activity not in `activities` or `statuses`")
            return status
        return None


class _NotMapped(Exception):
    """A well-formed row whose activity the mapping does not import."""


def import_csv_log(
    rows: Iterable[Row], mapping: ImportMapping, counter: RowCounter | None = None
) -> Iterator[ImportItem]:
    """Yield events, rejections and skipped rows for a generic event-log CSV."""
    return CsvLogImport(mapping, counter or RowCounter()).run(rows)
