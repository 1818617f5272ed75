"""A version number on the engine's cross-ticket document, for optimistic writes.

Writers read the document without locking it and write it back only if its version is still
the one they read, so concurrent ingests and workers on PostgreSQL no longer queue on its row.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("engine_documents") as batch:
        batch.add_column(
            sa.Column("version", sa.BigInteger(), nullable=False, server_default=sa.text("0"))
        )


def downgrade() -> None:
    with op.batch_alter_table("engine_documents") as batch:
        batch.drop_column("version")
