"""JSON columns on SQLite and PostgreSQL: values round-trip; rows the stdlib wrote still read."""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy import JSON, Column, Integer, MetaData, Table, select

from escalon.adapters.db.connection import make_engine

VALUES: list[Any] = [
    {"subject": "Ünïcode ✓", "tags": ["a", "é"], "n": None, "ok": True},
    {"big": 2**70, "negative": -(2**63), "float": 2.5, "exp": 1e16, "ledger": [[1, None, 0]]},
    {"1": "keys stay strings", "nested": {"deep": [{"x": [1.0, 0.1]}]}},
    [],
    "text",
]


def _typed(value: Any) -> str:
    """Equal values print alike here only if their types match too (2**70 is not 2.0**70)."""
    return json.dumps(value, sort_keys=True)


def _probe(url: str) -> tuple[Any, Table]:
    engine = make_engine(url)
    table = Table(
        f"json_probe_{secrets.token_hex(4)}",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("doc", JSON, nullable=False),
    )
    table.create(engine)
    return engine, table


def test_values_round_trip(database_url: str) -> None:
    engine, table = _probe(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(table.insert(), [{"id": i, "doc": v} for i, v in enumerate(VALUES)])
        with engine.connect() as conn:
            read = [r.doc for r in conn.execute(select(table).order_by(table.c.id))]
        assert _typed(read) == _typed(VALUES)
    finally:
        table.drop(engine)
        engine.dispose()


def test_rows_written_by_the_stdlib_encoder_read_alike(database_url: str) -> None:
    engine, table = _probe(database_url)
    try:
        cast = "::json" if engine.dialect.name == "postgresql" else ""
        mark = "%s" if engine.dialect.name == "postgresql" else "?"
        with engine.begin() as conn:
            conn.exec_driver_sql(
                f'INSERT INTO "{table.name}" (id, doc) VALUES ({mark}, {mark}{cast})',
                [(i, json.dumps(v)) for i, v in enumerate(VALUES)],
            )
        with engine.connect() as conn:
            read = [r.doc for r in conn.execute(select(table).order_by(table.c.id))]
        assert _typed(read) == _typed(VALUES)
    finally:
        table.drop(engine)
        engine.dispose()
