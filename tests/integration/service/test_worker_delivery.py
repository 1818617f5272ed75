"""The worker delivers the outbox, and ingestion queues PagerDuty acknowledge/resolve messages.

A policy routes every notification to a local Slack and PagerDuty stand-in on 127.0.0.1; what the
worker fires (and what ingestion adds) must reach them through the worker process's dispatcher.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from tests.integration.notify.fake_services import FakeServices
from tests.integration.service.conftest import NOW, FixedClock, created
from tests.integration.service.fake_engine import FakeEngine

from escalon.adapters.policy_files import default_policy_path
from escalon.bootstrap import Service, bootstrap
from escalon.domain.events import parse_event
from escalon.entrypoints.worker import Worker
from escalon.services.access import Caller
from escalon.settings import Settings

ROUTING_KEY = "R0ENKEYR0ENKEYR0ENKEYR0ENKEY1234"
LOADER = Caller(name="helpdesk", role="integration")


@pytest.fixture
def fakes() -> Iterator[FakeServices]:
    with FakeServices(routing_key=ROUTING_KEY) as running:
        yield running


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


def _policy(tmp_path: Path, fakes: FakeServices) -> Path:
    text = default_policy_path().read_text(encoding="utf-8")
    text += f"""
notifications:
  channels:
    ops-slack:
      type: slack
      url: {fakes.url("/slack/ops")}
    pager:
      type: pagerduty
      routing_key: {ROUTING_KEY}
      url: {fakes.url("/pagerduty/v2/enqueue")}
  routes:
    - channel: ops-slack
    - channel: pager
"""
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _service(tmp_path: Path, fakes: FakeServices, clock: FixedClock, **settings: object) -> Service:
    config = Settings(
        database_url=f"sqlite:///{tmp_path / 'escalon.db'}",
        policy_path=_policy(tmp_path, fakes),
        **settings,  # type: ignore[arg-type]
    )
    service = bootstrap(config, ticket_engine=FakeEngine(), clock=clock)
    service.prepare()
    return service


def _ingest(service: Service, *events: dict[str, object]) -> None:
    parsed = [parse_event(e) for e in events]
    service.ingestor.ingest(parsed, LOADER, service.clock(), batch=True)


def _breach_due(service: Service, clock: FixedClock) -> None:
    """A P1 ticket whose SLA breach (fake engine: one hour) is due now."""
    _ingest(service, created("T-1", NOW, priority="P1"))
    clock.advance(timedelta(hours=2))


def test_a_worker_run_delivers_what_it_fired(
    tmp_path: Path, fakes: FakeServices, clock: FixedClock
) -> None:
    service = _service(tmp_path, fakes, clock)
    try:
        _breach_due(service, clock)
        stats = Worker(service).run(once=True)
    finally:
        service.close()
    assert stats.decisions == 1
    (slack,) = fakes.to("/slack/ops")
    assert "T-1" in slack.json()["text"]
    (page,) = fakes.to("/pagerduty/v2/enqueue")
    assert page.json()["event_action"] == "trigger"
    assert stats.deliveries == {("ops-slack", "delivered"): 1, ("pager", "delivered"): 1}
    statuses = {e.message.channel: e.status for e in service.outbox.entries(ticket_id="T-1")}
    assert statuses == {"ops-slack": "delivered", "pager": "delivered"}


def test_the_dispatcher_thread_delivers_while_the_worker_runs_and_stops_with_it(
    tmp_path: Path, fakes: FakeServices, clock: FixedClock
) -> None:
    service = _service(tmp_path, fakes, clock, worker_poll_seconds=0.05)
    worker = Worker(service)
    runner = threading.Thread(target=worker.run)
    try:
        _breach_due(service, clock)
        runner.start()
        deadline = time.monotonic() + 10
        while len(fakes.to("/slack/ops")) < 1 and time.monotonic() < deadline:
            time.sleep(0.02)  # polls for the outcome; the worker runs on its own thread
    finally:
        worker.stop.set()
        runner.join(timeout=10)
        service.close()
    assert not runner.is_alive()
    assert len(fakes.to("/slack/ops")) == 1
    assert not [t for t in threading.enumerate() if t.name.startswith(("lane-", "dispatcher"))]


def test_dispatch_can_be_left_to_notify_run(
    tmp_path: Path, fakes: FakeServices, clock: FixedClock
) -> None:
    service = _service(tmp_path, fakes, clock, worker_dispatch=False)
    try:
        _breach_due(service, clock)
        stats = Worker(service).run(once=True)
        pending = {e.status for e in service.outbox.entries(ticket_id="T-1")}
    finally:
        service.close()
    assert stats.decisions == 1 and stats.deliveries is None
    assert fakes.received == []
    assert pending == {"pending"}


def test_acceptance_and_resolution_acknowledge_and_resolve_the_same_incident(
    tmp_path: Path, fakes: FakeServices, clock: FixedClock
) -> None:
    service = _service(tmp_path, fakes, clock)
    try:
        _breach_due(service, clock)
        Worker(service).run(once=True)
        at = clock()
        _ingest(
            service,
            {
                "id": "acc-1",
                "type": "escalation.accepted",
                "at": at.isoformat(),
                "ticket": "T-1",
                "data": {},
            },
            {
                "id": "res-1",
                "type": "ticket.resolved",
                "at": at.isoformat(),
                "ticket": "T-1",
                "data": {},
            },
        )
        queued = [
            e.message
            for e in service.outbox.entries(ticket_id="T-1", statuses=["pending"])
            if e.message.channel == "pager"
        ]
        Worker(service).run(once=True)
    finally:
        service.close()
    assert [m.notification.kind for m in queued] == ["acknowledged", "resolved"]
    pages = [r.json() for r in fakes.to("/pagerduty/v2/enqueue")]
    assert [p["event_action"] for p in pages] == ["trigger", "acknowledge", "resolve"]
    assert len({p["dedup_key"] for p in pages}) == 1
    assert {m.group for m in queued} == {pages[0]["dedup_key"]}
    assert fakes.pagerduty.status == {pages[0]["dedup_key"]: "resolved"}
    assert sum(fakes.pagerduty.opened.values()) == 1
