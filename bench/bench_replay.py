"""Engine replay: throughput and peak memory over 100,000 generated tickets, and cost per event
as the number of open tickets grows.

Each measurement runs in a fresh interpreter so peak memory (VmHWM, which exec resets, unlike
ru_maxrss that keeps the forking parent's peak) belongs to that run
alone. Times are CPU seconds of that process (one core), so other load on a shared machine does
not count against either side. Events come from `bench.eventgen` (deterministic); generating them
is part of the measured work.

Baselines, measured in the same run:
- throughput: the same replay, but each event first validated as a canonical pydantic event
  (what a naive engine taking canonical events straight from the wire would pay);
- memory: the same replay keeping every event and finished clock (`keep_history`, what
  `escalon explain` needs) instead of dropping a ticket's history when it closes;
- open tickets: the cost per event with 10,000 open tickets, against 1,000,000 (the same first
  hour of new work on top of a backlog whose next wake-ups lie days ahead).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from bench.harness import Figure

ROOT = Path(__file__).resolve().parent.parent

_REPLAY = """
import json, sys, time
from bench.eventgen import as_canonical, generate
from escalon.adapters.policy_files import load_default_policy
from escalon.domain.engine import EngineState, EventRecord
from escalon.domain.events import parse_event
from escalon.services.replay import Replayer, bulk_collection, replay
tickets, mode = int(sys.argv[1]), sys.argv[2]
policy = load_default_policy()
events = generate(tickets)
if mode == "validated":
    events = (EventRecord.from_event(parse_event(as_canonical(r))) for r in events)
runner = Replayer(policy, state=EngineState(keep_history=(mode == "history")))
start = time.process_time()
with bulk_collection():
    decisions = sum(1 for _ in replay(events, policy, replayer=runner))
seconds = time.process_time() - start
with open("/proc/self/status") as status:
    peak = int(next(l for l in status if l.startswith("VmHWM:")).split()[1]) / 1024
print(json.dumps({"events": runner.events, "seconds": seconds, "decisions": decisions,
                  "peak_mb": peak, "rejected": len(runner.rejected)}))
"""

_OPEN = """
import json, sys, time
from datetime import timedelta
from bench.eventgen import START, generate, open_tickets
from escalon.adapters.policy_files import load_default_policy
from escalon.services.replay import Replayer, bulk_collection
backlog, work = int(sys.argv[1]), int(sys.argv[2])
policy = load_default_policy()
runner = Replayer(policy)
for record in open_tickets(backlog):
    runner.feed(record)
horizon = int((START.timestamp() + 3600) * 1_000_000)
events = [r for r in generate(work, prefix="W", spacing_seconds=0.5) if r.at < horizon]
start = time.process_time()
with bulk_collection():
    for record in events:
        runner.feed(record)
seconds = time.process_time() - start
open_now = sum(1 for t in runner.state.tickets.values() if t.resolved_at is None)
print(json.dumps({"events": len(events), "seconds": seconds, "open": open_now,
                  "heap": len(runner.state.heap)}))
"""


def _run(script: str, *args: object) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": f"{ROOT}:{ROOT / 'src'}", "PATH": "/usr/bin:/bin"},
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(quick: bool) -> list[Figure]:
    tickets = 500 if quick else 100_000
    engine = _run(_REPLAY, tickets, "records")
    validated = _run(_REPLAY, tickets // 10 if not quick else tickets, "validated")
    history = _run(_REPLAY, tickets, "history")
    small, large = (500, 5_000) if quick else (10_000, 1_000_000)
    work = 500 if quick else 7_000
    few = _run(_OPEN, small, work)
    many = _run(_OPEN, large, work)
    rate = engine["events"] / engine["seconds"]
    naive_rate = validated["events"] / validated["seconds"]
    per_few = few["seconds"] / few["events"] * 1e6
    per_many = many["seconds"] / many["events"] * 1e6
    return [
        Figure(
            f"replay {int(engine['events']):,} events / {tickets:,} tickets",
            rate,
            "events/s",
            "per-event pydantic validation",
            naive_rate,
            ">= 50,000 events/s",
            rate >= 50_000,
        ),
        Figure(
            f"peak memory, replay of {tickets:,} tickets",
            engine["peak_mb"],
            "MB",
            "keeping every event and clock",
            history["peak_mb"],
            "<= 1,536 MB",
            engine["peak_mb"] <= 1_536,
        ),
        Figure(
            f"cost per event with {large:,} open tickets",
            per_many,
            "us/event",
            f"with {small:,} open tickets",
            per_few,
            "<= 1.5x baseline",
            per_many <= 1.5 * per_few,
        ),
    ]
