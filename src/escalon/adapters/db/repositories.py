"""SQL repositories: each one reads and writes one table through the unit of work's connection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import JSON, Connection, Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from escalon.adapters.db import tables as t

Row = Mapping[str, Any]

_CHUNK = 500


def _in(column: Any, name: str = "ids") -> Any:
    return column.in_(bindparam(name, expanding=True))


# The hot statements are built once: constructing a statement costs more than running it on a
# small indexed read, and ingestion runs a handful of them per transaction.
_DIGESTS = select(t.events.c.id, t.events.c.digest).where(_in(t.events.c.id))
_TICKETS = select(t.tickets).where(_in(t.tickets.c.id))
_TICKETS_LOCKED = _TICKETS.order_by(t.tickets.c.id).with_for_update()
_DECISIONS_KNOWN = select(t.decisions.c.id).where(_in(t.decisions.c.id))
_TOKENS = select(t.api_tokens).where(_in(t.api_tokens.c.token_hash))
_ACTIVE_VERSION = select(t.policy_versions.c.version).where(t.policy_versions.c.active.is_(True))
_TICKET_COLUMNS = [c.name for c in t.tickets.columns if c.name != "id"]
_UPDATE_TICKETS = (
    update(t.tickets)
    .where(t.tickets.c.id == bindparam("_id"))
    .values({c: bindparam(c) for c in _TICKET_COLUMNS})
)
_DELETE_CLOCKS = t.clocks.delete().where(_in(t.clocks.c.ticket))
# On PostgreSQL, writes of many rows carry RETURNING so that SQLAlchemy sends them as multi-row
# INSERT ... VALUES ("insertmanyvalues"): a plain executemany runs one statement per row.
_PG_TICKETS = postgresql.insert(t.tickets)
_PG_UPDATE_TICKETS = _PG_TICKETS.on_conflict_do_update(
    index_elements=["id"], set_={c: _PG_TICKETS.excluded[c] for c in _TICKET_COLUMNS}
).returning(t.tickets.c.id)
_PG_ESCALATIONS = postgresql.insert(t.escalations)
_ESCALATION_COLUMNS = [c.name for c in t.escalations.columns if c.name != "id"]
_PG_UPSERT_ESCALATIONS = _PG_ESCALATIONS.on_conflict_do_update(
    index_elements=["id"], set_={c: _PG_ESCALATIONS.excluded[c] for c in _ESCALATION_COLUMNS}
).returning(t.escalations.c.id)
_PG_NEW_DECISIONS = (
    postgresql.insert(t.decisions)
    .on_conflict_do_nothing(index_elements=["id"])
    .returning(t.decisions.c.id)
)
_SHARED = select(t.engine_documents.c.body, t.engine_documents.c.version).where(
    t.engine_documents.c.name == bindparam("name")
)


def _rows(result: Any) -> list[Row]:
    return [dict(r._mapping) for r in result]


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


_Prepared = tuple[str, list[tuple[str, Any]]]
_PREPARED: WeakKeyDictionary[Dialect, dict[tuple[str, tuple[str, ...]], _Prepared]]
_PREPARED = WeakKeyDictionary()
"""Per dialect (engines differ in their JSON serializer), for each table and set of keys: the
statement and each column's bind processor."""


def _prepared(conn: Connection, table: Table, keys: tuple[str, ...]) -> _Prepared:
    dialect = conn.dialect
    known = _PREPARED.setdefault(dialect, {})
    found = known.get((table.name, keys))
    if found is None:
        quote = dialect.identifier_preparer.quote
        names = ", ".join(quote(k) for k in keys)
        name = dialect.identifier_preparer.format_table(table)
        if dialect.name == "sqlite":
            marks = ", ".join("?" for _ in keys)
            sql = f"INSERT INTO {name} ({names}) VALUES ({marks})"
        else:
            sql = f"COPY {name} ({names}) FROM STDIN"
        processors = [(k, _bind_processor(table.c[k].type, dialect)) for k in keys]
        found = known[(table.name, keys)] = (sql, processors)
    return found


