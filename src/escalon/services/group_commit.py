"""Group commit for single-event ingestion: concurrent requests share one transaction.

Under load most of a small request's cost is the transaction around it: taking the write lock
(SQLite) or a round trip per statement (PostgreSQL), a dozen statements, a commit. A writer
thread instead takes every request waiting at that moment, checks and applies each in turn
within one transaction, and commits them together; each request then gets its own answer.

All-or-nothing still holds per request. A request's writes are staged in memory in a layer of
its own and join the group's writes only when the request succeeds, so a refused request (bad
token, schema violation, unknown ticket, conflicting duplicate) leaves nothing behind and does
not disturb the others. The group's reads are made once (tokens, stored digests, tickets,
policy, shared document) and its writes go out as one multi-row statement per table. If the
group's transaction itself fails (a concurrent process stored the same ticket, the shared
document moved, the database was busy), every request of the group runs again alone, in its
own transaction, exactly as without grouping.

Requests join the next group while one is being written, so a lone request is written at once
and a busy server writes larger groups: no timer, no added latency.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from escalon.domain.events import Event, parse_event_json
from escalon.services.access import Caller, authenticate, caller_for, hash_token
from escalon.services.errors import ServiceError
from escalon.services.ingest import RETRIES, Ingestor, IngestResult, is_race
from escalon.services.ports import Row, UnitOfWork

log = logging.getLogger(__name__)

ACTION = "events:ingest"

Outcome = IngestResult | Exception
"""What a request gets back: its result, or the error to answer with."""


class InvalidBody(Exception):
    """The body is not one valid event; carries pydantic's errors for the problem details."""

    def __init__(self, error: ValidationError) -> None:
        super().__init__(str(error))
        self.errors = error.errors(include_url=False)


@dataclass
class Pending:
    """One request waiting for its group: the bearer secret, the raw body, where to answer."""

    secret: str
    body: bytes
    done: Callable[[Outcome], None]


def _parse(body: bytes) -> Event:
    try:
        return parse_event_json(body)
    except ValidationError as error:
        raise InvalidBody(error) from None


@dataclass
class _Writes:
    """Writes staged in memory, keyed so that a later write of the same row replaces it."""

    events: list[Row] = field(default_factory=list)
    tickets: dict[str, Row] = field(default_factory=dict)
    clocks: dict[str, list[Row]] = field(default_factory=dict)
    escalations: dict[str, Row] = field(default_factory=dict)
    decisions: dict[str, Row] = field(default_factory=dict)
    outbox: dict[str, Any] = field(default_factory=dict)
    audit: list[Row] = field(default_factory=list)
    shared: tuple[Mapping[str, Any], datetime | None] | None = None
    entries: dict[tuple[str, str], Mapping[str, Any] | None] = field(default_factory=dict)
    wakeup: bool = False

    def absorb(self, other: _Writes) -> None:
        self.events += other.events
        self.tickets.update(other.tickets)
        self.clocks.update(other.clocks)
        self.escalations.update(other.escalations)
        self.decisions.update(other.decisions)
        self.outbox.update(other.outbox)
        self.audit += other.audit
        self.shared = other.shared or self.shared
        self.entries.update(other.entries)
        self.wakeup = self.wakeup or other.wakeup


class _GroupFailed(Exception):
    """The group's transaction cannot commit; its requests run again one by one."""


