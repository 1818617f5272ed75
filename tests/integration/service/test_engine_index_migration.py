"""Upgrading a store whose cross-ticket document still holds every entry (revision 0003)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import select, text

from escalon.adapters.db.connection import make_engine
from escalon.adapters.db.migrate import _config, upgrade
from escalon.adapters.db.tables import engine_documents, engine_index

OLD = {
    "issues": {"acme|sig:disk": {"tickets": {"T-1": 1}, "escalations": {}}},
    "candidates": {"signature:disk": {"T-1": [1, "acme"]}},
    "open_incidents": {},
    "incidents": {},
    "agents": {"ana": {"requested": 2}},
}


def test_the_upgrade_moves_entries_to_rows_and_the_downgrade_brings_them_back(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(engine, "0003")
        with engine.begin() as conn:
            conn.execute(engine_documents.insert().values(name="indexes", body=OLD, version=4))
        upgrade(engine)
        with engine.connect() as conn:
            rows = {
                (r.kind, r.key): (r.body, r.version) for r in conn.execute(select(engine_index))
            }
            doc = conn.execute(select(engine_documents)).one()
        assert rows == {
            ("issue", "acme|sig:disk"): (OLD["issues"]["acme|sig:disk"], 1),
            ("candidates", "signature:disk"): (OLD["candidates"]["signature:disk"], 1),
            ("agent", "ana"): ({"requested": 2}, 1),
        }
        assert doc.body == {"open_incidents": {}, "incidents": {}}
        assert doc.version == 5  # a writer holding the old document's version must not win
        config = _config(engine)
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0003")
        with engine.connect() as conn:
            assert conn.execute(select(engine_documents.c.body)).scalar_one() == OLD
            names = conn.execute(text("SELECT name FROM sqlite_master")).scalars().all()
        assert "engine_index" not in names
    finally:
        engine.dispose()
