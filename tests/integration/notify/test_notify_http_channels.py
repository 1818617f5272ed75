"""Each HTTP channel against a local server that answers like the real service."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.integration.notify.conftest import ROUTING_KEY, SECRET_NEW, SECRET_OLD, clock, message
from tests.integration.notify.fake_services import Answer, FakeServices

from escalon.adapters.notify.pagerduty import PagerDutySender
from escalon.adapters.notify.slack import SlackSender
from escalon.adapters.notify.teams import TeamsSender
from escalon.adapters.notify.webhook import WebhookSender
from escalon.domain.policy.notifications import (
    PagerDutyChannel,
    SlackChannel,
    TeamsChannel,
    WebhookChannel,
)


def slack(services: FakeServices, path: str = "/slack/l2", **spec: object) -> SlackSender:
    channel = SlackChannel.model_validate({"type": "slack", "url": services.url(path)} | spec)
    return services.track(SlackSender(channel, clock=clock))


def test_slack_block_kit_message_is_delivered(services: FakeServices) -> None:
    result = slack(services).send(message())
    assert (result.outcome, result.status_code) == ("delivered", 200)
    (received,) = services.to("/slack/l2")
    body = received.json()
    assert body["text"] == "P2 ticket T-1001 escalated from L1 to L2"
    assert [b["type"] for b in body["blocks"]] == ["header", "section", "context"]
    assert (
        "<https://support.example.com/tickets/T-1001|Open ticket T-1001>"
        in (body["blocks"][1]["text"]["text"])
    )


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, "invalid_payload"),
        (400, "no_text"),
        (404, "channel_not_found"),
        (410, "channel_is_archived"),
        (403, "action_prohibited"),
        (404, "no_service"),
        (403, "invalid_token"),
        (403, "team_disabled"),
    ],
)
def test_slack_documented_errors_are_permanent(
    services: FakeServices, status: int, error: str
) -> None:
    services.script("/slack/l2", Answer(status, error))
    result = slack(services).send(message())
    assert (result.outcome, result.status_code, result.error) == ("rejected", status, error)


def test_slack_429_carries_retry_after(services: FakeServices) -> None:
    services.script("/slack/l2", Answer(429, "rate_limited", {"Retry-After": "2"}))
    result = slack(services).send(message())
    assert result.outcome == "retry" and result.throttled
    assert result.retry_after == timedelta(seconds=2)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_slack_server_errors_are_retried(services: FakeServices, status: int) -> None:
    services.script("/slack/l2", Answer(status, "internal_error"))
    result = slack(services).send(message())
    assert (result.outcome, result.status_code) == ("retry", status)


def test_a_hanging_service_times_out_and_is_retried(services: FakeServices) -> None:
    services.script("/slack/l2", Answer(200, "ok", delay=3))
    result = slack(services, timeout="1s").send(message())
    assert result.outcome == "retry" and result.error is not None
    assert result.error.startswith("timeout")


def test_an_unreachable_service_is_retried(services: FakeServices) -> None:
    channel = SlackChannel(type="slack", url="http://127.0.0.1:9/nothing-listens-here")
    result = services.track(SlackSender(channel, clock=clock)).send(message())
    assert result.outcome == "retry" and result.error is not None
    assert result.error.startswith("network error")


def teams(services: FakeServices) -> TeamsSender:
    spec = TeamsChannel(type="teams", url=services.url("/teams/l2"))
    return services.track(TeamsSender(spec, clock=clock))


def test_teams_adaptive_card_is_accepted(services: FakeServices) -> None:
    result = teams(services).send(message())
    assert (result.outcome, result.status_code) == ("delivered", 202)
    body = services.to("/teams/l2")[0].json()
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert card["actions"][0]["url"] == "https://support.example.com/tickets/T-1001"


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        (Answer(400, "Bad Request"), "rejected"),
        (Answer(401, "Unauthorized"), "rejected"),
        (Answer(404, "Not Found"), "rejected"),
        (Answer(429, "", {"Retry-After": "30"}), "retry"),
        (Answer(500, "Internal Server Error"), "retry"),
        (Answer(503, "Service Unavailable"), "retry"),
    ],
)
def test_teams_non_2xx_is_a_failure(services: FakeServices, answer: Answer, outcome: str) -> None:
    services.script("/teams/l2", answer)
    result = teams(services).send(message())
    assert (result.outcome, result.status_code) == (outcome, answer.status)


def pagerduty(services: FakeServices, routing_key: str = ROUTING_KEY) -> PagerDutySender:
    url = services.url("/pagerduty/v2/enqueue")
    spec = PagerDutyChannel(type="pagerduty", routing_key=routing_key, url=url)
    return services.track(PagerDutySender(spec, clock=clock))


def test_pagerduty_incident_lifecycle_follows_the_escalation(services: FakeServices) -> None:
    sender = pagerduty(services)
    for decision, kind in [("t", "escalate"), ("t2", "sla_breach"), ("a", "acknowledged")]:
        assert sender.send(message(decision, kind=kind)).status_code == 202
    key = "escalon-escalation-E-1001-1"
    assert services.pagerduty.opened == {key: 1}  # the breach re-trigger deduplicated
    assert services.pagerduty.status[key] == "acknowledged"
    assert sender.send(message("r", kind="resolved")).outcome == "delivered"
    assert services.pagerduty.status[key] == "resolved"
    events = [r.json() for r in services.to("/pagerduty/v2/enqueue")]
    assert [e["event_action"] for e in events] == ["trigger", "trigger", "acknowledge", "resolve"]
    assert events[0]["payload"]["severity"] == "error"
    assert set(events[2]) == {"routing_key", "dedup_key", "event_action"}


@pytest.mark.parametrize(("priority", "severity"), [("P1", "critical"), ("P4", "info")])
def test_pagerduty_severity_from_priority(
    services: FakeServices, priority: str, severity: str
) -> None:
    pagerduty(services).send(message(priority=priority))
    assert services.to("/pagerduty/v2/enqueue")[0].json()["payload"]["severity"] == severity


def test_pagerduty_400_is_permanent(services: FakeServices) -> None:
    result = pagerduty(services, routing_key="W" * 32).send(message())
    assert (result.outcome, result.status_code) == ("rejected", 400)
    assert result.error is not None and "Invalid routing key" in result.error


@pytest.mark.parametrize("status", [429, 500, 502])
def test_pagerduty_throttling_and_outages_are_retried(services: FakeServices, status: int) -> None:
    services.script("/pagerduty/v2/enqueue", Answer(status, '{"status":"throttle"}'))
    result = pagerduty(services).send(message())
    assert (result.outcome, result.status_code) == ("retry", status)
    assert result.throttled == (status == 429)


def webhook(services: FakeServices, secrets: list[str]) -> WebhookSender:
    spec = WebhookChannel(type="webhook", url=services.url("/webhook/crm"), secrets=secrets)
    return services.track(WebhookSender(spec, clock=clock))


def test_signed_webhook_verifies_at_the_receiver_during_rotation(services: FakeServices) -> None:
    result = webhook(services, [SECRET_OLD, SECRET_NEW]).send(message())
    assert (result.outcome, result.status_code) == ("delivered", 204)
    (received,) = services.to("/webhook/crm")
    assert len(received.headers["webhook-signature"].split()) == 2
    assert received.headers["webhook-timestamp"] == "1772460000"
    assert received.json()["type"] == "escalon.escalate"


def test_webhook_id_is_stable_across_retries(services: FakeServices) -> None:
    sender = webhook(services, [SECRET_NEW])
    sender.send(message())
    sender.send(message())
    ids = {r.headers["webhook-id"] for r in services.to("/webhook/crm")}
    assert ids == {message().key}


def test_webhook_signed_with_a_retired_secret_is_refused(services: FakeServices) -> None:
    result = webhook(services, [SECRET_OLD]).send(message())
    assert (result.outcome, result.status_code) == ("rejected", 401)


@pytest.mark.parametrize(("status", "outcome"), [(410, "rejected"), (500, "retry"), (429, "retry")])
def test_webhook_answers(services: FakeServices, status: int, outcome: str) -> None:
    services.script("/webhook/crm", Answer(status))
    assert webhook(services, [SECRET_NEW]).send(message()).outcome == outcome
