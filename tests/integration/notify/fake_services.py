"""Local stand-ins for Slack, Teams, PagerDuty and a webhook receiver, on a real loopback socket.

They answer the way the real services document: Slack's `ok` and error words, Teams' 202, the
PagerDuty Events API v2 (with incidents deduplicated by `dedup_key`), and a receiver that checks
Standard Webhooks signatures. A test can script the next answers of any path (errors, 429 with
Retry-After, 5xx, a hang longer than the client's timeout).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, TypeVar


class Closable(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=Closable)


@dataclass(frozen=True)
class Answer:
    status: int
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class PagerDutyState:
    """Incidents by dedup_key: a trigger on an open key is deduplicated, as PagerDuty does."""

    routing_key: str
    status: dict[str, str] = field(default_factory=dict)
    opened: Counter[str] = field(default_factory=Counter)

    def handle(self, event: dict[str, Any]) -> Answer:
        errors = []
        if event.get("routing_key") != self.routing_key:
            errors.append("Invalid routing key")
        action = event.get("event_action")
        if action not in ("trigger", "acknowledge", "resolve"):
            errors.append("'event_action' is invalid")
        key = event.get("dedup_key")
        if not isinstance(key, str) or not 0 < len(key) <= 255:
            errors.append("'dedup_key' is invalid")
        payload = event.get("payload") or {}
        if action == "trigger":
            for name in ("summary", "source", "severity"):
                if not payload.get(name):
                    errors.append(f"'payload.{name}' is missing or blank")
            if payload.get("severity") not in ("critical", "error", "warning", "info"):
                errors.append("'payload.severity' is invalid")
        if errors:
            body = {
                "status": "invalid event",
                "message": "Event object is invalid",
                "errors": errors,
            }
            return Answer(400, json.dumps(body))
        assert isinstance(key, str)
        if action == "trigger" and self.status.get(key) in (None, "resolved"):
            self.opened[key] += 1
            self.status[key] = "triggered"
        elif action == "acknowledge" and self.status.get(key) == "triggered":
            self.status[key] = "acknowledged"
        elif action == "resolve" and key in self.status:
            self.status[key] = "resolved"
        body = {"status": "success", "message": "Event processed", "dedup_key": key}
        return Answer(202, json.dumps(body))


def verify_standard_webhook(secrets: list[str], headers: dict[str, str], body: bytes) -> bool:
    """A receiver's check, written from the Standard Webhooks specification."""
    msg_id, stamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "")
    signed = f"{msg_id}.{stamp}.".encode() + body
    offered = {part.split(",", 1)[1] for part in headers.get("webhook-signature", "").split()}
    for secret in secrets:
        key = base64.b64decode(secret.removeprefix("whsec_"))
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        if any(hmac.compare_digest(expected, sig) for sig in offered):
            return True
    return False


class FakeServices:
    """One HTTP/1.1 server on 127.0.0.1 serving every fake service by path prefix."""

    def __init__(
        self,
        *,
        routing_key: str = "R" * 32,
        webhook_secrets: list[str] | None = None,
        delay: float = 0.0,
    ):
        self.delay = delay
        self.pagerduty = PagerDutyState(routing_key)
        self.webhook_secrets = webhook_secrets or []
        self.received: list[Received] = []
        self._clients: list[Closable] = []
        self._scripts: dict[str, deque[Answer]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> FakeServices:
        self._thread.start()
        return self

    def track(self, client: C) -> C:
        """Close this client (a sender) when the services stop."""
        self._clients.append(client)
        return client

    def __exit__(self, *exc: object) -> None:
        for client in self._clients:
            client.close()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def url(self, path: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def script(self, path: str, *answers: Answer) -> None:
        with self._lock:
            self._scripts.setdefault(path, deque()).extend(answers)

    def to(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> Answer:
        with self._lock:
            self.received.append(Received(path, headers, body, time.monotonic()))
            scripted = self._scripts.get(path)
            if scripted:
                return scripted.popleft()
            if path.startswith("/slack/"):
                return Answer(200, "ok")
            if path.startswith("/teams/"):
                return Answer(202)
            if path == "/pagerduty/v2/enqueue":
                return self.pagerduty.handle(json.loads(body))
            if path.startswith("/webhook/"):
                valid = verify_standard_webhook(self.webhook_secrets, headers, body)
                return Answer(204) if valid else Answer(401, "bad signature")
            return Answer(404, "not found")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        services = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as separate writes

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                answer = services.answer(self.path, headers, body)
                if answer.delay or services.delay:
                    time.sleep(answer.delay or services.delay)
                data = answer.body.encode()
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler
