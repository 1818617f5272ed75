"""One ticket the engine cannot tick does not stop the worker: logged, recorded, parked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from tests.integration.service.conftest import NOW, FixedClock, created
from tests.integration.service.fake_engine import FakeEngine

from escalon.adapters.db.tables import audit_log, decisions, tickets
from escalon.bootstrap import bootstrap
from escalon.domain.events import Event, parse_event
from escalon.services.access import Caller
from escalon.services.engine_port import BatchOut, StateSource
from escalon.services.firing import FAILED_RETRY
from escalon.settings import Settings

LOADER = Caller(name="loader", role="integration")


class BreaksOn(FakeEngine):
    """The fake engine, failing on any tick of one ticket (as a bug in a rule would)."""

    def __init__(self, ticket: str) -> None:
        self.ticket = ticket

    def apply(
        self,
        source: StateSource,
        items: Sequence[tuple[str, Event]],
        policy: Any,
        *,
        skip_refused: bool = False,
    ) -> BatchOut:
        if any(e.type == "tick" and e.ticket == self.ticket for _, e in items):
            raise KeyError("a rule looked up a field the ticket does not have")
        return super().apply(source, items, policy)


def test_a_ticket_the_engine_fails_on_is_parked_and_the_others_fire(
    database_url: str, clock: FixedClock, make_service: Any
) -> None:
    healthy = make_service()
    events = [parse_event(created(f"T-{i}", NOW, priority="P1")) for i in range(3)]
    healthy.ingestor.ingest(events, LOADER, NOW, batch=True)
    broken = bootstrap(
        Settings(database_url=database_url), ticket_engine=BreaksOn("T-1"), clock=clock
    )
    try:
        at = NOW + timedelta(hours=2)
        fired = broken.firer.fire_due(at)
    finally:
        broken.close()
    assert (fired.tickets, fired.decisions, fired.failed) == (3, 2, 1)
    with healthy.db.connect() as conn:
        fired_for = sorted(conn.execute(select(decisions.c.ticket)).scalars())
        wakeup = conn.execute(
            select(tickets.c.next_wakeup).where(tickets.c.id == "T-1")
        ).scalar_one()
        recorded = conn.execute(
            select(audit_log.c.target, audit_log.c.detail).where(
                audit_log.c.action == "worker.tick_failed"
            )
        ).all()
    assert fired_for == ["T-0", "T-2"]
    assert wakeup == at + FAILED_RETRY
    assert [(target, "KeyError" in detail["error"]) for target, detail in recorded] == [
        ("T-1", True)
    ]
    # Fixed (here: the healthy engine), the parked ticket fires when its retry comes.
    assert healthy.firer.fire_due(at + timedelta(minutes=1)).tickets == 0
    again = healthy.firer.fire_due(at + FAILED_RETRY)
    assert (again.tickets, again.decisions, again.failed) == (1, 1, 0)
