"""`escalon replay` and `escalon explain`: run the engine over a file of canonical events."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from escalon.adapters.policy_files import SourceError, load_default_policy, load_policy
from escalon.domain.calendar import Calendar
from escalon.domain.durations import format_duration
from escalon.domain.engine import Decision, EventRecord, Timer, instant_us, rulebook_for
from escalon.domain.policy import Policy
from escalon.services.replay import (
    Rejected,
    Replayer,
    ReplayRefused,
    explain,
    read_events,
    replay,
)

EventsArg = Annotated[Path, typer.Argument(help="Canonical events, one JSON object per line.")]
PolicyOption = Annotated[
    Path | None, typer.Option("--policy", help="Policy file (default: the built-in policy).")
]
UntilOption = Annotated[
    str | None,
    typer.Option(
        "--until", help="Tick through wake-ups up to this ISO instant (default: the last event)."
    ),
]
SkipOption = Annotated[
    bool,
    typer.Option(
        "--skip-invalid",
        help="Process the rest of the file when an event is "
        "refused; list refused events at the end.",
    ),
]


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _policy(path: Path | None) -> Policy:
    try:
        return load_default_policy() if path is None else load_policy(path)
    except SourceError as error:
        _fail(f"--policy: {str(error).splitlines()[0]}")
    except OSError as error:
        _fail(f"--policy: cannot read {path}: {error.strerror}")
    raise AssertionError("unreachable")


def _until(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        _fail(f"--until: {text!r} is not an ISO 8601 instant")
    if instant.tzinfo is None:
        _fail(f"--until: {text!r} has no UTC offset")
    return instant_us(instant)


def _events(path: Path, skip_invalid: bool) -> tuple[list[EventRecord], list[Rejected]]:
    try:
        return read_events(path, skip_invalid=skip_invalid)
    except ReplayRefused as refused:
        _fail(str(refused.rejected))
    except OSError as error:
        _fail(f"EVENTS: cannot read {path}: {error.strerror}")
    except UnicodeDecodeError:
        _fail(f"EVENTS: {path} is not UTF-8 text")
    raise AssertionError("unreachable")


_BATCH = 512
"""Decisions printed per write: one write (and flush) per decision costs more than deciding."""


def _json_line(decision: Decision) -> str:
    return decision.to_json()


def _echo_lines(lines: list[str]) -> None:
    if lines:
        typer.echo("\n".join(lines))
        lines.clear()


def _drained(records: list[EventRecord]) -> Iterator[EventRecord]:
    """The records in order, each let go of once fed: the engine keeps what it needs, so a
    long file's records do not all stay in memory until the end."""
    for index, record in enumerate(records):
        records[index] = _SPENT
        yield record


_SPENT = EventRecord("", "tick", 0, "*", {})


def _sentence(decision: Decision) -> str:
    at = decision.at.isoformat().replace("+00:00", "Z")
    return f"{at}  {decision.ticket}  {decision.kind}: {decision.reason}  [{decision.rule}]"


def replay_command(
    events: EventsArg,
    policy: PolicyOption = None,
    until: UntilOption = None,
    explain_: Annotated[
        bool, typer.Option("--explain", help="Print decisions as sentences, not JSON lines.")
    ] = False,
    skip_invalid: SkipOption = False,
) -> None:
    """Replay EVENTS through the engine and print every decision, in time order."""
    # Neither the events nor the engine's state form reference cycles: during a replay the
    # cyclic collector would only rescan millions of live objects (a tenth of the run), so it
    # is off until they are gone.
    enabled = gc.isenabled()
    gc.disable()
    try:
        _replay(events, policy, until, explain_, skip_invalid)
    finally:
        if enabled:
            gc.enable()


