"""Replay: run the engine over a stream of events, ticking through every wake-up in between.

The same loop serves `escalon replay`, `escalon explain`, the benchmark and (later) policy
simulation. Events from a file are validated once, put into time order by a stable sort (events
at the same instant keep their file order, the order the source recorded them in), and fed to
the engine; before each event the engine is ticked at every wake-up that falls strictly before
it, so decisions come out in time order.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import from_json

from escalon.domain.engine import Decision, EngineState, EventRecord, InvalidEvent, TicketState
from escalon.domain.engine.context import Context
from escalon.domain.engine.rulebook import rulebook_for
from escalon.domain.engine.step import advance, wake_until
from escalon.domain.policy import Policy


@dataclass(frozen=True)
class Rejected:
    """An event the replay refused: where it was, which field, and why."""

    event: str
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}event {self.event}: {self.field}: {self.message}"


class ReplayRefused(Exception):
    """The first invalid event, when the caller did not ask to skip invalid ones."""

    def __init__(self, rejected: Rejected) -> None:
        super().__init__(str(rejected))
        self.rejected = rejected


def _schema_error(error: ValidationError) -> tuple[str, str]:
    first = error.errors()[0]
    loc = [str(part) for part in first["loc"]]
    # drop the discriminator tag pydantic puts in the path ("ticket.created")
    loc = [part for part in loc if "." not in part or part.startswith("data")]
    return ".".join(loc) or "event", first["msg"]


def parse_json_line(line: str) -> Any:
    """One JSON document, as `json.loads` gives it (and raising its `JSONDecodeError`).

    pydantic-core's parser is several times faster; where it refuses a line (invalid JSON, or
    lone surrogate escapes that `json` accepts) the standard parser decides."""
    try:
        return from_json(line)
    except ValueError:
        return json.loads(line)


def read_events(path: Path, *, skip_invalid: bool) -> tuple[list[EventRecord], list[Rejected]]:
    """Validate each JSON line against the canonical schema; keep valid ones, list the rest.

    Records of one ticket share one ticket-id string (a million-event file holds each id many
    times over)."""
    records: list[EventRecord] = []
    rejected: list[Rejected] = []
    tickets: dict[str, str] = {}
    from_json_value = EventRecord.from_json
    with bulk_collection(), path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            raw: Any = None
            try:
                raw = parse_json_line(line)
                record = from_json_value(raw)
                record.ticket = tickets.setdefault(record.ticket, record.ticket)
                records.append(record)
            except json.JSONDecodeError as error:
                problem = Rejected(f"(line {number})", "json", error.msg, number)
            except ValidationError as error:
                event = raw.get("id") if isinstance(raw, dict) else None
                field_name, message = _schema_error(error)
                problem = Rejected(str(event or f"(line {number})"), field_name, message, number)
            else:
                continue
            if not skip_invalid:
                raise ReplayRefused(problem)
            rejected.append(problem)
    records.sort(key=_AT)  # stable: same-instant events keep file order (`order_key`)
    return records, rejected


_AT = attrgetter("at")


@dataclass
class Replayer:
    """Feeds events to the engine in time order, ticking through every wake-up before each."""

    policy: Policy
    skip_invalid: bool = False
    state: EngineState = field(default_factory=EngineState)
    rejected: list[Rejected] = field(default_factory=list)
    events: int = 0

    def __post_init__(self) -> None:
        self._ctx = Context(self.state, rulebook_for(self.policy))

    def feed(self, record: EventRecord) -> list[Decision]:
        """Apply one event (after the wake-ups strictly before it); return what became due."""
        ctx = self._ctx
        ctx.out = []
        heap = ctx.state.heap
        if heap and heap[0][0] < record.at:
            self._tick_before(record.at)
        try:
            advance(ctx, record)
        except InvalidEvent as error:
            problem = Rejected(error.event, error.field, error.message)
            if not self.skip_invalid:
                raise ReplayRefused(problem) from None
            self.rejected.append(problem)
        self.events += 1
        return ctx.out

    def finish(self, until: int) -> list[Decision]:
        """Tick through every wake-up up to and including `until`."""
        ctx = self._ctx
        ctx.out = []
        self._tick_before(until + 1)
        return ctx.out

    def _tick_before(self, instant: int) -> None:
        # the same as a tick at each queued wake-up before `instant`, in due order
        wake_until(self._ctx, instant - 1)


def replay(
    records: Iterable[EventRecord],
    policy: Policy,
    *,
    until: int | None = None,
    replayer: Replayer | None = None,
) -> Iterator[Decision]:
    """Every decision of the replay, in time order; ticks up to `until` (default: last event).

    The cyclic garbage collector runs rarely while the replay does (`bulk_collection`)."""
    runner = replayer or Replayer(policy)
    last: int | None = None
    with bulk_collection():
        for record in records:
            if until is not None and record.at > until:
                break
            decided = runner.feed(record)
            if decided:
                yield from decided
            last = record.at
        end = until if until is not None else last
        if end is not None:
            yield from runner.finish(end)


@contextmanager
def bulk_collection() -> Iterator[None]:
    """Collect cyclic garbage rarely during a long replay.

    Engine state is many small, long-lived, acyclic records; with the default thresholds the
    collector rescans them over and over, which costs a replay of a million events more than a
    tenth of its time. The previous thresholds are restored afterwards.
    """
    previous = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


@dataclass(frozen=True)
class TimelineEntry:
    at: int
    what: str
    detail: str
    decision: Decision | None = None


@dataclass
class Timeline:
    """One ticket's story: events, decisions with reasons, and its clocks with their ledgers."""

    ticket: TicketState
    entries: list[TimelineEntry]


def _event_summary(record: EventRecord) -> str:
    data = record.data
    if not data:
        return ""
    if record.type == "ticket.created":
        customer = data.get("customer", {})
        shown = {k: v for k, v in data.items() if k != "customer"}
        return f"customer {customer.get('id')} ({customer.get('segment', 'smb')}) " + json.dumps(
            shown, sort_keys=True, default=str
        )
    return json.dumps(data, sort_keys=True, default=str)


def explain(
    records: list[EventRecord], policy: Policy, ticket: str, *, until: int | None = None
) -> Timeline:
    """Replay everything (other tickets matter for incidents and repeats), keep one ticket's."""
    runner = Replayer(policy, skip_invalid=True, state=EngineState(keep_history=True))
    entries: list[TimelineEntry] = []
    incident: str | None = None
    for decision in replay(records, policy, until=until, replayer=runner):
        linked = runner.state.tickets.get(ticket)
        incident = linked.incident if linked is not None else incident
        if decision.ticket == ticket or (incident is not None and decision.ticket == incident):
            entries.append(TimelineEntry(decision.at_us, decision.kind, decision.reason, decision))
    state = runner.state.tickets.get(ticket)
    if state is None:
        raise KeyError(ticket)
    for record in state.log:
        entries.append(TimelineEntry(record.at, record.type, _event_summary(record)))
    for problem in runner.rejected:
        if any(r.id == problem.event and r.ticket == ticket for r in records):
            entries.append(TimelineEntry(_at_of(records, problem.event), "rejected", str(problem)))
    entries.sort(key=lambda e: (e.at, e.decision is not None))
    return Timeline(state, entries)


def _at_of(records: list[EventRecord], event: str) -> int:
    return next(r.at for r in records if r.id == event)
