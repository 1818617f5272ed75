from __future__ import annotations

import pytest
from tests.unit.notify.outbox_contract import OutboxContract

from escalon.services.outbox import InMemoryOutbox


@pytest.fixture
def outbox() -> InMemoryOutbox:
    return InMemoryOutbox()


class TestInMemoryOutbox(OutboxContract):
    pass
