"""The dispatcher's threads over real sockets: a 429 pauses only the webhook that received it."""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime, timedelta

from tests.integration.notify.conftest import message
from tests.integration.notify.fake_services import Answer, FakeServices

from escalon.adapters.notify.channels import build_senders
from escalon.domain.notify.delivery import RetrySchedule
from escalon.domain.policy.notifications import NotificationsPolicy
from escalon.services.dispatch import Dispatcher, lane_settings
from escalon.services.outbox import InMemoryOutbox


def wall_clock() -> datetime:
    return datetime.now(UTC)


def test_slack_retry_after_pauses_that_webhook_only(services: FakeServices) -> None:
    services.script("/slack/a", Answer(429, "rate_limited", {"Retry-After": "2"}))
    policy = NotificationsPolicy.model_validate(
        {
            "channels": {
                "slack-a": {"type": "slack", "url": services.url("/slack/a")},
                "slack-b": {"type": "slack", "url": services.url("/slack/b")},
                "teams": {"type": "teams", "url": services.url("/teams/t")},
            }
        }
    )
    outbox = InMemoryOutbox()
    outbox.enqueue(
        [message("a1", channel="slack-a")]
        + [message(f"b{n}", channel="slack-b", escalation_id=f"E-b{n}") for n in range(2)]
        + [message(f"t{n}", channel="teams", escalation_id=f"E-t{n}") for n in range(3)]
    )
    senders = build_senders(policy, clock=wall_clock, env={})
    dispatcher = Dispatcher(
        outbox,
        senders,
        schedule=RetrySchedule(),
        clock=wall_clock,
        jitter=random.Random(3).random,
        settings=lane_settings(policy),
        poll_interval=timedelta(milliseconds=20),
    )
    stop = threading.Event()
    runner = threading.Thread(target=dispatcher.run, args=(stop,))
    runner.start()
    deadline = time.monotonic() + 15
    while outbox.entries(statuses=["pending", "claimed"]) and time.monotonic() < deadline:
        stop.wait(0.05)
    stop.set()
    runner.join()
    for sender in senders.values():
        sender.close()

    a, b, teams = (services.to(p) for p in ("/slack/a", "/slack/b", "/teams/t"))
    assert [len(a), len(b), len(teams)] == [2, 2, 3]
    assert a[1].at - a[0].at >= 2.0  # the webhook waited as long as Slack asked
    assert b[1].at - b[0].at >= 1.0  # its neighbour kept its own 1/s pace...
    assert b[1].at < a[1].at and teams[-1].at < a[1].at  # ...and nobody else waited
    assert {e.status for e in outbox.entries()} == {"delivered"}