def _bind_processor(column_type: Any, dialect: Dialect) -> Any:
    """The column's conversion of a value for the driver; on PostgreSQL a JSON value becomes its
    text (the engine's serializer, JSON's own NULL rules), which COPY hands over as it is,
    instead of a wrapper that psycopg serializes value by value in Python."""
    if dialect.name == "postgresql" and isinstance(column_type, JSON):
        generic: Any = JSON.bind_processor
        as_text = generic(column_type, dialect)  # None: the engine has no serializer
        if as_text is not None:
            return as_text
    return column_type._cached_bind_processor(dialect)


def _insert_rows(conn: Connection, table: Table, rows: Sequence[Row]) -> None:
    """Insert `rows` (all with the same keys) in one statement.

    The rows go straight to the driver, each value through its column's own bind processor (the
    conversion SQLAlchemy applies), column by column: SQLAlchemy's per-row parameter handling
    cost several times the database's own insert. On SQLite that is one executemany; on
    PostgreSQL a COPY, which took a third of the client CPU of psycopg's pipelined executemany
    (one INSERT per row) and half the time. A single row is a plain INSERT (one round trip).
    """
    if not rows:
        return
    if len(rows) == 1 and conn.dialect.name != "sqlite":
        conn.execute(table.insert(), [dict(rows[0])])
        return
    sql, processors = _prepared(conn, table, tuple(rows[0]))
    columns = [
        list(map(process, map(itemgetter(key), rows))) if process else [r[key] for r in rows]
        for key, process in processors
    ]
    params = list(zip(*columns, strict=True))
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(sql, params)
    else:
        _copy(conn, sql, params)


