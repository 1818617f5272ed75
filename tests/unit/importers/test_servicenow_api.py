from __future__ import annotations

import json
from pathlib import Path

from escalon.adapters.importers.common import Rejection, collect
from escalon.adapters.importers.mapping import load_mapping
from escalon.adapters.importers.reader import json_records, open_text
from escalon.adapters.importers.servicenow_api import import_table_api
from escalon.domain.events import Event


def _import(fixtures: Path, path: Path | None = None) -> tuple[list[Event], list[Rejection]]:
    mapping = load_mapping(fixtures / "servicenow-api-test.yaml")
    with open_text(path or fixtures / "servicenow_table_api.jsonl") as text:
        return collect(import_table_api(json_records(text), mapping))


def test_audits_rebuild_the_incident_with_names_for_sys_ids(fixtures: Path) -> None:
    events, _ = _import(fixtures)
    history = [e for e in events if e.ticket == "INC0010001"]
    assert [e.type for e in history] == [
        "ticket.created",
        "ticket.assigned",
        "ticket.status_changed",
        "escalation.requested",
        "ticket.assigned",
        "ticket.updated",
        "ticket.resolved",
        "ticket.reopened",
        "ticket.resolved",
        "ticket.status_changed",
    ]
    created = history[0]
    assert created.type == "ticket.created"
    # Rolled back through the audits: opened New, P3, in the service desk, unassigned.
    assert (created.data.status, created.data.priority, created.data.team, created.data.agent) == (
        "new",
        "P3",
        "Service Desk",
        None,
    )
    moved = history[4]
    assert moved.type == "ticket.assigned"
    assert (moved.data.tier, moved.data.team, moved.data.agent) == (
        "L2",
        "Network L2",
        "Beth Anglin",
    )
    # The incident's own counters agree with the rebuilt history.
    assert sum(e.type == "ticket.reopened" for e in history) == 1
    assert sum(e.id.endswith(":group:assigned") for e in history) == 1


def test_incident_without_audits_uses_its_resolution_times(fixtures: Path) -> None:
    events, _ = _import(fixtures)
    plain = [(e.type, e.at.isoformat()) for e in events if e.ticket == "INC0010002"]
    assert plain == [
        ("ticket.created", "2024-03-06T10:00:00+00:00"),
        ("ticket.resolved", "2024-03-06T11:00:00+00:00"),
    ]


def test_bad_records_are_reported(fixtures: Path, tmp_path: Path) -> None:
    _, rejections = _import(fixtures)
    assert [(r.row, r.ticket, r.reason) for r in rejections] == [
        (3, None, "incident without sys_id or number"),
        (14, "zz", "audit of an incident that is not in the export"),
    ]
    page = {"result": [{"sys_id": "b1", "number": "INC9", "state": "4", "opened_at": "x"}]}
    path = tmp_path / "one.json"
    path.write_text(json.dumps(page))
    _, rejections = _import(fixtures, path)
    assert [r.reason for r in rejections] == ["bad date 'x' (expected %Y-%m-%d %H:%M:%S)"]
