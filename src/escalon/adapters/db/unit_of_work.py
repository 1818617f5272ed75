"""The SQL unit of work: one connection, one transaction, every repository on it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from escalon.adapters.db.connection import READ_ONLY
from escalon.adapters.db.engine_index import SqlEngineIndex
from escalon.adapters.db.outbox import OutboxRows
from escalon.adapters.db.repositories import (
    SqlApprovalRepository,
    SqlAuditLog,
    SqlDecisionRepository,
    SqlEventStore,
    SqlPolicyRepository,
    SqlProjectionRepository,
    SqlSharedState,
    SqlTicketRepository,
    SqlTokenRepository,
)
from escalon.services.errors import SharedStateMoved

WAKEUP_CHANNEL = "escalon_wakeup"
"""PostgreSQL NOTIFY channel on which workers hear that a wake-up moved earlier."""


class SqlUnitOfWork:
    """Opens a transaction on enter; commits only on `commit()`, rolls back otherwise."""

    events: SqlEventStore
    tickets: SqlTicketRepository
    projections: SqlProjectionRepository
    decisions: SqlDecisionRepository
    outbox: OutboxRows
    audit: SqlAuditLog
    policies: SqlPolicyRepository
    tokens: SqlTokenRepository
    approvals: SqlApprovalRepository
    shared: SqlSharedState
    index: SqlEngineIndex

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._conn: Connection | None = None

    def __enter__(self) -> Self:
        conn = self._engine.connect()
        if self._read_only:
            conn = conn.execution_options(**{READ_ONLY: True})
        conn.begin()
        self._conn = conn
        self.events = SqlEventStore(conn)
        self.tickets = SqlTicketRepository(conn)
        self.projections = SqlProjectionRepository(conn)
        self.decisions = SqlDecisionRepository(conn)
        self.outbox = OutboxRows(conn)
        self.audit = SqlAuditLog(conn)
        self.policies = SqlPolicyRepository(conn)
        self.tokens = SqlTokenRepository(conn)
        self.approvals = SqlApprovalRepository(conn)
        self.shared = SqlSharedState(conn)
        self.index = SqlEngineIndex(conn)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._conn is not None
        try:
            if self._conn.in_transaction():
                self._conn.rollback()
        finally:
            self._conn.close()
            self._conn = None
        if isinstance(exc, OperationalError) and _lost_race(exc):
            raise SharedStateMoved(
                "a concurrent transaction held rows this one needed; it was rolled back"
            ) from exc

    def commit(self) -> None:
        assert self._conn is not None
        self._conn.commit()

    def signal_wakeup(self) -> None:
        """Tell sleeping workers to re-read the earliest wake-up (delivered at commit)."""
        assert self._conn is not None
        if self._conn.dialect.name == "postgresql":
            self._conn.exec_driver_sql(f"NOTIFY {WAKEUP_CHANNEL}")


def _lost_race(error: OperationalError) -> bool:
    """PostgreSQL's deadlock and serialization failures: running the command again resolves
    them, like a lost optimistic write."""
    return getattr(error.orig, "sqlstate", None) in ("40P01", "40001")


class SqlUnitOfWorkFactory:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self, *, read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, read_only=read_only)
