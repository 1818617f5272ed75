"""The schema: an append-only event store, projections, decisions, outbox, audit, tokens.

Core tables rather than mapped classes: the domain keeps its own immutable types and the
repositories translate, so nothing in the domain knows it is stored.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)

from escalon.adapters.db.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-increments an INTEGER PRIMARY KEY.
_Serial = BigInteger().with_variant(Integer(), "sqlite")

events = Table(
    "events",
    metadata,
    Column("seq", _Serial, primary_key=True, autoincrement=True),
    Column("id", String(200), nullable=False, unique=True),
    Column("ticket", String(200), nullable=False, index=True),
    Column("type", String(40), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("body", JSON, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("recorded_by", String(200), nullable=False),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("state", JSON, nullable=False),
    Column("next_wakeup", UTCDateTime(), nullable=True, index=True),
    Column("status", String(40), nullable=False),
    Column("priority", String(4), nullable=False),
    Column("tier", String(40), nullable=False),
    Column("team", String(200), nullable=True),
    Column("agent", String(200), nullable=True),
    Column("customer_id", String(200), nullable=False, index=True),
    Column("segment", String(40), nullable=False),
    Column("subject", Text, nullable=True),
    Column("opened_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("policy_version", String(200), nullable=False),
    Column("events", Integer, nullable=False),
)

clocks = Table(
    "clocks",
    metadata,
    Column("ticket", String(200), primary_key=True),
    Column("name", String(200), primary_key=True),
    Column("status", String(40), nullable=False),
    Column("due_at", UTCDateTime(), nullable=True),
    Column("breached", Boolean, nullable=False),
    Column("detail", JSON, nullable=False),
)

escalations = Table(
    "escalations",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("ticket", String(200), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("to_level", String(200), nullable=False),
    Column("reason", String(200), nullable=True),
    Column("status", String(40), nullable=False),
    Column("opened_at", UTCDateTime(), nullable=False),
    Column("breach_at", UTCDateTime(), nullable=True),
    Column("closed_at", UTCDateTime(), nullable=True),
    Column("detail", JSON, nullable=False),
    Index("ix_escalations_status_breach_at", "status", "breach_at"),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("ticket", String(200), nullable=False, index=True),
    Column("kind", String(60), nullable=False, index=True),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("fired_at", UTCDateTime(), nullable=False),
    Column("late", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    Column("policy_version", String(200), nullable=False),
    Column("body", JSON, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("seq", _Serial, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("channel", String(200), nullable=False),
    Column("target", String(500), nullable=True),
    Column("grp", String(300), nullable=False),
    Column("ticket", String(200), nullable=False, index=True),
    Column("message", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("lease_until", UTCDateTime(), nullable=True),
    Column("log", JSON, nullable=False),
    Index("ix_outbox_channel_status_due_at", "channel", "status", "due_at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", _Serial, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False, index=True),
    Column("actor", String(200), nullable=False),
    Column("role", String(40), nullable=False),
    Column("action", String(80), nullable=False),
    Column("target", String(200), nullable=True),
    Column("detail", JSON, nullable=False),
)

policy_versions = Table(
    "policy_versions",
    metadata,
    Column("version", String(200), primary_key=True),
    Column("fingerprint", String(128), nullable=False),
    Column("source", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("activated_at", UTCDateTime(), nullable=True),
    Column("active", Boolean, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("role", String(40), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
)

approvals = Table(
    "approvals",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("ticket", String(200), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("reason", Text, nullable=True),
    Column("requested_by", String(200), nullable=False),
    Column("requested_at", UTCDateTime(), nullable=False),
    Column("route_to", String(40), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("decided_by", String(200), nullable=True),
    Column("decided_role", String(40), nullable=True),
    Column("decided_at", UTCDateTime(), nullable=True),
    Column("note", Text, nullable=True),
)

engine_documents = Table(
    "engine_documents",
    metadata,
    Column("name", String(80), primary_key=True),
    Column("body", JSON, nullable=False),
    Column("next_wakeup", UTCDateTime(), nullable=True),
    # Bumped by every write: writers check it instead of locking the row (optimistic).
    Column("version", BigInteger, nullable=False, server_default="0"),
)

engine_index = Table(
    "engine_index",
    metadata,
    # One row per cross-ticket entry the engine keeps: an issue key's history ("issue"), a
    # major-incident match key's candidates ("candidates"), an agent's counters ("agent").
    Column("kind", String(20), primary_key=True),
    Column("key", Text, primary_key=True),
    Column("body", JSON, nullable=False),
    # Bumped by every write: writers check it instead of locking the row (optimistic).
    Column("version", BigInteger, nullable=False),
)
