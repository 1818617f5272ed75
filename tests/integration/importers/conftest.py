from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SAMPLE_DIR = REPO.parent / "shared" / "data" / "servicenow-incident-log"
SAMPLE = SAMPLE_DIR / "incident_event_log.csv.zip"


@pytest.fixture(scope="session")
def servicenow_sample() -> Path:
    if not SAMPLE.is_file():
        pytest.skip(f"real ServiceNow incident log not found at {SAMPLE} (../shared is absent)")
    return SAMPLE
