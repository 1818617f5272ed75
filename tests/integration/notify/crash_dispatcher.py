"""A dispatcher process for the crash test: drains a SQLite outbox, exits when nothing is left.

Run as `python -m tests.integration.notify.crash_dispatcher DB_URL POLICY_JSON`.
"""

from __future__ import annotations

import random
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from escalon.adapters.db.connection import make_engine
from escalon.adapters.db.outbox import SqlOutbox
from escalon.adapters.notify.channels import build_senders
from escalon.domain.notify.delivery import RetrySchedule
from escalon.domain.policy.notifications import NotificationsPolicy
from escalon.services.dispatch import Dispatcher, LaneSettings

LEASE = timedelta(seconds=2)


def wall_clock() -> datetime:
    return datetime.now(UTC)


def main(db_url: str, policy_path: str) -> None:
    policy = NotificationsPolicy.model_validate_json(Path(policy_path).read_text())
    outbox = SqlOutbox(make_engine(db_url))
    dispatcher = Dispatcher(
        outbox,
        build_senders(policy, clock=wall_clock, env={}),
        schedule=RetrySchedule(base=timedelta(milliseconds=200), max_attempts=20),
        clock=wall_clock,
        jitter=random.Random().random,
        settings={name: LaneSettings(batch=20, lease=LEASE) for name in policy.channels},
        poll_interval=timedelta(milliseconds=50),
    )
    stop = threading.Event()
    lanes = threading.Thread(target=dispatcher.run, args=(stop,))
    lanes.start()
    while outbox.entries(statuses=["pending", "claimed"], limit=1):
        stop.wait(0.1)
    stop.set()
    lanes.join()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
