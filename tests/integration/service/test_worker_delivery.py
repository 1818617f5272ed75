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
from tests.integration.notify.fake_services import Answer, FakeServices
from tests.integration.service.conftest import NOW, FixedClock, TestClient, created
from tests.integration.service.fake_engine import FakeEngine

from escalon.adapters.policy_files import default_policy_path
from escalon.bootstrap import Service, bootstrap
from escalon.domain.events import parse_event
from escalon.entrypoints.api.app import create_app
from escalon.entrypoints.worker import Worker
from escalon.services.access import Caller, create_token
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


def _policy(tmp_path: Path, fakes: FakeServices, max_attempts: int) -> Path:
    text = default_policy_path().read_text(encoding="utf-8")
    text += f"""
notifications:
  max_attempts: {max_attempts}
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


def _service(
    tmp_path: Path,
    fakes: FakeServices,
    clock: FixedClock,
    *,
    max_attempts: int = 12,
    **settings: object,
) -> Service:
    config = Settings(
        database_url=f"sqlite:///{tmp_path / 'escalon.db'}",
        policy_path=_policy(tmp_path, fakes, max_attempts),
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


def _delivery_log_case(tmp_path: Path, fakes: FakeServices, clock: FixedClock) -> Service:
    """Slack answers 500 on the only attempt the policy allows (dead letter); PagerDuty 202."""
    service = _service(tmp_path, fakes, clock, max_attempts=1)
    fakes.script("/slack/ops", Answer(500, "server_error"))
    _breach_due(service, clock)
    Worker(service).run(once=True)
    return service


def test_the_ticket_detail_shows_each_message_and_its_delivery_log(
    tmp_path: Path, fakes: FakeServices, clock: FixedClock
) -> None:
    service = _delivery_log_case(tmp_path, fakes, clock)
    try:
        token = create_token(service.uow, "lead-1", "lead", NOW)[0]
        with TestClient(create_app(service)) as client:
            response = client.get(
                "/api/v1/tickets/T-1", headers={"Authorization": f"Bearer {token}"}
            )
    finally:
        service.close()
    assert response.status_code == 200, response.text
    body = response.json()
    deliveries = {d["channel"]: d for d in body["deliveries"]}
    assert deliveries["ops-slack"]["status"] == "dead"
    assert deliveries["ops-slack"]["kind"] == "sla_breach"
    (failed,) = deliveries["ops-slack"]["log"]
    assert (failed["number"], failed["outcome"], failed["status_code"]) == (1, "retry", 500)
    assert deliveries["pager"]["status"] == "delivered"
    assert [a["status_code"] for a in deliveries["pager"]["log"]] == [202]
    attempts = [e for e in body["timeline"] if e["kind"] == "delivery"]
    assert {(e["data"]["channel"], e["data"]["status_code"]) for e in attempts} == {
        ("ops-slack", 500),
        ("pager", 202),
    }
    decision = next(e for e in body["timeline"] if e["kind"] == "decision")
    assert all(e["data"]["decision_id"] == decision["id"] for e in attempts)
    assert body["timeline"].index(decision) < body["timeline"].index(attempts[0])


def test_metrics_count_deliveries_failures_and_dead_letters_by_channel(
    tmp_path: Path, fakes: FakeServices, clock: FixedClock
) -> None:
    service = _delivery_log_case(tmp_path, fakes, clock)
    try:
        token = create_token(service.uow, "ops", "agent", NOW)[0]
        with TestClient(create_app(service)) as client:
            text = client.get("/metrics", headers={"Authorization": f"Bearer {token}"}).text
    finally:
        service.close()
    lines = set(text.splitlines())
    assert {
        'escalon_deliveries_total{channel="ops-slack"} 0',
        'escalon_deliveries_total{channel="pager"} 1',
        'escalon_delivery_failures_total{channel="ops-slack"} 1',
        'escalon_delivery_failures_total{channel="pager"} 0',
        'escalon_dead_letters_total{channel="ops-slack"} 1',
        'escalon_dead_letters_total{channel="pager"} 0',
        'escalon_outbox_messages{channel="ops-slack",status="dead"} 1',
        'escalon_outbox_messages{channel="pager",status="delivered"} 1',
    } <= lines


def test_escalon_worker_once_delivers_and_reports_by_channel(
    tmp_path: Path, fakes: FakeServices, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.integration.notify.conftest import message
    from typer.testing import CliRunner

    from escalon.entrypoints.cli.main import app

    service = _service(tmp_path, fakes, clock)
    service.outbox.enqueue([message("d1", channel="ops-slack")])
    service.close()
    monkeypatch.setenv("ESCALON_POLICY_PATH", str(tmp_path / "policy.yaml"))
    db = f"sqlite:///{tmp_path / 'escalon.db'}"
    result = CliRunner().invoke(app, ["worker", "--once", "--db", db])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "ops-slack: 1 delivered"
    assert len(fakes.to("/slack/ops")) == 1
