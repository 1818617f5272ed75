"""Streaming access to export files, whether plain, gzip-compressed or inside a zip archive.

Exports from ServiceNow, Zendesk and Jira are routinely shipped compressed and can be larger than
memory, so every importer reads through these iterators: one row or one JSON line at a time,
never the whole file.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

csv.field_size_limit(16 * 1024 * 1024)


class ExportFileError(ValueError):
    """The file cannot be read as an export at all (not a row problem: nothing is imported)."""


@contextmanager
def open_text(path: Path) -> Iterator[IO[str]]:
    """Open `path` as UTF-8 text, transparently decompressing `.gz` and the single file of a `.zip`.

    A zip with several members is refused rather than guessed at: importing the wrong member
    would silently produce a plausible but wrong history.
    """
    name = path.name.lower()
    if name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise ExportFileError(
                    f"{path}: a zip archive must hold exactly one file, found {len(members)}"
                )
            with archive.open(members[0]) as raw:
                yield io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    elif name.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as text:
            yield text
    else:
        with path.open(encoding="utf-8-sig", newline="") as text:
            yield text


@dataclass(frozen=True, slots=True)
class Row:
    """One CSV data row; `number` counts the header as row 1, as spreadsheets do."""

    number: int
    values: dict[str, str]


def csv_rows(text: IO[str], *, delimiter: str = ",") -> Iterator[Row]:
    """Yield the data rows of a CSV stream keyed by header name."""
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    header = [h.strip() for h in header]
    for number, cells in enumerate(reader, start=2):
        if not cells:
            continue
        yield Row(number, dict(zip(header, cells, strict=False)))


@dataclass(frozen=True, slots=True)
class JsonRecord:
    """One JSON document of an export; `number` is its line (JSON Lines) or 1 (single document)."""

    number: int
    value: Any


def json_records(text: IO[str]) -> Iterator[JsonRecord]:
    """Yield the documents of a JSON or JSON Lines stream.

    Paginated API exports are naturally JSON Lines (one page per line), which streams. A single
    pretty-printed document is read whole: API pages are bounded in size by the vendors.
    """
    first = ""
    for line in text:
        if line.strip():
            first = line
            break
    if not first:
        return
    if first.lstrip().startswith(("{", "[")):
        try:
            value = json.loads(first)
        except json.JSONDecodeError:
            yield JsonRecord(1, _whole_document(first + text.read()))
            return
        yield JsonRecord(1, value)
    else:
        raise ExportFileError("not a JSON export: the first line is neither an object nor a list")
    for number, line in enumerate(text, start=2):
        if line.strip():
            try:
                yield JsonRecord(number, json.loads(line))
            except json.JSONDecodeError as err:
                raise ExportFileError(f"line {number}: invalid JSON ({err.msg})") from err


def _whole_document(body: str) -> Any:
    try:
        return json.loads(body)
    except json.JSONDecodeError as err:
        raise ExportFileError(
            f"line {err.lineno}, column {err.colno}: invalid JSON ({err.msg})"
        ) from err
