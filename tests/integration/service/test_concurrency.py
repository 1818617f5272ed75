"""Concurrent writers: the same batch from many clients at once is stored once, never a 500."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.integration.service.conftest import NOW, TestClient, created

from escalon.bootstrap import Service
from escalon.entrypoints.api.app import create_app
from escalon.services.access import create_token
from escalon.services.queries import service_metrics


def test_the_same_batch_from_eight_clients_at_once_is_stored_once(service: Service) -> None:
    token, _ = create_token(service.uow, "zd", "integration", NOW)
    batch = [created(f"T-{i}", NOW) for i in range(30)]
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(service)) as client:

        def send(_: int) -> int:
            return client.post("/api/v1/events/batch", json=batch, headers=headers).status_code

        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(send, range(8)))
    assert set(codes) <= {200, 409}, codes
    assert 200 in codes
    assert service_metrics(service.uow, NOW).events == 30
