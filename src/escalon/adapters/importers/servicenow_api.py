"""ServiceNow Table API: `incident` records plus their `sys_audit` field changes.

Input pages are the API's own (`{"result": [...]}`), as JSON or JSON Lines: incident pages first,
then audit pages queried as `tablename=incident^ORDERBYdocumentkey^ORDERBYsys_created_on`, so each
incident's audits are contiguous and oldest first. Only one incident's audits are held at a time.

An incident's value at creation is the `oldvalue` of its first audit for that field (or today's
value when it never changed). Audits sharing `sys_created_on` and `record_checkpoint` are one
update. Values may be plain (`"2"`) or objects from `sysparm_display_value=all`
(`{"value": "2", "display_value": "In Progress"}`);
the mapping is matched against both. Audits name groups and agents by sys_id; where incident
records carry display values, those names replace the sys_ids. An incident without audits opens
in its current status (New if it is now solved or closed), then resolves and closes at
`resolved_at` and `closed_at`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby
from typing import Any

from escalon.adapters.importers.common import (
    EventBuilder,
    ImportItem,
    Rejection,
    RowCounter,
    RowError,
    TimeReader,
)
from escalon.adapters.importers.mapping import ImportMapping
from escalon.adapters.importers.reader import JsonRecord
from escalon.adapters.importers.timeline import Change, TicketTimeline
from escalon.domain.events import Event, TicketStatus

SOURCE = "servicenow"
TRACKED = ("state", "priority", "impact", "assignment_group", "assigned_to")


def plain(value: Any) -> str | None:
    """The stored value of a Table API field (sys_id, number code) as text."""
    if isinstance(value, dict):
        value = value.get("value")
    if value is None or value == "":
        return None
    return str(value)


def shown(value: Any) -> str | None:
    """The display value when the export has one, else the stored value."""
    if isinstance(value, dict) and value.get("display_value") not in (None, ""):
        return str(value["display_value"])
    return plain(value)


class TableApiImport:
    """Incidents held by sys_id until their audits (or the end of the file) arrive."""

    def __init__(self, mapping: ImportMapping, counter: RowCounter) -> None:
        self.mapping = mapping
        self.counter = counter
        fmt = "%Y-%m-%d %H:%M:%S" if mapping.date_format == "iso" else mapping.date_format
        self.times = TimeReader(fmt, mapping.zone)
        self.incidents: dict[str, tuple[int, dict[str, Any]]] = {}
        self.done: set[str] = set()
        self.names: dict[str, str] = {}

    def run(self, records: Iterable[JsonRecord]) -> Iterator[ImportItem]:
        audits: list[tuple[int, dict[str, Any]]] = []
        current: str | None = None
        for record in records:
            page = record.value
            results = page.get("result") if isinstance(page, dict) else None
            for item in results if isinstance(results, list) else [page]:
                self.counter.rows += 1
                if not isinstance(item, dict):
                    yield Rejection(self.counter.rows, "a record must be a JSON object")
                elif "documentkey" in item:
                    key = plain(item.get("documentkey")) or ""
                    if key != current and audits:
                        yield from self._incident(current or "", audits)
                        audits = []
                    current = key
                    audits.append((self.counter.rows, item))
                else:
                    sys_id = plain(item.get("sys_id"))
                    if sys_id is None or plain(item.get("number")) is None:
                        yield Rejection(self.counter.rows, "incident without sys_id or number")
                        continue
                    self.incidents[sys_id] = (self.counter.rows, item)
                    self._learn_names(item)
        if audits:
            yield from self._incident(current or "", audits)
        for sys_id in list(self.incidents):
            yield from self._incident(sys_id, [])

    def _incident(
        self, sys_id: str, audits: list[tuple[int, dict[str, Any]]]
    ) -> Iterator[ImportItem]:
        found = self.incidents.pop(sys_id, None)
        if found is None:
            why = (
                "rows of this incident are not contiguous"
                if sys_id in self.done
                else ("audit of an incident that is not in the export")
            )
            for row, _ in audits:
                yield Rejection(row, why, sys_id or None)
            return
        self.done.add(sys_id)
        row, incident = found
        number = plain(incident.get("number")) or sys_id
        try:
            yield from self._history(number, incident, audits)
        except RowError as err:
            yield Rejection(row, str(err), number)

    def _history(
        self, number: str, incident: dict[str, Any], audits: list[tuple[int, dict[str, Any]]]
    ) -> list[Event]:
        values: dict[str, Any] = {name: incident.get(name) for name in TRACKED}
        seen: set[str] = set()
        for _, audit in audits:  # roll back to the values at creation
            name = str(audit.get("fieldname"))
            if name not in seen:
                values[name] = audit.get("oldvalue")
                seen.add(name)
        opened = self._at(incident.get("opened_at") or incident.get("sys_created_on"))
        timeline = TicketTimeline(self.mapping, EventBuilder(SOURCE, number))
        customer = self.mapping.customer.field or "caller_id"
        status = self._status(values["state"])
        if not audits and status in ("solved", "closed"):
            status = "new"
        events = timeline.created(
            opened,
            "opened",
            status=status,
            customer=shown(incident.get(customer)) or "unknown",
            group=self._name(values["assignment_group"]),
            agent=self._name(values["assigned_to"]),
            priority=self._priority(values),
            subject=shown(incident.get("short_description")),
            category=shown(incident.get("category")),
        )

        def moment(entry: tuple[int, dict[str, Any]]) -> tuple[Any, str]:
            audit = entry[1]
            return self._at(audit.get("sys_created_on")), str(audit.get("record_checkpoint", ""))

        for (at, checkpoint), group in groupby(sorted(audits, key=moment), key=moment):
            update = [audit for _, audit in group]
            for audit in update:
                values[str(audit.get("fieldname"))] = audit.get("newvalue")
            names = {str(a.get("fieldname")) for a in update}
            events += timeline.apply(at, checkpoint or at.isoformat(), self._change(values, names))
        if not audits:
            events += self._without_audits(timeline, incident)
        return events

    def _change(self, values: dict[str, Any], names: set[str]) -> Change:
        moved = bool(names & {"assignment_group", "assigned_to"})
        return Change(
            assignment=(self._name(values["assignment_group"]), self._name(values["assigned_to"]))
            if moved
            else None,
            status=self._status(values["state"]) if "state" in names else None,
            priority=self._priority(values) if names & {"priority", "impact"} else None,
            lookup=lambda name: plain(values.get(name)),
        )

    def _without_audits(self, timeline: TicketTimeline, incident: dict[str, Any]) -> list[Event]:
        events: list[Event] = []
        ends: tuple[tuple[str, TicketStatus], ...] = (
            ("resolved_at", "solved"),
            ("closed_at", "closed"),
        )
        for name, status in ends:
            if plain(incident.get(name)):
                events += timeline.apply(self._at(incident.get(name)), name, Change(status=status))
        return events

    def _learn_names(self, incident: dict[str, Any]) -> None:
        """Audits hold sys_ids; incidents exported with display values name them."""
        for name in ("assignment_group", "assigned_to"):
            value = incident.get(name)
            if isinstance(value, dict) and value.get("value") and value.get("display_value"):
                self.names[str(value["value"])] = str(value["display_value"])

    def _name(self, value: Any) -> str | None:
        if isinstance(value, dict):
            return shown(value)
        text = plain(value)
        return self.names.get(text, text) if text is not None else None

    def _at(self, value: Any) -> Any:
        text = plain(value)
        if text is None:
            raise RowError("missing timestamp")
        return self.times.parse(text)

    def _status(self, value: Any) -> TicketStatus:
        for label in (plain(value), shown(value)):
            status = self.mapping.status_of(label or "")
            if status is not None:
                return status
        raise RowError(f"unknown state {shown(value)!r} (add it to `statuses`)")

    def _priority(self, values: dict[str, Any]) -> Any:
        for label in (shown(values["priority"]), plain(values["priority"])):
            if label in self.mapping.priorities:
                return self.mapping.priorities[label]
        return self.mapping.priority_of(None, shown(values["impact"]) or plain(values["impact"]))


def import_table_api(
    records: Iterable[JsonRecord], mapping: ImportMapping, counter: RowCounter | None = None
) -> Iterator[ImportItem]:
    """Yield events and rejections for ServiceNow `incident` + `sys_audit` Table API pages."""
    return TableApiImport(mapping, counter or RowCounter()).run(records)
