"""The imported ServiceNow log through the engine (replay) and the dashboard (`escalon report`).

The replay check runs on the first incidents of the log (the full replay is measured by
`python -m bench import`; its figures are in docs/importing.md). The dashboard check runs on the
whole imported log and compares its escalation counts with a direct computation from the CSV.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from escalon.adapters.importers.common import ImportSummary
from escalon.adapters.policy_files import load_default_policy
from escalon.domain.engine import EngineState
from escalon.entrypoints.cli.main import app
from escalon.services.replay import Replayer, read_events, replay

pytestmark = pytest.mark.slow

REPLAYED_INCIDENTS = 600


@pytest.fixture(scope="module")
def imported(servicenow_import: tuple[Path, ImportSummary]) -> Path:
    return servicenow_import[0]


@pytest.fixture(scope="module")
def log_rows(servicenow_rows: dict[str, list[dict[str, str]]]) -> dict[str, list[dict[str, str]]]:
    return servicenow_rows


def test_replay_reconstructs_the_logs_own_counters(
    imported: Path, log_rows: dict[str, list[dict[str, str]]], tmp_path: Path
) -> None:
    first = set(list(log_rows)[:REPLAYED_INCIDENTS])
    subset = tmp_path / "subset.jsonl"
    with imported.open() as source, subset.open("w") as target:
        target.writelines(line for line in source if json.loads(line)["ticket"] in first)
    records, invalid = read_events(subset, skip_invalid=False)
    assert invalid == []
    policy = load_default_policy()
    runner = Replayer(policy, skip_invalid=True, state=EngineState(keep_history=True))
    for _ in replay(records, policy, replayer=runner):
        pass
    agree = 0
    for number in first:
        state = runner.state.tickets[number]
        team, changes = None, 0
        for record in state.log:
            if record.type == "ticket.created":
                team = record.data.get("team")
            elif record.type == "ticket.assigned" and record.data.get("team") != team:
                changes, team = changes + 1, record.data.get("team")
        last = log_rows[number][-1]
        expected = (int(last["reassignment_count"]), int(last["reopen_count"]))
        agree += (changes, state.reopens) == expected
    assert agree / len(first) >= 0.995, agree


def _tier(group: str, before: str) -> str:
    """The sample mapping: Group 70 is L1, other groups L2, no group keeps the tier."""
    if group == "?":
        return before
    return "L1" if group == "Group 70" else "L2"


def _escalations_by_month(log_rows: dict[str, list[dict[str, str]]]) -> Counter[str]:
    """Moves from L1 up to L2, computed straight from the CSV rows."""
    months: Counter[str] = Counter()
    for rows in log_rows.values():
        ordered = sorted(rows, key=_order)
        states = [r for r in ordered if r["incident_state"] != "-100"]
        tier = _tier(states[0]["assignment_group"], "L2")
        for row in states[1:]:
            new = _tier(row["assignment_group"], tier)
            if (tier, new) == ("L1", "L2"):
                day, month, rest = row["sys_updated_at"].split("/")
                months[f"{rest[:4]}-{int(month):02d}"] += 1
            tier = new
    return months


def _order(row: dict[str, str]) -> tuple[tuple[int, ...], int]:
    date, time = row["sys_updated_at"].split(" ")
    day, month, year = (int(p) for p in date.split("/"))
    hour, minute = (int(p) for p in time.split(":"))
    return (year, month, day, hour, minute), int(row["sys_mod_count"])


def test_report_on_the_imported_log_matches_the_csv(
    imported: Path, log_rows: dict[str, list[dict[str, str]]]
) -> None:
    # --no-engine: the escalations recorded in the history, not those the default policy adds.
    args = ["report", str(imported), "--period", "2016-03", "--format", "json", "--no-engine"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    figures = {f["metric"]: f for f in json.loads(result.output)["figures"]}
    expected = _escalations_by_month(log_rows)["2016-03"]
    assert expected > 500
    assert figures["volume.total"]["value"] == expected
