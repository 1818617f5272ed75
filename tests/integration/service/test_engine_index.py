"""The engine's cross-ticket entries, stored one row per key: the service decides as replay does.

Repeated issues, incident candidates and agents' counters cross tickets; the service reads
them entry by entry from storage and writes back only what changed. Ingesting a simulated
history one event at a time, with the worker firing whatever came due before each event, must
give exactly the decisions of an in-memory replay of the same events.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from tests.integration.service.conftest import NOW, FixedClock, _truncate, created

from escalon.adapters.db.engine_index import SqlEngineIndex
from escalon.adapters.db.tables import decisions, engine_index
from escalon.adapters.policy_files import load_default_policy
from escalon.bootstrap import Service, bootstrap
from escalon.domain.engine.records import EventRecord
from escalon.domain.events import TickEvent, parse_event
from escalon.services.access import Caller, create_token
from escalon.services.applying import apply_events
from escalon.services.engine_port import SHARED, BatchOut
from escalon.services.errors import SharedStateMoved
from escalon.services.group_commit import GroupCommitter, Pending
from escalon.services.replay import replay
from escalon.settings import Settings
from escalon.simulation.ops import simulate_ops

AGENT = Caller(name="ana", role="agent")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def real(database_url: str, clock: FixedClock) -> Iterator[Service]:
    service = bootstrap(Settings(database_url=database_url), clock=clock)
    if service.db.dialect.name == "postgresql":
        _truncate(service)
    service.prepare()
    yield service
    service.close()


def _at(raw: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(raw["at"]).astimezone(UTC)


def test_event_by_event_ingestion_decides_exactly_as_replay(
    real: Service, clock: FixedClock
) -> None:
    history = simulate_ops(days=4, tickets=160, seed=5).events
    events = [parse_event(raw) for raw in history]
    expected = sorted(
        (d.id, d.kind)
        for d in replay([EventRecord.from_event(e) for e in events], load_default_policy())
    )
    for raw, event in zip(history, events, strict=True):
        clock.at = _at(raw)
        while real.firer.fire_due(clock.at - timedelta(microseconds=1)).tickets:
            pass
        real.ingestor.ingest([event], AGENT, clock.at, batch=False)
    while real.firer.fire_due(clock.at).tickets:
        pass
    with real.db.connect() as conn:
        stored = sorted(
            (row.id, row.kind) for row in conn.execute(select(decisions.c.id, decisions.c.kind))
        )
        kinds = {row.kind for row in conn.execute(select(engine_index.c.kind))}
    assert {"issue", "agent"} <= kinds  # the history crossed tickets through stored entries
    assert len(expected) > 300
    assert stored == expected


def _signed(ticket: str, at: datetime, signature: str, customer: str) -> dict[str, Any]:
    raw = created(ticket, at, customer=customer)
    raw["data"]["issue_signature"] = signature
    return raw


def _entries(service: Service) -> dict[tuple[str, str], Any]:
    with service.db.connect() as conn:
        rows = conn.execute(select(engine_index.c.kind, engine_index.c.key, engine_index.c.body))
        return {(row.kind, row.key): row.body for row in rows}


def test_a_group_commit_stages_entries_request_by_request(real: Service) -> None:
    """Two requests of one group touch the same issue entry: the second sees the first's."""
    committer = GroupCommitter(real.ingestor, real.clock, max_group=10)
    token, _ = create_token(real.uow, "feed", "integration", NOW)
    bodies = [
        _signed("T-1", NOW, "sig-disk", "acme"),
        _signed("T-2", NOW + timedelta(minutes=1), "sig-disk", "acme"),
    ]
    answers: list[Any] = []
    outcomes = committer.write(
        [Pending(token, json.dumps(b).encode(), answers.append) for b in bodies]
    )
    assert [o.stored for o in outcomes] == [1, 1]
    issues = {k: v for (kind, k), v in _entries(real).items() if kind == "issue"}
    [history] = issues.values()
    assert set(history["tickets"]) == {"T-1", "T-2"}


