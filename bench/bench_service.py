"""The service: HTTP ingestion, due-to-stored latency with many open tickets, worker scaling.

- Ingest over HTTP (`escalon serve` in its own process): single events per second, closed loop
  (32 keep-alive connections, each sending its next request when the answer arrives: the
  maximum sustained rate); p99 latency at 500 requests/s offered open loop (each request due at
  its slot whatever came before, latency counted from the slot); batch events per second. The
  load generator is a lean asyncio HTTP/1.1 client in a process of its own, with every request
  encoded before the clock starts, so it is not the bottleneck. Baselines: the same requests
  against a bare FastAPI endpoint that stores nothing (the HTTP ceiling, same run, same
  generator), and a plain executemany of the same rows into the same database (the storage
  floor).
- Due-to-stored: open tickets seeded through the engine, a slice of them due over the next
  seconds; the worker loop fires them; latency = commit instant - due instant. Baseline: one
  full scan of every open ticket's state, what a poller without a wake-up index pays per poll.
- Two workers vs one on PostgreSQL, draining the same due wake-ups (timed from the first fired
  batch to the last, so interpreter start-up does not dilute the ratio; the workers only fire,
  `ESCALON_WORKER_DISPATCH=false`, as when `escalon notify run` delivers elsewhere).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import psycopg
from sqlalchemy import func, select

from bench.harness import Figure
from escalon.adapters.db.tables import clocks, decisions, events, tickets
from escalon.bootstrap import Service, bootstrap
from escalon.domain.events import parse_event
from escalon.services.access import create_token
from escalon.services.ticket_engine import DomainTicketEngine
from escalon.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"


def _event(i: int, at: datetime, prefix: str = "B") -> dict[str, Any]:
    return {
        "id": f"{prefix}-{i}",
        "type": "ticket.created",
        "at": at.isoformat(),
        "ticket": f"{prefix}-T-{i}",
        "data": {"priority": "P2", "customer": {"id": f"c{i % 500}", "segment": "smb"}},
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_url() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            name = f"escalon_bench_{secrets.token_hex(4)}"
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        return None
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def _drop(url: str) -> None:
    if url.startswith("postgresql"):
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


class _Server:
    """`escalon serve` (or the bare baseline app) in its own process on a loopback port."""

    def __init__(self, url: str, *, bare: bool = False) -> None:
        self.port = _free_port()
        env = {**os.environ, "ESCALON_DATABASE_URL": url, "ESCALON_LOG_LEVEL": "warning"}
        if bare:
            code = (
                "import uvicorn\nfrom fastapi import FastAPI, Request\napp = FastAPI()\n"
                "@app.post('/api/v1/events')\n@app.post('/api/v1/events/batch')\n"
                "async def ingest(request: Request):\n    await request.body()\n"
                "    return {'stored': 0}\n"
                f"uvicorn.run(app, host='127.0.0.1', port={self.port}, log_level='warning')\n"
            )
            command = [sys.executable, "-c", code]
        else:
            command = [sys.executable, "-m", "escalon", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.base}/openapi.json", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _load(base: str, token: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Run the load generator in its own process (`python -m bench.bench_service load`)."""
    spec = {**spec, "base": base, "token": token}
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_service", "load", json.dumps(spec)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
    )
    if done.returncode:
        raise RuntimeError(f"load generator failed: {done.stderr.strip().splitlines()[-1:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    if result["errors"]:
        raise RuntimeError(f"load against {base}: non-2xx answers {result['errors']}")
    return result


def _throughput(base: str, token: str, count: int, connections: int) -> float:
    """Single events per second, closed loop: `connections` keep-alive clients, each sending
    its next request as soon as the previous answer arrived (the maximum sustained rate)."""
    spec = {"mode": "closed", "count": count, "connections": connections, "batch": 0}
    return float(_load(base, token, spec)["rate"])


def _paced_p99(base: str, token: str, rate: float, seconds: float) -> float:
    """p99 latency (ms) of single events offered at `rate` per second, open loop: each request
    is due at its slot whatever the answers before it, and its latency counts from that slot, so
    a stalled server shows up in the figure instead of slowing the offered load."""
    spec = {"mode": "open", "count": int(rate * seconds), "rate": rate, "connections": 64}
    return float(_load(base, token, {**spec, "batch": 0})["p99_ms"])


def _batch_rate(base: str, token: str, batches: int, size: int) -> float:
    spec = {"mode": "closed", "count": batches, "connections": 1, "batch": size}
    result = _load(base, token, spec)
    return float(result["rate"]) * size


def _plain_insert_rate(service: Service, count: int) -> float:
    """The storage floor: the same event rows with one executemany, no engine, no HTTP."""
    now = datetime.now(UTC)
    prefix = secrets.token_hex(3)
    rows = [
        {
            "id": f"plain-{prefix}-{i}",
            "ticket": f"plain-{i}",
            "type": "ticket.created",
            "at": now,
            "body": _event(i, now),
            "digest": "0" * 64,
            "recorded_at": now,
            "recorded_by": "bench",
        }
        for i in range(count)
    ]
    start = time.perf_counter()
    with service.db.begin() as conn:
        conn.execute(events.insert(), rows)
    return count / (time.perf_counter() - start)


def _ingest_figures(label: str, url: str, quick: bool) -> list[Figure]:
    service = bootstrap(Settings(database_url=url))
    service.prepare()
    token, _ = create_token(
        service.uow, f"bench-{secrets.token_hex(3)}", "integration", datetime.now(UTC)
    )
    server = _Server(url)
    bare = _Server(url, bare=True)
    try:
        n = 100 if quick else 4_000
        for base in (server.base, bare.base):  # first requests parse the policy, open pools
            _throughput(base, token, 16, 8)
        single = _throughput(server.base, token, n, 32)
        single_bare = _throughput(bare.base, token, n, 32)
        p99 = _paced_p99(server.base, token, 500, 0.2 if quick else 4)
        p99_bare = _paced_p99(bare.base, token, 500, 0.2 if quick else 4)
        batch = _batch_rate(server.base, token, 1 if quick else 10, 500 if quick else 5_000)
        floor = _plain_insert_rate(service, 500 if quick else 20_000)
    finally:
        server.stop()
        bare.stop()
        service.close()
    return [
        Figure(
            f"HTTP ingest, single events ({label})",
            single,
            "events/s",
            "bare FastAPI endpoint",
            single_bare,
            ">= 2,000 events/s",
            single >= 2_000,
        ),
        Figure(
            f"HTTP ingest p99 at 500 req/s ({label})",
            p99,
            "ms",
            "bare FastAPI endpoint",
            p99_bare,
            "<= 50 ms",
            p99 <= 50,
        ),
        Figure(
            f"HTTP batch ingest ({label})",
            batch,
            "events/s",
            "plain executemany of the rows",
            floor,
            ">= 20,000 events/s",
            batch >= 20_000,
        ),
    ]


class _Empty:
    """No stored state: every seeded ticket is new."""

    def ticket(self, ticket_id: str) -> None:  # noqa: ARG002
        return None

    def shared(self) -> None:
        return None

    def entries(self, kind: str, keys: Any) -> dict[str, Any]:  # noqa: ARG002
        return {}


def _seed(
    service: Service, count: int, opened: Callable[[int], datetime], *, offset: int = 0
) -> None:
    """Open tickets stored as ingestion would store them (the rows and their clocks), the engine
    run once per ticket. Without the clocks the planner, analysing an empty clocks table, chose
    sequential scans that grew with every fired batch."""
    engine = DomainTicketEngine()
    with service.uow(read_only=True) as uow:
        policy = service.policies.active(uow)
    rows = []
    clock_rows = []
    for i in range(count):
        at = opened(i)
        raw = _event(offset + i, at, "S")
        raw["data"]["priority"] = "P1"
        event = parse_event(raw)
        out = engine.apply(_Empty(), [("/", event)], policy).tickets[event.ticket]
        clock_rows += [
            {
                "ticket": event.ticket,
                "name": c.name,
                "status": c.status,
                "due_at": c.due_at,
                "breached": c.breached,
                "detail": dict(c.detail),
            }
            for c in out.clocks
        ]
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
                "customer_id": f"c{i % 500}",
                "segment": "smb",
                "subject": None,
                "opened_at": at,
                "updated_at": at,
                "policy_version": str(policy.version),
                "events": 1,
            }
        )
    with service.db.begin() as conn:
        for start in range(0, count, 5_000):
            conn.execute(tickets.insert(), rows[start : start + 5_000])
        for start in range(0, len(clock_rows), 5_000):
            conn.execute(clocks.insert(), clock_rows[start : start + 5_000])


