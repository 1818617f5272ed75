"""`escalon sla`: due instants, working time and the ledger behind them, on a policy's calendars."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from escalon.adapters.policy_files import SourceError, load_default_policy, load_policy
from escalon.domain.calendar import (
    Calendar,
    FollowTheSunCalendar,
    build_calendars,
    build_follow_the_sun,
)
from escalon.domain.durations import format_duration, parse_duration
from escalon.domain.sla import ClockKind, SlaClock

app = typer.Typer(
    help="SLA arithmetic on business-hours calendars: due, elapsed, explain, handoffs.",
    no_args_is_help=True,
)

CalendarOption = Annotated[
    str, typer.Option("--calendar", "-c", help="Calendar name from the policy, e.g. amer, 24x7.")
]
StartOption = Annotated[str, typer.Option("--start", help="ISO 8601 instant with a UTC offset.")]
PolicyOption = Annotated[
    Path | None, typer.Option("--policy", help="Policy file (default: the built-in policy).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
DEFAULT_PAUSE_REASON = "on hold"


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _calendar(name: str, policy_file: Path | None) -> Calendar:
    try:
        policy = load_default_policy() if policy_file is None else load_policy(policy_file)
    except SourceError as error:
        _fail(f"--policy: {str(error).splitlines()[0]}")
    except OSError as error:
        _fail(f"--policy: cannot read {policy_file}: {error.strerror}")
    try:
        calendars = build_calendars(policy.calendars)
        ring = policy.follow_the_sun
        if ring is not None and name == ring.name and name not in calendars:
            return build_follow_the_sun(ring.name, ring.regions, calendars)
    except ValueError as error:
        _fail(f"--calendar: {error}")
    if name not in calendars:
        known = ", ".join(sorted(calendars) + ([ring.name] if ring else []))
        _fail(f"--calendar: unknown calendar {name!r} (known: {known})")
    return calendars[name]


def _instant(option: str, text: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text.strip())
    except ValueError:
        _fail(f"{option}: {text!r} is not an ISO 8601 instant, e.g. 2024-03-08T13:00:00-05:00")
    if instant.tzinfo is None or instant.utcoffset() is None:
        _fail(f"{option}: {text!r} has no UTC offset; add one, e.g. -05:00 or Z")
    return instant


def _target(text: str, calendar: Calendar) -> timedelta:
    try:
        return parse_duration(text.strip()).on(calendar.working_day)
    except ValueError as error:
        _fail(f"--target: {error}")


def _show(instant: datetime, calendar: Calendar) -> str:
    return instant.astimezone(calendar.zone).isoformat()


def _span(span: timedelta) -> dict[str, Any]:
    seconds = span.total_seconds()
    return {
        "seconds": int(seconds) if seconds.is_integer() else seconds,
        "text": format_duration(span),
    }


@app.command()
def due(
    calendar: CalendarOption,
    start: StartOption,
    target: Annotated[str, typer.Option("--target", help="90m, 4h, 1h30m, 2d (working days).")],
    policy: PolicyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print when TARGET of working time counted from START is due."""
    cal = _calendar(calendar, policy)
    begin, span = _instant("--start", start), _target(target, cal)
    instant = cal.add(begin, span)
    if as_json:
        data = {"calendar": calendar, "start": _show(begin, cal), "target": _span(span)}
        typer.echo(json.dumps({**data, "due": _show(instant, cal)}))
    else:
        typer.echo(_show(instant, cal))


