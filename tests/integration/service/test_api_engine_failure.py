"""An engine failure on a schema-valid event is a 422 naming the event, and nothing is stored."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from tests.integration.service.conftest import NOW, TestClient, created
from tests.integration.service.fake_engine import FakeEngine, Stepped

from escalon.bootstrap import Service, bootstrap
from escalon.domain.events import Event
from escalon.entrypoints.api.app import create_app
from escalon.services.access import create_token
from escalon.settings import Settings


class BrokenEngine(FakeEngine):
    """Fails, as a bug would, on any ticket whose id ends in `-bug`."""

    def step(self, state: Mapping[str, Any] | None, event: Event, policy: Any) -> Stepped:
        if event.ticket.endswith("-bug"):
            raise KeyError("tiers")
        return super().step(state, event, policy)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[TestClient, Service, dict[str, str]]]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'e.db'}")
    service = bootstrap(settings, ticket_engine=BrokenEngine(), clock=lambda: NOW)
    service.prepare()
    token = create_token(service.uow, "helpdesk", "integration", NOW)[0]
    with TestClient(create_app(service), raise_server_exceptions=False) as test_client:
        yield test_client, service, {"Authorization": f"Bearer {token}"}
    service.close()


def test_one_event_the_engine_fails_on_is_a_422_naming_it(
    client: tuple[TestClient, Service, dict[str, str]],
) -> None:
    http, service, auth = client
    response = http.post("/api/v1/events", json=created("T-bug", NOW), headers=auth)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["field"] == "/id"
    assert "'T-bug-created'" in problem["detail"]
    with service.uow(read_only=True) as uow:
        assert uow.events.count() == 0 and uow.tickets.get("T-bug") is None


def test_a_batch_names_the_failing_event_and_stores_none_of_it(
    client: tuple[TestClient, Service, dict[str, str]],
) -> None:
    http, service, auth = client
    batch = [created("T-1", NOW), created("T-2", NOW), created("T-3-bug", NOW), created("T-4", NOW)]
    response = http.post("/api/v1/events/batch", json=batch, headers=auth)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "/2/id"
    assert "'T-3-bug-created'" in response.json()["detail"]
    with service.uow(read_only=True) as uow:
        assert uow.events.count() == 0 and uow.tickets.get("T-1") is None
    fine = http.post("/api/v1/events/batch", json=[batch[0], batch[1]], headers=auth)
    assert fine.status_code == 200 and fine.json()["stored"] == 2
