"""The same Zendesk history through the webhook route and `escalon import --db`, in both orders.

A real service on SQLite with the real engine: the webhooks are signed and posted over ASGI,
the export is imported with the CLI. Whichever path comes first stores the history; the other
stores nothing new, because both give each Zendesk fact the same event id and content.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from typer.testing import CliRunner

from escalon.adapters.db.tables import events
from escalon.adapters.importers.mapping import load_mapping
from escalon.adapters.importers.webhooks import zendesk_signature
from escalon.bootstrap import Service, bootstrap
from escalon.entrypoints.api import problems
from escalon.entrypoints.api.importer_routes import WebhookConfig, WebhookSource, webhook_router
from escalon.entrypoints.cli.main import app as cli
from escalon.services.access import create_token
from escalon.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "importers"
MAPPING = FIXTURES / "zendesk-test.yaml"
EXPORT = FIXTURES / "zendesk_one_history_export.jsonl"
WEBHOOKS = FIXTURES / "zendesk_one_history_webhooks.jsonl"
NOW = datetime(2024, 4, 17, 17, 18, 30, tzinfo=UTC)
SIGNED_AT = "2024-04-17T17:18:10Z"  # when Zendesk signed the (re)delivery
runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'escalon.db'}"


@pytest.fixture
def service(db: str) -> Iterator[Service]:
    made = bootstrap(Settings(database_url=db), clock=lambda: NOW)
    made.prepare()
    yield made
    made.close()


def _post_webhooks(service: Service) -> list[dict[str, int]]:
    config = WebhookConfig(zendesk=WebhookSource("zd-secret", load_mapping(MAPPING)))
    api = FastAPI()
    api.state.service = service
    problems.install(api)
    api.include_router(webhook_router(config))
    token = create_token(service.uow, "zendesk", "integration", NOW)[0]
    answers = []
    with TestClient(api) as client:
        for line in WEBHOOKS.read_bytes().splitlines():
            headers = {
                "Authorization": f"Bearer {token}",
                "X-Zendesk-Webhook-Signature": zendesk_signature(line, SIGNED_AT, "zd-secret"),
                "X-Zendesk-Webhook-Signature-Timestamp": SIGNED_AT,
                "Content-Type": "application/json",
            }
            response = client.post("/api/v1/webhooks/zendesk", content=line, headers=headers)
            assert response.status_code == 200, response.text
            answers.append(response.json())
    return answers


def _import(db: str) -> str:
    args = ["import", "zendesk", str(EXPORT), "--mapping", str(MAPPING), "--db", db]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    return result.output


def _stored(service: Service) -> int:
    with service.db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(events)).scalar_one())


def test_importing_after_the_webhooks_stores_nothing_new(service: Service, db: str) -> None:
    answers = _post_webhooks(service)
    stored = _stored(service)
    assert stored == sum(a["stored"] for a in answers) == 19
    output = _import(db)
    assert "events:          19 (0 new)" in output
    assert _stored(service) == stored
    # One duplicate among the webhooks: the agent webhook of the update that moved the group
    # and the agent restates the group webhook's assignment (same id, same content).
    assert sum(a["duplicates"] for a in answers) == 1


def test_webhooks_after_an_import_store_nothing_new(service: Service, db: str) -> None:
    assert "events:          19 (19 new)" in _import(db)
    answers = _post_webhooks(service)
    assert [a["stored"] for a in answers] == [0] * len(answers)
    assert _stored(service) == 19
