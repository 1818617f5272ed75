"""Slack incoming webhooks: a Block Kit message; success is HTTP 200 with the body `ok`.

Slack answers a refused message with an error word in the body. The documented ones below describe
the payload, the webhook or the workspace, so sending again cannot succeed: they are permanent.
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
from escalon.domain.policy.notifications import SlackChannel

PERMANENT_ERRORS = frozenset(
    {
        "invalid_payload",
        "no_text",
        "channel_not_found",
        "channel_is_archived",
        "action_prohibited",
        "no_service",
        "no_service_id",
        "no_team",
        "team_not_found",
        "invalid_token",
        "team_disabled",
        "user_not_found",
        "posting_to_general_channel_denied",
        "too_many_attachments",
    }
)
HEADER_LIMIT = 150
SECTION_LIMIT = 3000


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_payload(notification: Notification, body: str) -> dict[str, object]:
    """Block Kit: a header, the rendered text as mrkdwn, and a context line; `text` is the
    fallback shown in notifications and by clients without blocks."""
    context = " · ".join(
        part
        for part in (notification.priority, notification.tier, notification.team, notification.kind)
        if part
    )
    return {
        "text": _clip(notification.summary, SECTION_LIMIT),
        "blocks": [
            {
                "type": "header",
                "text": {"type": "plain_text", "text": _clip(notification.summary, HEADER_LIMIT)},
            },
            {"type": "section", "text": {"type": "mrkdwn", "text": _clip(body, SECTION_LIMIT)}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": context or "escalon"}]},
        ],
    }


class SlackSender:
    """Posts to one Slack incoming webhook."""

    def __init__(
        self,
        spec: SlackChannel,
        *,
        clock: Clock,
        transport: httpx.BaseTransport | None = None,
        base_dir: Path | None = None,
    ) -> None:
        self._url = spec.url
        self._clock = clock
        self._client = http_client(transport, spec.timeout.as_timedelta or timedelta(seconds=10))
        self.template = Template("slack.md.j2", resolve_override(spec.template, base_dir))

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def send(self, message: OutboxMessage) -> SendResult:
        notification = message.notification
        payload = slack_payload(notification, self.template.render(notification))
        answer = post_json(self._client, self._url, content=json.dumps(payload).encode())
        if isinstance(answer, SendResult):
            return answer
        body = answer.text.strip()
        if answer.status_code == 200 and body == "ok":
            return SendResult(outcome="delivered", status_code=200)
        if body in PERMANENT_ERRORS:
            return SendResult(outcome="rejected", status_code=answer.status_code, error=body)
        return classify_http(answer, self._clock(), success=())
