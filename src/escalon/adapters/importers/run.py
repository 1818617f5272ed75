"""One import from start to finish: read the export, stage events in a sink, commit or abort.

Without `skip_invalid`, a single malformed row aborts the whole import (nothing is written) but
the file is still read to the end so that every bad row is reported at once, not one per run;
from the first bad row on, events are no longer handed to the sink (they would be thrown away).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from escalon.adapters.importers.common import (
    ImportItem,
    ImportSummary,
    Rejection,
    RowCounter,
    Skipped,
)
from escalon.adapters.importers.mapping import ImportMapping
from escalon.adapters.importers.reader import csv_rows, json_records, open_text
from escalon.adapters.importers.sinks import EventSink

Importer = Callable[[IO[str], ImportMapping, RowCounter], Iterator[ImportItem]]


def _servicenow(text: IO[str], mapping: ImportMapping, counter: RowCounter) -> Iterator[ImportItem]:
    from escalon.adapters.importers.servicenow import import_event_log

    return import_event_log(csv_rows(text, delimiter=mapping.delimiter), mapping, counter)


def _zendesk(text: IO[str], mapping: ImportMapping, counter: RowCounter) -> Iterator[ImportItem]:
    from escalon.adapters.importers.zendesk import import_zendesk

    return import_zendesk(json_records(text), mapping, counter)


def _jsm(text: IO[str], mapping: ImportMapping, counter: RowCounter) -> Iterator[ImportItem]:
    from escalon.adapters.importers.jsm import import_jsm

    return import_jsm(json_records(text), mapping, counter)


def _csv(text: IO[str], mapping: ImportMapping, counter: RowCounter) -> Iterator[ImportItem]:
    from escalon.adapters.importers.csv_log import import_csv_log

    return import_csv_log(csv_rows(text, delimiter=mapping.delimiter), mapping, counter)


def _servicenow_api(
    text: IO[str], mapping: ImportMapping, counter: RowCounter
) -> Iterator[ImportItem]:
    from escalon.adapters.importers.servicenow_api import import_table_api

    return import_table_api(json_records(text), mapping, counter)


IMPORTERS: dict[str, Importer] = {
    "servicenow": _servicenow,
    "servicenow-api": _servicenow_api,
    "zendesk": _zendesk,
    "jsm": _jsm,
    "csv": _csv,
}


def importer_for(source: str) -> Importer:
    try:
        return IMPORTERS[source]
    except KeyError:
        raise ValueError(f"unknown source {source!r} (one of {', '.join(IMPORTERS)})") from None


def run_import(
    path: Path,
    mapping: ImportMapping,
    sink: EventSink,
    *,
    skip_invalid: bool = False,
    on_row: Callable[[int], None] | None = None,
) -> tuple[ImportSummary, bool]:
    """Import `path` into `sink`; returns the summary and whether the sink was committed."""
    importer = importer_for(mapping.source)
    summary = ImportSummary()
    counter = RowCounter()
    try:
        with open_text(path) as text:
            for item in importer(text, mapping, counter):
                if on_row is not None:
                    on_row(counter.rows)
                summary.add(item)
                if isinstance(item, Rejection | Skipped):
                    continue
                if not summary.rejections or skip_invalid:
                    sink.add(item)
    except BaseException:
        sink.abort()
        raise
    summary.rows = counter.rows
    if summary.rejections and not skip_invalid:
        sink.abort()
        return summary, False
    sink.commit()
    summary.added = sink.added
    return summary, True
