"""The service's own app serves the helpdesk webhooks once settings configure them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError
from tests.integration.service.conftest import TestClient
from tests.integration.service.fake_engine import FakeEngine

from escalon.adapters.importers.webhooks import zendesk_signature
from escalon.bootstrap import Service, bootstrap
from escalon.entrypoints.api.app import create_app
from escalon.services.access import create_token
from escalon.settings import Settings, load_settings

NOW = datetime(2024, 4, 17, 17, 18, 30, tzinfo=UTC)
STAMP = "2024-04-17T17:18:10Z"
MAPPING = Path(__file__).resolve().parents[2] / "fixtures" / "importers" / "zendesk-test.yaml"
URL = "/api/v1/webhooks/zendesk"


def _service(tmp_path: Path, **settings: object) -> Service:
    config = Settings(database_url=f"sqlite:///{tmp_path / 'e.db'}", **settings)  # type: ignore[arg-type]
    made = bootstrap(config, ticket_engine=FakeEngine(), clock=lambda: NOW)
    made.prepare()
    return made


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Service]:
    monkeypatch.setenv("ESCALON_ZENDESK_WEBHOOK_SECRET", "zd-secret")
    monkeypatch.setenv("ESCALON_ZENDESK_MAPPING", str(MAPPING))
    made = _service(tmp_path)  # the secret and mapping come from the environment
    yield made
    made.close()


def _body(ident: str) -> bytes:
    payload = {
        "type": "zen:event-type:ticket.created",
        "id": ident,
        "time": STAMP,
        "subject": "zen:ticket:35436",
        "detail": {"id": "35436", "status": "OPEN", "group_id": "2001", "organization_id": "7"},
        "event": {"current": {"status": "OPEN"}},
    }
    return json.dumps(payload).encode()


def _headers(service: Service, body: bytes, *, secret: str = "zd-secret") -> dict[str, str]:
    token = create_token(service.uow, f"zendesk-{len(body)}-{secret}", "integration", NOW)[0]
    return {
        "Authorization": f"Bearer {token}",
        "X-Zendesk-Webhook-Signature": zendesk_signature(body, STAMP, secret),
        "X-Zendesk-Webhook-Signature-Timestamp": STAMP,
        "Content-Type": "application/json",
    }


def test_a_signed_zendesk_webhook_is_ingested(configured: Service) -> None:
    body = _body("01A")
    with TestClient(create_app(configured)) as client:
        response = client.post(URL, content=body, headers=_headers(configured, body))
    assert response.status_code == 200, response.text
    assert response.json()["stored"] == 1
    with configured.uow(read_only=True) as uow:
        assert uow.events.count() == 1


def test_a_bad_signature_is_401_before_the_body_is_parsed(configured: Service) -> None:
    body = b"{not json"
    with TestClient(create_app(configured)) as client:
        forged = client.post(URL, content=body, headers=_headers(configured, body, secret="x"))
        missing_token = client.post(
            URL, content=body, headers={"X-Zendesk-Webhook-Signature": "x", "Content-Type": "a/b"}
        )
    assert forged.status_code == 401
    assert forged.json()["field"] == "X-Zendesk-Webhook-Signature"
    assert missing_token.status_code == 401
    assert missing_token.json()["field"] == "authorization"
    with configured.uow(read_only=True) as uow:
        assert uow.events.count() == 0


def test_an_unconfigured_vendor_answers_404(tmp_path: Path) -> None:
    service = _service(tmp_path)
    body = _body("01B")
    try:
        with TestClient(create_app(service)) as client:
            response = client.post(URL, content=body, headers=_headers(service, body))
    finally:
        service.close()
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_half_a_webhook_configuration_names_the_missing_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ESCALON_JIRA_WEBHOOK_SECRET", "jira-secret")
    with pytest.raises(ValidationError, match="jira_mapping"):
        load_settings()
