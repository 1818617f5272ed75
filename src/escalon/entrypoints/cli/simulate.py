"""`escalon simulate-ops`: a seeded month of a support organisation, as canonical events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from escalon.analytics.ops_records import write_ops_records
from escalon.simulation.ops import simulate_ops


def simulate_ops_command(
    days: Annotated[int, typer.Option(min=1, max=3660, help="Days of arrivals.")] = 30,
    tickets: Annotated[int, typer.Option(min=1, help="Tickets to create.")] = 5000,
    seed: Annotated[int, typer.Option(help="Same seed, same events.")] = 7,
    start: Annotated[str, typer.Option(help="First day (UTC), YYYY-MM-DD.")] = "2025-04-01",
    out: Annotated[Path, typer.Option(help="Events file to write (JSON Lines).")] = Path(
        "events.jsonl"
    ),
    records_out: Annotated[
        Path | None, typer.Option(help="Also write initiatives and churn (JSON Lines) here.")
    ] = None,
) -> None:
    """Simulate tickets, escalations, CSAT, credits and churn; write canonical events."""
    try:
        begin = datetime.strptime(start, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        typer.echo(f"error: --start: expected YYYY-MM-DD, got {start!r}", err=True)
        raise typer.Exit(2) from None
    result = simulate_ops(days=days, tickets=tickets, seed=seed, start=begin)
    with out.open("w", encoding="utf-8") as handle:
        for event in result.events:
            handle.write(json.dumps(event, separators=(",", ":")) + "\n")
    typer.echo(f"wrote {len(result.events)} events for {tickets} tickets to {out}")
    if records_out is not None:
        write_ops_records(records_out, result.records)
        typer.echo(f"wrote {len(result.records)} initiative and churn records to {records_out}")
