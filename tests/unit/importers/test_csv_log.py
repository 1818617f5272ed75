from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from escalon.adapters.importers.common import Rejection, collect
from escalon.adapters.importers.csv_log import import_csv_log
from escalon.adapters.importers.mapping import load_mapping
from escalon.adapters.importers.reader import csv_rows, open_text
from escalon.domain.events import Event

MAPPING = Path(__file__).resolve().parents[3] / "mappings" / "csv-helpdesk-example.yaml"


def _import(fixtures: Path) -> tuple[list[Event], list[Rejection]]:
    with open_text(fixtures / "helpdesk_log.csv") as text:
        return collect(import_csv_log(csv_rows(text), load_mapping(MAPPING)))


def test_interleaved_cases_become_separate_histories(fixtures: Path) -> None:
    events, _ = _import(fixtures)
    case1 = [e for e in events if e.ticket == "Case 1"]
    assert [e.type for e in case1] == [
        "ticket.created",
        "ticket.status_changed",
        "escalation.requested",
        "ticket.assigned",
        "ticket.updated",
        "ticket.resolved",
        "ticket.assigned",
        "ticket.status_changed",
    ]
    created = case1[0]
    assert created.type == "ticket.created"
    # Europe/Rome is +02:00 in October (CEST): 14:50:17 local is 12:50:17 UTC.
    assert created.at.astimezone(UTC) == datetime(2012, 10, 9, 12, 50, 17, tzinfo=UTC)
    assert (created.data.tier, created.data.team, created.data.priority) == (
        "L1",
        "G1 1st line",
        "P3",
    )
    assert case1[2].type == "escalation.requested" and case1[2].data.to == "L2"


def test_activities_map_to_events(fixtures: Path) -> None:
    events, _ = _import(fixtures)
    case2 = [(e.type, getattr(e.data, "status", None)) for e in events if e.ticket == "Case 2"]
    assert case2 == [
        ("ticket.created", "new"),
        ("ticket.status_changed", "pending_customer"),
        ("escalation.requested", None),
    ]


def test_bad_rows_are_reported_with_row_numbers(fixtures: Path) -> None:
    _, rejections = _import(fixtures)
    assert [(r.row, r.ticket) for r in rejections] == [
        (11, None),
        (12, "Case 2"),
        (14, "Case 3"),
    ]
    assert rejections[0].reason == "missing Case ID"
    assert "earlier than this ticket's previous row" in rejections[1].reason
    assert rejections[2].reason.startswith("bad date '13/10/2012 11:00'")