def _first_wakeup_after_opening(service: Service) -> timedelta:
    """How long after opening a P1 ticket first needs the worker (under the active policy)."""
    probe = datetime(2026, 3, 2, 12, tzinfo=UTC)
    raw = _event(0, probe, "probe")
    raw["data"]["priority"] = "P1"
    with service.uow(read_only=True) as uow:
        policy = service.policies.active(uow)
    out = DomainTicketEngine().apply(_Empty(), [("/", parse_event(raw))], policy)
    wakeup = out.tickets[raw["ticket"]].next_wakeup
    assert wakeup is not None
    return wakeup - probe


def _due_to_stored(quick: bool) -> Figure:
    folder = Path(tempfile.mkdtemp(prefix="escalon-bench-"))
    url = f"sqlite:///{folder / 'due.db'}"
    service = bootstrap(Settings(database_url=url))
    service.prepare()
    open_tickets = 1_000 if quick else 100_000
    due_soon = 50 if quick else 1_000
    spread = 1.0 if quick else 5.0
    first = _first_wakeup_after_opening(service)
    # The open tickets first (seeding 100,000 takes a while); then the due-soon slice, timed
    # from the instant seeding ends so none of it falls due before the worker loop starts.
    _seed(service, open_tickets - due_soon, lambda _i: datetime.now(UTC), offset=due_soon)
    now = datetime.now(UTC)
    _seed(
        service,
        due_soon,
        lambda i: now - first + timedelta(seconds=1 + spread * i / due_soon),
    )
    latencies: list[float] = []
    end = time.monotonic() + spread + 3
    poll = service.settings.worker_poll_seconds
    while time.monotonic() < end:
        tick = datetime.now(UTC)
        fired = service.firer.fire_due(tick)
        stored = datetime.now(UTC)
        if fired.decisions:
            with service.db.connect() as conn:
                query = select(decisions.c.due_at).where(decisions.c.fired_at == tick)
                latencies += [(stored - d).total_seconds() for d in conn.execute(query).scalars()]
            continue
        earliest = service.firer.earliest_wakeup()
        wait = (
            poll if earliest is None else min(poll, (earliest - datetime.now(UTC)).total_seconds())
        )
        time.sleep(max(0.0, wait))
    start = time.perf_counter()
    with service.db.connect() as conn:
        for state in conn.execute(select(tickets.c.state)).scalars():
            json.dumps(state)
    scan = time.perf_counter() - start
    service.close()
    latencies.sort()
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)] if latencies else float("inf")
    return Figure(
        f"due to stored p99, {open_tickets:,} open tickets (SQLite)",
        p99,
        "s",
        "one full scan of open tickets",
        scan,
        "<= 1 s",
        p99 <= 1.0,
    )


