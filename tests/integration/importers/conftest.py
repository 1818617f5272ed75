from __future__ import annotations

from pathlib import Path

import pytest

from escalon.adapters.importers.common import ImportSummary
from escalon.adapters.importers.mapping import load_mapping
from escalon.adapters.importers.reader import csv_rows, open_text
from escalon.adapters.importers.run import run_import
from escalon.adapters.importers.sinks import JsonlSink

REPO = Path(__file__).resolve().parents[3]
SAMPLE_DIR = REPO.parent / "shared" / "data" / "servicenow-incident-log"
SAMPLE = SAMPLE_DIR / "incident_event_log.csv.zip"
MAPPING = REPO / "mappings" / "servicenow-sample.yaml"
KEPT_COLUMNS = (
    "sys_updated_at",
    "sys_mod_count",
    "assignment_group",
    "incident_state",
    "reassignment_count",
    "reopen_count",
)


@pytest.fixture(scope="session")
def servicenow_sample() -> Path:
    if not SAMPLE.is_file():
        pytest.skip(f"real ServiceNow incident log not found at {SAMPLE} (../shared is absent)")
    return SAMPLE


@pytest.fixture(scope="session")
def servicenow_import(
    servicenow_sample: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, ImportSummary]:
    """The whole log imported once per session (as `escalon import ... --skip-invalid` does)."""
    out = tmp_path_factory.mktemp("servicenow") / "events.jsonl"
    summary, committed = run_import(
        servicenow_sample, load_mapping(MAPPING), JsonlSink(out), skip_invalid=True
    )
    assert committed
    return out, summary


@pytest.fixture(scope="session")
def servicenow_rows(servicenow_sample: Path) -> dict[str, list[dict[str, str]]]:
    """The CSV itself, read directly (no importer code): the columns the checks need."""
    rows: dict[str, list[dict[str, str]]] = {}
    with open_text(servicenow_sample) as text:
        for row in csv_rows(text):
            kept = {k: row.values[k] for k in KEPT_COLUMNS}
            rows.setdefault(row.values["number"], []).append(kept)
    return rows