class _Group:
    """One group's transaction: what it read from the database, and the writes it will flush."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.writes = _Writes()
        self.digests: dict[str, str] = {}
        self.digests_read: set[str] = set()
        self.tickets: dict[str, Row] = {}
        self.tickets_read: set[str] = set()
        self.policy_version: str | None = None
        self.shared: Mapping[str, Any] | None = None
        self.entries: dict[tuple[str, str], Mapping[str, Any] | None] = {}

    def prefetch(self, events: Sequence[Event]) -> None:
        """The reads every request of the group needs, made once for all of them."""
        self.read_digests(sorted({e.id for e in events}))
        self.read_tickets(sorted({e.ticket for e in events}))
        self.policy_version = self.uow.policies.active_version()
        self.shared = self.uow.shared.get(lock=False)

    def absorb(self, writes: _Writes) -> None:
        """A request succeeded: its writes join the group's."""
        self.writes.absorb(writes)
        self.digests.update({row["id"]: row["digest"] for row in writes.events})

    def read_digests(self, ids: Sequence[str]) -> None:
        missing = [i for i in ids if i not in self.digests_read]
        if missing:
            self.digests.update(self.uow.events.digests(missing))
            self.digests_read.update(missing)

    def read_tickets(self, ids: Sequence[str]) -> None:
        missing = [i for i in ids if i not in self.tickets_read]
        if missing:
            self.tickets.update(self.uow.tickets.get_many(missing, lock=True))
            self.tickets_read.update(missing)

    def read_entries(self, kind: str, keys: Sequence[str]) -> None:
        missing = [k for k in keys if (kind, k) not in self.entries]
        if missing:
            found = self.uow.index.get_many(kind, missing)
            self.entries.update({(kind, k): found.get(k) for k in missing})

    def flush(self) -> None:
        """Write the group: one statement per table (chunked), in the group's transaction."""
        uow, writes = self.uow, self.writes
        uow.events.append(writes.events)
        uow.tickets.save(list(writes.tickets.values()), existing=set(self.tickets))
        clocks = [row for rows in writes.clocks.values() for row in rows]
        # Tickets the group created have no clocks to delete: only stored tickets' are replaced.
        stored = [ticket for ticket in writes.clocks if ticket in self.tickets]
        uow.projections.replace_clocks(stored, clocks)
        uow.projections.upsert_escalations(list(writes.escalations.values()))
        uow.decisions.add_new(list(writes.decisions.values()))
        uow.outbox.enqueue(list(writes.outbox.values()))
        uow.audit.record_many(writes.audit)
        if writes.shared is not None and not uow.shared.save(*writes.shared):
            raise _GroupFailed("the engine's cross-ticket document changed meanwhile")
        if writes.entries and not uow.index.save(writes.entries):
            raise _GroupFailed("one of the engine's cross-ticket entries changed meanwhile")
        if writes.wakeup:
            uow.signal_wakeup()


class _Layer:
    """One request's unit of work (IngestUnitOfWork): the group's state plus its own writes."""

    def __init__(self, group: _Group) -> None:
        self.group = group
        self.writes = _Writes()
        self.events = _Events(self)
        self.tickets = _Tickets(self)
        self.projections = _Projections(self)
        self.decisions = _Decisions(self)
        self.outbox = _Outbox(self)
        self.audit = _Audit(self)
        self.policies = _Policy(self)
        self.shared = _Shared(self)
        self.index = _Index(self)

    def signal_wakeup(self) -> None:
        self.writes.wakeup = True


class _Events:
    def __init__(self, layer: _Layer) -> None:
        self.layer = layer

    def digests(self, ids: Sequence[str]) -> dict[str, str]:
        group = self.layer.group
        group.read_digests(ids)  # the group's staged events are in group.digests too
        return {i: group.digests[i] for i in ids if i in group.digests}

    def append(self, rows: Sequence[Row]) -> None:
        self.layer.writes.events += rows


class _Tickets:
    def __init__(self, layer: _Layer) -> None:
        self.layer = layer

    def get_many(self, ids: Sequence[str], *, lock: bool) -> dict[str, Row]:  # noqa: ARG002
        group = self.layer.group
        group.read_tickets(ids)  # always locked: the group may write any ticket it read
        out: dict[str, Row] = {}
        for i in ids:
            row = (
                self.layer.writes.tickets.get(i)
                or group.writes.tickets.get(i)
                or group.tickets.get(i)
            )
            if row is not None:
                out[i] = dict(row)
        return out

    def save(self, rows: Sequence[Row], *, existing: set[str]) -> None:  # noqa: ARG002
        # Insert or update is decided at flush, from what the database held when first read.
        self.layer.writes.tickets.update({str(r["id"]): dict(r) for r in rows})


