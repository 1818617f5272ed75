"""`escalon import`: bring a helpdesk's history into escalon as canonical events."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
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
from escalon.gc_tuning import collecting_rarely
from escalon.services.access import SYSTEM
from escalon.services.ingest import ImportFailed, StoreImport
from escalon.settings import load_settings

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


@contextmanager
def _store(db: str, source: str, skip_invalid: bool) -> Iterator[tuple[StoreImport, str]]:
    """An import into the escalon store at `db` (migrated first), and its printable name."""
    from escalon.bootstrap import bootstrap, utc_now

    try:
        service = bootstrap(load_settings(database_url=db))
        service.prepare()
    except Exception as error:  # a bad URL, driver or server: one line, no traceback
        raise _fail(f"--db: {error}") from None
    try:
        name = service.db.url.render_as_string(hide_password=True)
        store = StoreImport(
            service.ingestor, SYSTEM, utc_now(), source=source, skip_refused=skip_invalid
        )
        yield store, name
    finally:
        service.close()


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
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Store the events in this escalon database (SQLAlchemy URL), running the "
            "engine as ingestion does; one transaction.",
        ),
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
    if out is not None and db is not None:
        raise _fail("--db: give either --db or --out, not both")
    if out is None and db is None and not dry_run:
        raise _fail("--out: say where the events go (--out or --db, or use --dry-run)")
    loaded = _mapping(mapping, source)
    if db is not None and not dry_run:
        with _store(db, source, skip_invalid) as (store, name):
            _run(file, loaded, store, name, skip_invalid=skip_invalid, dry_run=False)
        return
    target = "nowhere (dry run)" if dry_run else str(out)
    _run(file, loaded, _sink(out, dry_run), target, skip_invalid=skip_invalid, dry_run=dry_run)


def _run(
    file: Path,
    loaded: ImportMapping,
    sink: EventSink,
    target: str,
    *,
    skip_invalid: bool,
    dry_run: bool,
) -> None:
    show_progress = sys.stderr.isatty() and file.stat().st_size >= PROGRESS_MIN_BYTES
    try:
        with (
            collecting_rarely(),
            Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TextColumn("{task.completed:,} rows"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                disable=not show_progress,
                transient=True,
            ) as progress,
        ):
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
    except ImportFailed as err:
        raise _fail(f"nothing imported: {err}") from None
    _print_summary(summary, committed and not dry_run, target)
    if committed and isinstance(sink, StoreImport):
        typer.echo(f"decisions:       {sink.decisions:,} (history: stored, not notified)")
        typer.echo(f"events refused:  {len(sink.refused):,} (by the engine or the store)")
        for refusal in sink.refused[:SHOWN_REJECTIONS]:
            typer.echo(f"  {refusal}")
        if len(sink.refused) > SHOWN_REJECTIONS:
            typer.echo(f"  ... and {len(sink.refused) - SHOWN_REJECTIONS:,} more")
    if not committed:
        typer.echo(
            f"error: nothing imported: {len(summary.rejections):,} invalid rows "
            "(fix them or pass --skip-invalid)",
            err=True,
        )
        raise typer.Exit(2)
