"""The engine adapter reads cross-ticket entries on demand, a batch's in one query."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from escalon.adapters.policy_files import load_default_policy
from escalon.domain.events import Event, parse_event
from escalon.services.ticket_engine import DomainTicketEngine

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


class Stored:
    """A store in memory that counts the entry reads."""

    def __init__(self) -> None:
        self.tickets: dict[str, Mapping[str, Any]] = {}
        self.entries_: dict[tuple[str, str], Mapping[str, Any]] = {}
        self.reads: list[tuple[str, list[str]]] = []

    def ticket(self, ticket_id: str) -> Mapping[str, Any] | None:
        return self.tickets.get(ticket_id)

    def shared(self) -> Mapping[str, Any] | None:
        return None

    def entries(self, kind: str, keys: Sequence[str]) -> Mapping[str, Mapping[str, Any]]:
        self.reads.append((kind, list(keys)))
        return {k: self.entries_[(kind, k)] for k in keys if (kind, k) in self.entries_}


def _created(n: int) -> Event:
    return parse_event(
        {
            "id": f"c-{n}",
            "type": "ticket.created",
            "at": NOW.isoformat(),
            "ticket": f"T-{n}",
            "data": {
                "priority": "P3",
                "customer": {"id": f"cust-{n}", "segment": "smb"},
                "issue_signature": "disk-full",
            },
        }
    )


def _comment(n: int) -> Event:
    return parse_event(
        {
            "id": f"m-{n}",
            "type": "ticket.commented",
            "at": (NOW + timedelta(minutes=5)).isoformat(),
            "ticket": f"T-{n}",
            "data": {"public": True, "author": "customer"},
        }
    )


def test_entries_are_stored_per_key_and_a_batch_reads_its_tickets_entries_at_once() -> None:
    policy = load_default_policy()
    engine = DomainTicketEngine()
    store = Stored()
    out = engine.apply(store, [("/", _created(n)) for n in range(3)], policy)
    issue_entries = {key: body for key, body in out.entries.items() if key[0] == "issue"}
    assert len(issue_entries) == 3  # one issue key per customer and signature
    store.tickets.update({tid: t.state for tid, t in out.tickets.items()})
    store.entries_.update({k: v for k, v in out.entries.items() if v is not None})
    store.reads.clear()
    again = engine.apply(store, [("/", _comment(n)) for n in range(3)], policy)
    issue_reads = [keys for kind, keys in store.reads if kind == "issue"]
    assert issue_reads == [sorted(k for _, k in issue_entries)]  # one read, every key
    assert not any(k[0] == "issue" for k in again.entries)  # comments change no history
