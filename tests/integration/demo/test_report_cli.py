"""`escalon report` and `escalon simulate-ops` through the real CLI: formats and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from escalon.entrypoints.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("sim")
    out, records = folder / "events.jsonl", folder / "records.jsonl"
    result = runner.invoke(
        app,
        [
            "simulate-ops",
            "--days",
            "30",
            "--tickets",
            "600",
            "--seed",
            "7",
            "--out",
            str(out),
            "--records-out",
            str(records),
        ],
    )
    assert result.exit_code == 0, result.output
    return out, records


def test_text_report_has_the_seed_sections(events: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["report", str(events[0]), "--period", "2025-04"])
    assert result.exit_code == 0, result.output
    for heading in (
        "ESCALATION METRICS — April 2025",
        "ESCALATION VOLUME:",
        "L1 → L2:",
        "FIRST CONTACT RESOLUTION:",
        "TOP ESCALATION SOURCES:",
    ):
        assert heading in result.output


def test_json_and_html_carry_the_same_total(events: tuple[Path, Path], tmp_path: Path) -> None:
    as_json = runner.invoke(app, ["report", str(events[0]), "--format", "json"])
    body = json.loads(as_json.output)
    total = next(f for f in body["figures"] if f["metric"] == "volume.total")["value"]
    html_out = tmp_path / "r.html"
    runner.invoke(app, ["report", str(events[0]), "--format", "html", "--out", str(html_out)])
    page = html_out.read_text(encoding="utf-8")
    assert f"Total escalations: {total}" in page
    assert "<svg" in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--format", "xml"], "--format"),
        (["--period", "April"], "--period"),
        (["--records", "missing.jsonl"], "--records"),
    ],
)
def test_bad_input_exits_2_naming_the_field(
    events: tuple[Path, Path], args: list[str], field: str
) -> None:
    result = runner.invoke(app, ["report", str(events[0]), *args])
    assert result.exit_code == 2
    assert field in result.output
    assert "Traceback" not in result.output


def test_bad_event_line_names_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "e1", "type": "ticket.created", "at": "2025-04-01T00:00:00", '
        '"ticket": "T1", "data": {"customer": {"id": "c"}}}\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["report", str(bad)])
    assert result.exit_code == 2
    assert ":1:" in result.output and "at" in result.output


def test_empty_period_gives_an_empty_valid_report(events: tuple[Path, Path]) -> None:
    result = runner.invoke(
        app, ["report", str(events[0]), "--period", "2019-01", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert next(f for f in body["figures"] if f["metric"] == "volume.total")["value"] == 0
    assert "No escalations in 2019-01." in body["notes"]


def test_markdown_carries_the_trend_and_prevention_tables(events: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["report", str(events[0]), "--format", "markdown"])
    assert result.exit_code == 0, result.output
    for title in (
        "## Month over month",
        "## Top escalation drivers",
        "## Recurring issues",
        "## Escalation rate by team",
    ):
        assert title in result.output


def test_coaching_report_for_a_team_and_an_unknown_one(events: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["report", str(events[0]), "--coach", "Team Delta"])
    assert result.exit_code == 0, result.output
    assert "COACHING REPORT — Team Delta (team)" in result.output
    unknown = runner.invoke(app, ["report", str(events[0]), "--coach", "Team Zulu"])
    assert unknown.exit_code == 2 and "--coach" in unknown.output
