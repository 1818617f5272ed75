"""The SQL outbox (SQLite file) against the Outbox contract the dispatcher relies on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.unit.notify.outbox_contract import OutboxContract

from escalon.adapters.db.connection import make_engine
from escalon.adapters.db.outbox import SqlOutbox
from escalon.adapters.db.tables import metadata


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[SqlOutbox]:
    engine = make_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    metadata.create_all(engine)
    yield SqlOutbox(engine)
    engine.dispose()


class TestSqlOutbox(OutboxContract):
    pass
