"""Importing the real ServiceNow incident log: import time, replay time, and memory against size.

- import: the full log (119,998 rows, zip) to canonical events in a JSON Lines file, next to
  pandas merely parsing the same file;
- import into the store: the same log into a fresh SQLite store (`escalon import --db`: the
  engine runs on every event as ingestion runs it, one transaction), next to the JSONL import of
  the same rows in the same run (the part that is not the engine and the store);
- replay: the imported events through the engine under the default policy, next to reading and
  validating the same events (the part of replay that is not the engine);
- memory: peak RSS of a child process importing the log once, and importing a gzip file holding
  it four times over (incident numbers renamed per copy), which must stay flat.

Times are CPU seconds of the process doing the work, so other load on a shared machine does not
count. Skipped (no figures) when ../shared/data/servicenow-incident-log/ is absent.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from time import process_time

from bench.harness import Figure

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT.parent / "shared" / "data" / "servicenow-incident-log" / "incident_event_log.csv.zip"
MAPPING = ROOT / "mappings" / "servicenow-sample.yaml"
QUICK_ROWS = 5_000
FULL_ROWS = 119_998
FULL_EVENTS = 108_547
COPIES = 4

_CHILD = """
import sys
from pathlib import Path
from escalon.adapters.importers.mapping import load_mapping
from escalon.adapters.importers.run import run_import
from escalon.adapters.importers.sinks import JsonlSink
summary, _ = run_import(Path(sys.argv[1]), load_mapping(sys.argv[2]), JsonlSink(Path(sys.argv[3])),
                        skip_invalid=True)
peak = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:")).split()[1]
print(summary.rows, peak)
"""


def _lines(limit: int | None) -> Iterator[str]:
    with zipfile.ZipFile(SAMPLE) as archive, archive.open(archive.namelist()[0]) as raw:
        for number, line in enumerate(raw):
            if limit is not None and number > limit:
                return
            yield line.decode("utf-8")


def _write_gz(path: Path, limit: int | None, copies: int) -> None:
    """The log (or its first `limit` rows) `copies` times, incident numbers renamed per copy."""
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        for copy in range(copies):
            lines = _lines(limit)
            header = next(lines)
            if copy == 0:
                out.write(header)
            for line in lines:
                out.write(line.replace("INC", f"INC{copy}", 1) if copy else line)


def _child_import(source: Path, out: Path) -> tuple[int, int]:
    """Rows read and peak RSS (KiB, VmHWM: reset by exec, unlike ru_maxrss) of a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(source), str(MAPPING), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    rows, rss = done.stdout.split()
    return int(rows), int(rss)


def _import_figure(source: Path, out: Path, rows_label: str, share: float) -> tuple[Figure, Path]:
    import pandas as pd

    from escalon.adapters.importers.mapping import load_mapping
    from escalon.adapters.importers.run import run_import
    from escalon.adapters.importers.sinks import JsonlSink

    mapping = load_mapping(MAPPING)
    start = process_time()
    run_import(source, mapping, JsonlSink(out), skip_invalid=True)
    seconds = process_time() - start
    start = process_time()
    pd.read_csv(source, dtype=str, keep_default_na=False)
    parse_only = process_time() - start
    figure = Figure(
        name=f"import ServiceNow log to JSONL ({rows_label})",
        value=seconds,
        unit="s",
        baseline_name="pandas.read_csv, parse only",
        baseline_value=parse_only,
        target="<= 20 s for 119,998 rows" + (f" (x{share:.3f} here)" if share < 1 else ""),
        met=seconds <= 20 * share,
    )
    return figure, out


def _store_figure(source: Path, work: Path, label: str, share: float, jsonl: float) -> Figure:
    from escalon.adapters.importers.mapping import load_mapping
    from escalon.adapters.importers.run import run_import
    from escalon.bootstrap import bootstrap, utc_now
    from escalon.gc_tuning import collecting_rarely
    from escalon.services.access import SYSTEM
    from escalon.services.ingest import StoreImport
    from escalon.settings import Settings

    service = bootstrap(Settings(database_url=f"sqlite:///{work / 'store.db'}"))
    service.prepare()
    try:
        start = process_time()
        with collecting_rarely():  # as `escalon import` runs it
            store = StoreImport(
                service.ingestor, SYSTEM, utc_now(), source="servicenow", skip_refused=True
            )
            run_import(source, load_mapping(MAPPING), store, skip_invalid=True)
        seconds = process_time() - start
    finally:
        service.close()
    print(f"  store import: {store.added:,} events stored, {len(store.refused):,} refused")
    return Figure(
        name=f"ServiceNow sample imported into SQLite store ({label})",
        value=seconds,
        unit="s",
        baseline_name="import to JSONL, same rows",
        baseline_value=jsonl,
        target="<= 20 s for 119,998 rows" + (f" (x{share:.3f} here)" if share < 1 else ""),
        met=seconds <= 20 * share,
    )


def _replay_figure(events: Path, label: str, share: float) -> Figure:
    from escalon.adapters.policy_files import load_default_policy
    from escalon.services.replay import Replayer, read_events, replay

    policy = load_default_policy()
    start = process_time()
    records, _ = read_events(events, skip_invalid=True)
    reading = process_time() - start
    start = process_time()
    for _ in replay(records, policy, replayer=Replayer(policy, skip_invalid=True)):
        pass
    seconds = process_time() - start
    return Figure(
        name=f"replay imported events, default policy ({label})",
        value=seconds,
        unit="s",
        baseline_name="read + validate the same events",
        baseline_value=reading,
        target="<= 10 s for the full log" + (f" (x{share:.3f} here)" if share < 1 else ""),
        met=seconds <= 10 * share,
    )


def _memory_figure(work: Path, limit: int | None) -> Figure:
    once, many = work / "once.csv.gz", work / "many.csv.gz"
    _write_gz(once, limit, 1)
    _write_gz(many, limit, COPIES)
    rows_once, rss_once = _child_import(once, work / "once.jsonl")
    rows_many, rss_many = _child_import(many, work / "many.jsonl")
    assert rows_many == COPIES * rows_once
    return Figure(
        name=f"peak RSS importing {COPIES}x the rows ({rows_many:,} rows, .gz)",
        value=rss_many / 1024,
        unit="MiB",
        baseline_name=f"peak RSS importing 1x ({rows_once:,} rows)",
        baseline_value=rss_once / 1024,
        target=f"flat: {COPIES}x the rows within 1.25x the memory",
        met=rss_many <= 1.25 * rss_once,
    )


def run(quick: bool) -> list[Figure]:
    if not SAMPLE.is_file():
        print(f"  skipped: {SAMPLE} not found")
        return []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if quick:
            source = work / "head.csv.gz"
            _write_gz(source, QUICK_ROWS, 1)
            label = f"first {QUICK_ROWS:,} rows"
        else:
            source, label = SAMPLE, "119,998 rows"
        share = QUICK_ROWS / FULL_ROWS if quick else 1.0
        imported, events = _import_figure(source, work / "events.jsonl", label, share)
        figures = [imported, _store_figure(source, work, label, share, imported.value)]
        if quick:
            subset = work / "subset.jsonl"
            with events.open() as lines, subset.open("w") as out:
                out.writelines(line for number, line in enumerate(lines) if number < 2_000)
            events, label, share = subset, "first 2,000 events", 2_000 / FULL_EVENTS
        figures.append(_replay_figure(events, label, share))
        figures.append(_memory_figure(work, QUICK_ROWS if quick else None))
    return figures
