"""The durable outbox in SQL: the `escalon.services.outbox.Outbox` protocol on the outbox table.

`OutboxRows` writes inside a caller's transaction (decisions and their messages commit together);
`SqlOutbox` gives the dispatcher atomic methods, each in its own transaction. On PostgreSQL claims
use `FOR UPDATE SKIP LOCKED`, so several dispatchers share a channel without sending twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from escalon.adapters.db.tables import outbox
from escalon.domain.notify.delivery import SETTLED, DeliveryAttempt, MessageStatus, OutboxEntry
from escalon.domain.notify.message import OutboxMessage

_UNSETTLED = ("pending", "claimed")


def _insert(conn: Connection) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(outbox).on_conflict_do_nothing(index_elements=["key"])


def _row(message: OutboxMessage) -> dict[str, Any]:
    return {
        "key": message.key,
        "channel": message.channel,
        "target": message.target,
        "grp": message.group,
        "ticket": message.notification.ticket_id,
        "message": message.model_dump(mode="json"),
        "status": "pending",
        "due_at": message.not_before,
        "lease_until": None,
        "log": [],
    }


def _entry(row: Any) -> OutboxEntry:
    return OutboxEntry(
        message=OutboxMessage.model_validate(row.message),
        seq=row.seq,
        status=row.status,
        due_at=row.due_at,
        lease_until=row.lease_until,
        log=tuple(DeliveryAttempt.model_validate(a) for a in row.log),
    )


class OutboxRows:
    """Enqueues messages on an open connection, inside the caller's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def enqueue(self, messages: Sequence[OutboxMessage]) -> int:
        if not messages:
            return 0
        keys = [m.key for m in messages]
        known = set(self.conn.execute(select(outbox.c.key).where(outbox.c.key.in_(keys))).scalars())
        fresh = [_row(m) for m in {m.key: m for m in messages}.values() if m.key not in known]
        if fresh:
            self.conn.execute(_insert(self.conn), fresh)
        return len(fresh)


class SqlOutbox:
    """The outbox protocol on its own engine: every method is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def enqueue(self, messages: Sequence[OutboxMessage]) -> int:
        with self.engine.begin() as conn:
            return OutboxRows(conn).enqueue(messages)

    def claim(
        self, channel: str, *, now: datetime, limit: int, lease: timedelta
    ) -> list[OutboxEntry]:
        with self.engine.begin() as conn:
            candidates = self._due_heads(conn, channel, now, limit)
            if not candidates:
                return []
            keys = [r.key for r in candidates]
            conn.execute(
                update(outbox)
                .where(outbox.c.key.in_(keys))
                .values(status="claimed", lease_until=now + lease)
            )
            rows = conn.execute(select(outbox).where(outbox.c.key.in_(keys))).all()
        by_key = {r.key: r for r in rows}
        return [_entry(by_key[k]) for k in keys]

    def _due_heads(self, conn: Connection, channel: str, now: datetime, limit: int) -> list[Any]:
        """The first unsettled message of each group, if due; ordered by (due_at, seq)."""
        heads = (
            select(func.min(outbox.c.seq))
            .where(outbox.c.channel == channel, outbox.c.status.in_(_UNSETTLED))
            .group_by(outbox.c.grp)
        )
        due = or_(
            and_(outbox.c.status == "pending", outbox.c.due_at <= now),
            and_(outbox.c.status == "claimed", outbox.c.lease_until <= now),
        )
        query = (
            select(outbox.c.key, outbox.c.seq)
            .where(outbox.c.seq.in_(heads), due)
            .order_by(outbox.c.due_at, outbox.c.seq)
            .limit(limit)
        )
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return list(conn.execute(query).all())

    def mark_delivered(self, key: str, attempt: DeliveryAttempt) -> None:
        self._settle(key, "delivered", attempt)

    def mark_failed(self, key: str, attempt: DeliveryAttempt) -> None:
        self._settle(key, "rejected", attempt)

    def dead_letter(self, key: str, attempt: DeliveryAttempt) -> None:
        self._settle(key, "dead", attempt)

    def reschedule(self, key: str, *, at: datetime, attempt: DeliveryAttempt | None) -> None:
        with self.engine.begin() as conn:
            row = self._locked(conn, key)
            if row is None or row.status in SETTLED:
                return
            log = list(row.log) + ([attempt.model_dump(mode="json")] if attempt else [])
            conn.execute(
                update(outbox)
                .where(outbox.c.key == key)
                .values(status="pending", due_at=at, lease_until=None, log=log)
            )

    def requeue(self, key: str, *, now: datetime) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                update(outbox)
                .where(outbox.c.key == key, outbox.c.status.in_(("dead", "rejected")))
                .values(status="pending", due_at=now, lease_until=None)
            )
            return bool(result.rowcount)

    def get(self, key: str) -> OutboxEntry | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(outbox).where(outbox.c.key == key)).first()
        return _entry(row) if row is not None else None

    def entries(
        self,
        *,
        ticket_id: str | None = None,
        statuses: Iterable[MessageStatus] | None = None,
        limit: int = 100,
    ) -> list[OutboxEntry]:
        query = select(outbox).order_by(outbox.c.seq).limit(limit)
        if ticket_id is not None:
            query = query.where(outbox.c.ticket == ticket_id)
        if statuses is not None:
            query = query.where(outbox.c.status.in_(list(statuses)))
        with self.engine.connect() as conn:
            return [_entry(r) for r in conn.execute(query)]

    def next_due(self, channel: str) -> datetime | None:
        query_pending = select(func.min(outbox.c.due_at)).where(
            outbox.c.channel == channel, outbox.c.status == "pending"
        )
        query_claimed = select(func.min(outbox.c.lease_until)).where(
            outbox.c.channel == channel, outbox.c.status == "claimed"
        )
        with self.engine.connect() as conn:
            times = [conn.execute(q).scalar() for q in (query_pending, query_claimed)]
        return min((t for t in times if t is not None), default=None)

    def _locked(self, conn: Connection, key: str) -> Any:
        query = select(outbox).where(outbox.c.key == key)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        return conn.execute(query).first()

    def _settle(self, key: str, status: MessageStatus, attempt: DeliveryAttempt) -> None:
        with self.engine.begin() as conn:
            row = self._locked(conn, key)
            if row is None or row.status in SETTLED:
                return
            conn.execute(
                update(outbox)
                .where(outbox.c.key == key)
                .values(
                    status=status,
                    lease_until=None,
                    log=[*row.log, attempt.model_dump(mode="json")],
                )
            )
