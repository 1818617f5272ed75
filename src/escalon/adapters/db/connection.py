"""Creating the SQLAlchemy engine: SQLite in WAL mode by default, PostgreSQL to scale out."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

READ_ONLY = "escalon_read_only"
"""Execution option: a transaction that only reads, so SQLite need not take the write lock."""


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
    )


def _sqlite_engine(url: str, busy_timeout_ms: int) -> Engine:
    memory = make_url(url).database in (None, "", ":memory:")
    engine = create_engine(url, connect_args={"check_same_thread": False})

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
