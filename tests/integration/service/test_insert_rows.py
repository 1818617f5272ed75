"""Inserts that bypass SQLAlchemy's per-row handling (SQLite executemany, PostgreSQL COPY) store
exactly what SQLAlchemy would store."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, create_engine, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

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
def test_the_fast_path_stores_the_same_values_sqlite(name: str) -> None:
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


_KEYS = {"events": "id", "tickets": "id", "clocks": "name", "audit_log": "action"}


def _many(name: str, count: int) -> list[dict[str, Any]]:
    """`count` rows like ROWS[name], each with its own key."""
    key = _KEYS[name]
    return [{**ROWS[name], key: f"{ROWS[name][key]}-{i}"} for i in range(count)]


@pytest.fixture
def scratch(database_url: str) -> Iterator[tuple[Engine, MetaData]]:
    """escalon's tables, empty: a fresh SQLite file, or a fresh PostgreSQL schema."""
    engine = make_engine(database_url)
    schema = None
    if engine.dialect.name == "postgresql":
        schema = f"probe_{secrets.token_hex(4)}"
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    meta = MetaData()
    for table in t.metadata.sorted_tables:
        table.to_metadata(meta, schema=schema)
    meta.create_all(engine)
    try:
        yield engine, meta
    finally:
        if schema is not None:
            with engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def _name(engine: Engine, table: Table) -> str:
    return engine.dialect.identifier_preparer.format_table(table)


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("name", sorted(ROWS))
def test_the_fast_path_stores_the_same_values(
    scratch: tuple[Engine, MetaData], name: str, count: int
) -> None:
    engine, meta = scratch
    table = next(x for x in meta.sorted_tables if x.name == name)
    rows = _many(name, count)
    stored = select(*(table.c[k] for k in ROWS[name])).order_by(*table.primary_key)
    with engine.begin() as conn:  # what the rows carry (serial keys go on counting)
        conn.execute(table.insert(), rows)
        plain = [tuple(r) for r in conn.execute(stored)]
        raw_plain = conn.exec_driver_sql(f"SELECT * FROM {_name(engine, table)}").all()
        conn.execute(table.delete())
        _insert_rows(conn, table, rows)
        fast = [tuple(r) for r in conn.execute(stored)]
        raw_fast = conn.exec_driver_sql(f"SELECT * FROM {_name(engine, table)}").all()
    assert fast == plain
    assert [r[-len(ROWS[name]) :] for r in raw_fast] == [r[-len(ROWS[name]) :] for r in raw_plain]
    assert len(fast) == count


@pytest.mark.parametrize("count", [1, 3])
def test_a_duplicate_key_raises_as_sqlalchemy_raises_it(
    scratch: tuple[Engine, MetaData], count: int
) -> None:
    engine, meta = scratch
    table = next(x for x in meta.sorted_tables if x.name == "events")
    rows = _many("events", count)
    with engine.begin() as conn:
        _insert_rows(conn, table, rows)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        _insert_rows(conn, table, rows)
    with engine.connect() as conn:  # nothing of the failed transaction stayed
        assert len(conn.execute(table.select()).all()) == count


def test_a_json_none_is_stored_as_sqlalchemy_stores_it(scratch: tuple[Engine, MetaData]) -> None:
    engine, meta = scratch
    table = next(x for x in meta.sorted_tables if x.name == "clocks")
    rows = [{**r, "detail": None} for r in _many("clocks", 3)]
    with engine.begin() as conn:
        conn.execute(table.insert(), rows)
        plain = conn.exec_driver_sql(f"SELECT * FROM {_name(engine, table)}").all()
        conn.execute(table.delete())
        _insert_rows(conn, table, rows)
        fast = conn.exec_driver_sql(f"SELECT * FROM {_name(engine, table)}").all()
    assert fast == plain
