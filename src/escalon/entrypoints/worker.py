"""`escalon worker`: fires time-based decisions at their due instant.

It sleeps until the earliest stored wake-up (an indexed MIN, not a scan), re-reading it every
`worker_poll_seconds` so an event that moves a wake-up earlier is seen quickly; on PostgreSQL a
NOTIFY from the ingesting transaction wakes it at once. After downtime everything already due
fires on the first pass, marked late with its original due time.

SQLite allows one worker (an OS file lock next to the database, released even on kill -9);
PostgreSQL workers share the due tickets with `FOR UPDATE SKIP LOCKED`.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import psycopg
from sqlalchemy.engine import make_url

from escalon.adapters.db.unit_of_work import WAKEUP_CHANNEL
from escalon.bootstrap import Service
from escalon.services.errors import WorkerAlreadyRunning

log = logging.getLogger("escalon.worker")


@dataclass
class WorkerStats:
    passes: int = 0
    tickets: int = 0
    decisions: int = 0


class Worker:
    """The claim loop; `stop` ends it after the current transaction."""

    def __init__(self, service: Service, *, stop: threading.Event | None = None) -> None:
        self.service = service
        self.stop = stop or threading.Event()
        self.stats = WorkerStats()

    def run(self, *, once: bool = False) -> WorkerStats:
        """Fire until stopped (or, with `once`, until nothing is due now)."""
        with exclusive_sqlite_worker(self.service), self._listener() as listener:
            while not self.stop.is_set():
                busy = self.fire_pass()
                if busy:
                    continue
                if once:
                    break
                self._sleep(listener)
        return self.stats

    def fire_pass(self) -> bool:
        """One claimed batch; True when the batch was full (more may be due right now)."""
        fired = self.service.firer.fire_due(self.service.clock())
        self.stats.passes += 1
        self.stats.tickets += fired.tickets
        self.stats.decisions += fired.decisions
        if fired.decisions:
            log.info("fired %d decisions on %d tickets", fired.decisions, fired.tickets)
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
