"""Ingesting events: idempotent on event id, all-or-nothing per request.

The same id with the same content is a no-op (a retried delivery); the same id with different
content is a conflict, because two different facts cannot share an identity.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from escalon.domain.events import Event
from escalon.services.access import Caller
from escalon.services.applying import apply_events
from escalon.services.engine_port import TicketEngine
from escalon.services.errors import (
    Conflict,
    InvalidEvent,
    ServiceError,
    SharedStateMoved,
    UnknownTicket,
)
from escalon.services.policies import PolicyBook
from escalon.services.ports import (
    EventNotifier,
    IngestUnitOfWork,
    Notifier,
    SharedDocument,
    StoredEngineIndex,
    UnitOfWork,
    UnitOfWorkFactory,
)


@dataclass(frozen=True)
class IngestResult:
    received: int
    stored: int
    duplicates: int
    decisions: int


@dataclass(frozen=True)
class Staged:
    """A request's writes staged in an open transaction, not yet committed."""

    result: IngestResult
    policy: Any
    wakeup_moved_earlier: bool
    refused: Sequence[tuple[int, ServiceError]] = ()
    """With `skip_refused`: the events refused (by index in the request), none of them stored."""


RETRIES = 3
"""Attempts at a command that lost a race (a ticket created, the shared document written)."""


def is_race(error: ServiceError) -> bool:
    """A refusal that a concurrent writer caused; running the command again resolves it."""
    if isinstance(error, SharedStateMoved):
        return True
    return isinstance(error, InvalidEvent) and error.detail.endswith("already exists")


@dataclass(frozen=True)
class Ingestor:
    """The ingest use case, wired once with its engine, policies and settings."""

    uow_factory: UnitOfWorkFactory
    engine: TicketEngine
    policies: PolicyBook
    late_after_seconds: float
    notifier: Notifier | None
    event_notifier: EventNotifier | None = None

    def ingest(
        self,
        events: Sequence[Event],
        caller: Caller,
        now: datetime,
        *,
        batch: bool,
        also: Callable[[UnitOfWork, Any], None] | None = None,
    ) -> IngestResult:
        """Store and apply `events`; `also(uow, policy)` adds writes to the same transaction.

        A ticket found to exist only after the duplicate check means a concurrent request stored
        the same events first, and a moved shared document means another writer got there
        first; running again then sees their writes, and locks the cross-ticket entries it reads
        so that it waits for a concurrent writer of the same entry rather than lose again.
        """
        attempt = 1
        while True:
            try:
                with self.uow_factory() as uow:
                    if attempt > 1:
                        uow.index.lock_reads()
                    staged = self.stage(uow, events, caller, now, batch=batch)
                    if also is not None:
                        also(uow, staged.policy or self.policies.active(uow))
                    if staged.wakeup_moved_earlier:
                        uow.signal_wakeup()
                    uow.commit()
                return staged.result
            except ServiceError as error:
                if attempt >= RETRIES or not is_race(error):
                    raise
                attempt += 1

    def stage(
        self,
        uow: IngestUnitOfWork,
        events: Sequence[Event],
        caller: Caller,
        now: datetime,
        *,
        batch: bool,
        audit: bool = True,
        skip_refused: bool = False,
    ) -> Staged:
        """Check, apply and stage `events` in `uow`'s open transaction; nothing is committed.

        `audit=False` leaves the audit-log entry to the caller (an import records one for the
        whole file rather than one per chunk). `skip_refused` (an import told to skip invalid
        rows) reports refused events in `Staged.refused` and stages the rest as if they had
        never been sent, in one pass, instead of raising on the first.
        """

        def prefix(i: int) -> str:
            return f"/{i}/" if batch else "/"

        refused: list[tuple[int, ServiceError]] = []

        def refuse(i: int, error: ServiceError) -> None:
            if not skip_refused:
                raise error
            refused.append((i, error))

        digests = [event_digest(e) for e in events]
        fresh = _unique_in_request(events, digests, prefix, refuse)
        stored = uow.events.digests(sorted({events[i].id for i in fresh}))
        checked = []
        for i in fresh:
            known = stored.get(events[i].id)
            if known is None:
                checked.append(i)
            elif known != digests[i]:
                message = f"event {events[i].id!r} was already stored with different content"
                refuse(i, Conflict(message, field=f"{prefix(i)}id"))
        new = []
        for i in checked:
            if events[i].type == "tick":
                message = "ticks are generated by the worker, not ingested"
                refuse(i, InvalidEvent(message, field=f"{prefix(i)}type"))
            else:
                new.append(i)
        items = [(prefix(i), events[i]) for i in new]
        policy = self.policies.active(uow) if items else None
        applied = apply_events(
            uow,
            self.engine,
            policy,
            items,
            now=now,
            late_after_seconds=self.late_after_seconds,
            notifier=self.notifier,
            skip_refused=skip_refused,
        )
        if applied.refused:
            refused += [(new[k], error) for k, error in applied.refused]
            dropped = {new[k] for k, _ in applied.refused}
            new = [i for i in new if i not in dropped]
        rows = [_event_row(events[i], digests[i], caller, now) for i in new]
        uow.events.append(rows)
        if self.event_notifier is not None and rows:
            uow.outbox.enqueue(self.event_notifier(rows, applied.tickets, policy, now))
        if audit:
            uow.audit.record(
                caller.audit(
                    "events.ingest",
                    events[0].ticket if len(events) == 1 else None,
                    {"received": len(events), "stored": len(new), "ids": _ids_sample(events)},
                    now,
                )
            )
        duplicates = len(events) - len(new) - len(refused)
        result = IngestResult(len(events), len(new), duplicates, applied.decisions)
        return Staged(result, policy, applied.wakeup_moved_earlier, sorted(refused))


