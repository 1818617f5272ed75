"""PagerDuty Events API v2: trigger, acknowledge and resolve one incident per escalation.

The `dedup_key` is derived from the escalation id, so a trigger sent twice (a retry, or a resend
after a crash) lands on the same incident instead of opening a second one, and the acknowledge and
resolve that follow reach it. 202 is success, 400 is permanent, 429 and 5xx are retried.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import httpx

from escalon.adapters.notify.base import Clock, classify_http, http_client, post_json
from escalon.adapters.notify.templates import Template, resolve_override
from escalon.domain.notify.delivery import SendResult
from escalon.domain.notify.message import Notification, OutboxMessage
from escalon.domain.notify.routing import PAGERDUTY_ACTIONS
from escalon.domain.policy.notifications import PagerDutyChannel

SEVERITY_BY_PRIORITY = {"P1": "critical", "P2": "error", "P3": "warning", "P4": "info"}
SUMMARY_LIMIT = 1024
DEDUP_KEY_LIMIT = 255


def pagerduty_event(
    notification: Notification, *, routing_key: str, source: str, summary: str
) -> dict[str, object]:
    """One Events API v2 event; acknowledge and resolve carry only the key and the action."""
    action = PAGERDUTY_ACTIONS[notification.kind]
    event: dict[str, object] = {
        "routing_key": routing_key,
        "event_action": action,
        "dedup_key": notification.incident_key[:DEDUP_KEY_LIMIT],
    }
    if action != "trigger":
        return event
    details = {"ticket_id": notification.ticket_id, "kind": notification.kind}
    details |= {
        k: v for k, v in notification.template_context().items() if isinstance(v, str) and v
    }
    details |= notification.details
    event["payload"] = {
        "summary": summary[:SUMMARY_LIMIT] or notification.summary[:SUMMARY_LIMIT],
        "source": source,
        "severity": SEVERITY_BY_PRIORITY.get(notification.priority or "", "error"),
        "timestamp": notification.occurred_at.isoformat(),
        "component": notification.team or "support",
        "group": notification.tier or "support",
        "class": notification.kind,
        "custom_details": details,
    }
    if notification.ticket_url:
        event["links"] = [
            {"href": notification.ticket_url, "text": f"Ticket {notification.ticket_id}"}
        ]
    return event


class PagerDutySender:
    """Sends events to one PagerDuty service integration (its routing key)."""

    def __init__(
        self,
        spec: PagerDutyChannel,
        *,
        clock: Clock,
        transport: httpx.BaseTransport | None = None,
        base_dir: Path | None = None,
    ) -> None:
        self._spec = spec
        self._clock = clock
        self._client = http_client(transport, spec.timeout.as_timedelta or timedelta(seconds=10))
        self.template = Template("pagerduty.txt.j2", resolve_override(spec.template, base_dir))

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def send(self, message: OutboxMessage) -> SendResult:
        notification = message.notification
        if notification.kind not in PAGERDUTY_ACTIONS:
            return SendResult(
                outcome="rejected", error=f"PagerDuty has no event for {notification.kind!r}"
            )
        event = pagerduty_event(
            notification,
            routing_key=self._spec.routing_key,
            source=self._spec.source,
            summary=self.template.render(notification),
        )
        answer = post_json(self._client, self._spec.url, content=json.dumps(event).encode())
        if isinstance(answer, SendResult):
            return answer
        return classify_http(answer, self._clock(), success=(200, 201, 202))
