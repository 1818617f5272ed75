from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from escalon.entrypoints.cli.main import app

runner = CliRunner()


def _jsonl(tmp_path: Path, events: list[dict[str, Any]]) -> str:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n", encoding="utf-8")
    return str(path)


def _one_error_line(result: Any) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    return str(lines[0])


def test_brief_prints_markdown(tmp_path: Path, raw_events: list[dict[str, Any]]) -> None:
    result = runner.invoke(app, ["brief", _jsonl(tmp_path, raw_events), "--ticket", "T-7"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Executive briefing: ticket T-7\n")
    assert "_As of 2025-04-01 12:00 UTC_" in result.stdout
    assert "- **Engaging role:** vp_support" in result.stdout


def test_brief_as_of_and_communications(tmp_path: Path, raw_events: list[dict[str, Any]]) -> None:
    log = tmp_path / "log.yaml"
    log.write_text(
        "- {at: '2025-04-01T10:40:00Z', channel: video, by: vera, with: Acme VP, summary: Plan}\n",
        encoding="utf-8",
    )
    args = ["brief", _jsonl(tmp_path, raw_events), "--ticket", "T-7"]
    result = runner.invoke(
        app, [*args, "--at", "2025-04-01T10:30:00Z", "--communications", str(log)]
    )
    assert result.exit_code == 0, result.output
    assert "$7,500" not in result.stdout
    assert "- 2025-04-01 10:40 UTC — video by vera with Acme VP: Plan" in result.stdout


def test_bad_inputs_exit_2_naming_the_problem(
    tmp_path: Path, raw_events: list[dict[str, Any]]
) -> None:
    path = _jsonl(tmp_path, raw_events)
    good = str(tmp_path / "good.jsonl")
    Path(path).rename(good)
    path = good
    assert "--ticket" in _one_error_line(runner.invoke(app, ["brief", path, "--ticket", "T-404"]))
    assert "--at" in _one_error_line(
        runner.invoke(app, ["brief", path, "--ticket", "T-7", "--at", "yesterday"])
    )
    raw_events[1]["data"]["reason"] = "boredom"
    line = _one_error_line(
        runner.invoke(app, ["brief", _jsonl(tmp_path, raw_events), "--ticket", "T-7"])
    )
    assert ":2: field data.reason (escalation.requested):" in line
    missing = str(tmp_path / "none.jsonl")
    assert "no such file" in _one_error_line(
        runner.invoke(app, ["brief", missing, "--ticket", "T-7"])
    )
    log = tmp_path / "log.yaml"
    log.write_text("- {at: '2025-04-01T10:40:00Z', channel: fax, by: a, with: b, summary: c}\n")
    line = _one_error_line(
        runner.invoke(
            app,
            [
                "brief",
                good,
                "--ticket",
                "T-8",
                "--communications",
                str(log),
            ],
        )
    )
    assert "--communications" in line and "channel" in line


def test_sla_status_comes_from_the_engine_replay(
    tmp_path: Path, raw_events: list[dict[str, Any]]
) -> None:
    path = _jsonl(tmp_path, raw_events)
    result = runner.invoke(app, ["brief", path, "--ticket", "T-7", "--at", "2025-04-01T12:30:00Z"])
    assert result.exit_code == 0, result.output
    section = result.stdout.split("## SLA status")[1].split("## Proposed")[0]
    # Opened 09:00Z as enterprise P2; the > 4h unresolved trigger is due at 13:00Z.
    assert (
        "| trigger:enterprise_p1_p2_unresolved | running | 2025-04-01 13:00 UTC | 30m |" in section
    )
    assert "| resolution (target " in section


def test_management_escalation_from_the_engine(
    tmp_path: Path, raw_events: list[dict[str, Any]]
) -> None:
    # $80,000 revenue at risk is above the shipped policy's $50K trigger.
    path = _jsonl(tmp_path, raw_events)
    result = runner.invoke(app, ["brief", path, "--ticket", "T-7"])
    assert "- **Management escalation:** " in result.stdout
    assert "revenue_at_risk" in result.stdout
    assert "- **Daily status updates:** 0 sent; next due 2025-04-02 09:00 UTC" in result.stdout
