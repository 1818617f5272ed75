"""Generic webhooks signed the Standard Webhooks way, so receivers can verify and deduplicate.

Headers: `webhook-id` (the message's idempotency key, the same on every retry), `webhook-timestamp`
(Unix seconds at sending, so receivers can refuse stale replays) and `webhook-signature`: one
`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` per active secret, space-separated, which lets a
receiver rotate secrets without losing messages.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import timedelta

import httpx

from escalon.adapters.notify.base import Clock, classify_http, http_client, post_json
from escalon.domain.notify.delivery import SendResult
from escalon.domain.notify.message import OutboxMessage
from escalon.domain.policy.notifications import WebhookChannel


def secret_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_<base64>` secret."""
    return base64.b64decode(secret.removeprefix("whsec_"))


def sign(secrets: Sequence[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value: one `v1,` signature per secret."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return " ".join(
        "v1," + base64.b64encode(hmac.new(secret_key(s), signed, hashlib.sha256).digest()).decode()
        for s in secrets
    )


def webhook_body(message: OutboxMessage) -> bytes:
    """`{type, timestamp, data}`: the event type, when it happened, and the notification."""
    notification = message.notification
    payload = {
        "type": f"escalon.{notification.kind}",
        "timestamp": notification.occurred_at.isoformat(),
        "data": notification.model_dump(mode="json"),
    }
    return json.dumps(payload, separators=(",", ":")).encode()


class WebhookSender:
    """Posts signed JSON to one URL."""

    def __init__(
        self,
        spec: WebhookChannel,
        *,
        clock: Clock,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._spec = spec
        self._clock = clock
        self._client = http_client(transport, spec.timeout.as_timedelta or timedelta(seconds=10))

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def send(self, message: OutboxMessage) -> SendResult:
        body = webhook_body(message)
        now = self._clock()
        timestamp = int(now.timestamp())
        headers = {
            "webhook-id": message.key,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(self._spec.secrets, message.key, timestamp, body),
        }
        answer = post_json(self._client, self._spec.url, content=body, headers=headers)
        if isinstance(answer, SendResult):
            return answer
        return classify_http(answer, now)
