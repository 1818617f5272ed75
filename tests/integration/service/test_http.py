"""Through a real socket: uvicorn on a loopback port, httpx as the client."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from tests.integration.service.conftest import NOW, created

from escalon.bootstrap import Service
from escalon.entrypoints.api.app import create_app
from escalon.services.access import create_token


@pytest.fixture
def base_url(service: Service) -> Iterator[str]:
    config = uvicorn.Config(
        create_app(service), host="127.0.0.1", port=0, log_level="error", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_ingest_twice_over_http_stores_once_and_reads_back(service: Service, base_url: str) -> None:
    token, _ = create_token(service.uow, "helpdesk", "integration", NOW)
    reader, _ = create_token(service.uow, "ana", "agent", NOW)
    batch = [created(f"T-{i}", NOW) for i in range(20)]
    with httpx.Client(base_url=base_url, timeout=10) as client:
        assert client.post("/api/v1/events/batch", json=batch).status_code == 401
        auth = {"Authorization": f"Bearer {token}"}
        first = client.post("/api/v1/events/batch", json=batch, headers=auth).json()
        again = client.post("/api/v1/events/batch", json=batch, headers=auth).json()
        assert (first["stored"], again["stored"], again["duplicates"]) == (20, 0, 20)
        bad = client.post(
            "/api/v1/events",
            content=b"{not json",
            headers={**auth, "content-type": "application/json"},
        )
        assert bad.status_code == 400
        assert bad.headers["content-type"] == "application/problem+json"
        listed = client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {reader}"})
        assert len(listed.json()) == 20
        assert client.get("/readyz").json()["status"] == "ready"
