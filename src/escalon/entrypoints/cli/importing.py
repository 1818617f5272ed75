"""`escalon import`: bring a helpdesk's history into escalon as canonical events."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from escalon.adapters.importers.common import ImportSummary
from escalon.adapters.importers.mapping import SOURCES, ImportMapping, load_mapping
from escalon.adapters.importers.reader import ExportFileError
from escalon.adapters.importers.run import run_import
from escalon.adapters.importers.sinks import DiscardSink, EventSink, JsonlSink
from escalon.adapters.yamlsource import SourceError

SHOWN_REJECTIONS = 20
PROGRESS_MIN_BYTES = 2_000_000


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _mapping(path: Path, source: str) -> ImportMapping:
    if not path.is_file():
        raise _fail(f"--mapping: {path} does not exist")
    try:
        mapping = load_mapping(path)
    except SourceError as err:
        raise _fail(str(err)) from None
    if mapping.source != source:
        raise _fail(f"--mapping: {path} is a {mapping.source!r} mapping, not {source!r}")
    return mapping


def _sink(out: Path | None, dry_run: bool) -> EventSink:
    if dry_run or out is None:
        return DiscardSink()
    if not out.parent.exists():
        raise _fail(f"--out: directory {out.parent} does not exist")
    return JsonlSink(out)


def _print_summary(summary: ImportSummary, committed: bool, target: str) -> None:
    echo = typer.echo
    echo(f"rows read:       {summary.rows:,}")
    echo(f"tickets:         {len(summary.tickets):,}")
    echo(f"events:          {summary.events:,} ({summary.added:,} new)")
    if summary.first_at and summary.last_at:
        span = f"{summary.first_at:%Y-%m-%d %H:%M} .. {summary.last_at:%Y-%m-%d %H:%M}"
        echo(f"time span:       {span} UTC")
    for reason, count in sorted(summary.skipped.items()):
        echo(f"skipped:         {count:,} ({reason})")
    echo(f"rows rejected:   {len(summary.rejections):,}")
    for rejection in summary.rejections[:SHOWN_REJECTIONS]:
        echo(f"  {rejection}")
    if len(summary.rejections) > SHOWN_REJECTIONS:
        echo(f"  ... and {len(summary.rejections) - SHOWN_REJECTIONS:,} more")
    if committed:
        echo(f"imported into {target}")


def import_command(
    source: Annotated[str, typer.Argument(help=f"Export format: {', '.join(SOURCES)}.")],
    file: Annotated[Path, typer.Argument(help="Export file: plain, .gz or a one-file .zip.")],
    mapping: Annotated[Path, typer.Option("--mapping", help="Mapping YAML (see mappings/).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write canonical events to this JSONL file.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read and validate only; store nothing.")
    ] = False,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the valid rows, report the others.")
    ] = False,
) -> None:
    """Import an export as canonical events; one transaction, safe to run again."""
    if source not in SOURCES:
        raise _fail(f"SOURCE: unknown source {source!r} (one of {', '.join(SOURCES)})")
    if not file.is_file():
        raise _fail(f"FILE: {file} does not exist")
    if out is None and not dry_run:
        raise _fail("--out: say where the events go (or use --dry-run)")
    loaded = _mapping(mapping, source)
    sink = _sink(out, dry_run)
    show_progress = sys.stderr.isatty() and file.stat().st_size >= PROGRESS_MIN_BYTES
    try:
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed:,} rows"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            disable=not show_progress,
            transient=True,
        ) as progress:
            task = progress.add_task(f"importing {file.name}", total=None)
            summary, committed = run_import(
                file,
                loaded,
                sink,
                skip_invalid=skip_invalid,
                on_row=lambda rows: progress.update(task, completed=rows),
            )
    except ExportFileError as err:
        raise _fail(f"FILE: {err}") from None
    target = "nowhere (dry run)" if dry_run else str(out)
    _print_summary(summary, committed and not dry_run, target)
    if not committed:
        typer.echo(
            f"error: nothing imported: {len(summary.rejections):,} invalid rows "
            "(fix them or pass --skip-invalid)",
            err=True,
        )
        raise typer.Exit(2)
