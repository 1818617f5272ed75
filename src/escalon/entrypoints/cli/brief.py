"""`escalon brief EVENTS.jsonl --ticket ID`: the executive preparation briefing in Markdown."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import yaml
from pydantic import AwareDatetime, TypeAdapter, ValidationError

from escalon.adapters.policy_files import SourceError, load_default_policy, load_policy
from escalon.domain.durations import format_duration
from escalon.domain.engine import EventRecord, instant_us, rulebook_for
from escalon.domain.engine.decisions import us_to_datetime
from escalon.domain.engine.timers import counted
from escalon.domain.events import EVENT_TYPES, Event, parse_event_json
from escalon.domain.executive import (
    CommunicationEntry,
    ManagementEscalation,
    SlaLine,
    briefing_markdown,
    build_briefing,
)
from escalon.domain.policy import Policy
from escalon.services.replay import Replayer, replay

_INSTANT: TypeAdapter[datetime] = TypeAdapter(AwareDatetime)
_LOG: TypeAdapter[list[CommunicationEntry]] = TypeAdapter(list[CommunicationEntry])


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _field(error: ValidationError) -> str:
    first = error.errors()[0]
    loc = [str(part) for part in first["loc"]]
    kind = f" ({loc.pop(0)})" if loc and loc[0] in EVENT_TYPES else ""
    return f"field {'.'.join(loc) or '(root)'}{kind}: {first['msg']}"


def read_events(path: Path) -> list[Event]:
    """Every event of a JSONL file; a bad line is reported as FILE:LINE and the field."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        _fail(f"{path}: no such file")
    except (OSError, UnicodeDecodeError):
        _fail(f"{path}: cannot read")
    events: list[Event] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            events.append(parse_event_json(line))
        except ValidationError as error:
            _fail(f"{path}:{number}: {_field(error)}")
    return events


def _communications(path: Path | None) -> list[CommunicationEntry]:
    if path is None:
        return []
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        _fail(f"--communications: {path}: no such file")
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        _fail(f"--communications: {path}: not a readable YAML or JSON file")
    try:
        return _LOG.validate_python(data or [])
    except ValidationError as error:
        _fail(f"--communications: {path}: {_field(error)}")


def _policy(path: Path | None) -> Policy:
    if path is None:
        return load_default_policy()
    try:
        return load_policy(path)
    except SourceError as error:
        _fail(f"--policy: {error.issues[0] if error.issues else error}")
    except OSError:
        _fail(f"--policy: {path}: cannot read")


def engine_view(
    events: list[Event], policy: Policy, ticket: str, now: datetime
) -> tuple[list[SlaLine], ManagementEscalation | None]:
    """The ticket's running clocks and management escalation at `now`, from a replay of every
    event (other tickets matter for incidents and repeats)."""
    records = sorted((EventRecord.from_event(e) for e in events), key=EventRecord.order_key)
    now_us = instant_us(now)
    runner = Replayer(policy, skip_invalid=True)
    for _ in replay(records, policy, until=now_us, replayer=runner):
        pass
    state = runner.state.tickets.get(ticket)
    if state is None:
        return [], None
    calendars = rulebook_for(policy).calendars
    lines = []
    for name, timer in sorted(state.timers.items()):
        left = timer.target - counted(timer, calendars[timer.calendar], now_us)
        status = "paused" if timer.since is None else "running"
        if left < 0:
            status = f"breached ({status})"
        target = timer.facts.get("target")
        lines.append(
            SlaLine(
                name=f"{name} (target {target})" if target else name,
                state=status,
                due=us_to_datetime(timer.due) if timer.due is not None else None,
                remaining=format_duration(timedelta(microseconds=left)),
            )
        )
    management = None
    if state.management is not None:
        management = ManagementEscalation(
            level=state.management.level,
            escalated_at=us_to_datetime(state.management.opened_at),
            triggers=list(state.management.triggers),
        )
    return lines, management


def brief(
    events_file: Annotated[Path, typer.Argument(help="Canonical events, one JSON per line.")],
    ticket: Annotated[str, typer.Option("--ticket", help="The ticket to brief on.")],
    at: Annotated[
        str | None,
        typer.Option("--at", help="As of this instant (ISO 8601); default: its last event."),
    ] = None,
    communications: Annotated[
        Path | None,
        typer.Option("--communications", help="Communication log (YAML/JSON list) to include."),
    ] = None,
    policy: Annotated[Path | None, typer.Option("--policy", help="Policy file.")] = None,
) -> None:
    """Print the executive preparation briefing for one ticket in Markdown."""
    events = read_events(events_file)
    mine = [e for e in events if e.ticket == ticket]
    if not mine:
        _fail(f"--ticket: no events for ticket {ticket!r} in {events_file}")
    if at is None:
        now = max(e.at for e in mine)
    else:
        try:
            now = _INSTANT.validate_python(at)
        except ValidationError:
            _fail(f"--at: {at!r} is not an ISO 8601 instant with an offset")
    log = _communications(communications)
    rules = _policy(policy)
    clocks, management = engine_view(events, rules, ticket, now)
    briefing = build_briefing(
        ticket,
        mine,
        now=now,
        matrix=rules.authority,
        executive_matching=rules.authority.executive_matching,
        sla_status=clocks,
        communications=log,
        management=management,
        status_update_cadence=rules.management.response.status_updates.as_timedelta,
    )
    typer.echo(briefing_markdown(briefing), nl=False)
