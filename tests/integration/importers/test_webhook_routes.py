"""The webhook router on a real service (SQLite, the real engine), reached over ASGI."""

from __future__ import annotations

import hashlib
import hmac
import json
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from tests.integration.service.fake_engine import FakeEngine

from escalon.adapters.importers.mapping import load_mapping
from escalon.adapters.importers.webhooks import zendesk_signature
from escalon.bootstrap import Service, bootstrap
from escalon.entrypoints.api import problems
from escalon.entrypoints.api.importer_routes import WebhookConfig, WebhookSource, webhook_router
from escalon.services.access import create_token
from escalon.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

NOW = datetime(2024, 4, 17, 17, 18, 30, tzinfo=UTC)
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "importers"
STAMP = "2024-04-17T17:18:10Z"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'e.db'}")
    made = bootstrap(settings, ticket_engine=FakeEngine(), clock=lambda: NOW)
    made.prepare()
    yield made
    made.close()


@pytest.fixture
def client(service: Service) -> TestClient:
    config = WebhookConfig(
        zendesk=WebhookSource("zd-secret", load_mapping(FIXTURES / "zendesk-test.yaml")),
        jira=WebhookSource("jira-secret", load_mapping(FIXTURES / "jsm-test.yaml")),
    )
    app = FastAPI()
    app.state.service = service
    problems.install(app)
    app.include_router(webhook_router(config))
    return TestClient(app)


@pytest.fixture
def auth(service: Service) -> dict[str, str]:
    token = create_token(service.uow, "zendesk-integration", "integration", NOW)[0]
    return {"Authorization": f"Bearer {token}"}


def _zendesk(kind: str, ident: str, event: dict[str, object]) -> bytes:
    payload = {
        "type": f"zen:event-type:ticket.{kind}",
        "id": ident,
        "time": STAMP,
        "subject": "zen:ticket:35436",
        "detail": {"id": "35436", "status": "OPEN", "group_id": "2001", "organization_id": "7"},
        "event": event,
    }
    return json.dumps(payload).encode()


def _signed(body: bytes, auth: dict[str, str]) -> dict[str, str]:
    return {
        **auth,
        "X-Zendesk-Webhook-Signature": zendesk_signature(body, STAMP, "zd-secret"),
        "X-Zendesk-Webhook-Signature-Timestamp": STAMP,
        "Content-Type": "application/json",
    }


def test_signed_zendesk_webhooks_are_ingested_once(
    client: TestClient, auth: dict[str, str]
) -> None:
    created = _zendesk("created", "01A", {"current": {"status": "OPEN"}})
    first = client.post("/api/v1/webhooks/zendesk", content=created, headers=_signed(created, auth))
    assert first.status_code == 200, first.text
    assert first.json()["stored"] == 1
    again = client.post("/api/v1/webhooks/zendesk", content=created, headers=_signed(created, auth))
    assert again.json()["stored"] == 0 and again.json()["duplicates"] == 1


def test_unsigned_or_forged_requests_are_refused_before_parsing(
    client: TestClient, auth: dict[str, str]
) -> None:
    body = b"{not json"
    forged = client.post("/api/v1/webhooks/zendesk", content=body, headers=_signed(b"{}", auth))
    assert forged.status_code == 401
    plain = client.post("/api/v1/webhooks/zendesk", content=body, headers=auth)
    assert plain.status_code == 401
    no_token = client.post("/api/v1/webhooks/zendesk", content=body, headers=_signed(body, {}))
    assert no_token.status_code == 401
    # Correctly signed garbage gets past the signature and is then refused as a bad body.
    garbage = client.post("/api/v1/webhooks/zendesk", content=body, headers=_signed(body, auth))
    assert garbage.status_code == 422


def test_jira_webhook_with_hub_signature(client: TestClient, auth: dict[str, str]) -> None:
    payload = {
        "timestamp": 1713374290000,
        "webhookEvent": "jira:issue_created",
        "issue": {
            "key": "SD-7",
            "fields": {"status": {"name": "Open"}, "created": "2024-04-17T17:18:10.000+0000"},
        },
    }
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(b"jira-secret", body, hashlib.sha256).hexdigest()
    ok = client.post(
        "/api/v1/webhooks/jira", content=body, headers={**auth, "X-Hub-Signature": signature}
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["stored"] == 1
    bad = client.post(
        "/api/v1/webhooks/jira", content=body + b" ", headers={**auth, "X-Hub-Signature": signature}
    )
    assert bad.status_code == 401
