from __future__ import annotations

import json
from pathlib import Path

import pytest

from escalon.adapters.importers.common import Rejection, Skipped, collect
from escalon.adapters.importers.mapping import load_mapping
from escalon.adapters.importers.reader import json_records, open_text
from escalon.adapters.importers.zendesk import import_zendesk, text_of
from escalon.domain.events import Event


def _import(fixtures: Path, path: Path | None = None) -> tuple[list[Event], list[Rejection]]:
    mapping = load_mapping(fixtures / "zendesk-test.yaml")
    with open_text(path or fixtures / "zendesk_export.jsonl") as text:
        return collect(import_zendesk(json_records(text), mapping))


def _of(events: list[Event], ticket: str) -> list[Event]:
    return [e for e in events if e.ticket == ticket]


def test_audits_rebuild_the_ticket_history(fixtures: Path) -> None:
    events, rejections = _import(fixtures)
    assert rejections == []
    history = _of(events, "101")
    # Within an audit, its comments come before its changes (and ratings after them).
    assert [e.type for e in history] == [
        "ticket.created",
        "ticket.commented",
        "ticket.commented",
        "ticket.assigned",
        "ticket.status_changed",
        "escalation.requested",
        "ticket.assigned",
        "ticket.updated",
        "ticket.status_changed",
        "ticket.resolved",
        "ticket.commented",
        "ticket.reopened",
        "ticket.resolved",
        "csat.received",
    ]
    created = history[0]
    assert created.type == "ticket.created"
    # Initial values come from the Create events, not from the later snapshot; a field the
    # creation audit does not set (the assignee) was empty, whatever the snapshot says now.
    assert (created.data.priority, created.data.team, created.data.tier) == ("P3", "2001", "L1")
    assert created.data.agent is None
    assert created.data.customer.id == "7001"
    assert created.data.customer.segment == "enterprise"
    assert history[1].type == "ticket.commented" and history[1].data.author == "customer"
    assert history[2].type == "ticket.commented" and history[2].data.author == "agent"
    assert history[3].type == "ticket.assigned" and history[3].data.agent == "501"
    assert history[5].type == "escalation.requested" and history[5].data.to == "L2"
    assert history[-1].type == "csat.received" and history[-1].data.score == 1


def test_field_changing_type_is_compared_as_text() -> None:
    assert [text_of(v) for v in ("no", True, ["yes", "urgent"], 7, None, [], "")] == [
        "no",
        "true",
        "urgent,yes",
        "7",
        None,
        None,
        None,
    ]


def test_one_escalation_per_audit_even_with_several_signs(fixtures: Path) -> None:
    events, _ = _import(fixtures)
    # Audit 3 moves the group up a tier AND flips the escalation field from "no" to true.
    escalations = [e for e in _of(events, "101") if e.type == "escalation.requested"]
    assert [e.id for e in escalations] == ["zendesk:101:20240304T100000Z:L2:requested"]


def test_deleted_tickets_and_their_audits_are_skipped(fixtures: Path) -> None:
    mapping = load_mapping(fixtures / "zendesk-test.yaml")
    with open_text(fixtures / "zendesk_export.jsonl") as text:
        items = list(import_zendesk(json_records(text), mapping))
    assert not any(getattr(i, "ticket", None) == "102" for i in items if not isinstance(i, Skipped))
    skipped = sorted(i.reason for i in items if isinstance(i, Skipped) and i.ticket == "102")
    assert skipped == ["audit of a deleted ticket", "deleted ticket"]


def test_merged_ticket_is_closed_not_resolved(fixtures: Path) -> None:
    events, _ = _import(fixtures)
    merged = _of(events, "103")
    assert [e.type for e in merged] == [
        "ticket.created",
        "ticket.commented",  # the merge note, before the close it comes with
        "ticket.status_changed",
    ]
    assert merged[2].id == "zendesk:103:20240304T113000Z:closed:merged:status_changed"


def test_ticket_without_audits_is_imported_from_its_latest_snapshot(fixtures: Path) -> None:
    events, _ = _import(fixtures)
    snapshot = _of(events, "104")
    assert sorted(e.type for e in snapshot) == [
        "csat.received",
        "ticket.commented",  # from the reply_time metric event: the first agent reply
        "ticket.created",
        "ticket.resolved",
        "ticket.status_changed",
    ]
    created = next(e for e in snapshot if e.type == "ticket.created")
    assert created.data.priority == "P4" and created.data.channel == "web"


def test_out_of_order_audits_and_unknown_statuses_are_rejected(
    fixtures: Path, tmp_path: Path
) -> None:
    audits = [
        {
            "id": 1,
            "ticket_id": 5,
            "created_at": "2024-03-04T09:00:00Z",
            "events": [{"id": 1, "type": "Create", "field_name": "status", "value": "new"}],
        },
        {"id": 2, "ticket_id": 5, "created_at": "2024-03-04T08:00:00Z", "events": []},
        {
            "id": 3,
            "ticket_id": 6,
            "created_at": "2024-03-04T08:00:00Z",
            "events": [{"id": 1, "type": "Create", "field_name": "status", "value": "parked"}],
        },
        {"id": 4, "ticket_id": 7, "created_at": "yesterday", "events": []},
        {"ticket_id": 8, "created_at": "2024-03-04T08:00:00Z", "events": []},
    ]
    path = tmp_path / "audits.json"
    path.write_text(json.dumps({"audits": audits}, indent=2))
    events, rejections = _import(fixtures, path)
    assert [e.ticket for e in events] == ["5"]
    reasons = [(r.ticket, r.reason) for r in rejections]
    assert reasons[0] == ("5", "audit 2 is older than the previous one (oldest first)")
    assert reasons[1] == ("6", "unknown status 'parked' (add it to `statuses`)")
    assert reasons[2][0] == "7" and reasons[2][1].startswith("bad date 'yesterday'")
    assert reasons[3] == (None, "audit without id or ticket_id")


def test_reimport_gives_the_same_ids(fixtures: Path) -> None:
    first, _ = _import(fixtures)
    again, _ = _import(fixtures)
    assert [e.id for e in first] == [e.id for e in again]
    assert len({e.id for e in first}) == len(first)


@pytest.mark.parametrize("page", ['["not", "a", "page"]', '{"users": []}'])
def test_unknown_pages_are_rejected_by_record_number(
    fixtures: Path, tmp_path: Path, page: str
) -> None:
    path = tmp_path / "pages.jsonl"
    first = {"tickets": [{"id": 1, "status": "new", "created_at": "2024-03-04T09:00:00Z"}]}
    path.write_text(json.dumps(first) + "\n" + page + "\n")
    _, rejections = _import(fixtures, path)
    assert [r.row for r in rejections] == [2]


def test_an_audit_read_twice_adds_nothing(fixtures: Path, tmp_path: Path) -> None:
    lines = (fixtures / "zendesk_export.jsonl").read_text().splitlines()
    overlapping = tmp_path / "overlap.jsonl"
    overlapping.write_text("\n".join([*lines[:3], lines[2], *lines[3:]]) + "\n")
    once, _ = _import(fixtures)
    twice, rejections = _import(fixtures, overlapping)
    assert rejections == []
    assert [e.id for e in twice] == [e.id for e in once]
