"""`escalon report`: the monthly escalation dashboard from an events file."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from escalon.adapters.policy_files import load_default_policy
from escalon.analytics.coaching import UnknownSubject, coaching_report, render_coaching_text
from escalon.analytics.dashboard import Dashboard
from escalon.analytics.duck import connect
from escalon.analytics.formats import FORMATS, print_text, render_json, render_markdown
from escalon.analytics.html import render_html
from escalon.analytics.layout import render_plain
from escalon.analytics.ops_records import OpsRecordError, read_ops_records
from escalon.analytics.records import EscalationRecords, build_records
from escalon.analytics.report import dashboard_for, resolve_period
from escalon.analytics.source import EventFileError, read_events
from escalon.analytics.store_source import read_store, store_url
from escalon.analytics.targets import targets_from_policy
from escalon.domain.engine import Decision, EventRecord
from escalon.domain.events import Event
from escalon.domain.policy import Policy
from escalon.services.replay import Replayer, replay


@dataclass(frozen=True)
class EngineRun:
    """The engine's decisions over the events, and the events it refused (counted by reason)."""

    decisions: list[Decision]
    refused: Counter[str]
    refused_ids: set[str]


def run_engine(events: Sequence[Event], policy: Policy) -> EngineRun:
    """Replay the events through the engine; refused events (for instance an agent asking for
    the tier the engine had already escalated to on time) are counted, not fatal."""
    records = sorted((EventRecord.from_event(e) for e in events), key=EventRecord.order_key)
    runner = Replayer(policy, skip_invalid=True)
    decisions = list(replay(records, policy, replayer=runner))
    return EngineRun(
        decisions,
        Counter(r.message for r in runner.rejected),
        {r.event for r in runner.rejected},
    )


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def load_records(
    events: Path, records: Path | None, policy: Policy | None = None
) -> EscalationRecords:
    """Events (and optional ops records) to record tables; bad input exits 2 with one line.

    With a policy, the events are replayed through the engine first so that the escalations it
    adds (time-based, management) are counted."""
    if not events.is_file():
        raise _fail(f"EVENTS: no such file: {events}")
    if records is not None and not records.is_file():
        raise _fail(f"--records: no such file: {records}")
    try:
        ops = read_ops_records(records) if records is not None else []
        parsed = read_events(events)
    except (EventFileError, OpsRecordError) as exc:
        raise _fail(str(exc)) from None
    decisions = run_engine(parsed, policy).decisions if policy is not None else []
    return build_records(parsed, ops, decisions)


def _store_records(db: str, records: Path | None) -> EscalationRecords:
    """The store already holds the engine's fired decisions, so nothing is replayed: its event
    bodies and decisions are read in bulk and walked for all tickets at once."""
    url = store_url(db)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        raise _fail(f"--db: no such SQLite file: {db}")
    try:
        ops = read_ops_records(records) if records is not None else []
        return read_store(url, ops)
    except OpsRecordError as exc:
        raise _fail(str(exc)) from None
    except SQLAlchemyError as exc:
        raise _fail(f"--db: cannot read the store: {str(exc).splitlines()[0]}") from None


def render(dash: Dashboard, fmt: str) -> str:
    if fmt == "json":
        return render_json(dash)
    if fmt == "markdown":
        return render_markdown(dash)
    if fmt == "html":
        return render_html(dash)
    return render_plain(dash)


def report(
    events: Annotated[
        Path | None, typer.Argument(help="Canonical events, JSON Lines (or use --db).")
    ] = None,
    period: Annotated[
        str | None, typer.Option(help="Month to report, e.g. 2025-04 (default: latest).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text, markdown, json or html.")] = "text",
    out: Annotated[Path | None, typer.Option(help="Write the report here.")] = None,
    records: Annotated[
        Path | None,
        typer.Option(help="Prevention initiatives and churn, JSON Lines (docs/metrics.md)."),
    ] = None,
    coach: Annotated[
        str | None, typer.Option(help="Print the coaching report for this team or agent.")
    ] = None,
    engine: Annotated[
        bool,
        typer.Option(help="Replay the events through the engine to count its escalations."),
    ] = True,
    db: Annotated[
        str | None,
        typer.Option(help="Read events and fired decisions from escalon's store (URL or path)."),
    ] = None,
) -> None:
    """Print the escalation dashboard (the seed's ESCALATION METRICS layout) for one month."""
    if fmt not in FORMATS:
        raise _fail(f"--format: must be one of {', '.join(FORMATS)}, got {fmt!r}")
    policy = load_default_policy()
    if db is not None:
        tables = _store_records(db, records)
    elif events is not None:
        tables = load_records(events, records, policy if engine else None)
    else:
        raise _fail("EVENTS: give an events file or --db")
    if coach is not None:
        _coach(tables, period, coach, fmt, out)
        return
    try:
        dash = dashboard_for(tables, period, targets_from_policy(policy))
    except ValueError as exc:
        raise _fail(f"--period: {exc}") from None
    if out is not None:
        out.write_text(render(dash, fmt), encoding="utf-8")
        typer.echo(f"wrote {out}")
    elif fmt == "text":
        print_text(dash, Console(soft_wrap=True))
    else:
        typer.echo(render(dash, fmt), nl=False)


def _coach(
    tables: EscalationRecords, period: str | None, subject: str, fmt: str, out: Path | None
) -> None:
    try:
        key = resolve_period(tables, period)
        report = coaching_report(connect(tables), key, subject)
    except UnknownSubject as exc:
        raise _fail(f"--coach: {exc}") from None
    except ValueError as exc:
        raise _fail(f"--period: {exc}") from None
    if fmt == "json":
        text = json.dumps(report, indent=2, default=str) + "\n"
    elif fmt == "html":
        body = escape(render_coaching_text(report))
        text = f"<!doctype html><meta charset='utf-8'><pre>{body}</pre>\n"
    else:
        text = render_coaching_text(report)
    if out is not None:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")
    else:
        typer.echo(text, nl=False)
