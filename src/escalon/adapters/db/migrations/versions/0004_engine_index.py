"""The engine's cross-ticket entries in rows of their own, one per issue, match key or agent.

The single document grew with every issue key ever seen (megabytes after a year of history),
and every engine call read, parsed and compared all of it; every new ticket also rewrote it,
so concurrent writers on PostgreSQL kept losing the race for it. An entry is now read only when
an event needs it and written only when it changed. The document keeps the major incidents.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_KINDS = {"issues": "issue", "candidates": "candidates", "agents": "agent"}

_docs = sa.table(
    "engine_documents",
    sa.column("name", sa.String),
    sa.column("body", sa.JSON),
    sa.column("version", sa.BigInteger),
)
_index = sa.table(
    "engine_index",
    sa.column("kind", sa.String),
    sa.column("key", sa.Text),
    sa.column("body", sa.JSON),
    sa.column("version", sa.BigInteger),
)


def upgrade() -> None:
    op.create_table(
        "engine_index",
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name="pk_engine_index"),
    )
    conn = op.get_bind()
    found = conn.execute(
        sa.select(_docs.c.body, _docs.c.version).where(_docs.c.name == "indexes")
    ).first()
    if found is None:
        return
    body: dict[str, Any] = dict(found.body)
    rows = [
        {"kind": kind, "key": key, "body": entry, "version": 1}
        for part, kind in _KINDS.items()
        for key, entry in (body.pop(part, None) or {}).items()
    ]
    if rows:
        conn.execute(_index.insert(), rows)
    conn.execute(
        sa.update(_docs)
        .where(_docs.c.name == "indexes")
        .values(body=body, version=int(found.version) + 1)
    )


def downgrade() -> None:
    conn = op.get_bind()
    found = conn.execute(
        sa.select(_docs.c.body, _docs.c.version).where(_docs.c.name == "indexes")
    ).first()
    entries = conn.execute(sa.select(_index.c.kind, _index.c.key, _index.c.body)).all()
    if found is not None or entries:
        body: dict[str, Any] = dict(found.body) if found is not None else {}
        for part, kind in _KINDS.items():
            body[part] = {row.key: row.body for row in entries if row.kind == kind}
        body.setdefault("open_incidents", {})
        body.setdefault("incidents", {})
        if found is None:
            conn.execute(_docs.insert().values(name="indexes", body=body, version=1))
        else:
            conn.execute(
                sa.update(_docs)
                .where(_docs.c.name == "indexes")
                .values(body=body, version=int(found.version) + 1)
            )
    op.drop_table("engine_index")
