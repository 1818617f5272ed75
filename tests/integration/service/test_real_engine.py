"""The service on the real engine and the default policy: decisions fire, late ones say so."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.integration.service.conftest import NOW, FixedClock, created

from escalon.bootstrap import bootstrap
from escalon.domain.events import parse_event
from escalon.services.access import Caller
from escalon.services.queries import escalation_queue, ticket_story
from escalon.settings import Settings

AGENT = Caller(name="ana", role="agent")


def test_a_p1_escalates_on_time_and_a_late_worker_marks_what_it_missed(tmp_path: Path) -> None:
    clock = FixedClock()
    service = bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'e.db'}"), clock=clock)
    service.prepare()
    try:
        event = parse_event(created("T-1", NOW, priority="P1"))
        service.ingestor.ingest([event], AGENT, clock(), batch=False)
        first = service.firer.earliest_wakeup()
        assert first is not None and first > NOW
        clock.at = NOW + timedelta(hours=2)  # the worker was down until the escalation instant
        while service.firer.fire_due(clock()).tickets:
            pass
        story = ticket_story(service.uow, "T-1")
        kinds = {d["kind"] for d in story.decisions}
        assert {"escalate", "sla_warning", "require_acknowledgement"} <= kinds
        assert all(d["policy_version"].startswith("2025") for d in story.decisions)
        warnings = [d for d in story.decisions if d["kind"] == "sla_warning"]
        assert all(d["late"] and d["due_at"] < clock() for d in warnings)
        [escalate] = [d for d in story.decisions if d["kind"] == "escalate"]
        assert escalate["late"] is False and "L1" in escalate["reason"]
        assert story.ticket["tier"] == "L2"
        queue = escalation_queue(service.uow, 10)
        assert [(q["ticket"], q["to_level"]) for q in queue] == [("T-1", "L2")]
        again = service.firer.fire_due(clock())
        assert again.decisions == 0
    finally:
        service.close()
