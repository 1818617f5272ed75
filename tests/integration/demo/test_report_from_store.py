"""`escalon report --db`: events and fired decisions read from the store's own tables."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, insert
from tests.unit.analytics.handbuilt import handbuilt_events
from typer.testing import CliRunner

from escalon.adapters.db import tables as t
from escalon.entrypoints.cli.main import app

RECORDED = datetime(2025, 5, 1, tzinfo=UTC)


def _store(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    t.metadata.create_all(engine)
    events = handbuilt_events()
    with engine.begin() as conn:
        conn.execute(
            insert(t.events),
            [
                {
                    "id": e.id,
                    "ticket": e.ticket,
                    "type": e.type,
                    "at": e.at,
                    "body": e.model_dump(mode="json"),
                    "digest": "x" * 64,
                    "recorded_at": RECORDED,
                    "recorded_by": "test",
                }
                for e in events
            ],
        )
        # a time-based escalation the engine fired for T6 (resolved 20 minutes later)
        conn.execute(
            insert(t.decisions),
            [
                {
                    "id": "d1",
                    "ticket": "T6",
                    "kind": "escalate",
                    "due_at": datetime(2025, 4, 8, 9, 10, tzinfo=UTC),
                    "fired_at": RECORDED,
                    "late": False,
                    "reason": "time",
                    "policy_version": "2025@x",
                    "body": {
                        "rule": "path:L1->L2:time",
                        "facts": {"from": "L1", "to": "L2", "criterion": "time"},
                    },
                }
            ],
        )
    engine.dispose()


def test_report_from_the_store_counts_events_and_engine_escalations(tmp_path: Path) -> None:
    db = tmp_path / "escalon.db"
    _store(db)
    result = CliRunner().invoke(
        app, ["report", "--db", str(db), "--period", "2025-04", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    figures = {(f["metric"], f["key"]): f["value"] for f in json.loads(result.output)["figures"]}
    assert figures[("volume.total", None)] == 8 + 1  # the hand-built eight plus T6's
    assert figures[("reasons.by_reason", "sla_breach_risk")] == 2  # T7's and the engine's


def test_missing_store_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "--db" in result.output
