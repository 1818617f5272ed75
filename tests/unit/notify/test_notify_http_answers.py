from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from escalon.adapters.notify.base import classify_http, retry_after

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def answer(status: int, text: str = "", **headers: str) -> httpx.Response:
    return httpx.Response(status, text=text, headers=headers)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("2", timedelta(seconds=2)),
        ("120", timedelta(minutes=2)),
        ("Mon, 02 Mar 2026 14:00:30 GMT", timedelta(seconds=30)),
        ("Mon, 02 Mar 2026 13:59:00 GMT", timedelta(0)),  # already past: retry now
        ("soon", None),
    ],
)
def test_retry_after_seconds_or_http_date(header: str, expected: timedelta | None) -> None:
    assert retry_after(answer(429, **{"Retry-After": header}), NOW) == expected


def test_no_retry_after_header() -> None:
    assert retry_after(answer(429), NOW) is None


@pytest.mark.parametrize(
    ("status", "outcome", "throttled"),
    [
        (200, "delivered", False),
        (204, "delivered", False),
        (400, "rejected", False),
        (404, "rejected", False),
        (408, "retry", False),
        (429, "retry", True),
        (500, "retry", False),
        (503, "retry", False),
    ],
)
def test_common_reading_of_status_codes(status: int, outcome: str, throttled: bool) -> None:
    result = classify_http(answer(status, "body"), NOW)
    assert (result.outcome, result.status_code, result.throttled) == (outcome, status, throttled)
    assert (result.error is None) == (outcome == "delivered")


def test_explicit_success_codes() -> None:
    assert classify_http(answer(200), NOW, success=(202,)).outcome == "retry"
    assert classify_http(answer(202), NOW, success=(202,)).outcome == "delivered"