class _Projections:
    def __init__(self, layer: _Layer) -> None:
        self.layer = layer

    def replace_clocks(self, tickets: Sequence[str], rows: Sequence[Row]) -> None:
        clocks: dict[str, list[Row]] = {ticket: [] for ticket in tickets}
        for row in rows:
            clocks.setdefault(str(row["ticket"]), []).append(row)
        self.layer.writes.clocks.update(clocks)

    def upsert_escalations(self, rows: Sequence[Row]) -> None:
        self.layer.writes.escalations.update({str(r["id"]): r for r in rows})


class _Decisions:
    def __init__(self, layer: _Layer) -> None:
        self.layer = layer

    def add_new(self, rows: Sequence[Row]) -> list[str]:
        mine, group = self.layer.writes.decisions, self.layer.group
        candidates = [
            r for r in rows if r["id"] not in mine and r["id"] not in group.writes.decisions
        ]
        if not candidates:
            return []
        stored = set(group.uow.decisions.known([str(r["id"]) for r in candidates]))
        fresh = [r for r in candidates if r["id"] not in stored]
        mine.update({str(r["id"]): r for r in fresh})
        return [str(r["id"]) for r in fresh]


class _Outbox:
    """Messages staged by key; keys the database already holds are dropped at flush."""

    def __init__(self, layer: _Layer) -> None:
        self.layer = layer

    def enqueue(self, messages: Sequence[Any]) -> int:
        mine, group = self.layer.writes.outbox, self.layer.group.writes.outbox
        fresh = {m.key: m for m in messages if m.key not in mine and m.key not in group}
        mine.update(fresh)
        return len(fresh)


class _Audit:
    def __init__(self, layer: _Layer) -> None:
        self.layer = layer

    def record(self, row: Row) -> None:
        self.layer.writes.audit.append(row)


class _Policy:
    def __init__(self, layer: _Layer) -> None:
        self.layer = layer

    def active_version(self) -> str | None:
        return self.layer.group.policy_version

    def get(self, version: str) -> Row | None:
        return self.layer.group.uow.policies.get(version)


class _Shared:
    """The group read the document once; a request sees what earlier requests staged."""

    def __init__(self, layer: _Layer) -> None:
        self.layer = layer

    def get(self, *, lock: bool) -> Mapping[str, Any] | None:  # noqa: ARG002
        layer, group = self.layer, self.layer.group
        staged = layer.writes.shared or group.writes.shared
        return staged[0] if staged is not None else group.shared

    def save(self, body: Mapping[str, Any], next_wakeup: datetime | None) -> bool:
        self.layer.writes.shared = (body, next_wakeup)
        return True


class _Index:
    """Entries read once per group; a request sees what earlier requests staged."""

    def __init__(self, layer: _Layer) -> None:
        self.layer = layer

    def get_many(self, kind: str, keys: Sequence[str]) -> dict[str, Any]:
        layer, group = self.layer, self.layer.group
        group.read_entries(kind, keys)
        out: dict[str, Any] = {}
        for key in keys:
            entry = (kind, key)
            for staged in (layer.writes.entries, group.writes.entries, group.entries):
                if entry in staged:
                    if staged[entry] is not None:
                        out[key] = staged[entry]
                    break
        return out

    def save(self, entries: Mapping[tuple[str, str], Mapping[str, Any] | None]) -> bool:
        self.layer.writes.entries.update(entries)
        return True


