"""Microsoft Teams Workflows webhooks: an Adaptive Card 1.4 in a `message` attachment.

A Workflows webhook answers 202 when it has *accepted* the request; the flow then runs on its own
and can still fail without telling the sender. escalon records such a message as delivered (the
most the webhook can tell) and says so in docs/notifications.md. Anything other than 2xx fails.
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
from escalon.domain.policy.notifications import TeamsChannel

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
_PRIORITY_COLOR = {"P1": "Attention", "P2": "Warning"}


def adaptive_card(notification: Notification, body: str) -> dict[str, object]:
    """The Workflows message envelope around an Adaptive Card 1.4."""
    facts = [
        {"title": title, "value": value}
        for title, value in (
            ("Priority", notification.priority),
            ("Tier", notification.tier),
            ("Team", notification.team),
            ("Kind", notification.kind),
        )
        if value
    ]
    card_body: list[dict[str, object]] = [
        {
            "type": "TextBlock",
            "text": notification.summary,
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
            "color": _PRIORITY_COLOR.get(notification.priority or "", "Default"),
        },
        {"type": "TextBlock", "text": body, "wrap": True},
    ]
    if facts:
        card_body.append({"type": "FactSet", "facts": facts})
    card: dict[str, object] = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": "1.4",
        "body": card_body,
    }
    if notification.ticket_url:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": "Open ticket", "url": notification.ticket_url}
        ]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


class TeamsSender:
    """Posts to one Teams Workflows webhook."""

    def __init__(
        self,
        spec: TeamsChannel,
        *,
        clock: Clock,
        transport: httpx.BaseTransport | None = None,
        base_dir: Path | None = None,
    ) -> None:
        self._url = spec.url
        self._clock = clock
        self._client = http_client(transport, spec.timeout.as_timedelta or timedelta(seconds=10))
        self.template = Template("teams.md.j2", resolve_override(spec.template, base_dir))

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def send(self, message: OutboxMessage) -> SendResult:
        notification = message.notification
        payload = adaptive_card(notification, self.template.render(notification))
        answer = post_json(self._client, self._url, content=json.dumps(payload).encode())
        if isinstance(answer, SendResult):
            return answer
        return classify_http(answer, self._clock())
