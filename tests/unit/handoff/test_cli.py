from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from escalon.entrypoints.cli.main import app

runner = CliRunner()


def _write(tmp_path: Path, data: Any, name: str = "handoff.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_template_prints_the_blank_form() -> None:
    result = runner.invoke(app, ["handoff", "template"])
    assert result.exit_code == 0
    assert result.stdout.startswith("ESCALATION HANDOFF FORM\n")
    assert "  Ticket ID: [ID]\n" in result.stdout


def test_render_yaml_as_text_and_json_as_markdown(tmp_path: Path, filled: dict[str, Any]) -> None:
    result = runner.invoke(app, ["handoff", "render", str(_write(tmp_path, filled))])
    assert result.exit_code == 0, result.output
    assert "  Ticket ID: T-1042\n" in result.stdout
    path = tmp_path / "handoff.json"
    path.write_text(json.dumps(filled), encoding="utf-8")
    result = runner.invoke(app, ["handoff", "render", str(path), "--format", "markdown"])
    assert result.exit_code == 0
    assert "- **Ticket ID:** T-1042" in result.stdout


def test_render_json_output_parses(tmp_path: Path, filled: dict[str, Any]) -> None:
    result = runner.invoke(app, ["handoff", "render", str(_write(tmp_path, filled)), "-f", "json"])
    assert json.loads(result.stdout)["ticket_information"]["ticket_id"] == "T-1042"


def _error_line(result: Any) -> str:
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    return str(lines[0])


def test_invalid_field_value_names_the_field(tmp_path: Path) -> None:
    path = _write(tmp_path, {"current_status": {"customer_sentiment": "livid"}})
    line = _error_line(runner.invoke(app, ["handoff", "render", str(path)]))
    assert "current_status.customer_sentiment" in line


def test_naive_time_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, {"ticket_information": {"escalation_time": "2025-04-01T09:00:00"}})
    line = _error_line(runner.invoke(app, ["handoff", "render", str(path)]))
    assert "ticket_information.escalation_time" in line


def test_broken_yaml_missing_file_and_non_mapping(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("issue_summary: [unclosed\n", encoding="utf-8")
    assert "not valid YAML" in _error_line(runner.invoke(app, ["handoff", "render", str(broken)]))
    missing = str(tmp_path / "nope.yaml")
    assert "no such file" in _error_line(runner.invoke(app, ["handoff", "render", missing]))
    listing = _write(tmp_path, ["a", "b"])
    assert "mapping" in _error_line(runner.invoke(app, ["handoff", "render", str(listing)]))


def test_unknown_format_names_the_option(tmp_path: Path, filled: dict[str, Any]) -> None:
    path = str(_write(tmp_path, filled))
    line = _error_line(runner.invoke(app, ["handoff", "render", path, "--format", "pdf"]))
    assert "--format" in line


def test_check_reports_missing_fields_and_score(tmp_path: Path, filled: dict[str, Any]) -> None:
    filled["hypothesis"] = {}
    path = str(_write(tmp_path, filled))
    result = runner.invoke(app, ["handoff", "check", path, "-r", "hypothesis.likely_cause"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "complete": False,
        "score": 88,
        "missing": ["hypothesis.likely_cause"],
    }
    ok = runner.invoke(app, ["handoff", "check", path, "-r", "issue_summary.impact"])
    assert ok.exit_code == 0
    bad = runner.invoke(app, ["handoff", "check", path, "-r", "impact"])
    assert "--require" in _error_line(bad)


def test_check_uses_the_policy_path_fields(tmp_path: Path, filled: dict[str, Any]) -> None:
    filled["troubleshooting"]["attachments"] = []
    path = str(_write(tmp_path, filled))
    assert runner.invoke(app, ["handoff", "check", path, "--path", "L1->L2"]).exit_code == 0
    result = runner.invoke(app, ["handoff", "check", path, "--path", "L2->L3"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["missing"] == ["troubleshooting.attachments"]
    line = _error_line(runner.invoke(app, ["handoff", "check", path, "--path", "L1->L9"]))
    assert "--path" in line and "L1->L2" in line


NOTICE = {
    "ticket_information": {
        "ticket_id": "T-1042",
        "priority": "P3",
        "escalation_to": "L2",
        "escalation_time": "2025-04-01T13:00:00Z",
    },
    "current_status": {"customer_sentiment": "neutral"},
}


def test_notice_uses_policy_cadence_promise_and_warm_rule(tmp_path: Path) -> None:
    path = str(_write(tmp_path, NOTICE))
    result = runner.invoke(app, ["handoff", "notice", path, "--timezone", "America/New_York"])
    assert result.exit_code == 0, result.output
    # P3 customer updates every 1d in the shipped policy; P3 + neutral is a cold handoff.
    assert "by Wednesday 02 April 2025 at 09:00 (EDT) at the latest" in result.stdout
    assert "has been passed on" in result.stdout
    promised = {"expected_update_time": "2025-04-01T17:00:00Z", "vip": True}
    path = str(_write(tmp_path, {**NOTICE, "customer_communication": promised}))
    result = runner.invoke(app, ["handoff", "notice", path])
    assert "by Tuesday 01 April 2025 at 17:00 (UTC)" in result.stdout
    assert "introduce you personally" in result.stdout
    subject = runner.invoke(app, ["handoff", "notice", path, "--part", "subject"])
    assert (
        subject.stdout
        == "[T-1042] Your request has been escalated to our specialist support team\n"
    )


def test_notice_with_team_templates(tmp_path: Path) -> None:
    teams = tmp_path / "team"
    teams.mkdir()
    (teams / "escalation_notice.txt.j2").write_text("Next: {{ next_update_local }}\n")
    path = str(_write(tmp_path, NOTICE))
    result = runner.invoke(app, ["handoff", "notice", path, "--templates", str(teams)])
    assert result.stdout.startswith("Next: ")
    (teams / "escalation_notice.txt.j2").write_text("{{ nope }}\n")
    line = _error_line(runner.invoke(app, ["handoff", "notice", path, "--templates", str(teams)]))
    assert line.startswith("error: --templates: template escalation_notice.txt.j2")


def test_notice_bad_input(tmp_path: Path) -> None:
    path = str(_write(tmp_path, NOTICE))
    line = _error_line(runner.invoke(app, ["handoff", "notice", path, "--timezone", "Mars/X"]))
    assert line == "error: --timezone: unknown time zone 'Mars/X'"
    line = _error_line(runner.invoke(app, ["handoff", "notice", path, "--part", "pdf"]))
    assert "--part" in line
    bare = str(_write(tmp_path, {"issue_summary": {"impact": "x"}}, "bare.yaml"))
    line = _error_line(runner.invoke(app, ["handoff", "notice", bare]))
    assert "ticket_information.ticket_id" in line
    missing_dir = str(tmp_path / "nowhere")
    line = _error_line(runner.invoke(app, ["handoff", "notice", path, "--templates", missing_dir]))
    assert "--templates" in line