class ImportFailed(Exception):
    """An imported event the store refused; the import's transaction is rolled back."""


class StoreImport:
    """An import into the store: every event of the file in one transaction, or none.

    Events are applied in chunks of `chunk` (the engine runs as ingestion runs it, the same
    duplicate and conflict checks apply), so memory stays flat however long the file. A ticket
    is loaded and stored once per chunk however many of its events the chunk holds, so chunks
    are large: 250 cost the ServiceNow sample 30% more time than 2,000 (beyond, nothing
    changed). Nothing is visible to others before `commit`. Event ids are deterministic, so
    importing the same file again stores nothing new. Decisions the history implies are stored
    (marked late, with their due instants) but queue no notifications: an import is the past,
    not news.
    """

    def __init__(
        self,
        ingestor: Ingestor,
        caller: Caller,
        now: datetime,
        *,
        source: str,
        skip_refused: bool = False,
        chunk: int = 2_000,
    ) -> None:
        self.ingestor = replace(ingestor, notifier=None, event_notifier=None)
        self.caller = caller
        self.now = now
        self.source = source
        self.chunk = chunk
        self.skip_refused = skip_refused
        self.refused: list[str] = []
        self.added = 0
        self.received = 0
        self.decisions = 0
        self._pending: list[Event] = []
        self._uow: UnitOfWork = ingestor.uow_factory()
        self._uow.__enter__()
        self._view = _ImportView(self._uow)

    def add(self, event: Event) -> None:
        self._pending.append(event)
        if len(self._pending) >= self.chunk:
            self._flush()

    def commit(self) -> None:
        try:
            self._flush()
            self._view.shared.write_back()
            detail = {"source": self.source, "received": self.received, "stored": self.added}
            self._uow.audit.record(self.caller.audit("events.import", None, detail, self.now))
            self._uow.commit()
        finally:
            self._uow.__exit__(None, None, None)

    def abort(self) -> None:
        self._pending.clear()
        self._uow.__exit__(None, None, None)

    def _flush(self) -> None:
        """Stage the pending chunk; a refused event is reported and the chunk staged without it.

        Refusals the checks and the engine report are skipped in the same pass. An engine
        failure (a bug, not a refusal) stops the chunk before anything of it is written, so the
        chunk is then applied again without the event it names.
        """
        events, self._pending = self._pending, []
        while events:
            try:
                staged = self.ingestor.stage(
                    self._view,
                    events,
                    self.caller,
                    self.now,
                    batch=True,
                    audit=False,
                    skip_refused=self.skip_refused,
                )
            except (InvalidEvent, UnknownTicket, Conflict) as error:
                index = _index(error, events)
                if not self.skip_refused or index is None:
                    raise ImportFailed(_name_event(error, events)) from error
                self.refused.append(_name_event(error, events))
                del events[index]
                continue
            except ServiceError as error:
                raise ImportFailed(_name_event(error, events)) from error
            self.refused += [_name_event(error, events) for _, error in staged.refused]
            self._count(staged)
            return

    def _count(self, staged: Staged) -> None:
        self.received += staged.result.received
        self.added += staged.result.stored
        self.decisions += staged.result.decisions


