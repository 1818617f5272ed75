"""kill -9 of the dispatcher mid-batch of 1,000 messages, then a restart, over a SQLite outbox.

Every message must be delivered; no PagerDuty incident may open twice; any other channel may see
a message at most twice (the batch in flight when the process died).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from tests.integration.notify.conftest import ROUTING_KEY, SECRET_NEW, message
from tests.integration.notify.fake_services import FakeServices, Received

from escalon.adapters.db.connection import make_engine
from escalon.adapters.db.outbox import SqlOutbox
from escalon.adapters.db.tables import metadata
from escalon.domain.notify.message import OutboxMessage
from escalon.domain.policy.notifications import NotificationsPolicy

ROOT = Path(__file__).resolve().parents[3]
ESCALATIONS = 150  # each a PagerDuty trigger and resolve: 300 messages
WEBHOOKS, TEAMS = 400, 300


def messages() -> list[OutboxMessage]:
    queued = []
    for n in range(ESCALATIONS):
        for kind in ("escalate", "resolved"):
            queued.append(
                message(f"pd-{n}-{kind}", channel="pager", kind=kind, escalation_id=f"E-{n}")
            )
    for n in range(WEBHOOKS):
        queued.append(message(f"wh-{n}", channel="crm", escalation_id=f"W-{n}"))
    for n in range(TEAMS):
        queued.append(
            message(f"tm-{n}", channel="chat", escalation_id=f"T-{n}", summary=f"teams {n}")
        )
    return queued


def start(db_url: str, policy_path: Path) -> subprocess.Popen[bytes]:
    module = "tests.integration.notify.crash_dispatcher"
    return subprocess.Popen(
        [sys.executable, "-m", module, db_url, str(policy_path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}"},
    )


@pytest.mark.slow
def test_kill_9_mid_batch_then_restart(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'escalon.db'}"
    engine = make_engine(db_url)
    metadata.create_all(engine)
    outbox = SqlOutbox(engine)
    queued = messages()
    assert outbox.enqueue(queued) == 1000
    with FakeServices(routing_key=ROUTING_KEY, webhook_secrets=[SECRET_NEW]) as fake:
        policy = NotificationsPolicy.model_validate(
            {
                "channels": {
                    "pager": {
                        "type": "pagerduty",
                        "routing_key": ROUTING_KEY,
                        "url": fake.url("/pagerduty/v2/enqueue"),
                    },
                    "crm": {
                        "type": "webhook",
                        "url": fake.url("/webhook/crm"),
                        "secrets": [SECRET_NEW],
                    },
                    "chat": {"type": "teams", "url": fake.url("/teams/chat")},
                }
            }
        )
        policy_path = tmp_path / "notifications.json"
        policy_path.write_text(policy.model_dump_json())

        first = start(db_url, policy_path)
        deadline = time.monotonic() + 30
        while len(fake.received) < 300 and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL
        settled_at_crash = len(outbox.entries(statuses=["delivered"], limit=2000))
        assert settled_at_crash < 1000  # the crash really came mid-run

        second = start(db_url, policy_path)
        assert second.wait(timeout=60) == 0

        entries = outbox.entries(limit=2000)
        assert len(entries) == 1000 and {e.status for e in entries} == {"delivered"}

        pagerduty = [r.json() for r in _whole(fake.to("/pagerduty/v2/enqueue"))]
        assert set(fake.pagerduty.opened.values()) == {1}  # no incident opened twice
        assert len(fake.pagerduty.opened) == ESCALATIONS
        assert set(fake.pagerduty.status.values()) == {"resolved"}
        deliveries: Counter[object] = Counter(
            (e["dedup_key"], e["event_action"]) for e in pagerduty
        )
        deliveries.update(r.headers["webhook-id"] for r in fake.to("/webhook/crm"))
        deliveries.update(
            r.json()["attachments"][0]["content"]["body"][0]["text"]
            for r in _whole(fake.to("/teams/chat"))
        )
        assert len(deliveries) == 1000  # every message arrived
        duplicates = sum(count - 1 for count in deliveries.values())
        assert max(deliveries.values()) <= 2  # at most one duplicate per message per crash
        assert duplicates <= 3 * 20  # at most the batches in flight on the three lanes


def _whole(received: list[Received]) -> list[Received]:
    """Requests whose body arrived complete: the kill can cut one off mid-body, and a real service
    answers such a request with an error, so it delivered nothing."""
    whole = []
    for request in received:
        try:
            request.json()
        except ValueError:
            continue
        whole.append(request)
    return whole
