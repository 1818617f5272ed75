"""`escalon report --db`: events and fired decisions read from the store's own tables."""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, insert
from tests.unit.analytics.handbuilt import handbuilt_events
from typer.testing import CliRunner

from escalon.adapters.db import tables as t
from escalon.entrypoints.cli.main import app

RECORDED = datetime(2025, 5, 1, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'escalon.db'}"
        return
    host, port, user = request.getfixturevalue("postgres_server")
    admin = f"host={host} port={port} user={user} dbname=postgres"
    name = f"escalon_report_{secrets.token_hex(6)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{user}@{host}:{port}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _store(url: str) -> None:
    engine = create_engine(url)
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


def test_report_from_the_store_counts_events_and_engine_escalations(store: str) -> None:
    _store(store)
    result = CliRunner().invoke(
        app, ["report", "--db", store, "--period", "2025-04", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    figures = {(f["metric"], f["key"]): f["value"] for f in json.loads(result.output)["figures"]}
    assert figures[("volume.total", None)] == 8 + 1  # the hand-built eight plus T6's
    assert figures[("reasons.by_reason", "sla_breach_risk")] == 2  # T7's and the engine's


def test_missing_store_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "--db" in result.output


@pytest.mark.slow
def test_store_and_events_file_give_the_same_report(tmp_path: Path) -> None:
    """Two months simulated, ingested into a store by the service (engine decisions fired there)
    and written as an events file: `report --db` (bulk read, lockstep walk) and `report FILE`
    (validated events replayed through the engine, Python walk) agree on every figure, the team
    table, the history and the trends."""
    runner = CliRunner()
    db, events = tmp_path / "demo.db", tmp_path / "events.jsonl"
    shown = runner.invoke(
        app, ["demo", "--tickets", "400", "--db", str(db), "--out", str(tmp_path / "r.html")]
    )
    assert shown.exit_code == 0, shown.output
    assert "The engine accepted every event." in shown.output  # the store holds them all
    simulated = runner.invoke(
        app,
        ["simulate-ops", "--days", "61", "--tickets", "400", "--seed", "7"]
        + ["--start", "2025-03-01", "--out", str(events)],
    )
    assert simulated.exit_code == 0, simulated.output
    reports = []
    for source in (["--db", str(db)], [str(events)]):
        result = runner.invoke(app, ["report", *source, "--period", "2025-04", "--format", "json"])
        assert result.exit_code == 0, result.output
        reports.append(json.loads(result.output))
    from_store, from_file = reports
    assert len(from_file["figures"]) > 40
    for key in ("figures", "teams_over_escalating", "history", "trends"):
        assert _same(from_store[key], from_file[key]), key


def _same(a: object, b: object) -> bool:
    """Equal, floats up to summation order (DuckDB adds in parallel, in any order)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def test_empty_store_gives_an_empty_report_or_a_clear_message(store: str) -> None:
    engine = create_engine(store)
    t.metadata.create_all(engine)
    engine.dispose()
    runner = CliRunner()
    empty = runner.invoke(app, ["report", "--db", store, "--period", "2025-04", "--format", "json"])
    assert empty.exit_code == 0, empty.output
    assert "No escalations in 2025-04." in json.loads(empty.output)["notes"]
    unknown = runner.invoke(app, ["report", "--db", store])
    assert unknown.exit_code == 2 and "--period" in unknown.output


def test_a_store_that_is_not_escalons_exits_2(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    engine = create_engine(f"sqlite:///{other}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE unrelated (x INTEGER)")
    engine.dispose()
    result = CliRunner().invoke(app, ["report", "--db", str(other)])
    assert result.exit_code == 2 and "--db: cannot read the store" in result.output
