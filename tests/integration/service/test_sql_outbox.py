"""The SQL outbox passes the same contract as the in-memory reference, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.integration.notify.conftest import T0, message
from tests.unit.notify.outbox_contract import OutboxContract

from escalon.adapters.db.outbox import SqlOutbox
from escalon.bootstrap import Service
from escalon.domain.notify.delivery import DeliveryAttempt


@pytest.fixture
def outbox(service: Service) -> SqlOutbox:
    return service.outbox


class TestSqlOutbox(OutboxContract):
    pass


def test_delivery_totals_count_by_channel_on_both_databases(service: Service) -> None:
    outbox = service.outbox
    outbox.enqueue([message("d1", channel="slack"), message("d2", channel="pager")])
    (first,) = outbox.claim("slack", now=T0, limit=5, lease=timedelta(minutes=1))
    failure = DeliveryAttempt(at=T0, number=1, outcome="retry", status_code=503)
    outbox.reschedule(first.key, at=T0, attempt=failure)
    outbox.claim("slack", now=T0, limit=5, lease=timedelta(minutes=1))
    success = DeliveryAttempt(at=T0, number=2, outcome="delivered", status_code=200)
    outbox.mark_delivered(first.key, success)
    totals = {c.channel: c for c in service.delivery_totals()}
    assert totals["slack"].by_status == {"delivered": 1}
    assert (totals["slack"].delivered, totals["slack"].failed_attempts) == (1, 1)
    assert totals["pager"].by_status == {"pending": 1}
    assert (totals["pager"].delivered, totals["pager"].failed_attempts, totals["pager"].dead) == (
        0,
        0,
        0,
    )
