"""Group commit: many single-event requests in one transaction, each still all-or-nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.integration.service.conftest import NOW, TestClient, created

from escalon.adapters.db.tables import audit_log, clocks, events, tickets
from escalon.bootstrap import Service
from escalon.entrypoints.api.app import create_app
from escalon.services.access import create_token, revoke_token
from escalon.services.errors import Conflict, Unauthenticated, UnknownTicket
from escalon.services.group_commit import GroupCommitter, InvalidBody, Outcome, Pending
from escalon.services.ingest import IngestResult


def _count(service: Service, table: Any) -> int:
    with service.db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _group(token: str, bodies: list[Any]) -> list[Pending]:
    def ignore(_outcome: Outcome) -> None:
        return None

    return [
        Pending(token, b if isinstance(b, bytes) else json.dumps(b).encode(), ignore)
        for b in bodies
    ]


@pytest.fixture
def committer(service: Service) -> GroupCommitter:
    return GroupCommitter(service.ingestor, service.clock, max_group=64)


def test_one_bad_request_in_a_group_leaves_the_others_stored(
    service: Service, committer: GroupCommitter
) -> None:
    token, _ = create_token(service.uow, "zd", "integration", NOW)
    later = NOW + timedelta(minutes=5)
    bodies: list[Any] = [
        created("T-1", NOW),
        {**created("T-9", NOW), "type": "ticket.resolved", "data": {}},  # unknown ticket
        created("T-2", NOW),
        b"{not json",
        {**created("T-1", NOW), "data": {"priority": "P9"}},  # schema violation
        created("T-3", NOW),
        {**created("T-1", later)},  # same id, other content: a conflict
        created("T-2", NOW),  # the same event again: a duplicate, stored once
    ]
    outcomes = committer.write(_group(token, bodies))
    assert [type(o).__name__ for o in outcomes] == [
        "IngestResult",
        UnknownTicket.__name__,
        "IngestResult",
        InvalidBody.__name__,
        InvalidBody.__name__,
        "IngestResult",
        Conflict.__name__,
        "IngestResult",
    ]
    stored = [o.stored for o in outcomes if isinstance(o, IngestResult)]
    assert stored == [1, 1, 1, 0]
    assert _count(service, events) == 3
    assert _count(service, tickets) == 3
    assert _count(service, clocks) == 3
    assert _count(service, audit_log) == 4 + 1  # each stored request, and the token creation


def test_tokens_are_checked_in_the_writing_transaction(
    service: Service, committer: GroupCommitter
) -> None:
    good, _ = create_token(service.uow, "zd", "integration", NOW)
    gone, _ = create_token(service.uow, "old", "integration", NOW)
    revoke_token(service.uow, "old", NOW)
    group = _group(good, [created("T-1", NOW)])
    group += _group(gone, [created("T-2", NOW)])
    group += _group("esc_unknown", [b"{not json"])  # the token is refused before the body
    outcomes = committer.write(group)
    assert isinstance(outcomes[0], IngestResult)
    assert isinstance(outcomes[1], Unauthenticated)
    assert isinstance(outcomes[2], Unauthenticated)
    assert _count(service, events) == 1


def test_later_requests_of_a_group_see_the_earlier_ones(
    service: Service, committer: GroupCommitter
) -> None:
    token, _ = create_token(service.uow, "zd", "integration", NOW)
    resolved = {
        "id": "T-1-resolved",
        "type": "ticket.resolved",
        "at": (NOW + timedelta(minutes=1)).isoformat(),
        "ticket": "T-1",
        "data": {},
    }
    outcomes = committer.write(_group(token, [created("T-1", NOW), resolved]))
    assert [o.stored for o in outcomes if isinstance(o, IngestResult)] == [1, 1]
    with service.db.connect() as conn:
        row = conn.execute(select(tickets.c.events, tickets.c.next_wakeup)).one()
    assert (row.events, row.next_wakeup) == (2, None)


def test_a_group_that_cannot_commit_is_written_request_by_request(
    service: Service, committer: GroupCommitter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from escalon.services import group_commit

    token, _ = create_token(service.uow, "zd", "integration", NOW)
    flush = group_commit._Group.flush
    flushed: list[int] = []

    def flush_then_fail(group: Any) -> None:
        flushed.append(len(group.writes.events))
        flush(group)
        raise RuntimeError("the connection dropped before the commit")

    monkeypatch.setattr(group_commit._Group, "flush", flush_then_fail)
    bodies = [created("T-1", NOW), b"{not json", created("T-2", NOW)]
    outcomes = committer.write(_group(token, bodies))
    assert flushed == [2]  # the group staged both, then rolled back
    assert [type(o).__name__ for o in outcomes] == ["IngestResult", "InvalidBody", "IngestResult"]
    assert [o.stored for o in outcomes if isinstance(o, IngestResult)] == [1, 1]
    assert _count(service, events) == 2


def test_concurrent_http_requests_each_get_their_own_answer(service: Service) -> None:
    from concurrent.futures import ThreadPoolExecutor

    token, _ = create_token(service.uow, "zd", "integration", NOW)
    headers = {"Authorization": f"Bearer {token}"}
    bodies = [created(f"T-{i}", NOW) for i in range(40)]
    bodies[7] = {**bodies[7], "data": {"priority": "P9"}}
    with TestClient(create_app(service)) as client:

        def send(body: dict[str, Any]) -> tuple[int, Any]:
            response = client.post("/api/v1/events", json=body, headers=headers)
            return response.status_code, response.json()

        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(send, bodies))
    assert answers[7][0] == 422 and answers[7][1]["field"] == "/data/priority"
    assert all(code == 200 and body["stored"] == 1 for code, body in answers[:7] + answers[8:])
    assert _count(service, events) == 39