@app.command()
def elapsed(
    calendar: CalendarOption,
    start: StartOption,
    end: Annotated[str, typer.Option("--end", help="ISO 8601 instant with a UTC offset.")],
    policy: PolicyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print the working time between START and END, in seconds and as 1h30m."""
    cal = _calendar(calendar, policy)
    begin, finish = _instant("--start", start), _instant("--end", end)
    if finish < begin:
        _fail(f"--end: {end} is before --start {start}")
    worked, actual = cal.elapsed(begin, finish), finish - begin
    if as_json:
        typer.echo(
            json.dumps({"calendar": calendar, "working": _span(worked), "actual": _span(actual)})
        )
    else:
        w, a = _span(worked), _span(actual)
        typer.echo(
            f"{w['seconds']} seconds ({w['text']}); actual {a['seconds']} seconds ({a['text']})"
        )


def _pause(text: str) -> tuple[datetime, datetime, str]:
    parts = text.split("/", 2)
    if len(parts) < 2:
        _fail(f"--pause: {text!r} should be START/END or START/END/reason")
    first, last = _instant("--pause", parts[0]), _instant("--pause", parts[1])
    if last < first:
        _fail(f"--pause: {text!r} ends before it starts")
    return first, last, parts[2].strip() if len(parts) == 3 else DEFAULT_PAUSE_REASON


@app.command()
def explain(
    calendar: CalendarOption,
    start: StartOption,
    target: Annotated[
        str | None, typer.Option("--target", help="Explain when this target is due.")
    ] = None,
    end: Annotated[str | None, typer.Option("--end", help="Explain up to this instant.")] = None,
    pause: Annotated[
        list[str] | None,
        typer.Option("--pause", help="START/END[/reason] not counted (repeatable)."),
    ] = None,
    policy: PolicyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print the ledger: counted and excluded stretches with their reasons."""
    if target is None and end is None:
        _fail("--target or --end: give at least one")
    cal = _calendar(calendar, policy)
    begin = _instant("--start", start)
    span = _target(target, cal) if target is not None else timedelta(0)
    clock = SlaClock.start("explain", ClockKind.RESOLUTION, begin, span, calendar)
    try:
        for first, last, reason in sorted(_pause(p) for p in pause or []):
            clock = clock.pause(max(first, begin), reason).resume(max(last, begin))
    except ValueError as error:
        _fail(f"--pause: {error}")
    due_at = clock.due(cal) if target is not None else None
    until = _instant("--end", end) if end is not None else due_at
    assert until is not None
    if until < begin:
        _fail(f"--end: {end} is before --start {start}")
    pieces = clock.ledger(until, cal)
    counted = clock.elapsed(until, cal)
    if as_json:
        rows = [
            {
                "start": _show(p.start, cal),
                "end": _show(p.end, cal),
                "counted": p.counted,
                "reason": p.reason,
                "duration": _span(p.duration),
            }
            for p in pieces
        ]
        result: dict[str, Any] = {"calendar": calendar, "ledger": rows, "counted": _span(counted)}
        if due_at is not None:
            result["due"] = _show(due_at, cal)
        typer.echo(json.dumps(result))
        return
    for p in pieces:
        mark = "counted " if p.counted else "excluded"
        typer.echo(
            f"{_show(p.start, cal)}  {_show(p.end, cal)}  {mark}  "
            f"{format_duration(p.duration):>8}  {p.reason}"
        )
    typer.echo(f"counted: {format_duration(counted)}")
    if due_at is not None:
        typer.echo(f"due: {_show(due_at, cal)}")


@app.command()
def handoffs(
    calendar: CalendarOption,
    start: StartOption,
    end: Annotated[str, typer.Option("--end", help="ISO 8601 instant with a UTC offset.")],
    policy: PolicyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print the follow-the-sun region handoffs between START and END."""
    cal = _calendar(calendar, policy)
    if not isinstance(cal, FollowTheSunCalendar):
        _fail(f"--calendar: {calendar!r} is not a follow-the-sun calendar")
    begin, finish = _instant("--start", start), _instant("--end", end)
    if finish < begin:
        _fail(f"--end: {end} is before --start {start}")
    found = cal.handoffs(begin, finish)
    if as_json:
        rows = [{"at": _show(at, cal), "from": a, "to": b} for at, a, b in found]
        typer.echo(
            json.dumps({"calendar": calendar, "owner_at_start": cal.owner(begin), "handoffs": rows})
        )
        return
    typer.echo(f"{_show(begin, cal)}  owner {cal.owner(begin)}")
    for at, a, b in found:
        typer.echo(f"{_show(at, cal)}  {a} -> {b}")
