"""`escalon worker`: fires time-based decisions at their due instant.

It sleeps until the earliest stored wake-up (an indexed MIN, not a scan), re-reading it every
`worker_poll_seconds` so an event that moves a wake-up earlier is seen quickly; on PostgreSQL a
NOTIFY from the ingesting transaction wakes it at once. After downtime everything already due
fires on the first pass, marked late with its original due time.

SQLite allows one worker (an OS file lock next to the database, released even on kill -9);
PostgreSQL workers share the due tickets with `FOR UPDATE SKIP LOCKED`.

Unless `worker_dispatch` is off, the same process delivers the outbox: the dispatcher runs in a
thread of its own (each channel in its own lane thread), over the channels of the policy active
when the worker started, and stops with the worker.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import psycopg
from sqlalchemy.engine import make_url

from escalon.adapters.db.unit_of_work import WAKEUP_CHANNEL
from escalon.bootstrap import Delivery, Service, build_delivery
from escalon.gc_tuning import collecting_rarely
from escalon.services.errors import WorkerAlreadyRunning

log = logging.getLogger("escalon.worker")


@dataclass
class WorkerStats:
    passes: int = 0
    tickets: int = 0
    decisions: int = 0
    deliveries: dict[tuple[str, str], int] | None = None
    """{(channel, result): count} of the dispatcher, when the worker delivered."""


class Worker:
    """The claim loop; `stop` ends it after the current transaction."""

    def __init__(self, service: Service, *, stop: threading.Event | None = None) -> None:
        self.service = service
        self.stop = stop or threading.Event()
        self.stats = WorkerStats()
        self._delivery: Delivery | None = None

    def run(self, *, once: bool = False) -> WorkerStats:
        """Fire until stopped (or, with `once`, until nothing is due now, then deliver what is
        due now). The cyclic garbage collector runs rarely meanwhile (`escalon.gc_tuning`)."""
        with (
            collecting_rarely(),
            exclusive_sqlite_worker(self.service),
            self._listener() as listener,
            self._delivering(background=not once),
        ):
            while not self.stop.is_set():
                busy = self.fire_pass()
                if busy:
                    continue
                if once:
                    break
                self._sleep(listener)
            if once and self._delivery is not None:
                self._delivery.dispatcher.deliver_due(time.sleep)
        return self.stats

    @contextlib.contextmanager
    def _delivering(self, *, background: bool) -> Iterator[None]:
        """The dispatcher for the life of the worker (in a thread unless `background` is off)."""
        if not self.service.settings.worker_dispatch:
            yield
            return
        with self.service.uow(read_only=True) as uow:
            policy = self.service.policies.active(uow)
        # Rate limits, Retry-After and back-off are physical waits: the wall clock, always.
        delivery = build_delivery(policy, self.service.outbox, self.service.settings)
        self._delivery = delivery
        halt = threading.Event()
        thread = None
        if background:
            thread = threading.Thread(
                target=delivery.dispatcher.run, args=(halt,), name="dispatcher", daemon=True
            )
            thread.start()
        try:
            yield
        finally:
            halt.set()
            delivery.dispatcher.notify()  # idle lanes see the halt now, not after their poll
            if thread is not None:
                thread.join()
            delivery.close()
            self.stats.deliveries = delivery.dispatcher.counters.snapshot()
            self._delivery = None

    def fire_pass(self) -> bool:
        """One claimed batch; True when the batch was full (more may be due right now)."""
        fired = self.service.firer.fire_due(self.service.clock())
        self.stats.passes += 1
        self.stats.tickets += fired.tickets
        self.stats.decisions += fired.decisions
        if fired.decisions:
            log.info("fired %d decisions on %d tickets", fired.decisions, fired.tickets)
            if self._delivery is not None:
                self._delivery.dispatcher.notify()
        return fired.tickets >= self.service.settings.worker_batch_size

    def _sleep(self, listener: Any) -> None:
        poll = self.service.settings.worker_poll_seconds
        earliest = self.service.firer.earliest_wakeup()
        wait = poll
        if earliest is not None:
            wait = min(poll, max(0.0, (earliest - self.service.clock()).total_seconds()))
        if wait <= 0:
            return
        if listener is None:
            self.stop.wait(wait)
            return
        for _ in listener.notifies(timeout=wait, stop_after=1):
            pass

    @contextlib.contextmanager
    def _listener(self) -> Iterator[Any]:
        """On PostgreSQL, a LISTEN connection that wakes the worker when a wake-up moves earlier."""
        url = make_url(self.service.settings.database_url)
        if url.get_backend_name() != "postgresql":
            yield None
            return
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"LISTEN {WAKEUP_CHANNEL}")
            yield conn


@contextlib.contextmanager
def exclusive_sqlite_worker(service: Service) -> Iterator[None]:
    """Hold the one-worker lock of a SQLite database for the life of the worker."""
    url = make_url(service.settings.database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        yield
        return
    path = Path(f"{url.database}.worker.lock")
    handle: IO[str] = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise WorkerAlreadyRunning(
                f"another escalon worker ({holder}) is running on {url.database}; SQLite "
                "supports one worker; use PostgreSQL to run several",
                field="database_url",
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} on {socket.gethostname()}")
        handle.flush()
        yield
    finally:
        handle.close()
