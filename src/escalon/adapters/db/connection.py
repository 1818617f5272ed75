"""Creating the SQLAlchemy engine: SQLite in WAL mode by default, PostgreSQL to scale out."""

from __future__ import annotations

import json
from typing import Any

import orjson
from pydantic_core import from_json
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

READ_ONLY = "escalon_read_only"
"""Execution option: a transaction that only reads, so SQLite need not take the write lock."""

_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def dumps_json(value: Any) -> str:
    """The text of a JSON column value: what `json.dumps` wrote before, in meaning.

    The stdlib encoder was about 15% of a batch's ingest (ticket state, event body and clock
    detail per event); orjson encodes the same values several times faster. Its text is compact
    and keeps non-ASCII characters as UTF-8 instead of `\\u` escapes: the same JSON values, and
    both forms read back alike. What orjson refuses goes to `json.dumps`, which encodes it as
    before (keys that are not strings, integers beyond 64 bits, lone surrogates) or raises
    TypeError as before (datetimes and dataclasses, passed through by orjson for that reason).
    """
    try:
        return orjson.dumps(value, option=_ORJSON_OPTIONS).decode()
    except TypeError:
        return json.dumps(value)


def loads_json(text: str | bytes) -> Any:
    """A JSON column value from its text, as `json.loads` reads it.

    pydantic-core's parser is about twice as fast and reads what `json.dumps` ever wrote alike:
    integers of any size exactly, and NaN and Infinity. Text it refuses (lone surrogate escapes)
    goes to `json.loads`, which reads it or raises as before.
    """
    try:
        return from_json(text)
    except ValueError:
        return json.loads(text)


def make_engine(url: str, *, pool_size: int = 10, busy_timeout_ms: int = 10_000) -> Engine:
    """An engine for `url`; on SQLite every writing transaction starts with BEGIN IMMEDIATE.

    Deferred SQLite transactions that read and then write fail with "database is locked" under
    concurrency instead of waiting; taking the write lock up front lets the busy timeout queue
    writers. Reads run in WAL snapshots and never wait for writers.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, busy_timeout_ms)
    # Multi-row INSERT ... VALUES (SQLAlchemy's "insertmanyvalues"): one statement, one executor
    # run per batch of rows. A pipelined executemany runs the executor once per row, which cost
    # PostgreSQL about as much CPU as the worker itself and kept two workers from scaling.
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        use_insertmanyvalues=True,
        json_serializer=dumps_json,
        json_deserializer=loads_json,
    )


def _sqlite_engine(url: str, busy_timeout_ms: int) -> Engine:
    memory = make_url(url).database in (None, "", ":memory:")
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False},
        json_serializer=dumps_json,
        json_deserializer=loads_json,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # escalon issues BEGIN itself
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
