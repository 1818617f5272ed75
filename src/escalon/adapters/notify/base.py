"""What every channel shares: the `Sender` port and the reading of HTTP answers."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Protocol

import httpx

from escalon.domain.notify.delivery import SendResult
from escalon.domain.notify.message import OutboxMessage

Clock = Callable[[], datetime]
MAX_ERROR_CHARS = 300


def system_clock() -> datetime:
    """The wall clock, for production wiring only."""
    return datetime.now(UTC)


class Sender(Protocol):
    """Delivers one message to one channel; never raises for delivery failures."""

    def send(self, message: OutboxMessage) -> SendResult: ...

    def close(self) -> None: ...


def retry_after(response: httpx.Response, now: datetime) -> timedelta | None:
    """The Retry-After header as a span: delta-seconds or an HTTP date (RFC 9110)."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(timedelta(0), when - now)


def body_excerpt(response: httpx.Response) -> str:
    return response.text.strip()[:MAX_ERROR_CHARS]


def classify_http(
    response: httpx.Response,
    now: datetime,
    *,
    success: Collection[int] | None = None,
) -> SendResult:
    """The common reading: 2xx (or `success`) delivered; 408, 429 and 5xx retried; other 4xx
    rejected, because the same request will be refused again."""
    code = response.status_code
    delivered = code in success if success is not None else 200 <= code < 300
    if delivered:
        return SendResult(outcome="delivered", status_code=code)
    error = f"HTTP {code}: {body_excerpt(response)}".rstrip(": ")
    if code == 429:
        return SendResult(
            outcome="retry",
            status_code=code,
            error=error,
            retry_after=retry_after(response, now),
            throttled=True,
        )
    if code == 408 or code >= 500 or 200 <= code < 300:
        return SendResult(outcome="retry", status_code=code, error=error)
    return SendResult(outcome="rejected", status_code=code, error=error)


def post_json(
    client: httpx.Client,
    url: str,
    *,
    content: bytes,
    headers: dict[str, str] | None = None,
) -> httpx.Response | SendResult:
    """POST a JSON body; a network failure or timeout becomes a retryable result."""
    try:
        return client.post(
            url, content=content, headers={"content-type": "application/json", **(headers or {})}
        )
    except httpx.TimeoutException as exc:
        return SendResult(outcome="retry", error=f"timeout: {type(exc).__name__}")
    except httpx.TransportError as exc:
        return SendResult(outcome="retry", error=f"network error: {exc!s}"[:MAX_ERROR_CHARS])


def http_client(transport: httpx.BaseTransport | None, timeout: timedelta) -> httpx.Client:
    """One client per channel so that connections are reused; the transport is injectable."""
    return httpx.Client(
        transport=transport, timeout=timeout.total_seconds(), follow_redirects=False
    )