class _KeptShared:
    """The shared document (major incidents) held in memory for a whole import, written once
    at the end rather than read and written again for every chunk and every retry."""

    def __init__(self, inner: SharedDocument) -> None:
        self.inner = inner
        self._body: Mapping[str, Any] | None = None
        self._wakeup: datetime | None = None
        self._read = False
        self._changed = False

    def get(self, *, lock: bool) -> Mapping[str, Any] | None:
        if not self._read:
            self._body = self.inner.get(lock=lock)
            self._read = True
        return self._body

    def save(self, body: Mapping[str, Any], next_wakeup: datetime | None) -> bool:
        self._body, self._wakeup, self._read, self._changed = body, next_wakeup, True, True
        return True

    def write_back(self) -> None:
        if self._changed and self._body is not None:
            if not self.inner.save(self._body, self._wakeup):
                raise ImportFailed("another writer changed the engine's cross-ticket document")


class _KnownKeys:
    """The engine index as an import sees it: which keys exist is read once per kind and kept
    up to date, so the thousands of new issue keys a history brings cost no query each."""

    def __init__(self, inner: StoredEngineIndex) -> None:
        self.inner = inner
        self.existing: dict[str, set[str]] = {}

    def _existing(self, kind: str) -> set[str]:
        if kind not in self.existing:
            self.existing[kind] = set(self.inner.keys(kind))
        return self.existing[kind]

    def get_many(self, kind: str, keys: Sequence[str]) -> dict[str, Any]:
        existing = self._existing(kind)
        wanted = [key for key in keys if key in existing]
        return self.inner.get_many(kind, wanted) if wanted else {}

    def save(self, entries: Mapping[tuple[str, str], Mapping[str, Any] | None]) -> bool:
        if not self.inner.save(entries):
            return False
        for (kind, key), body in entries.items():
            if body is None:
                self._existing(kind).discard(key)
            else:
                self._existing(kind).add(key)
        return True


class _ImportView:
    """The import's transaction as ingestion sees it, with the shared document kept in memory."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.events = uow.events
        self.tickets = uow.tickets
        self.projections = uow.projections
        self.decisions = uow.decisions
        self.outbox = uow.outbox
        self.audit = uow.audit
        self.policies = uow.policies
        self.shared = _KeptShared(uow.shared)
        self.index = _KnownKeys(uow.index)
        self.signal_wakeup = uow.signal_wakeup


def _index(error: ServiceError, events: Sequence[Event]) -> int | None:
    """The chunk index an error's field (`/12/data/priority`) points at, if any."""
    index = (error.field or "").lstrip("/").partition("/")[0]
    return int(index) if index.isdigit() and int(index) < len(events) else None


def _name_event(error: ServiceError, events: Sequence[Event]) -> str:
    """The error with the chunk-relative field told as the event's id."""
    index = _index(error, events)
    if index is None:
        return error.detail
    rest = (error.field or "").lstrip("/").partition("/")[2]
    field = f" (field {rest})" if rest else ""
    return f"event {events[index].id!r}{field}: {error.detail}"


def event_digest(event: Event) -> str:
    """SHA-256 of the event's canonical JSON: equal content gives an equal digest."""
    return hashlib.sha256(event.model_dump_json().encode("utf-8")).hexdigest()


def _unique_in_request(
    events: Sequence[Event],
    digests: Sequence[str],
    prefix: Callable[[int], str],
    refuse: Callable[[int, ServiceError], None],
) -> list[int]:
    seen: dict[str, int] = {}
    keep: list[int] = []
    for i, event in enumerate(events):
        first = seen.get(event.id)
        if first is None:
            seen[event.id] = i
            keep.append(i)
        elif digests[first] != digests[i]:
            message = f"event id {event.id!r} appears twice in the request with different content"
            refuse(i, Conflict(message, field=f"{prefix(i)}id"))
    return keep


def _event_row(event: Event, digest: str, caller: Caller, now: datetime) -> dict[str, Any]:
    return {
        "id": event.id,
        "ticket": event.ticket,
        "type": event.type,
        "at": event.at,
        "body": event.model_dump(mode="json"),
        "digest": digest,
        "recorded_at": now,
        "recorded_by": caller.name,
    }


def _ids_sample(events: Sequence[Event]) -> list[str]:
    """The first ids of the request: enough to find them, small enough for a batch of 10,000."""
    return [e.id for e in events[:20]]
