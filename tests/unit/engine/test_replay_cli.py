from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from escalon.entrypoints.cli.main import app

SCENARIOS = Path(__file__).parents[2] / "scenarios"
runner = CliRunner()


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def _created(event: str, ticket: str, at: str = "2025-04-01T13:00:00Z") -> str:
    return json.dumps(
        {
            "id": event,
            "type": "ticket.created",
            "at": at,
            "ticket": ticket,
            "data": {"customer": {"id": "acme", "region": "amer"}},
        }
    )


def test_replay_prints_decisions_as_json_lines_in_time_order() -> None:
    result = runner.invoke(
        app,
        [
            "replay",
            str(SCENARIOS / "acknowledgement_missed_chain.jsonl"),
            "--until",
            "2025-04-01T15:00:00Z",
        ],
    )
    assert result.exit_code == 0, result.output
    decisions = [json.loads(line) for line in result.output.splitlines()]
    assert [d["kind"] for d in decisions][:4] == [
        "escalate",
        "require_acknowledgement",
        "acknowledgement_missed",
        "acknowledgement_missed",
    ]
    assert [d["at"] for d in decisions] == sorted(d["at"] for d in decisions)


def test_replay_explain_prints_sentences() -> None:
    result = runner.invoke(
        app,
        [
            "replay",
            str(SCENARIOS / "criterion_time_l1_l2.jsonl"),
            "--until",
            "2025-04-07T14:00:00Z",
            "--explain",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2h of business time unresolved at L1" in result.output
    assert "calendar amer" in result.output


def test_schema_failure_names_event_and_field(tmp_path: Path) -> None:
    bad = json.dumps(
        {
            "id": "e9",
            "type": "ticket.commented",
            "at": "2025-04-01T09:00:00",
            "ticket": "T1",
            "data": {},
        }
    )
    result = runner.invoke(app, ["replay", str(_write(tmp_path, [_created("e1", "T1"), bad]))])
    assert result.exit_code == 2
    assert "event e9: at:" in result.output
    assert "Traceback" not in result.output


def test_unknown_ticket_fails_with_exit_2(tmp_path: Path) -> None:
    orphan = json.dumps(
        {
            "id": "e2",
            "type": "ticket.resolved",
            "at": "2025-04-01T14:00:00Z",
            "ticket": "GHOST",
            "data": {},
        }
    )
    result = runner.invoke(app, ["replay", str(_write(tmp_path, [_created("e1", "T1"), orphan]))])
    assert result.exit_code == 2
    assert "event e2: ticket: unknown ticket 'GHOST'" in result.output


def test_skip_invalid_processes_the_rest_and_lists_rejections(tmp_path: Path) -> None:
    lines = [
        _created("e1", "T1"),
        "{not json",
        json.dumps(
            {
                "id": "e3",
                "type": "ticket.reopened",
                "at": "2025-04-01T13:30:00Z",
                "ticket": "T1",
                "data": {},
            }
        ),
        _created("e4", "T2", "2025-04-01T13:40:00Z"),
        json.dumps(
            {
                "id": "e5",
                "type": "ticket.updated",
                "at": "2025-04-01T13:50:00Z",
                "ticket": "T2",
                "data": {"churn_threat": True},
            }
        ),
    ]
    result = runner.invoke(app, ["replay", str(_write(tmp_path, lines)), "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert '"management_escalation"' in result.output
    assert "2 event(s) rejected" in result.output
    assert "line 2" in result.output and "event e3: type:" in result.output


def test_bad_until_and_missing_file_exit_2(tmp_path: Path) -> None:
    path = _write(tmp_path, [_created("e1", "T1")])
    assert runner.invoke(app, ["replay", str(path), "--until", "tomorrow"]).exit_code == 2
    assert runner.invoke(app, ["replay", str(tmp_path / "none.jsonl")]).exit_code == 2


def test_explain_shows_events_decisions_and_clock_ledgers() -> None:
    result = runner.invoke(
        app,
        [
            "explain",
            str(SCENARIOS / "pause_pending_customer.jsonl"),
            "--ticket",
            "T1",
            "--until",
            "2025-04-02T15:00:00Z",
        ],
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "ticket.status_changed" in out and "escalate" in out
    assert "paused: pending_customer" in out
    assert "resolution (cycle 1, calendar amer" in out


def test_explain_unknown_ticket_exit_2() -> None:
    result = runner.invoke(
        app, ["explain", str(SCENARIOS / "criterion_impact.jsonl"), "--ticket", "NOPE"]
    )
    assert result.exit_code == 2
    assert "--ticket" in result.output
