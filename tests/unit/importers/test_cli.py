from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from escalon.entrypoints.cli.main import app

runner = CliRunner()


def _run(*args: str | Path):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["import", *(str(a) for a in args)])


def _ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text().splitlines()]


def test_import_writes_events_and_a_summary(fixtures: Path, tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    result = _run(
        "servicenow",
        fixtures / "servicenow_small.csv",
        "--mapping",
        fixtures / "servicenow-test.yaml",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    assert "rows read:       10" in result.output
    assert "tickets:         2" in result.output
    assert "rows rejected:   0" in result.output
    assert "2016-03-03 08:00 .. 2016-03-09 15:00 UTC" in result.output
    ids = _ids(out)
    assert len(ids) == len(set(ids)) == 13


def test_reimport_adds_nothing(fixtures: Path, tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    args = ("servicenow", fixtures / "servicenow_small.csv", "--mapping")
    _run(*args, fixtures / "servicenow-test.yaml", "--out", out)
    before = out.read_text()
    again = _run(*args, fixtures / "servicenow-test.yaml", "--out", out)
    assert again.exit_code == 0, again.output
    assert "(0 new)" in again.output
    assert out.read_text() == before


def test_invalid_rows_abort_the_whole_import_unless_skipped(fixtures: Path, tmp_path: Path) -> None:
    lines = (fixtures / "servicenow_small.csv").read_text().splitlines()
    lines[3] = lines[3].replace("Awaiting User Info", "Parked")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    out = tmp_path / "events.jsonl"
    args = ("servicenow", bad, "--mapping", fixtures / "servicenow-test.yaml", "--out", out)
    refused = _run(*args)
    assert refused.exit_code == 2
    assert "row 4 (INC0000001): unknown incident_state 'Parked'" in refused.output
    assert not out.exists()
    assert list(tmp_path.glob("*.part")) == []
    kept = _run(*args, "--skip-invalid")
    assert kept.exit_code == 0, kept.output
    assert "rows rejected:   1" in kept.output
    assert len(_ids(out)) == 12


def test_dry_run_writes_nothing(fixtures: Path, tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    result = _run(
        "servicenow",
        fixtures / "servicenow_small.csv",
        "--mapping",
        fixtures / "servicenow-test.yaml",
        "--out",
        out,
        "--dry-run",
    )
    assert result.exit_code == 0, result.output
    assert "events:          13" in result.output
    assert not out.exists()


def test_bad_command_lines_exit_2_with_one_line(fixtures: Path, tmp_path: Path) -> None:
    csv = fixtures / "servicenow_small.csv"
    mapping = fixtures / "servicenow-test.yaml"
    cases = {
        ("remedy", csv, "--mapping", mapping, "--dry-run"): "SOURCE: unknown source",
        ("servicenow", tmp_path / "nope.csv", "--mapping", mapping, "--dry-run"): "FILE:",
        ("zendesk", csv, "--mapping", mapping, "--dry-run"): "not 'zendesk'",
        ("servicenow", csv, "--mapping", tmp_path / "none.yaml", "--dry-run"): "--mapping",
        ("servicenow", csv, "--mapping", mapping): "--out",
    }
    for args, expected in cases.items():
        result = _run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert expected in result.output
        assert "Traceback" not in result.output
