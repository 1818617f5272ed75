"""Delivery: outbox-to-channel throughput, and whether a hanging channel slows the others.

The fake channel runs in its own process (an asyncio HTTP/1.1 server on 127.0.0.1) so that it
does not compete with the dispatcher for the interpreter lock. `/ok` answers 200 at once; `/hang`
reads the request and never answers, so every send to it waits for the client's timeout.

- Throughput: signed webhook deliveries through the real dispatcher (in-memory outbox, delivery
  log, retry bookkeeping) against bare httpx POSTs of the same bodies with the same parallelism.
- Isolation: two healthy channels drained with and without a third channel that hangs for its
  timeout on every message; the healthy channels' drain time must stay within 10%.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench.harness import Figure
from escalon.adapters.notify.channels import build_senders
from escalon.adapters.notify.webhook import sign, webhook_body
from escalon.domain.notify.delivery import RetrySchedule
from escalon.domain.notify.message import Notification, OutboxMessage
from escalon.domain.policy.notifications import NotificationsPolicy
from escalon.services.dispatch import Dispatcher, lane_settings
from escalon.services.outbox import InMemoryOutbox

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
TARGET_RATE = 500.0
CONCURRENCY = 4


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            if head.split(b" ", 2)[1].startswith(b"/hang"):
                await asyncio.sleep(3600)
            writer.write(
                b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok"
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def _serve(ports: Any) -> None:
    async def main() -> None:
        server = await asyncio.start_server(_handle, "127.0.0.1", 0)
        ports.put(server.sockets[0].getsockname()[1])
        async with server:
            await server.serve_forever()

    asyncio.run(main())


class FakeChannel:
    """The fake channel's process, started and stopped around the measurements."""

    def __enter__(self) -> FakeChannel:
        context = multiprocessing.get_context("spawn")
        ports = context.Queue()
        self._process = context.Process(target=_serve, args=(ports,), daemon=True)
        self._process.start()
        self.port = ports.get(timeout=30)
        return self

    def __exit__(self, *exc: object) -> None:
        self._process.terminate()
        self._process.join()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _messages(channel: str, count: int) -> list[OutboxMessage]:
    return [
        OutboxMessage.create(
            Notification(
                decision_id=f"{channel}-{n}",
                kind="escalate",
                ticket_id=f"T-{n}",
                summary=f"P2 T-{n} Escalated (L2)",
                occurred_at=T0,
                escalation_id=f"E-{n}",
                priority="P2",
            ),
            channel=channel,
            target=None,
            now=T0,
        )
        for n in range(count)
    ]


def _wall_clock() -> datetime:
    return datetime.now(UTC)


def _drain(policy: NotificationsPolicy, counts: dict[str, int], wait_for: set[str]) -> float:
    """Seconds until every message of the `wait_for` channels is delivered."""
    outbox = InMemoryOutbox()
    for channel, count in counts.items():
        outbox.enqueue(_messages(channel, count))
    senders = build_senders(policy, clock=_wall_clock, env={})
    dispatcher = Dispatcher(
        outbox,
        senders,
        schedule=RetrySchedule(),
        clock=_wall_clock,
        jitter=random.Random(5).random,
        settings=lane_settings(policy),
        poll_interval=timedelta(milliseconds=5),
    )
    expected = sum(counts[c] for c in wait_for)
    stop = threading.Event()
    runner = threading.Thread(target=dispatcher.run, args=(stop,))
    started = time.perf_counter()
    runner.start()
    while True:
        totals = dispatcher.counters.snapshot()
        if sum(totals.get((c, "delivered"), 0) for c in wait_for) >= expected:
            break
        stop.wait(0.002)
    elapsed = time.perf_counter() - started
    stop.set()
    runner.join()
    for sender in senders.values():
        sender.close()
    return elapsed


def _webhooks(fake: FakeChannel, names: dict[str, str]) -> NotificationsPolicy:
    return NotificationsPolicy.model_validate(
        {
            "channels": {
                name: {
                    "type": "webhook",
                    "url": fake.url(path),
                    "secrets": [SECRET],
                    "timeout": "1s",
                }
                for name, path in names.items()
            }
        }
    )


def _bare_posts(fake: FakeChannel, count: int) -> float:
    """The same signed bodies POSTed straight through httpx with the same parallelism."""
    bodies = [(m.key, webhook_body(m)) for m in _messages("bare", count)]
    url = fake.url("/ok")
    with httpx.Client(timeout=5) as client:

        def post(item: tuple[str, bytes]) -> int:
            key, body = item
            stamp = int(time.time())
            headers = {
                "content-type": "application/json",
                "webhook-id": key,
                "webhook-timestamp": str(stamp),
                "webhook-signature": sign([SECRET], key, stamp, body),
            }
            return client.post(url, content=body, headers=headers).status_code

        started = time.perf_counter()
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            codes = list(pool.map(post, bodies))
        elapsed = time.perf_counter() - started
    assert set(codes) == {200}
    return elapsed


def _best(repeats: int, measure: Callable[[], float]) -> float:
    return min(measure() for _ in range(repeats))


def _throughput(fake: FakeChannel, quick: bool) -> Figure:
    count = 300 if quick else 5000
    repeats = 1 if quick else 3
    policy = _webhooks(fake, {"crm": "/ok"})
    dispatched = _best(repeats, lambda: _drain(policy, {"crm": count}, {"crm"}))
    bare = _best(repeats, lambda: _bare_posts(fake, count))
    rate = count / dispatched
    return Figure(
        name=f"signed webhook deliveries through the dispatcher ({count} messages)",
        value=round(rate),
        unit="deliveries/s",
        baseline_name=f"bare httpx POSTs, same bodies, {CONCURRENCY} threads",
        baseline_value=round(count / bare),
        target=f">= {TARGET_RATE:.0f} deliveries/s",
        met=rate >= TARGET_RATE,
    )


def _isolation(fake: FakeChannel, quick: bool) -> Figure:
    count = 200 if quick else 2000
    repeats = 1 if quick else 5
    healthy = {"crm": "/ok", "billing": "/ok"}
    counts = dict.fromkeys(healthy, count)
    alone = _webhooks(fake, healthy)
    with_hang = _webhooks(fake, {**healthy, "stuck": "/hang"})
    baseline: list[float] = []
    measured: list[float] = []
    for _ in range(repeats):  # interleaved, so drifting machine load hits both alike
        baseline.append(_drain(alone, counts, set(healthy)))
        measured.append(_drain(with_hang, {**counts, "stuck": 100}, set(healthy)))
    value, base = min(measured), min(baseline)
    return Figure(
        name=f"2 healthy channels x {count} messages, a third hanging for its 1 s timeout",
        value=round(value, 3),
        unit="s",
        baseline_name="the same run without the hanging channel (s)",
        baseline_value=round(base, 3),
        target="<= 110% of baseline",
        met=value <= 1.10 * base,
    )


def run(quick: bool) -> list[Figure]:
    with FakeChannel() as fake:
        return [_throughput(fake, quick), _isolation(fake, quick)]