def _copy(conn: Connection, sql: str, params: list[tuple[Any, ...]]) -> None:
    """COPY the rows in the connection's transaction; a failure raises as SQLAlchemy raises a
    failed statement's (an IntegrityError for a duplicate key), and aborts the transaction."""
    dbapi_error = conn.dialect.loaded_dbapi.Error
    raw: Any = conn.connection.dbapi_connection
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in params:
                copy.write_row(row)
    except dbapi_error as error:
        raise DBAPIError.instance(sql, None, error, dbapi_error, dialect=conn.dialect) from error


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
            found.update({r.id: r.digest for r in self.conn.execute(_DIGESTS, {"ids": chunk})})
        return found

    def append(self, rows: Sequence[Row]) -> None:
        if rows:
            _insert_rows(self.conn, t.events, rows)

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
        locking = lock and self.conn.dialect.name == "postgresql"
        for chunk in _chunks(ids):
            result = self.conn.execute(_TICKETS_LOCKED if locking else _TICKETS, {"ids": chunk})
            found.update({r["id"]: r for r in _rows(result)})
        return found

    def get(self, ticket: str) -> Row | None:
        return self.get_many([ticket], lock=False).get(ticket)

    def save(self, rows: Sequence[Row], *, existing: set[str]) -> None:
        inserts = [r for r in rows if r["id"] not in existing]
        updates = [r for r in rows if r["id"] in existing]
        if inserts:
            _insert_rows(self.conn, t.tickets, inserts)
        if updates and self.conn.dialect.name == "postgresql":
            # Every row exists (the caller read it, locked): the upsert only ever updates.
            rows = [{"id": r["id"], **{c: r[c] for c in _TICKET_COLUMNS}} for r in updates]
            self.conn.execute(_PG_UPDATE_TICKETS, rows).all()
        elif updates:
            params = [{"_id": r["id"], **{c: r[c] for c in _TICKET_COLUMNS}} for r in updates]
            self.conn.execute(_UPDATE_TICKETS, params)

    def claim_due(self, now: datetime, limit: int) -> list[str]:
        """Ids of due tickets in wake-up order, locked; on PostgreSQL rows other workers hold
        are skipped. Only the ids: the firing reads the rows it needs once, afterwards."""
        query = (
            select(t.tickets.c.id)
            .where(t.tickets.c.next_wakeup <= now)
            .order_by(t.tickets.c.next_wakeup)
            .limit(limit)
        )
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return list(self.conn.execute(query).scalars())

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
        """Delete the clocks of `tickets`, insert `rows`: one delete and one insert per chunk.

        `rows` may hold clocks of tickets not in `tickets` (new ones, with none to delete).
        """
        for chunk in _chunks(tickets):
            self.conn.execute(_DELETE_CLOCKS, {"ids": chunk})
        if rows:
            _insert_rows(self.conn, t.clocks, rows)

    def clocks_for(self, ticket: str) -> list[Row]:
        query = select(t.clocks).where(t.clocks.c.ticket == ticket).order_by(t.clocks.c.name)
        return _rows(self.conn.execute(query))

    def upsert_escalations(self, rows: Sequence[Row]) -> None:
        if not rows:
            return
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(_PG_UPSERT_ESCALATIONS, list(rows)).all()
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

        On PostgreSQL one INSERT ... ON CONFLICT DO NOTHING RETURNING says which were new. SQLite
        has one writer, so there a pre-read of the known ids is final and the rows go straight
        to the driver (a fifth of an import's storage time went to a per-row insert).
        """
        if not rows:
            return []
        if self.conn.dialect.name == "postgresql":
            added = set(self.conn.execute(_PG_NEW_DECISIONS, list(rows)).scalars())
            return [str(r["id"]) for r in rows if r["id"] in added]
        known = set(self.known([str(r["id"]) for r in rows]))
        fresh = [r for r in rows if r["id"] not in known]
        if fresh:
            _insert_rows(self.conn, t.decisions, fresh)
        return [str(r["id"]) for r in fresh]

    def known(self, ids: Sequence[str]) -> list[str]:
        """Which of `ids` are stored already."""
        found: list[str] = []
        for chunk in _chunks(ids):
            found += self.conn.execute(_DECISIONS_KNOWN, {"ids": chunk}).scalars()
        return found

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

    def record_many(self, rows: Sequence[Row]) -> None:
        if rows:
            _insert_rows(self.conn, t.audit_log, rows)

    def recent(self, limit: int) -> list[Row]:
        query = select(t.audit_log).order_by(t.audit_log.c.seq.desc()).limit(limit)
        return _rows(self.conn.execute(query))


class SqlPolicyRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def active(self) -> Row | None:
        query = select(t.policy_versions).where(t.policy_versions.c.active.is_(True))
        return next(iter(_rows(self.conn.execute(query))), None)

    def active_version(self) -> str | None:
        value: str | None = self.conn.execute(_ACTIVE_VERSION).scalar_one_or_none()
        return value

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

    def by_hashes(self, token_hashes: Sequence[str]) -> dict[str, Row]:
        found: dict[str, Row] = {}
        for chunk in _chunks(token_hashes):
            result = self.conn.execute(_TOKENS, {"ids": chunk})
            found.update({r["token_hash"]: r for r in _rows(result)})
        return found

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
    """The engine's cross-ticket document, one row, written optimistically.

    Reads take no lock, so concurrent ingests and workers on PostgreSQL do not queue on the
    row; `save` writes only when the row still has the version this transaction read (or, when
    there was none, when nobody created it meanwhile), and says whether it wrote.
    """

    NAME = "indexes"

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._version: int | None = None
        self._read = False

    def get(self, *, lock: bool) -> Row | None:
        query = _SHARED
        if lock and self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self.conn.execute(query, {"name": self.NAME}).first()
        self._read = True
        self._version = None if row is None else int(row.version)
        return None if row is None else dict(row.body)

    def save(self, body: Row, next_wakeup: datetime | None) -> bool:
        docs = t.engine_documents
        if not self._read:
            self.get(lock=False)
        if self._version is None:
            statement = (
                _insert(self.conn, docs)
                .values(name=self.NAME, body=dict(body), next_wakeup=next_wakeup, version=1)
                .on_conflict_do_nothing(index_elements=["name"])
            )
        else:
            statement = (
                update(docs)
                .where(docs.c.name == self.NAME, docs.c.version == self._version)
                .values(body=dict(body), next_wakeup=next_wakeup, version=self._version + 1)
            )
        # RETURNING, not rowcount: drivers do not all count an INSERT ... ON CONFLICT DO NOTHING.
        written = len(self.conn.execute(statement.returning(docs.c.name)).all())
        if written != 1:
            return False
        self._version = (self._version or 0) + 1
        return True

    def due(self, now: datetime) -> bool:
        wakeup = self.next_wakeup()
        return wakeup is not None and wakeup <= now

    def next_wakeup(self) -> datetime | None:
        docs = t.engine_documents
        query = select(docs.c.next_wakeup).where(docs.c.name == self.NAME)
        value: datetime | None = self.conn.execute(query).scalar_one_or_none()
        return value
