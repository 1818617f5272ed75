"""`escalon demo` runs end to end through the real CLI and writes the html dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from escalon.entrypoints.cli.main import app


@pytest.mark.slow
def test_demo_prints_the_april_dashboard_and_writes_html(tmp_path: Path) -> None:
    out = tmp_path / "escalon-report.html"
    result = CliRunner().invoke(app, ["demo", "--no-store", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "ESCALATION METRICS — April 2025" in result.output
    assert "Trend:" in result.output and "from last month" in result.output
    assert "Team Delta" in result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<svg" in page


@pytest.mark.slow
def test_demo_store_reads_back_the_same_dashboard(tmp_path: Path) -> None:
    """Engine replay in memory and the store's ingest-and-fire agree on every escalation."""
    db = tmp_path / "demo.db"
    runner = CliRunner()
    shown = runner.invoke(
        app, ["demo", "--tickets", "150", "--db", str(db), "--out", str(tmp_path / "r.html")]
    )
    assert shown.exit_code == 0, shown.output
    assert "6. Store" in shown.output and "refused an event" not in shown.output
    stored = runner.invoke(app, ["report", "--db", str(db), "--period", "2025-04"])
    assert stored.exit_code == 0, stored.output

    def section(text: str) -> list[str]:
        start = text.index("ESCALATION VOLUME:")
        return text[start : text.index("FIRST CONTACT RESOLUTION:")].splitlines()

    assert section(stored.output) == section(shown.output)
