from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.integration.notify.fake_services import FakeServices

from escalon.domain.notify.message import Notification, OutboxMessage

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
SECRET_OLD = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SECRET_NEW = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
ROUTING_KEY = "R0ENKEYR0ENKEYR0ENKEYR0ENKEY1234"


@pytest.fixture
def services() -> Iterator[FakeServices]:
    with FakeServices(routing_key=ROUTING_KEY, webhook_secrets=[SECRET_NEW]) as running:
        yield running


def clock() -> datetime:
    return T0


def message(
    decision: str = "d1", *, channel: str = "c", target: str | None = None, **fields: Any
) -> OutboxMessage:
    base: dict[str, Any] = {
        "decision_id": decision,
        "kind": "escalate",
        "ticket_id": "T-1001",
        "summary": "P2 ticket T-1001 escalated from L1 to L2",
        "occurred_at": T0,
        "escalation_id": "E-1001-1",
        "priority": "P2",
        "tier": "L2",
        "team": "integrations",
        "customer": "Acme <Corp>",
        "ticket_url": "https://support.example.com/tickets/T-1001",
    }
    notification = Notification.model_validate(base | fields)
    return OutboxMessage.create(notification, channel=channel, target=target, now=T0)
