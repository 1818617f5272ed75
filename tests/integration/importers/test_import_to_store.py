"""`escalon import --db`: the engine runs as ingestion runs it, one transaction, idempotent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from typer.testing import CliRunner

from escalon.adapters.db.tables import audit_log, decisions, events, outbox, tickets
from escalon.bootstrap import bootstrap
from escalon.domain.events import parse_event
from escalon.entrypoints.cli.main import app
from escalon.services.access import Caller
from escalon.settings import Settings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "importers"
LOG = FIXTURES / "servicenow_small.csv"
MAPPING = FIXTURES / "servicenow-test.yaml"
runner = CliRunner()


def _import(db: str, *extra: str) -> Any:
    args = ["import", "servicenow", str(LOG), "--mapping", str(MAPPING), "--db", db, *extra]
    return runner.invoke(app, args)


def _counts(db: str) -> dict[str, int]:
    service = bootstrap(Settings(database_url=db))
    try:
        with service.db.connect() as conn:
            return {
                t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for t in (events, tickets, decisions, outbox)
            } | {
                "imports": int(
                    conn.execute(
                        select(func.count()).where(audit_log.c.action == "events.import")
                    ).scalar_one()
                )
            }
    finally:
        service.close()


def test_import_into_the_store_runs_the_engine_once_per_event(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'escalon.db'}"
    first = _import(db)
    assert first.exit_code == 0, first.output
    assert "events:          13 (13 new)" in first.output
    counts = _counts(db)
    assert (counts["events"], counts["tickets"], counts["imports"]) == (13, 2, 1)
    assert counts["decisions"] > 0  # the history's SLA decisions, stored as ingestion stores them
    assert counts["outbox"] == 0  # ...but an import is the past: nothing is notified
    again = _import(db)
    assert again.exit_code == 0, again.output
    assert "events:          13 (0 new)" in again.output
    assert _counts(db) == counts | {"imports": 2}


def test_a_refused_event_commits_nothing_unless_skipped(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'escalon.db'}"
    service = bootstrap(Settings(database_url=db))
    service.prepare()
    # The store already holds one of the file's event ids with other content: a conflict.
    raw = {
        "id": "servicenow:INC0000001:0:created",
        "type": "ticket.created",
        "at": "2016-03-01T09:00:00+00:00",
        "ticket": "OTHER-1",
        "data": {"priority": "P1", "customer": {"id": "c", "segment": "smb"}},
    }
    loader = Caller(name="loader", role="integration")
    service.ingestor.ingest([parse_event(raw)], loader, service.clock(), batch=False)
    service.close()
    before = _counts(db)
    refused = _import(db)
    assert refused.exit_code == 2
    assert "nothing imported: event 'servicenow:INC0000001:0:created'" in refused.output
    assert _counts(db) == before
    kept = _import(db, "--skip-invalid")
    assert kept.exit_code == 0, kept.output
    # The ticket's other nine events then have no ticket to apply to: refused and reported too;
    # the other incident's three events are stored.
    assert "events:          13 (3 new)" in kept.output
    assert "events refused:  10 (" in kept.output
    assert "does not exist; send ticket.created first" in kept.output
    after = _counts(db)
    assert (after["events"], after["tickets"], after["imports"]) == (1 + 3, 2, 1)