def _replay(
    events: Path, policy: Path | None, until: str | None, explain_: bool, skip_invalid: bool
) -> None:
    rules = _policy(policy)
    end = _until(until)
    records, rejected = _events(events, skip_invalid)
    runner = Replayer(rules, skip_invalid=skip_invalid)
    render = _sentence if explain_ else _json_line
    lines: list[str] = []
    try:
        for decision in replay(_drained(records), rules, until=end, replayer=runner):
            lines.append(render(decision))
            if len(lines) >= _BATCH:
                typer.echo("\n".join(lines))
                lines.clear()
    except ReplayRefused as refused:
        _echo_lines(lines)
        _fail(str(refused.rejected))
    _echo_lines(lines)
    problems = [*rejected, *runner.rejected]
    if problems:
        typer.echo(f"{len(problems)} event(s) rejected:", err=True)
        for problem in problems:
            typer.echo(f"  {problem}", err=True)


def _iso(us: int | None) -> str:
    if us is None:
        return "-"
    return datetime.fromtimestamp(us / 1_000_000, UTC).isoformat().replace("+00:00", "Z")


_MAX_PIECES = 12


def _clock_rows(timer: Timer, calendar: Calendar, now: int) -> list[str]:
    """The clock, then each counted interval split by its calendar into working time and the
    time excluded (off hours, holidays by name), so a user can see why it is due when it is."""
    target = timer.facts.get("target") or format_duration_us(timer.target)
    state = timer.facts.get("ended") or ("running" if timer.since is not None else "paused")
    lines = [
        f"{timer.name} (cycle {timer.cycle}, calendar {timer.calendar}, target {target}, "
        f"{state}; next due {_iso(timer.due)}; policy {timer.policy})"
    ]
    for start, end, why in timer.ledger:
        stop = now if end is None else end
        ending = f"{_iso(end)}, then {why}" if end is not None else "now, still counting"
        lines.append(f"    interval {_iso(start)} -> {ending}")
        pieces = list(calendar.pieces_us(start, stop)) if stop > start else []
        for a, b, counted, reason in pieces[:_MAX_PIECES]:
            mark = "+" if counted else "-"
            lines.append(
                f"      {mark} {_iso(a)} -> {_iso(b)}  {format_duration_us(b - a)}  {reason}"
            )
        if len(pieces) > _MAX_PIECES:
            lines.append(f"      ... {len(pieces) - _MAX_PIECES} more pieces")
    return lines


def format_duration_us(us: int) -> str:
    from datetime import timedelta

    return format_duration(timedelta(microseconds=us))


def explain_command(
    events: EventsArg,
    ticket: Annotated[str, typer.Option("--ticket", help="The ticket id to explain.")],
    policy: PolicyOption = None,
    until: UntilOption = None,
) -> None:
    """Print one ticket's timeline: events, decisions with reasons, clocks with ledgers."""
    rules = _policy(policy)
    end = _until(until)
    records, _ = _events(events, True)
    if not any(r.ticket == ticket for r in records):
        _fail(f"--ticket: no events for ticket {ticket!r} in {events}")
    timeline = explain(records, rules, ticket, until=end)
    console = Console(highlight=False, soft_wrap=True)
    state = timeline.ticket
    console.print(
        f"[bold]{state.id}[/bold]  customer {state.customer} ({state.segment}, "
        f"{state.region or 'no region'})  {state.priority}  tier {state.tier}  "
        f"status {state.status}  calendar {state.calendar}"
    )
    table = Table("at", "what", "detail", show_lines=False, box=None)
    for entry in timeline.entries:
        what = f"[bold]{entry.what}[/bold]" if entry.decision is not None else entry.what
        table.add_row(_iso(entry.at), what, entry.detail)
    console.print(table)
    console.print("[bold]clocks[/bold] (+ counted, - excluded)")
    calendars = rulebook_for(rules).calendars
    now = max([state.last, *(e.at for e in timeline.entries)])
    for timer in [*state.finished, *state.timers.values()]:
        for line in _clock_rows(timer, calendars[timer.calendar], now):
            console.print("  " + line, markup=False)
    if state.escalations:
        console.print("[bold]escalations[/bold]")
        for record in state.escalations:
            console.print(
                f"  #{record.seq} {record.source}->{record.target} ({record.criterion}) at "
                f"{_iso(record.at)}, {record.status}, policy {record.policy}",
                markup=False,
            )
