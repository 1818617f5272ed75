"""The HTTP API in process: auth on every route, problem details, the main flows."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute
from tests.integration.service.conftest import NOW, FixedClock, TestClient, created

from escalon.bootstrap import Service
from escalon.entrypoints.api.app import create_app
from escalon.entrypoints.api.importer_routes import WebhookConfig, webhook_router
from escalon.entrypoints.api.routes import approvals, events, ops, policy, tickets
from escalon.services.access import PERMISSIONS, ROLES, create_token

PUBLIC = {"/healthz", "/readyz"}
ROUTERS = (events, tickets, approvals, policy, ops)


@pytest.fixture
def client(service: Service) -> Iterator[TestClient]:
    with TestClient(create_app(service)) as test_client:
        yield test_client


@pytest.fixture
def tokens(service: Service) -> dict[str, str]:
    return {role: create_token(service.uow, f"{role}-1", role, NOW)[0] for role in ROLES}


@pytest.fixture
def as_role(client: TestClient, tokens: dict[str, str]) -> Callable[..., Any]:
    def call(role: str, method: str, url: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        return client.request(method, url, headers=headers, **kwargs)

    return call


def _action(route: APIRoute) -> str | None:
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        action = getattr(dependant.call, "action", None)
        if action is not None:
            return str(action)
        stack.extend(dependant.dependencies)
    return None


def _routes(client: TestClient) -> list[tuple[str, str, str | None]]:
    """Every route of every router, checked against the OpenAPI schema so none is missed."""
    routers = [m.router for m in ROUTERS] + [webhook_router(WebhookConfig())]
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    published = {
        (method.upper(), path)
        for path, item in client.get("/openapi.json").json()["paths"].items()
        for method in item
    }
    assert {(m, r.path) for r in routes for m in r.methods or ()} == published
    found = []
    for route in routes:
        for method in route.methods or ():
            url = route.path.replace("{ticket}", "T-1").replace("{approval}", "A-1")
            url = url.replace("{version}", "v1")
            found.append((method, url, _action(route)))
    return found


def test_every_route_but_the_probes_requires_a_right(client: TestClient) -> None:
    unguarded = [(m, u) for m, u, action in _routes(client) if action is None and u not in PUBLIC]
    assert unguarded == []


def test_every_route_rejects_a_missing_or_wrong_token(client: TestClient) -> None:
    for method, url, action in _routes(client):
        if action is None:
            continue
        for headers in ({}, {"Authorization": "Bearer esc_wrong"}, {"Authorization": "Basic x"}):
            response = client.request(method, url, headers=headers, json={})
            assert response.status_code == 401, (method, url, headers)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["field"] == "authorization"


def test_every_route_rejects_a_role_without_the_right(
    client: TestClient, as_role: Callable[..., Any]
) -> None:
    checked = 0
    for method, url, action in _routes(client):
        if action is None:
            continue
        for role in ROLES:
            if role in PERMISSIONS[action]:
                continue
            response = as_role(role, method, url, json={})
            assert response.status_code == 403, (role, method, url)
            checked += 1
    assert checked > 20


def test_the_rules_the_issue_names(as_role: Callable[..., Any]) -> None:
    assert as_role("agent", "POST", "/api/v1/approvals/A-1/decision", json={}).status_code == 403
    policy = {"source": "version: x"}
    for role in set(ROLES) - {"admin"}:
        assert as_role(role, "POST", "/api/v1/policy/activate", json=policy).status_code == 403
    assert as_role("integration", "GET", "/api/v1/tickets").status_code == 403
    body = created("T-1", NOW)
    assert as_role("integration", "POST", "/api/v1/events", json=body).status_code == 200


def test_a_revoked_token_is_refused(
    service: Service, client: TestClient, tokens: dict[str, str]
) -> None:
    from escalon.services.access import revoke_token

    headers = {"Authorization": f"Bearer {tokens['lead']}"}
    assert client.get("/api/v1/tickets", headers=headers).status_code == 200
    revoke_token(service.uow, "lead-1", NOW)
    assert client.get("/api/v1/tickets", headers=headers).status_code == 401


def test_malformed_json_is_a_400_problem(client: TestClient, tokens: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/events",
        content=b'{"id": ',
        headers={"Authorization": f"Bearer {tokens['agent']}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["title"] == "Malformed JSON"


def test_a_schema_violation_names_the_field(as_role: Callable[..., Any]) -> None:
    body = created("T-1", NOW)
    body["data"]["priority"] = "P9"
    response = as_role("agent", "POST", "/api/v1/events", json=body)
    assert response.status_code == 422
    assert response.json()["field"] == "/data/priority"
    batch = [created("T-1", NOW), {**created("T-2", NOW), "at": "yesterday"}]
    response = as_role("agent", "POST", "/api/v1/events/batch", json=batch)
    assert response.status_code == 422
    assert response.json()["field"] == "/1/at"


def test_a_duplicate_with_other_content_is_409_and_stores_nothing(
    as_role: Callable[..., Any],
) -> None:
    assert as_role("agent", "POST", "/api/v1/events", json=created("T-1", NOW)).status_code == 200
    batch = [created("T-2", NOW), created("T-1", NOW, priority="P1")]
    response = as_role("agent", "POST", "/api/v1/events/batch", json=batch)
    assert response.status_code == 409
    assert response.json()["field"] == "/1/id"
    assert as_role("agent", "GET", "/api/v1/tickets/T-2").status_code == 404


def test_unknown_ticket_is_404_naming_the_ticket(as_role: Callable[..., Any]) -> None:
    response = as_role("agent", "GET", "/api/v1/tickets/T-404")
    assert response.status_code == 404
    assert response.json()["field"] == "ticket"
    accept = as_role("lead", "POST", "/api/v1/tickets/T-404/handoffs/accept", json={})
    assert accept.status_code == 404
    assert accept.json()["field"] == "/ticket"


def test_ingest_then_read_the_ticket_story(
    as_role: Callable[..., Any], service: Service, clock: FixedClock
) -> None:
    batch = [created("T-1", NOW - timedelta(hours=2), priority="P1"), created("T-2", NOW)]
    response = as_role("integration", "POST", "/api/v1/events/batch", json=batch)
    assert response.json() == {"received": 2, "stored": 2, "duplicates": 0, "decisions": 0}
    again = as_role("integration", "POST", "/api/v1/events/batch", json=batch).json()
    assert (again["stored"], again["duplicates"]) == (0, 2)
    service.firer.fire_due(clock())
    story = as_role("agent", "GET", "/api/v1/tickets/T-1").json()
    assert story["ticket"]["priority"] == "P1"
    [decision] = story["decisions"]
    assert decision["kind"] == "sla_breach" and decision["late"] is True
    assert decision["reason"] and decision["policy_version"]
    assert [e["kind"] for e in story["timeline"]] == ["event", "decision"]
    listed = as_role("agent", "GET", "/api/v1/tickets", params={"priority": "P1"}).json()
    assert [t["id"] for t in listed] == ["T-1"]


def test_handoff_submit_accept_reject_and_the_queue(as_role: Callable[..., Any]) -> None:
    as_role(
        "agent", "POST", "/api/v1/events/batch", json=[created("T-1", NOW), created("T-2", NOW)]
    )
    first = as_role(
        "agent",
        "POST",
        "/api/v1/tickets/T-1/handoffs",
        json={"to": "L2", "reason": "product_bug", "id": "h-1"},
    )
    assert first.status_code == 200 and first.json()["type"] == "escalation.requested"
    repeat = as_role(
        "agent",
        "POST",
        "/api/v1/tickets/T-1/handoffs",
        json={"to": "L2", "reason": "product_bug", "id": "h-1"},
    )
    assert repeat.json()["duplicate"] is True
    as_role("agent", "POST", "/api/v1/tickets/T-2/handoffs", json={"to": "L3"})
    queue = as_role("lead", "GET", "/api/v1/escalations").json()
    assert [q["ticket"] for q in queue] == ["T-1", "T-2"] or len(queue) == 2
    assert all(q["seconds_to_breach"] == 900 for q in queue)
    accepted = as_role("lead", "POST", "/api/v1/tickets/T-1/handoffs/accept", json={})
    assert accepted.json()["type"] == "escalation.accepted"
    rejected = as_role(
        "lead", "POST", "/api/v1/tickets/T-2/handoffs/reject", json={"reason": "missing logs"}
    )
    assert rejected.json()["type"] == "escalation.rejected"
    queue = as_role("lead", "GET", "/api/v1/escalations").json()
    assert [(q["ticket"], q["status"]) for q in queue] == [("T-1", "accepted")]
    story = as_role("agent", "GET", "/api/v1/tickets/T-1").json()
    types = [e["type"] for e in story["timeline"]]
    assert types == ["ticket.created", "escalation.requested", "escalation.accepted"]
    requested = story["timeline"][1]["data"]["data"]
    assert requested["requested_by"] == "agent-1"


def test_credit_approval_follows_the_authority_matrix(as_role: Callable[..., Any]) -> None:
    as_role("agent", "POST", "/api/v1/events", json=created("T-1", NOW))
    asked = as_role(
        "agent",
        "POST",
        "/api/v1/tickets/T-1/approvals",
        json={"amount": "7500", "reason": "outage"},
    )
    assert asked.status_code == 201
    approval = asked.json()
    assert approval["route_to"] == "vp_support" and approval["status"] == "pending"
    url = f"/api/v1/approvals/{approval['id']}/decision"
    beyond = as_role("manager", "POST", url, json={"decision": "approve"})
    assert beyond.status_code == 403
    assert beyond.json()["field"] == "amount" and "cap" in beyond.json()["detail"]
    assert as_role("agent", "POST", url, json={"decision": "approve"}).status_code == 403
    granted = as_role("vp", "POST", url, json={"decision": "approve", "note": "ok"})
    assert granted.status_code == 200 and granted.json()["status"] == "approved"
    assert as_role("clevel", "POST", url, json={"decision": "refuse"}).status_code == 409
    audit = as_role("admin", "GET", "/api/v1/audit").json()
    actions = [(a["action"], a["actor"]) for a in audit]
    assert ("approval.decide", "vp-1") in actions and ("approval.request", "agent-1") in actions


def test_negative_amounts_are_refused_naming_the_field(as_role: Callable[..., Any]) -> None:
    as_role("agent", "POST", "/api/v1/events", json=created("T-1", NOW))
    response = as_role("agent", "POST", "/api/v1/tickets/T-1/approvals", json={"amount": "-5"})
    assert response.status_code == 422 and response.json()["field"] == "/amount"


def test_policy_get_validate_activate_and_versions(
    as_role: Callable[..., Any], service: Service
) -> None:
    active = as_role("admin", "GET", "/api/v1/policy").json()
    assert active["active"] is True
    source = re.sub(r"(?m)^version: .*$", 'version: "2026.2"', active["source"], count=1)
    bad = as_role("admin", "POST", "/api/v1/policy/validate", json={"source": "version: [1"})
    assert bad.status_code == 200 and bad.json()["valid"] is False and bad.json()["errors"]
    good = as_role("admin", "POST", "/api/v1/policy/validate", json={"source": source})
    assert good.json()["valid"] is True and good.json()["version"] == "2026.2"
    activated = as_role("admin", "POST", "/api/v1/policy/activate", json={"source": source})
    assert activated.status_code == 200 and activated.json()["version"] == "2026.2"
    invalid = as_role("admin", "POST", "/api/v1/policy/activate", json={"source": "x: ["})
    assert invalid.status_code == 422 and invalid.json()["field"] == "source"
    versions = as_role("admin", "GET", "/api/v1/policy/versions").json()
    assert [(v["version"], v["active"]) for v in versions] == [
        (active["version"], False),
        ("2026.2", True),
    ]
    as_role("agent", "POST", "/api/v1/events", json=created("T-1", NOW))
    assert (
        as_role("agent", "GET", "/api/v1/tickets/T-1").json()["ticket"]["policy_version"]
        == "2026.2"
    )
    back = as_role("admin", "POST", f"/api/v1/policy/versions/{active['version']}/activate")
    assert back.json()["active"] is True
    missing = as_role("admin", "POST", "/api/v1/policy/versions/nope/activate")
    assert missing.status_code == 404


def test_probes_and_metrics(
    client: TestClient, as_role: Callable[..., Any], service: Service, clock: FixedClock
) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["status"] == "ready"
    as_role("agent", "POST", "/api/v1/events", json=created("T-1", NOW, priority="P1"))
    clock.advance(timedelta(hours=1, minutes=30))
    text = as_role("integration", "GET", "/metrics").text
    assert "escalon_events_ingested_total 1\n" in text
    assert "escalon_worker_lag_seconds 1800.000\n" in text
    service.firer.fire_due(clock())
    text = as_role("integration", "GET", "/metrics").text
    assert 'escalon_decisions_total{kind="sla_breach"} 1\n' in text
    assert "escalon_breaches_total 1\n" in text
    assert "escalon_worker_lag_seconds 0.000\n" in text


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/api/v1/events/batch" in schema["paths"]
    assert client.get("/docs").status_code == 200
