"""SQLite inserts that bypass SQLAlchemy's per-row handling store exactly what it would store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Table, create_engine

from escalon.adapters.db import tables as t
from escalon.adapters.db.connection import make_engine
from escalon.adapters.db.repositories import _insert_rows

AT = datetime(2026, 3, 2, 12, 30, 15, 123456, tzinfo=UTC)
ROWS: dict[str, dict[str, Any]] = {
    "events": {
        "id": "E-1",
        "ticket": "T-1",
        "type": "ticket.created",
        "at": AT,
        "body": {"data": {"priority": "P1"}, "tags": ["a", "é"]},
        "digest": "0" * 64,
        "recorded_at": AT,
        "recorded_by": "zd",
    },
    "tickets": {
        "id": "T-1",
        "state": {"tier": "L1", "timers": {"x": [1, 2.5, None, True]}},
        "next_wakeup": None,
        "status": "new",
        "priority": "P1",
        "tier": "L1",
        "team": None,
        "agent": "ana",
        "customer_id": "c",
        "segment": "smb",
        "subject": "Ünïcode",
        "opened_at": AT,
        "updated_at": AT,
        "policy_version": "1",
        "events": 1,
    },
    "clocks": {
        "ticket": "T-1",
        "name": "resolution",
        "status": "running",
        "due_at": AT,
        "breached": False,
        "detail": {"ledger": []},
    },
    "audit_log": {
        "at": AT,
        "actor": "zd",
        "role": "integration",
        "action": "events.ingest",
        "target": None,
        "detail": {"ids": ["E-1"]},
    },
}


@pytest.mark.parametrize("name", sorted(ROWS))
def test_the_fast_path_stores_the_same_values(name: str) -> None:
    table: Table = t.metadata.tables[name]
    engine = create_engine("sqlite://")
    t.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [ROWS[name]])
        plain = conn.exec_driver_sql(f'SELECT * FROM "{name}"').all()
        conn.execute(table.delete())
        _insert_rows(conn, table, [ROWS[name]])
        fast = conn.exec_driver_sql(f'SELECT * FROM "{name}"').all()
    assert fast == plain


def test_each_engine_keeps_its_own_json_serializer() -> None:
    """The prepared inserts belong to one dialect: another engine's serializer is not reused."""
    table: Table = t.audit_log
    stored = []
    for engine in (make_engine("sqlite://"), create_engine("sqlite://")):
        t.metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(table.insert(), [ROWS["audit_log"]])
            plain = conn.exec_driver_sql('SELECT detail FROM "audit_log"').scalar_one()
            conn.execute(table.delete())
            _insert_rows(conn, table, [ROWS["audit_log"]])
            fast = conn.exec_driver_sql('SELECT detail FROM "audit_log"').scalar_one()
        assert fast == plain
        stored.append(fast)
    assert stored == ['{"ids":["E-1"]}', '{"ids": ["E-1"]}']
