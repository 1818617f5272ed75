"""Same-instant events of a ticket keep the order they arrived in (file order for replay).

The ids `e8` and `e10` sort the other way as text, which is exactly what must not matter.
"""

from __future__ import annotations

import json
from pathlib import Path

from escalon.domain.policy import Policy
from escalon.services.replay import Replayer, read_events

from .conftest import Desk

ACME = {"id": "acme", "segment": "smb", "region": "amer"}


def _line(id_: str, type_: str, at: str, **data: object) -> str:
    return json.dumps({"id": id_, "type": type_, "at": at, "ticket": "T1", "data": data})


def test_replay_keeps_file_order_for_events_at_the_same_instant(
    policy: Policy, tmp_path: Path
) -> None:
    log = tmp_path / "events.jsonl"
    log.write_text(
        "\n".join(
            [
                _line("e1", "ticket.created", "2025-04-01T13:00:00Z", customer=ACME),
                _line("e8", "ticket.status_changed", "2025-04-01T14:00:00Z", status="on_hold"),
                _line("e10", "ticket.status_changed", "2025-04-01T14:00:00Z", status="open"),
                _line("e9", "ticket.commented", "2025-04-01T13:30:00Z", author="agent"),
            ]
        )
        + "\n"
    )
    records, _ = read_events(log, skip_invalid=False)
    assert [r.id for r in records] == ["e1", "e9", "e8", "e10"]
    runner = Replayer(policy)
    for record in records:
        runner.feed(record)
    ticket = runner.state.tickets["T1"]
    assert ticket.status == "open"
    assert ticket.timers["resolution"].since is not None  # counting again, not paused


def test_a_late_event_keeps_the_arrival_order_of_same_instant_events(desk: Desk) -> None:
    desk.event(json.loads(_line("e1", "ticket.created", "2025-04-01T13:00:00Z", customer=ACME)))
    desk.event(
        json.loads(_line("e8", "ticket.status_changed", "2025-04-01T14:00:00Z", status="on_hold"))
    )
    desk.event(
        json.loads(_line("e10", "ticket.status_changed", "2025-04-01T14:00:00Z", status="open"))
    )
    # a late comment rebuilds the ticket from its history: on_hold then open, as they arrived
    desk.event(json.loads(_line("e9", "ticket.commented", "2025-04-01T13:30:00Z", author="agent")))
    ticket = desk.state.tickets["T1"]
    assert [e.id for e in ticket.log] == ["e1", "e9", "e8", "e10"]
    assert ticket.status == "open"