def _drain(url: str, workers: int, batch: int, count: int) -> float:
    """Due tickets fired per second by `workers` `escalon worker --once` processes.

    Timed from the first fired batch to the last (decisions carry their batch's `fired_at`),
    so interpreter start-up, the same for one worker and two, does not dilute the ratio.
    """
    env = {
        **os.environ,
        "ESCALON_DATABASE_URL": url,
        "ESCALON_WORKER_BATCH_SIZE": str(batch),
        "ESCALON_WORKER_DISPATCH": "false",
        "ESCALON_LOG_LEVEL": "warning",
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "escalon", "worker", "--once"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    for p in procs:
        p.wait(timeout=600)
    service = bootstrap(Settings(database_url=url))
    try:
        with service.db.connect() as conn:
            query = select(
                func.count(func.distinct(decisions.c.ticket)),
                func.min(fired_at),
                func.max(fired_at),
            )
            fired, first, last = conn.execute(query).one()
            batches = conn.execute(select(func.count(func.distinct(fired_at)))).scalar_one()
    finally:
        service.close()
    if fired != count:
        raise RuntimeError(f"{workers} worker(s) fired on {fired} of {count} due tickets")
    # The span covers every batch but the last: scale it up by one batch's share.
    return float(count / ((last - first).total_seconds() * batches / (batches - 1)))


fired_at = decisions.c.fired_at


def _vacuum(url: str) -> None:
    """Clean and analyse the tables now, so autovacuum (after the deletes of the ingest figures
    and the previous drain) does not take CPU from one of the two timed drains and not the
    other."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _worker_scaling(url: str, quick: bool) -> Figure:
    count = 1_000 if quick else 20_000
    rates = {}
    for workers in (1, 2):
        service = bootstrap(Settings(database_url=url))
        service.prepare()
        with service.db.begin() as conn:
            conn.execute(tickets.delete())
            conn.execute(clocks.delete())
            conn.execute(decisions.delete())
        due_at = datetime.now(UTC) - timedelta(hours=1, minutes=31)
        _seed(service, count, lambda _i, at=due_at: at)
        service.close()
        _vacuum(url)
        rates[workers] = _drain(url, workers, 100, count)
    ratio = rates[2] / rates[1]
    return Figure(
        "two workers vs one (PostgreSQL)",
        rates[2],
        "tickets/s",
        "one worker",
        rates[1],
        ">= 1.6x",
        ratio >= 1.6,
    )


def run(quick: bool) -> list[Figure]:
    folder = Path(tempfile.mkdtemp(prefix="escalon-bench-"))
    figures = _ingest_figures("SQLite", f"sqlite:///{folder / 'ingest.db'}", quick)
    pg = _pg_url()
    if pg is not None:
        try:
            figures += _ingest_figures("PostgreSQL", pg, quick)
            figures.append(_worker_scaling(pg, quick))
        finally:
            _drop(pg)
    figures.append(_due_to_stored(quick))
    return figures


# The load generator: a lean asyncio HTTP/1.1 client run in its own process, so the client's
# own cost neither shares the server's interpreter nor hides behind a thread pool's GIL.


class _Connection(asyncio.Protocol):
    """One keep-alive connection: write a pre-encoded request, wait for the whole answer."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[int] | None = None
        self.need: int | None = None
        self.status = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.need is None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).lower().split(b"\r\n")
            self.status = int(head[0][9:12])
            length = next(int(line[15:]) for line in head if line.startswith(b"content-length:"))
            self.need = end + 4 + length
        if len(self.buffer) >= self.need and self.waiter is not None:
            del self.buffer[: self.need]
            self.need = None
            waiter, self.waiter = self.waiter, None
            waiter.set_result(self.status)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError(f"connection lost: {exc}"))

    async def send(self, request: bytes) -> int:
        assert self.transport is not None
        self.waiter = self.loop.create_future()
        self.transport.write(request)
        return await self.waiter


