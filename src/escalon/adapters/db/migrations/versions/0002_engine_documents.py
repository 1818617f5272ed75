"""The engine's cross-ticket document (major incidents, repeated-issue history).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from escalon.adapters.db.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "engine_documents",
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("next_wakeup", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_engine_documents"),
    )


def downgrade() -> None:
    op.drop_table("engine_documents")
