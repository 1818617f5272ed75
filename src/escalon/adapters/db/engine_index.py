"""The engine's cross-ticket entries: one row per issue key, match key or agent.

An engine call reads only the entries its events touch and writes only those that changed, so
its cost does not grow with the history kept, and two writers on PostgreSQL collide only when
they touch the same entry. Writes are optimistic, as for the shared document: reads take no
lock, and a write goes through only if the row still has the version this transaction read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql

from escalon.adapters.db import tables as t
from escalon.adapters.db.repositories import _insert_rows

_CHUNK = 500

_index = t.engine_index

_READ = select(_index.c.key, _index.c.body, _index.c.version).where(
    _index.c.kind == bindparam("kind"), _index.c.key.in_(bindparam("keys", expanding=True))
)
_READ_LOCKED = _READ.order_by(_index.c.key).with_for_update()
_UPDATE = (
    update(_index)
    .where(
        and_(
            _index.c.kind == bindparam("b_kind"),
            _index.c.key == bindparam("b_key"),
            _index.c.version == bindparam("b_version"),
        )
    )
    .values(body=bindparam("body"), version=bindparam("b_version") + 1)
)
_DELETE = delete(_index).where(
    and_(
        _index.c.kind == bindparam("b_kind"),
        _index.c.key == bindparam("b_key"),
        _index.c.version == bindparam("b_version"),
    )
)

EntryKey = tuple[str, str]
"""(kind, key): `("issue", "acme|billing")`."""


class SqlEngineIndex:
    """Entries read or written in this transaction are remembered with their version (0: there
    was none), and asked again (a long import asks for the same issue keys over and over)
    without a query: nobody else can change what this transaction wrote, and a change to what
    it only read makes the write fail anyway."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._known: dict[EntryKey, tuple[int, Any]] = {}
        """(version, body) of every entry read or written here; (0, None): there is none."""
        self._read = _READ

    def lock_reads(self) -> None:
        """Lock the rows read from now on (PostgreSQL): a command that already lost the race
        for an entry waits for the other writer instead of losing again. A burst of tickets of
        one issue (an outage) otherwise kept several writers failing on the same row."""
        if self.conn.dialect.name == "postgresql":
            self._read = _READ_LOCKED

    def get_many(self, kind: str, keys: Sequence[str]) -> dict[str, Any]:
        known = self._known
        unread = [k for k in keys if (kind, k) not in known]
        for start in range(0, len(unread), _CHUNK):
            chunk = unread[start : start + _CHUNK]
            for row in self.conn.execute(self._read, {"kind": kind, "keys": chunk}):
                known[(kind, row.key)] = (int(row.version), row.body)
            for key in chunk:
                known.setdefault((kind, key), (0, None))
        return {k: known[(kind, k)][1] for k in keys if known[(kind, k)][1] is not None}

    def keys(self, kind: str) -> list[str]:
        """Every stored key of `kind` (an import checks them in memory rather than one by one)."""
        return list(self.conn.execute(select(_index.c.key).where(_index.c.kind == kind)).scalars())

    def save(self, entries: Mapping[EntryKey, Mapping[str, Any] | None]) -> bool:
        """Write changed entries (None deletes one); False when another writer got there first.

        An entry must have been read in this transaction, so its version is known.
        """
        unread = [entry for entry in entries if entry not in self._known]
        for kind in sorted({kind for kind, _ in unread}):
            self.get_many(kind, [key for k, key in unread if k == kind])
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        deletes: list[dict[str, Any]] = []
        for (kind, key), body in entries.items():  # in the caller's order (the read order)
            version = self._known[(kind, key)][0]
            if version == 0:
                if body is not None:
                    inserts.append({"kind": kind, "key": key, "body": body, "version": 1})
            elif body is None:
                deletes.append({"b_kind": kind, "b_key": key, "b_version": version})
            else:
                updates.append({"b_kind": kind, "b_key": key, "b_version": version, "body": body})
        if updates and self.conn.execute(_UPDATE, updates).rowcount != len(updates):
            return False
        if deletes and self.conn.execute(_DELETE, deletes).rowcount != len(deletes):
            return False
        if inserts and not self._insert(inserts):
            return False
        for row in updates:
            self._known[(row["b_kind"], row["b_key"])] = (row["b_version"] + 1, row["body"])
        for row in deletes:
            self._known[(row["b_kind"], row["b_key"])] = (0, None)
        for row in inserts:
            self._known[(row["kind"], row["key"])] = (1, row["body"])
        return True

    def _insert(self, rows: list[dict[str, Any]]) -> bool:
        """A key another writer created since this transaction looked is a lost race.

        SQLite has one writer, so it cannot happen there and the rows go straight in.
        """
        if self.conn.dialect.name == "sqlite":
            _insert_rows(self.conn, _index, rows)
            return True
        statement = (
            postgresql.insert(_index)
            .on_conflict_do_nothing(index_elements=["kind", "key"])
            .returning(_index.c.key)
        )
        return len(self.conn.execute(statement, rows).all()) == len(rows)
