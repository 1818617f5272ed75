"""What every importer shares: source timestamps, deterministic event ids and rejected rows.

Event ids are derived from the source record (source, ticket, record key, field) and never from
the import run, so importing the same export twice yields the same ids and adds nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from escalon.domain.events import Event, parse_event

MAX_ID = 200


class RowError(ValueError):
    """A row (or record) that cannot be imported; the message is the reason shown to users."""


@dataclass(frozen=True, slots=True)
class Rejection:
    """A malformed source row: where it is and why it was not imported."""

    row: int
    reason: str
    ticket: str | None = None

    def __str__(self) -> str:
        where = f"row {self.row}" + (f" ({self.ticket})" if self.ticket else "")
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A well-formed record deliberately not imported (a deleted ticket, an SLA metric event)."""

    row: int
    reason: str
    ticket: str | None = None


ImportItem = Event | Rejection | Skipped


@dataclass(slots=True)
class RowCounter:
    """Rows (or records) read so far; importers bump it, the progress bar and summary read it."""

    rows: int = 0


_DMY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


class TimeReader:
    """Reads source timestamps; naive ones are placed in the mapping's time zone.

    `%d/%m/%Y %H:%M` (the ServiceNow event log) has a hand-written fast path because strptime
    dominates import time on large logs; other formats go through strptime, both cached since
    exports repeat the same minute many times.
    """

    def __init__(self, date_format: str, zone: ZoneInfo) -> None:
        self._format = date_format
        self._zone = zone
        self.parse = lru_cache(maxsize=65536)(self._parse)

    def _parse(self, text: str) -> datetime:
        value = text.strip()
        try:
            if self._format == "iso":
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            elif self._format in ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S"):
                moment = _day_month_year(value)
            else:
                moment = datetime.strptime(value, self._format)
        except ValueError as err:
            raise RowError(f"bad date {text!r} (expected {self._format})") from err
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self._zone)
        return moment


def _day_month_year(value: str) -> datetime:
    match = _DMY.match(value)
    if match is None:
        raise ValueError(value)
    day, month, year, hour, minute, second = match.groups()
    return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))


def event_id(source: str, ticket: str, *key: object) -> str:
    """A stable id: readable when short, a digest of the same parts when it would be too long."""
    readable = ":".join([source, ticket, *(str(k) for k in key)])
    if len(readable) <= MAX_ID:
        return readable
    digest = hashlib.sha256(readable.encode()).hexdigest()[:32]
    return f"{source}:{digest}"


class EventBuilder:
    """Builds validated canonical events for one ticket, keeping ids unique within it.

    Two source records can share a key (the ServiceNow log has duplicated `sys_mod_count`s); the
    second gets a `~2` suffix, which is still deterministic because records are ordered stably.
    """

    def __init__(self, source: str, ticket: str) -> None:
        self.source = source
        self.ticket = ticket
        self._seen: dict[str, int] = {}

    def build(self, kind: str, at: datetime, key: object, data: Mapping[str, Any]) -> Event:
        base = event_id(self.source, self.ticket, key, kind.rsplit(".", 1)[-1])
        count = self._seen.get(base, 0) + 1
        self._seen[base] = count
        ident = base if count == 1 else f"{base}~{count}"
        raw = {"id": ident, "type": kind, "at": at, "ticket": self.ticket, "data": dict(data)}
        try:
            return parse_event(raw)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise RowError(f"{kind}: {where}: {first['msg']}") from err


@dataclass(slots=True)
class ImportSummary:
    """What an import did, printed at the end and asserted on in tests.

    `events` counts every event the export describes; `added` those not already stored.
    """

    rows: int = 0
    events: int = 0
    added: int = 0
    tickets: set[str] = field(default_factory=set)
    rejections: list[Rejection] = field(default_factory=list)
    first_at: datetime | None = None
    last_at: datetime | None = None
    by_type: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    def add(self, item: ImportItem) -> None:
        if isinstance(item, Rejection):
            self.rejections.append(item)
            return
        if isinstance(item, Skipped):
            self.skipped[item.reason] = self.skipped.get(item.reason, 0) + 1
            return
        self.events += 1
        self.tickets.add(item.ticket)
        self.by_type[item.type] = self.by_type.get(item.type, 0) + 1
        at = item.at.astimezone(UTC)
        if self.first_at is None or at < self.first_at:
            self.first_at = at
        if self.last_at is None or at > self.last_at:
            self.last_at = at


def optional(value: str | None, missing: frozenset[str]) -> str | None:
    """The cell's text, or None where the export marks it missing (`?`, empty)."""
    if value is None:
        return None
    value = value.strip()
    return None if value in missing else value


def collect(items: Iterator[ImportItem]) -> tuple[list[Event], list[Rejection]]:
    """Split an importer's output (tests and small imports)."""
    events: list[Event] = []
    rejections: list[Rejection] = []
    for item in items:
        if isinstance(item, Rejection):
            rejections.append(item)
        elif not isinstance(item, Skipped):
            events.append(item)
    return events, rejections
