"""`escalon demo`: what `make demo` runs — the product end to end on the embedded default.

Simulates two months of a mid-size support organisation (March and April 2025, so April has a
trend to show), validates every event against the canonical format, replays them through the
escalation engine with the default policy (which adds time-based and management escalations),
builds the escalation records, prints the April dashboard in the seed's layout, writes
`escalon-report.html`, and loads the same events into a SQLite store through the service's
ingest and firing use cases (`escalon-demo.db`, for `escalon serve` and `report --db`).
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from escalon.adapters.policy_files import load_default_policy
from escalon.analytics.formats import print_text
from escalon.analytics.html import render_html
from escalon.analytics.records import build_records
from escalon.analytics.report import dashboard_for
from escalon.analytics.targets import targets_from_policy
from escalon.bootstrap import Service, bootstrap
from escalon.domain.engine import EventRecord
from escalon.domain.events import Event, parse_event
from escalon.entrypoints.cli.report import run_engine
from escalon.services.access import Caller
from escalon.services.errors import InvalidEvent
from escalon.settings import Settings
from escalon.simulation.ops import simulate_ops

DEMO_SEED = 7
DEMO_TICKETS = 7000
STORE_BATCH = 2000  # two months of a mid-size organisation: ~3,500 tickets a month


def demo(
    out: Annotated[Path, typer.Option(help="Where to write the html dashboard.")] = Path(
        "escalon-report.html"
    ),
    store: Annotated[
        bool, typer.Option(help="Load the events into a SQLite store and fire what is due.")
    ] = True,
    db: Annotated[
        Path, typer.Option(help="The demo's SQLite store (replaced on each run).")
    ] = Path("escalon-demo.db"),
    tickets: Annotated[int, typer.Option(min=50, help="Tickets over the two months.")] = (
        DEMO_TICKETS
    ),
) -> None:
    """Simulate a support organisation, compute its escalation dashboard, write the html report."""
    console = Console(soft_wrap=True)
    started = time.perf_counter()
    policy = load_default_policy()
    console.print(
        f"[bold]1. Policy[/bold]: the embedded default, {policy.name} {policy.ref} — "
        f"{len(policy.tiers)} tiers, {len(policy.paths)} escalation paths, valid."
    )
    result = simulate_ops(
        days=61, tickets=tickets, seed=DEMO_SEED, start=datetime(2025, 3, 1, tzinfo=UTC)
    )
    events = [parse_event(raw) for raw in result.events]
    console.print(
        f"[bold]2. Simulated[/bold] March-April 2025: {tickets:,} tickets, "
        f"{len(events):,} canonical events (all valid), seed {DEMO_SEED}; "
        f"{len(result.records)} initiative and churn records."
    )
    run = run_engine(events, policy)
    kinds = Counter(d.kind for d in run.decisions)
    console.print(
        f"[bold]3. Engine[/bold]: replayed every event through the policy — "
        f"{len(run.decisions):,} decisions ("
        + ", ".join(f"{n:,} {kind}" for kind, n in kinds.most_common(5))
        + ")."
    )
    if run.refused:
        reason, n = run.refused.most_common(1)[0]
        console.print(
            f"   {sum(run.refused.values())} events refused by the engine, e.g. {n} x {reason!r}."
        )
    else:
        console.print("   The engine accepted every event.")
    records = build_records(events, result.records, run.decisions)
    engine_added = sum(1 for s in records.escalations.column("source").to_pylist() if s == "engine")
    console.print(
        f"[bold]4. Records[/bold]: {records.escalations.num_rows:,} escalations "
        f"({engine_added:,} added by the engine: time-based and management) and "
        f"{records.tickets.num_rows:,} tickets as Arrow tables; metrics computed by DuckDB."
    )
    dash = dashboard_for(records, "2025-04", targets_from_policy(policy))
    console.print()
    print_text(dash, console)
    out.write_text(render_html(dash), encoding="utf-8")
    console.print(f"[bold]5. Wrote[/bold] {out} (one offline file with charts).")
    if store:
        _load_store(console, db, events, run.refused_ids)
    console.print(
        "Explore further: `escalon simulate-ops --out events.jsonl`, "
        "`escalon report events.jsonl --format markdown`, "
        '`escalon report events.jsonl --coach "Team Delta"`.'
    )
    console.print(f"Done in {time.perf_counter() - started:.1f} s.")


def _load_store(console: Console, path: Path, events: list[Event], refused: set[str]) -> None:
    """Ingest the events the engine accepted into SQLite and fire what came due by the end."""
    started = time.perf_counter()
    try:
        kept, decided = load_store(path, events, refused)
    except InvalidEvent as exc:
        console.print(f"[bold]6. Store[/bold]: the store refused an event: {exc}")
        return
    console.print(
        f"[bold]6. Store[/bold]: {kept:,} events ingested into {path} "
        f"({decided:,} decisions stored and fired) in {time.perf_counter() - started:.0f} s. "
        f"Explore: `escalon serve --db sqlite:///{path}`; "
        f"`escalon report --db {path}` reads it back."
    )


def load_store(path: Path, events: list[Event], refused: set[str]) -> tuple[int, int]:
    """A fresh SQLite store at `path` holding the events the engine accepted, with everything
    due by the last one fired: (events ingested, decisions stored). Also what the report
    benchmark builds its store from."""
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)  # the demo's own store from an earlier run
    kept = sorted(
        (e for e in events if e.id not in refused),
        key=lambda e: EventRecord.order_key(EventRecord.from_event(e)),
    )
    end = max(e.at for e in kept)
    service = bootstrap(Settings(database_url=f"sqlite:///{path}"), clock=lambda: end)
    try:
        service.prepare()
        return len(kept), _ingest_and_fire(service, kept, end)
    finally:
        service.close()


def _ingest_and_fire(service: Service, kept: list[Event], end: datetime) -> int:
    """Batches of events through the ingest use case, then the worker's firing until idle."""
    caller = Caller(name="escalon-demo", role="admin")
    decided = 0
    for start in range(0, len(kept), STORE_BATCH):
        result = service.ingestor.ingest(kept[start : start + STORE_BATCH], caller, end, batch=True)
        decided += result.decisions
    fired = service.firer.fire_due(end)
    while fired.tickets:
        decided += fired.decisions
        fired = service.firer.fire_due(end)
    return decided
