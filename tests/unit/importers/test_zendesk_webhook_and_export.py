"""One Zendesk history seen twice: as ticket event webhooks and as an export with audits.

The fixtures describe the same two tickets in the vendor's formats: the incremental export and
the tickets' audits, and the `zen:event-type:ticket.*` webhooks Zendesk sent for the same
updates. Both paths must give the same canonical events, ids and content alike, so that the
event store (idempotent on id, refusing an id with other content) keeps each fact once.
"""

from __future__ import annotations

import json
from pathlib import Path

from escalon.adapters.importers.common import collect
from escalon.adapters.importers.mapping import load_mapping
from escalon.adapters.importers.reader import json_records, open_text
from escalon.adapters.importers.webhooks import zendesk_events
from escalon.adapters.importers.zendesk import import_zendesk
from escalon.domain.events import Event


def _exported(fixtures: Path) -> list[Event]:
    mapping = load_mapping(fixtures / "zendesk-test.yaml")
    with open_text(fixtures / "zendesk_one_history_export.jsonl") as text:
        events, rejections = collect(import_zendesk(json_records(text), mapping))
    assert rejections == []
    return events


def _live(fixtures: Path) -> list[Event]:
    mapping = load_mapping(fixtures / "zendesk-test.yaml")
    lines = (fixtures / "zendesk_one_history_webhooks.jsonl").read_text().splitlines()
    return [e for line in lines for e in zendesk_events(json.loads(line), mapping)]


def test_webhooks_and_export_give_the_same_events(fixtures: Path) -> None:
    exported = _exported(fixtures)
    assert len({e.id for e in exported}) == len(exported)
    live: dict[str, Event] = {}
    for event in _live(fixtures):
        # Two webhooks of one update may state one fact (the group and the agent moving
        # together are one assignment): the same id must then carry the same content.
        assert live.setdefault(event.id, event) == event
    assert sorted(live) == sorted(e.id for e in exported)
    assert live == {e.id: e for e in exported}


def test_the_ids_name_the_fact_not_the_record(fixtures: Path) -> None:
    ids = [e.id for e in _exported(fixtures) if e.ticket == "201"]
    assert ids == [
        "zendesk:201:ticket:created",
        "zendesk:201:comment:2010101:commented",
        "zendesk:201:comment:2010203:commented",
        "zendesk:201:20240415T092005Z:2001:501:assigned",
        "zendesk:201:20240415T092005Z:open:status_changed",
        "zendesk:201:20240415T100000Z:L2:requested",
        "zendesk:201:20240415T100000Z:2002:502:assigned",
        "zendesk:201:20240415T100000Z:P2:updated",
        "zendesk:201:20240415T113000Z:L3:requested",
        "zendesk:201:20240415T113000Z:pending_customer:status_changed",
        "zendesk:201:20240415T150000Z:resolved",
        "zendesk:201:comment:2010601:commented",
        "zendesk:201:20240416T080000Z:reopened",
        "zendesk:201:comment:2010701:commented",
        "zendesk:201:20240416T120000Z:resolved",
    ]
    merged = [e.id for e in _exported(fixtures) if e.ticket == "202"]
    assert "zendesk:202:20240415T103000Z:closed:merged:status_changed" in merged


def test_webhook_times_count_to_the_second_the_ticket_was_saved(fixtures: Path) -> None:
    live = _live(fixtures)
    # `time` carries nanoseconds; the audit and the ticket's `updated_at` whole seconds.
    assert all(e.at.microsecond == 0 for e in live)
    opened = next(e for e in live if e.id.endswith(":open:status_changed"))
    assert opened.at.isoformat() == "2024-04-15T09:20:05+00:00"  # from `time`: no `updated_at`
