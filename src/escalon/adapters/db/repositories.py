"""SQL repositories: each one reads and writes one table through the unit of work's connection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from escalon.adapters.db import tables as t

Row = Mapping[str, Any]

_CHUNK = 500


def _rows(result: Any) -> list[Row]:
    return [dict(r._mapping) for r in result]


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def _insert(conn: Connection, table: Table) -> Any:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


class SqlEventStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def digests(self, ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in _chunks(ids):
            query = select(t.events.c.id, t.events.c.digest).where(t.events.c.id.in_(chunk))
            found.update({r.id: r.digest for r in self.conn.execute(query)})
        return found

    def append(self, rows: Sequence[Row]) -> None:
        if rows:
            self.conn.execute(t.events.insert(), list(rows))

    def for_ticket(self, ticket: str) -> list[Row]:
        query = (
            select(t.events)
            .where(t.events.c.ticket == ticket)
            .order_by(t.events.c.at, t.events.c.seq)
        )
        return _rows(self.conn.execute(query))

    def count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(t.events)).scalar_one())


class SqlTicketRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get_many(self, ids: Sequence[str], *, lock: bool) -> dict[str, Row]:
        found: dict[str, Row] = {}
        for chunk in _chunks(ids):
            query = select(t.tickets).where(t.tickets.c.id.in_(chunk))
            if lock and self.conn.dialect.name == "postgresql":
                query = query.order_by(t.tickets.c.id).with_for_update()
            found.update({r["id"]: r for r in _rows(self.conn.execute(query))})
        return found

    def get(self, ticket: str) -> Row | None:
        return self.get_many([ticket], lock=False).get(ticket)

    def save(self, rows: Sequence[Row], *, existing: set[str]) -> None:
        inserts = [r for r in rows if r["id"] not in existing]
        updates = [r for r in rows if r["id"] in existing]
        if inserts:
            self.conn.execute(t.tickets.insert(), inserts)
        if updates:
            columns = [c.name for c in t.tickets.columns if c.name != "id"]
            statement = (
                update(t.tickets)
                .where(t.tickets.c.id == bindparam("_id"))
                .values({c: bindparam(c) for c in columns})
            )
            params = [{"_id": r["id"], **{c: r[c] for c in columns}} for r in updates]
            self.conn.execute(statement, params)

    def claim_due(self, now: datetime, limit: int) -> list[Row]:
        """Due tickets in wake-up order; on PostgreSQL rows other workers hold are skipped."""
        query = (
            select(t.tickets)
            .where(t.tickets.c.next_wakeup <= now)
            .order_by(t.tickets.c.next_wakeup)
            .limit(limit)
        )
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return _rows(self.conn.execute(query))

    def earliest_wakeup(self) -> datetime | None:
        query = select(func.min(t.tickets.c.next_wakeup))
        value: datetime | None = self.conn.execute(query).scalar_one_or_none()
        return value

    def search(self, filters: Mapping[str, Any], limit: int, offset: int) -> list[Row]:
        query = select(t.tickets)
        for name, value in filters.items():
            if value is not None:
                query = query.where(t.tickets.c[name] == value)
        query = query.order_by(t.tickets.c.updated_at.desc(), t.tickets.c.id)
        return _rows(self.conn.execute(query.limit(limit).offset(offset)))


class SqlProjectionRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def replace_clocks(self, tickets: Sequence[str], rows: Sequence[Row]) -> None:
        """The clocks of `tickets` become `rows`: one delete and one insert per chunk."""
        for chunk in _chunks(tickets):
            self.conn.execute(t.clocks.delete().where(t.clocks.c.ticket.in_(chunk)))
        if rows:
            self.conn.execute(t.clocks.insert(), list(rows))

    def clocks_for(self, ticket: str) -> list[Row]:
        query = select(t.clocks).where(t.clocks.c.ticket == ticket).order_by(t.clocks.c.name)
        return _rows(self.conn.execute(query))

    def upsert_escalations(self, rows: Sequence[Row]) -> None:
        if not rows:
            return
        statement = _insert(self.conn, t.escalations)
        changing = {
            c.name: statement.excluded[c.name] for c in t.escalations.columns if c.name != "id"
        }
        self.conn.execute(
            statement.on_conflict_do_update(index_elements=["id"], set_=changing), list(rows)
        )

    def escalations_for(self, ticket: str) -> list[Row]:
        query = (
            select(t.escalations)
            .where(t.escalations.c.ticket == ticket)
            .order_by(t.escalations.c.opened_at)
        )
        return _rows(self.conn.execute(query))

    def open_escalations(self, limit: int) -> list[Row]:
        """Open escalations, the closest to breach first; those without a deadline last."""
        open_ = t.escalations.c.status.in_(("requested", "accepted", "open"))
        query = (
            select(t.escalations)
            .where(open_)
            .order_by(t.escalations.c.breach_at.is_(None), t.escalations.c.breach_at)
            .limit(limit)
        )
        return _rows(self.conn.execute(query))


class SqlDecisionRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add_new(self, rows: Sequence[Row]) -> list[str]:
        """Insert decisions not stored yet; returns the ids that were new (unique on id).

        The callers hold the decisions' tickets locked, so the pre-read cannot race; the
        ON CONFLICT clause is the backstop that keeps a decision stored once whatever happens.
        """
        if not rows:
            return []
        ids = [str(r["id"]) for r in rows]
        known: set[str] = set()
        for chunk in _chunks(ids):
            query = select(t.decisions.c.id).where(t.decisions.c.id.in_(chunk))
            known.update(self.conn.execute(query).scalars())
        fresh = [r for r in rows if r["id"] not in known]
        if fresh:
            statement = _insert(self.conn, t.decisions).on_conflict_do_nothing(
                index_elements=["id"]
            )
            self.conn.execute(statement, list(fresh))
        return [str(r["id"]) for r in fresh]

    def for_ticket(self, ticket: str) -> list[Row]:
        query = (
            select(t.decisions)
            .where(t.decisions.c.ticket == ticket)
            .order_by(t.decisions.c.due_at, t.decisions.c.id)
        )
        return _rows(self.conn.execute(query))

    def counts_by_kind(self) -> dict[str, int]:
        query = select(t.decisions.c.kind, func.count()).group_by(t.decisions.c.kind)
        return {kind: int(n) for kind, n in self.conn.execute(query)}


class SqlAuditLog:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def record(self, row: Row) -> None:
        self.conn.execute(t.audit_log.insert(), dict(row))

    def recent(self, limit: int) -> list[Row]:
        query = select(t.audit_log).order_by(t.audit_log.c.seq.desc()).limit(limit)
        return _rows(self.conn.execute(query))


class SqlPolicyRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def active(self) -> Row | None:
        query = select(t.policy_versions).where(t.policy_versions.c.active.is_(True))
        return next(iter(_rows(self.conn.execute(query))), None)

    def get(self, version: str) -> Row | None:
        query = select(t.policy_versions).where(t.policy_versions.c.version == version)
        return next(iter(_rows(self.conn.execute(query))), None)

    def add(self, row: Row) -> None:
        self.conn.execute(t.policy_versions.insert(), dict(row))

    def activate(self, version: str, at: datetime) -> None:
        versions = t.policy_versions
        self.conn.execute(update(versions).where(versions.c.active.is_(True)).values(active=False))
        self.conn.execute(
            update(versions)
            .where(versions.c.version == version)
            .values(active=True, activated_at=at)
        )

    def all(self) -> list[Row]:
        query = select(t.policy_versions).order_by(t.policy_versions.c.created_at)
        return _rows(self.conn.execute(query))


class SqlTokenRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, row: Row) -> None:
        self.conn.execute(t.api_tokens.insert(), dict(row))

    def by_hash(self, token_hash: str) -> Row | None:
        query = select(t.api_tokens).where(t.api_tokens.c.token_hash == token_hash)
        return next(iter(_rows(self.conn.execute(query))), None)

    def by_name(self, name: str) -> Row | None:
        query = select(t.api_tokens).where(t.api_tokens.c.name == name)
        return next(iter(_rows(self.conn.execute(query))), None)

    def all(self) -> list[Row]:
        return _rows(self.conn.execute(select(t.api_tokens).order_by(t.api_tokens.c.created_at)))

    def revoke(self, name: str, at: datetime) -> bool:
        tokens = t.api_tokens
        result = self.conn.execute(
            update(tokens)
            .where(tokens.c.name == name, tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return bool(result.rowcount)


class SqlApprovalRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, row: Row) -> None:
        self.conn.execute(t.approvals.insert(), dict(row))

    def get(self, approval_id: str, *, lock: bool) -> Row | None:
        query = select(t.approvals).where(t.approvals.c.id == approval_id)
        if lock and self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        return next(iter(_rows(self.conn.execute(query))), None)

    def decide(self, approval_id: str, changes: Row) -> None:
        self.conn.execute(
            update(t.approvals).where(t.approvals.c.id == approval_id).values(dict(changes))
        )

    def search(self, status: str | None, ticket: str | None, limit: int) -> list[Row]:
        query = select(t.approvals)
        if status is not None:
            query = query.where(t.approvals.c.status == status)
        if ticket is not None:
            query = query.where(t.approvals.c.ticket == ticket)
        query = query.order_by(t.approvals.c.requested_at).limit(limit)
        return _rows(self.conn.execute(query))


class SqlSharedState:
    """The engine's cross-ticket document, one row; locked while a transaction uses it."""

    NAME = "indexes"

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, *, lock: bool) -> Row | None:
        docs = t.engine_documents
        query = select(docs.c.body).where(docs.c.name == self.NAME)
        if lock and self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        body: Row | None = self.conn.execute(query).scalar_one_or_none()
        return body

    def save(self, body: Row, next_wakeup: datetime | None) -> None:
        statement = _insert(self.conn, t.engine_documents).values(
            name=self.NAME, body=dict(body), next_wakeup=next_wakeup
        )
        self.conn.execute(
            statement.on_conflict_do_update(
                index_elements=["name"],
                set_={"body": statement.excluded.body, "next_wakeup": next_wakeup},
            )
        )

    def due(self, now: datetime) -> bool:
        wakeup = self.next_wakeup()
        return wakeup is not None and wakeup <= now

    def next_wakeup(self) -> datetime | None:
        docs = t.engine_documents
        query = select(docs.c.next_wakeup).where(docs.c.name == self.NAME)
        value: datetime | None = self.conn.execute(query).scalar_one_or_none()
        return value
