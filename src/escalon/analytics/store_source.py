"""Reading the dashboard's inputs from escalon's store (SQLite or PostgreSQL).

The store keeps every ingested event verbatim (`events.body`) and every decision the engine
fired (`decisions`), so the report needs no replay: events in time order, plus the fired
`escalate` and `management_escalation` decisions, which `build_records` turns into the
escalations the engine added. Read-only: one snapshot, nothing written.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, select

from escalon.adapters.db import tables as t
from escalon.domain.engine import Decision
from escalon.domain.events import Event, parse_event

COUNTED_DECISIONS = ("escalate", "management_escalation")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def store_url(target: str) -> str:
    """A SQLAlchemy URL as given, or a plain path taken as a SQLite file."""
    return target if "://" in target else f"sqlite:///{target}"


def read_store(url: str) -> tuple[list[Event], list[Decision]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            bodies = conn.execute(
                select(t.events.c.body).order_by(t.events.c.at, t.events.c.seq)
            ).scalars()
            events = [parse_event(body) for body in bodies]
            rows = conn.execute(
                select(
                    t.decisions.c.id,
                    t.decisions.c.ticket,
                    t.decisions.c.kind,
                    t.decisions.c.due_at,
                    t.decisions.c.reason,
                    t.decisions.c.policy_version,
                    t.decisions.c.body,
                )
                .where(t.decisions.c.kind.in_(COUNTED_DECISIONS))
                .order_by(t.decisions.c.due_at, t.decisions.c.id)
            ).all()
    finally:
        engine.dispose()
    return events, [_decision(*row) for row in rows]


def _decision(
    id_: str, ticket: str, kind: Any, due_at: Any, reason: str, policy: str, body: Any
) -> Decision:
    facts = body.get("facts", {}) if isinstance(body, dict) else {}
    rule = body.get("rule", "") if isinstance(body, dict) else ""
    at_us = (due_at.astimezone(UTC) - _EPOCH) // timedelta(microseconds=1)
    return Decision(id_, kind, ticket, at_us, str(rule), reason, policy, dict(facts))
