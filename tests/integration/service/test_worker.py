"""The worker as real processes: kill -9 mid-run, one per SQLite file, sharing on PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.integration.service.conftest import created
from tests.integration.service.fake_engine import FakeEngine

from escalon.adapters.db.connection import READ_ONLY
from escalon.adapters.db.tables import decisions, tickets
from escalon.bootstrap import Service, bootstrap
from escalon.domain.events import parse_event
from escalon.entrypoints.worker import Worker, exclusive_sqlite_worker
from escalon.services.access import Caller
from escalon.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
LOADER = Caller(name="loader", role="integration")  # ingests in the wake-up test


def _seed_due(service: Service, count: int) -> datetime:
    """`count` P1 tickets opened two hours ago, each with one breach due an hour ago.

    Rows are written directly (what ingestion would store, via the same engine) so that seeding
    50,000 tickets takes seconds; ingestion itself is tested elsewhere.
    """
    opened = datetime.now(UTC) - timedelta(hours=2)
    with service.uow(read_only=True) as uow:
        policy = service.policies.active(uow)
    engine = FakeEngine()
    rows = []
    for i in range(count):
        event = parse_event(created(f"T-{i}", opened, priority="P1"))
        out = engine.step(None, event, policy)  # one ticket, as ingestion would apply it
        rows.append(
            {
                "id": event.ticket,
                "state": dict(out.state),
                "next_wakeup": out.next_wakeup,
                "status": "new",
                "priority": "P1",
                "tier": "L1",
                "team": None,
                "agent": None,
                "customer_id": "acme",
                "segment": "enterprise",
                "subject": None,
                "opened_at": opened,
                "updated_at": opened,
                "policy_version": str(policy.version),
                "events": 1,
            }
        )
    with service.db.begin() as conn:
        for start in range(0, count, 5_000):
            conn.execute(tickets.insert(), rows[start : start + 5_000])
    return opened


def _reading(service: Service) -> Any:
    """A connection that only reads: on SQLite it must not queue for the worker's write lock."""
    return service.db.connect().execution_options(**{READ_ONLY: True})


def _fired(service: Service) -> tuple[int, int]:
    with _reading(service) as conn:
        total = conn.execute(select(func.count()).select_from(decisions)).scalar_one()
        distinct = conn.execute(select(func.count(func.distinct(decisions.c.ticket)))).scalar_one()
    return int(total), int(distinct)


def _due_left(service: Service) -> int:
    with _reading(service) as conn:
        query = select(func.count()).where(tickets.c.next_wakeup.is_not(None))
        return int(conn.execute(query).scalar_one())


def _spawn(url: str, *args: str, batch: int = 200) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "ESCALON_DATABASE_URL": url,
        "ESCALON_WORKER_BATCH_SIZE": str(batch),
        "PYTHONPATH": str(ROOT),
    }
    script = str(ROOT / "tests/integration/service/run_worker.py")
    return subprocess.Popen(
        [sys.executable, script, *args],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.fixture
def real_clock_service(make_service: Callable[..., Service]) -> Service:
    service = make_service()
    service.clock = lambda: datetime.now(UTC)
    return service


@pytest.mark.slow
def test_kill_9_mid_firing_then_restart_fires_each_decision_once(
    real_clock_service: Service, database_url: str
) -> None:
    service = real_clock_service
    opened = _seed_due(service, 10_000)
    worker = _spawn(database_url, batch=25)
    deadline = time.monotonic() + 60
    while _fired(service)[0] < 1_500 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(worker.pid, signal.SIGKILL)
    worker.communicate(timeout=30)
    at_kill = _fired(service)[0]
    assert 0 < at_kill < 10_000, "the kill must land mid-run"
    restarted = _spawn(database_url, "--once")
    out, err = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, err
    assert json.loads(out)["decisions"] == 10_000 - at_kill
    assert _fired(service) == (10_000, 10_000)
    assert _due_left(service) == 0
    with service.db.connect() as conn:
        late = conn.execute(select(func.count()).where(decisions.c.late.is_(True))).scalar_one()
        due = conn.execute(select(func.min(decisions.c.due_at), func.max(decisions.c.due_at))).one()
    assert late == 10_000
    assert tuple(due) == (opened + timedelta(hours=1), opened + timedelta(hours=1))


def test_a_second_worker_on_one_sqlite_file_refuses_to_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'one.db'}"
    service = bootstrap(Settings(database_url=url), ticket_engine=FakeEngine())
    service.prepare()
    try:
        with exclusive_sqlite_worker(service):
            second = _spawn(url, "--once")
            _, err = second.communicate(timeout=60)
            assert second.returncode == 3
            assert "another escalon worker" in err and "SQLite supports one worker" in err
        again = _spawn(url, "--once")
        again.communicate(timeout=60)
        assert again.returncode == 0
    finally:
        service.close()


def test_a_sleeping_worker_wakes_for_an_earlier_wakeup(real_clock_service: Service) -> None:
    service = real_clock_service
    stop = threading.Event()
    worker = Worker(service, stop=stop)
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        now = datetime.now(UTC)
        event = parse_event(
            created("T-soon", now - timedelta(minutes=59, seconds=59.7), priority="P1")
        )
        service.ingestor.ingest([event], LOADER, now, batch=False)
        deadline = time.monotonic() + 10
        while _fired(service)[0] == 0 and time.monotonic() < deadline:
            stop.wait(0.02)
    finally:
        stop.set()
        thread.join()
    assert _fired(service) == (1, 1)


@pytest.mark.slow
def test_two_postgres_workers_share_50000_wakeups(
    real_clock_service: Service, database_url: str
) -> None:
    service = real_clock_service
    if service.db.dialect.name != "postgresql":
        pytest.skip("sharing work between workers needs PostgreSQL")
    _seed_due(service, 50_000)
    workers = [_spawn(database_url, "--once", batch=500) for _ in range(2)]
    outputs = [w.communicate(timeout=300) for w in workers]
    assert all(w.returncode == 0 for w in workers), [err for _, err in outputs]
    counts = [json.loads(out)["decisions"] for out, _ in outputs]
    assert all(n > 0 for n in counts), counts
    assert sum(counts) == 50_000
    assert _fired(service) == (50_000, 50_000)
