from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from escalon.adapters.importers.common import Rejection, collect
from escalon.adapters.importers.mapping import load_mapping
from escalon.adapters.importers.reader import csv_rows, open_text
from escalon.adapters.importers.servicenow import import_event_log
from escalon.domain.events import Event


def _import(fixtures: Path, path: Path | None = None) -> tuple[list[Event], list[Rejection]]:
    mapping = load_mapping(fixtures / "servicenow-test.yaml")
    with open_text(path or fixtures / "servicenow_small.csv") as text:
        return collect(import_event_log(csv_rows(text), mapping))


def test_incident_history_becomes_canonical_events(fixtures: Path) -> None:
    events, rejections = _import(fixtures)
    assert rejections == []
    first = [e for e in events if e.ticket == "INC0000001"]
    assert [e.type for e in first] == [
        "ticket.created",
        "escalation.requested",
        "ticket.assigned",
        "ticket.status_changed",
        "ticket.updated",
        "ticket.status_changed",
        "ticket.resolved",
        "ticket.reopened",
        "ticket.resolved",
        "ticket.status_changed",
    ]
    created = first[0]
    assert created.type == "ticket.created"
    # 09:00 in Amsterdam (CET, +01:00) is 08:00 UTC: naive times take the mapping's zone.
    assert created.at.astimezone(UTC) == datetime(2016, 3, 3, 8, 0, tzinfo=UTC)
    assert created.data.customer.id == "Caller 1"
    assert created.data.customer.segment == "enterprise"
    assert (created.data.tier, created.data.team, created.data.priority) == (
        "L1",
        "Service Desk",
        "P3",
    )
    escalation, assigned = first[1], first[2]
    assert escalation.type == "escalation.requested" and escalation.data.to == "L2"
    assert assigned.type == "ticket.assigned"
    assert (assigned.data.tier, assigned.data.team, assigned.data.agent) == (
        "L2",
        "Network L2",
        "Agent 7",
    )
    assert first[4].type == "ticket.updated" and first[4].data.priority == "P2"
    assert first[5].type == "ticket.status_changed" and first[5].data.status == "pending_customer"
    assert first[-1].type == "ticket.status_changed" and first[-1].data.status == "closed"


def test_rows_are_ordered_by_update_time_then_mod_count(fixtures: Path) -> None:
    events, _ = _import(fixtures)
    second = [e for e in events if e.ticket == "INC0000002"]
    # File order is mod 0, 2, 1; ServiceNow wrote them 0, 1, 2 (same minute for 1 and 2).
    assert [e.type for e in second] == [
        "ticket.created",
        "ticket.status_changed",
        "ticket.assigned",
    ]
    assert second[2].id == "servicenow:INC0000002:2:group:assigned"
    assert second[0].data.team is None  # `?` is missing, not a group called "?"


def test_event_ids_are_stable_across_imports(fixtures: Path) -> None:
    first, _ = _import(fixtures)
    again, _ = _import(fixtures)
    assert [e.id for e in first] == [e.id for e in again]
    assert len({e.id for e in first}) == len(first)


def test_malformed_rows_are_reported_by_row_number(fixtures: Path, tmp_path: Path) -> None:
    lines = (fixtures / "servicenow_small.csv").read_text().splitlines()
    lines[2] = lines[2].replace("3/3/2016 10:30", "31/2/2016 10:30")  # row 3: bad date
    lines[3] = lines[3].replace("Awaiting User Info", "Parked")  # row 4: unknown state
    lines[8] = "," + lines[8].split(",", 1)[1]  # row 9: missing number
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    events, rejections = _import(fixtures, bad)
    reasons = {r.row: r.reason for r in rejections}
    assert sorted(reasons) == [3, 4, 9]
    assert reasons[3].startswith("bad date '31/2/2016 10:30'")
    assert reasons[4].startswith("unknown incident_state 'Parked'")
    assert reasons[9] == "missing incident number"
    # The other rows of the same incidents still import (the caller decides whether to keep them).
    assert sum(e.ticket == "INC0000001" for e in events) > 5


def test_rows_of_an_incident_split_across_the_file_are_rejected(
    fixtures: Path, tmp_path: Path
) -> None:
    lines = (fixtures / "servicenow_small.csv").read_text().splitlines()
    shuffled = tmp_path / "split.csv"
    shuffled.write_text("\n".join([lines[0], lines[1], lines[8], lines[2]]) + "\n")
    _, rejections = _import(fixtures, shuffled)
    assert [(r.row, r.ticket) for r in rejections] == [(4, "INC0000001")]
    assert "not contiguous" in rejections[0].reason


def test_incident_first_seen_resolved_is_opened_then_resolved(
    fixtures: Path, tmp_path: Path
) -> None:
    lines = (fixtures / "servicenow_small.csv").read_text().splitlines()
    first_seen_resolved = [lines[0], lines[4].replace(",4,", ",0,", 1), lines[5]]
    path = tmp_path / "resolved-first.csv"
    path.write_text("\n".join(first_seen_resolved) + "\n")
    events, rejections = _import(fixtures, path)
    assert rejections == []
    assert [e.type for e in events] == ["ticket.created", "ticket.resolved", "ticket.reopened"]
    assert events[0].type == "ticket.created" and events[0].data.status == "new"