class GroupCommitter:
    """The writer threads and their queue; `submit` never blocks, answers arrive via `done`.

    `writers` groups may be in flight at once, each in its own transaction. On SQLite that is
    one (writers queue for the single write lock anyway); on PostgreSQL a second writer
    computes its group while the first waits for the database, and two groups only wait for
    each other when they touch the same ticket.
    """

    def __init__(
        self,
        ingestor: Ingestor,
        clock: Callable[[], datetime],
        *,
        max_group: int,
        writers: int = 1,
    ) -> None:
        self.ingestor = ingestor
        self.clock = clock
        self.max_group = max_group
        self.writers = writers
        self._queue: deque[Pending] = deque()
        self._ready = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._closed = False

    def submit(self, pending: Pending) -> None:
        with self._ready:
            if not self._threads:
                self._threads = [
                    threading.Thread(target=self._run, name=f"ingest-writer-{n}", daemon=True)
                    for n in range(self.writers)
                ]
                for thread in self._threads:
                    thread.start()
            self._queue.append(pending)
            self._ready.notify()

    def close(self) -> None:
        """Write what is queued, then stop the writer threads."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()
            threads = list(self._threads)
        for thread in threads:
            thread.join()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._queue and not self._closed:
                    self._ready.wait()
                if not self._queue:
                    return
                take = min(len(self._queue), self.max_group)
                group = [self._queue.popleft() for _ in range(take)]
            try:
                outcomes = self.write(group)
            except Exception as error:  # never lose the thread, never leave a request waiting
                log.exception("ingest group commit failed")
                outcomes = [error] * len(group)
            for pending, outcome in zip(group, outcomes, strict=True):
                try:
                    pending.done(outcome)
                except Exception:  # the requester went away (its loop closed)
                    log.exception("could not answer an ingest request")

    def write(self, group: Sequence[Pending]) -> list[Outcome]:
        """Each request's outcome: all of them in one transaction, else each in its own."""
        now = self.clock()
        try:
            return self._together(group, now)
        except Exception as error:
            if len(group) > 1:
                log.info("group of %d rolled back (%s); writing each alone", len(group), error)
            return [self._alone(pending, now) for pending in group]

    def _together(self, group: Sequence[Pending], now: datetime) -> list[Outcome]:
        outcomes: list[Outcome | None] = [None] * len(group)
        with self.ingestor.uow_factory() as uow:
            hashes = [hash_token(p.secret) for p in group]
            tokens = uow.tokens.by_hashes(sorted(set(hashes)))
            ready: list[tuple[int, Caller, Event]] = []
            for k, pending in enumerate(group):
                try:
                    caller = caller_for(tokens.get(hashes[k]))
                    caller.require(ACTION)
                    ready.append((k, caller, _parse(pending.body)))
                except (ServiceError, InvalidBody) as error:
                    outcomes[k] = error
            staging = _Group(uow)
            staging.prefetch([event for _, _, event in ready])
            for k, caller, event in ready:
                outcomes[k] = self._stage(staging, caller, event, now)
            staging.flush()
            uow.commit()
        done = [o for o in outcomes if o is not None]
        assert len(done) == len(group), "every request of the group has an outcome"
        return done

    def _stage(self, group: _Group, caller: Caller, event: Event, now: datetime) -> Outcome:
        attempt = 1
        while True:
            layer = _Layer(group)
            try:
                staged = self.ingestor.stage(layer, [event], caller, now, batch=False)
            except ServiceError as error:
                if attempt >= RETRIES or not is_race(error):
                    return error
                attempt += 1
                continue
            if staged.wakeup_moved_earlier:
                layer.signal_wakeup()
            group.absorb(layer.writes)
            return staged.result

    def _alone(self, pending: Pending, now: datetime) -> Outcome:
        try:
            caller = authenticate(self.ingestor.uow_factory, f"Bearer {pending.secret}")
            caller.require(ACTION)
            return self.ingestor.ingest([_parse(pending.body)], caller, now, batch=False)
        except Exception as error:
            return error
