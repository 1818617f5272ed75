"""The SQL outbox passes the same contract as the in-memory reference, on both databases."""

from __future__ import annotations

import pytest
from tests.unit.notify.outbox_contract import OutboxContract

from escalon.adapters.db.outbox import SqlOutbox
from escalon.bootstrap import Service


@pytest.fixture
def outbox(service: Service) -> SqlOutbox:
    return service.outbox


class TestSqlOutbox(OutboxContract):
    pass