def test_an_entry_is_written_only_when_it_changed(real: Service) -> None:
    first = parse_event(_signed("T-1", NOW, "sig-disk", "acme"))
    real.ingestor.ingest([first], AGENT, NOW, batch=False)
    with real.db.connect() as conn:
        before = {
            row.key: row.version
            for row in conn.execute(select(engine_index.c.key, engine_index.c.version))
        }
    comment = {
        "id": "T-1-c",
        "type": "ticket.commented",
        "at": (NOW + timedelta(minutes=2)).isoformat(),
        "ticket": "T-1",
        "data": {"public": True, "author": "customer"},
    }
    real.ingestor.ingest([parse_event(comment)], AGENT, NOW, batch=False)
    with real.db.connect() as conn:
        after = {
            row.key: row.version
            for row in conn.execute(select(engine_index.c.key, engine_index.c.version))
        }
    assert before and after == before


@pytest.mark.postgres
def test_a_writer_that_read_an_older_entry_does_not_overwrite(
    real: Service, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("two open writing transactions need PostgreSQL (SQLite has one writer)")
    entry = ("issue", "acme|sig:x")
    with real.uow() as setup:
        assert setup.index.get_many("issue", [entry[1]]) == {}
        assert setup.index.save({entry: {"n": 0}})
        setup.commit()
    with real.uow() as first, real.uow() as second:
        assert first.index.get_many("issue", [entry[1]]) == {entry[1]: {"n": 0}}
        assert second.index.get_many("issue", [entry[1]]) == {entry[1]: {"n": 0}}
        assert first.index.save({entry: {"n": 1}})
        first.commit()
        assert not second.index.save({entry: {"n": 2}})
    fresh = ("issue", "new-key")
    with real.uow() as first, real.uow() as second:
        assert first.index.get_many("issue", [fresh[1]]) == {}
        assert second.index.get_many("issue", [fresh[1]]) == {}
        assert first.index.save({fresh: {"n": 1}})
        first.commit()
        assert not second.index.save({fresh: {"n": 2}})  # created meanwhile: a lost race
    assert _entries(real)[entry] == {"n": 1}
    assert _entries(real)[fresh] == {"n": 1}


def test_an_entry_can_be_removed(real: Service) -> None:
    entry = ("agent", "agent-7")
    with real.uow() as uow:
        assert uow.index.save({entry: {"requested": 1}})
        assert uow.index.save({entry: None})  # its own write: the version it holds
        uow.commit()
    assert entry not in _entries(real)


def test_concurrent_writers_of_one_issue_lose_no_ticket(real: Service) -> None:
    """Eight clients at once open tickets of the same issue. A writer that lost the race for the
    issue's entry runs again (locking the entry, so it waits for the other writer); one that
    lost three times is answered "concurrent write, resend" and stored nothing, so the client
    resends. Whatever the interleaving, the stored history names every ticket."""

    def open_tickets(client: int) -> None:
        for n in range(5):
            raw = _signed(f"T-{client}-{n}", NOW + timedelta(seconds=n), "sig-disk", "acme")
            while True:
                try:
                    real.ingestor.ingest([parse_event(raw)], AGENT, NOW, batch=False)
                    break
                except SharedStateMoved:
                    continue

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(open_tickets, range(8)))
    [history] = [v for (kind, _), v in _entries(real).items() if kind == "issue"]
    assert len(history["tickets"]) == 40


def test_a_storage_failure_under_the_engine_is_not_an_engine_refusal(
    real: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine reads entries as it goes; a database error there is the database's (503,
    retry), not a refused event (422), and no culprit is searched for."""

    def broken(self: SqlEngineIndex, kind: str, keys: Any) -> dict[str, Any]:
        raise OperationalError("SELECT ...", {}, RuntimeError("server closed the connection"))

    monkeypatch.setattr(SqlEngineIndex, "get_many", broken)
    event = parse_event(_signed("T-1", NOW, "sig-disk", "acme"))
    with pytest.raises(OperationalError):
        real.ingestor.ingest([event], AGENT, NOW, batch=False)


class _DeclaresIncident:
    """An engine whose batch only changes the shared document, with an incident's wake-up."""

    def apply(self, source: Any, items: Any, policy: Any, *, skip_refused: bool = False) -> Any:
        return BatchOut(
            tickets={},
            decisions=[],
            shared={"open_incidents": {}, "incidents": {}},
            shared_wakeup=NOW + timedelta(minutes=30),
        )


def test_a_shared_document_wakeup_moves_the_workers_wakeup(real: Service) -> None:
    tick = TickEvent(type="tick", id="tick:*", at=NOW, ticket=SHARED)
    with real.uow() as uow:
        applied = apply_events(
            uow, _DeclaresIncident(), None, [("/", tick)], now=NOW, late_after_seconds=60
        )
    assert applied.wakeup_moved_earlier
