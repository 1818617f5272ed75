"""`escalon demo`: what `make demo` runs — the product end to end on the embedded default.

Simulates two months of a mid-size support organisation (March and April 2025, so April has a
trend to show), validates every event against the canonical format, replays them through the
escalation engine with the default policy (which adds time-based and management escalations),
builds the escalation records, prints the April dashboard in the seed's layout and writes
`escalon-report.html`.
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
from escalon.domain.events import parse_event
from escalon.entrypoints.cli.report import run_engine
from escalon.simulation.ops import simulate_ops

DEMO_SEED = 7
DEMO_TICKETS = 7000  # two months of a mid-size organisation: ~3,500 tickets a month


def demo(
    out: Annotated[Path, typer.Option(help="Where to write the html dashboard.")] = Path(
        "escalon-report.html"
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
        days=61, tickets=DEMO_TICKETS, seed=DEMO_SEED, start=datetime(2025, 3, 1, tzinfo=UTC)
    )
    events = [parse_event(raw) for raw in result.events]
    console.print(
        f"[bold]2. Simulated[/bold] March-April 2025: {DEMO_TICKETS:,} tickets, "
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
            f"   {sum(run.refused.values())} events refused by the engine, e.g. {n} x {reason!r} "
            "(an agent asked for the tier the engine had already escalated to on time)."
        )
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
    console.print(
        "Explore further: `escalon simulate-ops --out events.jsonl` then "
        "`escalon report events.jsonl --format markdown`. "
        "Not yet part of this demo: loading the events into the SQLite store and "
        "exploring them with `escalon serve`."
    )
    console.print(f"Done in {time.perf_counter() - started:.1f} s.")
