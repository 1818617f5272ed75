"""The busiest route, `POST /api/v1/events`, answered on its success path without the framework.

A single event costs the service a few hundred microseconds; the framework's middleware stack,
routing and dependency solving around it cost about a third as much again. This middleware
takes the bearer secret and the body itself, hands them to the same group-commit writer as the
route, and writes the same 200 answer. Anything else — another path, a missing or malformed
header, or any refusal (bad token, invalid body, unknown ticket, conflict) — goes to the
framework unchanged: a refused request stored nothing, so the route runs it again and answers
with the usual problem details. The route stays the one documented in the OpenAPI schema.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from escalon.entrypoints.api.deps import bearer_of
from escalon.entrypoints.api.routes.events import answer_json, committed
from escalon.services.ingest import IngestResult

PATH = "/api/v1/events"


class SingleEventFastPath:
    """ASGI middleware: the success path of single-event ingestion."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        secret = _bearer(scope["headers"])
        if secret is None:
            await self.app(scope, receive, send)
            return
        body = await _body(receive)
        if body is None:
            return  # the client went away before sending its body
        outcome = await committed(scope["app"].state.group_committer, secret, body)
        if not isinstance(outcome, IngestResult):
            await self.app(scope, _replay(body, receive), send)
            return
        answer = answer_json(outcome)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(answer)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer})


def _bearer(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"authorization":
            return bearer_of(value.decode("latin-1"))
    return None


async def _body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """`receive` for the framework: the body already read, then whatever the client sends."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            message: dict[str, Any] = {"type": "http.request", "body": body, "more_body": False}
            return message
        return await receive()

    return again
