from __future__ import annotations

import json
from pathlib import Path

from escalon.adapters.importers.common import Rejection, Skipped, collect
from escalon.adapters.importers.jsm import import_jsm, jira_text
from escalon.adapters.importers.mapping import load_mapping
from escalon.adapters.importers.reader import json_records, open_text
from escalon.domain.events import Event


def _import(fixtures: Path, path: Path | None = None) -> tuple[list[Event], list[Rejection]]:
    mapping = load_mapping(fixtures / "jsm-test.yaml")
    with open_text(path or fixtures / "jsm_issues.json") as text:
        return collect(import_jsm(json_records(text), mapping))


def test_changelog_rebuilds_the_issue_history(fixtures: Path) -> None:
    events, _ = _import(fixtures)
    history = [e for e in events if e.ticket == "SD-1"]
    assert [e.type for e in history] == [
        "ticket.created",
        "ticket.assigned",
        "escalation.requested",
        "ticket.assigned",
        "ticket.status_changed",
        "ticket.resolved",
        "ticket.reopened",
        "ticket.updated",
        "ticket.resolved",
        "ticket.status_changed",
    ]
    created = history[0]
    assert created.type == "ticket.created"
    # Initial values are the `fromString` of each field's first change, not today's values.
    assert (created.data.team, created.data.priority, created.data.agent) == (
        "Service Desk",
        "P3",
        None,
    )
    assert created.data.status == "open"
    assert created.data.customer.id == "Acme"  # Organizations, via the `names` expansion
    assert history[2].type == "escalation.requested" and history[2].data.to == "L2"
    assert history[3].type == "ticket.assigned" and history[3].data.agent == "a-2"
    # Histories are replayed oldest first whatever their ids.
    assert history[-1].id == "jsm:SD-1:1:status_changed"


def test_duplicate_resolution_closes_without_resolving(fixtures: Path) -> None:
    events, _ = _import(fixtures)
    duplicate = [e for e in events if e.ticket == "SD-2"]
    assert [(e.type, e.id) for e in duplicate][1:] == [
        ("ticket.status_changed", "jsm:SD-2:8:duplicate:status_changed")
    ]


def test_truncated_changelogs_and_bad_dates_are_rejected(fixtures: Path) -> None:
    events, rejections = _import(fixtures)
    assert [(r.row, r.ticket) for r in rejections] == [(3, "SD-3"), (4, "SD-4")]
    assert rejections[0].reason == (
        "changelog holds 1 of 150 histories (export each issue's full changelog)"
    )
    assert rejections[1].reason.startswith("bad date '04/03/2024 09:30'")
    assert {e.ticket for e in events} == {"SD-1", "SD-2"}


def test_sla_fields_are_skipped_not_rejected(fixtures: Path) -> None:
    mapping = load_mapping(fixtures / "jsm-test.yaml")
    with open_text(fixtures / "jsm_issues.json") as text:
        items = list(import_jsm(json_records(text), mapping))
    assert [(i.ticket, i.reason) for i in items if isinstance(i, Skipped)] == [
        ("SD-1", "SLA field (escalon computes its own clocks)")
    ]


def test_field_values_changing_type_compare_as_text(fixtures: Path, tmp_path: Path) -> None:
    assert [
        jira_text(v)
        for v in (2, "2", {"value": "2"}, [{"name": "b"}, {"name": "a"}], True, None, {})
    ] == ["2", "2", "2", "a,b", "true", None, None]
    issue = {
        "key": "SD-9",
        "fields": {"status": {"name": "Open"}, "created": "2024-03-04T09:00:00.000+0000"},
        "changelog": {
            "total": 2,
            "histories": [
                {
                    "id": "1",
                    "created": "2024-03-04T10:00:00.000+0000",
                    "items": [{"field": "Escalation level", "fromString": None, "toString": "1"}],
                },
                {
                    "id": "2",
                    "created": "2024-03-04T11:00:00.000+0000",
                    "items": [{"field": "Escalation level", "fromString": "1", "toString": "2"}],
                },
            ],
        },
    }
    path = tmp_path / "issue.json"
    path.write_text(json.dumps(issue))
    events, rejections = _import(fixtures, path)
    assert rejections == []
    assert [(e.type, e.id) for e in events] == [
        ("ticket.created", "jsm:SD-9:created:created"),
        ("escalation.requested", "jsm:SD-9:2:requested"),
    ]
