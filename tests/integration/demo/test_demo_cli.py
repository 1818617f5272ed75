"""`escalon demo` runs end to end through the real CLI and writes the html dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from escalon.entrypoints.cli.main import app


@pytest.mark.slow
def test_demo_prints_the_april_dashboard_and_writes_html(tmp_path: Path) -> None:
    out = tmp_path / "escalon-report.html"
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "ESCALATION METRICS — April 2025" in result.output
    assert "Trend:" in result.output and "from last month" in result.output
    assert "Team Delta" in result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<svg" in page
