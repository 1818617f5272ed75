"""Engine replay: throughput and peak memory over 100,000 generated tickets, and cost per event
as the number of open tickets grows.

Each measurement runs in a fresh interpreter so peak memory (VmHWM, which exec resets, unlike
ru_maxrss that keeps the forking parent's peak) belongs to that run alone. Times are CPU
seconds of that process (one core), so other load on a shared machine does not count against
either side. Events come from `bench.eventgen` (deterministic).

Figures:
- end to end: what `escalon replay EVENTS.jsonl` costs a user, as the CPU time of the whole
  process from interpreter start (imports, reading, validating, sorting, the engine, printing
  every decision as a JSON line to /dev/null), for a file of the generated events written
  beforehand. Baseline: the same pipeline with every line parsed by `json.loads` and validated
  as a canonical pydantic event, decisions printed with `json.dumps` (what a naive replay pays),
  with the same start-up, over a tenth of the tickets;
- engine: the engine alone (`replay()` over records the generator built beforehand: no file,
  no parsing, no generating), next to the end-to-end figure;
- memory: the peak of the end-to-end run, next to an engine-only replay of the same events
  (generated as it goes) that keeps every event and finished clock (`keep_history`, what
  `escalon explain` needs);
- open tickets: the cost per event with 10,000 open tickets, against 1,000,000 (the same first
  hour of new work on top of a backlog whose next wake-ups lie days ahead).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from bench.harness import Figure

ROOT = Path(__file__).resolve().parent.parent

_WRITE = """
import json, sys
from bench.eventgen import as_canonical, generate
count = 0
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for record in generate(int(sys.argv[1])):
        out.write(json.dumps(as_canonical(record)) + "\\n")
        count += 1
print(json.dumps({"events": count}))
"""

_CLI = """
import json, os, sys, time
sys.argv = ["escalon", "replay", sys.argv[1]]
sys.stdout = open(os.devnull, "w")
from escalon.entrypoints.cli.main import main
try:
    main()
except SystemExit as done:
    if done.code:
        raise
seconds = time.process_time()
with open("/proc/self/status") as status:
    peak = int(next(l for l in status if l.startswith("VmHWM:")).split()[1]) / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak}), file=sys.stderr)
"""

_NAIVE = """
import json, os, sys, time
import escalon.entrypoints.cli.main  # the same start-up as the command
from escalon.adapters.policy_files import load_default_policy
from escalon.domain.engine import EventRecord
from escalon.domain.events import parse_event
from escalon.services.replay import Replayer, replay
policy = load_default_policy()
with open(sys.argv[1], encoding="utf-8") as lines:
    records = [EventRecord.from_event(parse_event(json.loads(line))) for line in lines]
records.sort(key=EventRecord.order_key)
runner = Replayer(policy)
with open(os.devnull, "w") as out:
    for decision in replay(records, policy, replayer=runner):
        out.write(json.dumps(decision.to_dict(), sort_keys=True) + "\\n")
print(json.dumps({"events": runner.events, "seconds": time.process_time()}))
"""

_REPLAY = """
import json, sys, time
from bench.eventgen import generate
from escalon.adapters.policy_files import load_default_policy
from escalon.domain.engine import EngineState
from escalon.services.replay import Replayer, replay
tickets, mode = int(sys.argv[1]), sys.argv[2]
policy = load_default_policy()
runner = Replayer(policy, state=EngineState(keep_history=(mode == "history")))
# the engine figure times the engine alone; the memory baseline streams the events instead
events = list(generate(tickets)) if mode == "records" else generate(tickets)
start = time.process_time()
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


def _run(script: str, *args: object, result_on_stderr: bool = False) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": f"{ROOT}:{ROOT / 'src'}", "PATH": "/usr/bin:/bin"},
    )
    output = done.stderr if result_on_stderr else done.stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def run(quick: bool) -> list[Figure]:
    tickets = 500 if quick else 100_000
    naive_tickets = tickets if quick else tickets // 10
    with tempfile.TemporaryDirectory(prefix="escalon-bench-replay-") as tmp:
        events_file, naive_file = Path(tmp) / "events.jsonl", Path(tmp) / "naive.jsonl"
        events = _run(_WRITE, tickets, events_file)["events"]
        _run(_WRITE, naive_tickets, naive_file)
        cli = _run(_CLI, events_file, result_on_stderr=True)
        naive = _run(_NAIVE, naive_file)
    engine = _run(_REPLAY, tickets, "records")
    history = _run(_REPLAY, tickets, "history")
    small, large = (500, 5_000) if quick else (10_000, 1_000_000)
    work = 500 if quick else 7_000
    few = _run(_OPEN, small, work)
    many = _run(_OPEN, large, work)
    end_to_end = events / cli["seconds"]
    naive_rate = naive["events"] / naive["seconds"]
    engine_rate = engine["events"] / engine["seconds"]
    per_few = few["seconds"] / few["events"] * 1e6
    per_many = many["seconds"] / many["events"] * 1e6
    return [
        Figure(
            f"escalon replay FILE end to end, {int(events):,} events / {tickets:,} tickets "
            "(process CPU: start, read, validate, engine, print)",
            end_to_end,
            "events/s",
            "json.loads + pydantic per line, json.dumps per decision",
            naive_rate,
            ">= 50,000 events/s",
            end_to_end >= 50_000,
        ),
        Figure(
            f"engine only, replay() of {int(engine['events']):,} records built beforehand",
            engine_rate,
            "events/s",
            "the end-to-end file replay",
            end_to_end,
            ">= 50,000 events/s",
            engine_rate >= 50_000,
        ),
        Figure(
            f"peak memory, escalon replay FILE of {tickets:,} tickets",
            cli["peak_mb"],
            "MB",
            "engine only, keeping every event and clock",
            history["peak_mb"],
            "<= 1,536 MB",
            cli["peak_mb"] <= 1_536,
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