def _requests(spec: dict[str, Any]) -> list[bytes]:
    """Every request of the run, encoded before the clock starts; ids unique per run."""
    now = datetime.now(UTC)
    prefix = secrets.token_hex(4)
    size = int(spec["batch"])
    path = "/api/v1/events/batch" if size else "/api/v1/events"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {spec['token']}\r\n"
        "Content-Type: application/json\r\nContent-Length: "
    ).encode()
    out = []
    for i in range(int(spec["count"])):
        if size:
            body: Any = [_event(i * size + k, now, prefix) for k in range(size)]
        else:
            body = _event(i, now, prefix)
        data = json.dumps(body, separators=(",", ":")).encode()
        out.append(head + str(len(data)).encode() + b"\r\n\r\n" + data)
    return out


async def _generate(spec: dict[str, Any]) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    host, port = spec["base"].removeprefix("http://").split(":")
    requests = _requests(spec)
    connections = []
    for _ in range(int(spec["connections"])):
        _, protocol = await loop.create_connection(lambda: _Connection(loop), host, int(port))
        connections.append(protocol)
    latencies: list[float] = []
    errors: dict[int, int] = {}

    def record(status: int, since: float) -> None:
        latencies.append(time.perf_counter() - since)
        if status >= 300:
            errors[status] = errors.get(status, 0) + 1

    start = time.perf_counter()
    if spec["mode"] == "closed":

        async def client(conn: _Connection, mine: list[bytes]) -> None:
            for request in mine:
                began = time.perf_counter()
                record(await conn.send(request), began)

        n = len(connections)
        await asyncio.gather(*(client(c, requests[k::n]) for k, c in enumerate(connections)))
    else:
        rate = float(spec["rate"])
        idle: asyncio.Queue[_Connection] = asyncio.Queue()
        for conn in connections:
            idle.put_nowait(conn)
        tasks = []

        async def one(conn: _Connection, request: bytes, due: float) -> None:
            record(await conn.send(request), due)
            idle.put_nowait(conn)

        for i, request in enumerate(requests):
            due = start + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            conn = await idle.get()  # none idle: the request waits, and its wait counts
            tasks.append(asyncio.ensure_future(one(conn, request, due)))
        await asyncio.gather(*tasks)
    seconds = time.perf_counter() - start
    for conn in connections:
        assert conn.transport is not None
        conn.transport.close()
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000

    return {
        "count": len(requests),
        "seconds": seconds,
        "rate": len(requests) / seconds,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": latencies[-1] * 1000,
        "errors": errors,
    }


def _generator_main(spec: dict[str, Any]) -> None:
    try:
        import uvloop

        runner: Callable[[Any], Any] = uvloop.run
    except ImportError:
        runner = asyncio.run
    print(json.dumps(runner(_generate(spec))))


if __name__ == "__main__" and sys.argv[1:2] == ["load"]:
    _generator_main(json.loads(sys.argv[2]))
