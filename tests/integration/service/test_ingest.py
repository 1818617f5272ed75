"""Ingestion through the service layer, on SQLite and PostgreSQL: idempotent, all-or-nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.integration.service.conftest import NOW, FixedClock, created

from escalon.bootstrap import Service
from escalon.domain.events import parse_event
from escalon.services.access import Caller
from escalon.services.errors import Conflict, InvalidEvent, UnknownTicket
from escalon.services.queries import service_metrics, ticket_story

AGENT = Caller(name="ana", role="agent")


def _ingest(service: Service, raws: list[dict], *, batch: bool = True):  # type: ignore[no-untyped-def]
    events = [parse_event(r) for r in raws]
    return service.ingestor.ingest(events, AGENT, service.clock(), batch=batch)


def _counts(service: Service) -> tuple[int, int]:
    m = service_metrics(service.uow, service.clock())
    with service.uow(read_only=True) as uow:
        tickets = len(uow.tickets.search({}, 10_000, 0))
    return m.events, tickets


def test_the_same_batch_twice_is_stored_once(service: Service) -> None:
    batch = [created(f"T-{i}", NOW - timedelta(minutes=i)) for i in range(50)]
    first = _ingest(service, batch)
    again = _ingest(service, batch)
    assert (first.stored, first.duplicates) == (50, 0)
    assert (again.stored, again.duplicates) == (0, 50)
    assert _counts(service) == (50, 50)


def test_same_id_with_different_content_is_a_conflict_naming_the_field(service: Service) -> None:
    _ingest(service, [created("T-1", NOW)])
    changed = created("T-1", NOW, priority="P1")
    with pytest.raises(Conflict) as error:
        _ingest(service, [created("T-2", NOW), changed])
    assert error.value.field == "/1/id"
    assert _counts(service) == (1, 1)  # T-2 was not half-stored


def test_a_repeated_id_inside_one_batch_must_carry_the_same_content(service: Service) -> None:
    with pytest.raises(Conflict) as error:
        _ingest(service, [created("T-1", NOW), created("T-1", NOW, priority="P1")])
    assert error.value.field == "/1/id"
    result = _ingest(service, [created("T-1", NOW), created("T-1", NOW)])
    assert (result.stored, result.duplicates) == (1, 1)


def test_an_event_for_an_unknown_ticket_stores_nothing(service: Service) -> None:
    comment = {
        "id": "c-1",
        "type": "ticket.commented",
        "at": NOW.isoformat(),
        "ticket": "T-404",
        "data": {},
    }
    with pytest.raises(UnknownTicket) as error:
        _ingest(service, [created("T-1", NOW), comment])
    assert error.value.field == "/1/ticket"
    assert _counts(service) == (0, 0)


def test_a_ticket_created_earlier_in_the_same_batch_is_known(service: Service) -> None:
    comment = {
        "id": "c-1",
        "type": "ticket.commented",
        "at": NOW.isoformat(),
        "ticket": "T-1",
        "data": {},
    }
    assert _ingest(service, [created("T-1", NOW), comment]).stored == 2


def test_an_engine_refusal_names_the_field_and_rolls_back(service: Service) -> None:
    bad = {
        "id": "h-1",
        "type": "escalation.requested",
        "at": NOW.isoformat(),
        "ticket": "T-1",
        "data": {"to": "nowhere"},
    }
    with pytest.raises(InvalidEvent) as error:
        _ingest(service, [created("T-1", NOW), bad])
    assert error.value.field == "/1/data/to"
    assert _counts(service) == (0, 0)


def test_ticks_cannot_be_ingested(service: Service) -> None:
    tick = {"id": "k", "type": "tick", "at": NOW.isoformat(), "ticket": "*"}
    with pytest.raises(InvalidEvent) as error:
        _ingest(service, [tick], batch=False)
    assert error.value.field == "/type"


def test_decisions_due_while_nobody_looked_fire_late_with_their_due_time(
    service: Service, clock: FixedClock
) -> None:
    _ingest(service, [created("T-1", NOW, priority="P1"), created("T-2", NOW)])
    clock.advance(timedelta(hours=5))
    fired = service.firer.fire_due(clock())
    assert (fired.tickets, fired.decisions) == (2, 2)
    story = ticket_story(service.uow, "T-1")
    [decision] = story.decisions
    assert decision["due_at"] == NOW + timedelta(hours=1)
    assert decision["fired_at"] == NOW + timedelta(hours=5)
    assert decision["late"] is True
    assert service.firer.fire_due(clock()).tickets == 0


def test_a_decision_fired_on_time_is_not_late(service: Service, clock: FixedClock) -> None:
    _ingest(service, [created("T-1", NOW, priority="P1")])
    assert service.firer.earliest_wakeup() == NOW + timedelta(hours=1)
    clock.advance(timedelta(hours=1, seconds=1))
    service.firer.fire_due(clock())
    [decision] = ticket_story(service.uow, "T-1").decisions
    assert decision["late"] is False
    assert service.firer.earliest_wakeup() is None


def test_every_write_is_audited_with_who_and_when(service: Service) -> None:
    _ingest(service, [created("T-1", NOW)])
    with service.uow(read_only=True) as uow:
        [entry] = [e for e in uow.audit.recent(10) if e["action"] == "events.ingest"]
    assert (entry["actor"], entry["role"], entry["at"]) == ("ana", "agent", NOW)
    assert entry["detail"]["stored"] == 1
