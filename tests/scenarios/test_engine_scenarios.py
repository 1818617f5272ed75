"""Engine scenarios: each `NAME.jsonl` is a file of canonical events (runnable with
`escalon replay`), and `NAME.expect.json` lists the decisions it must produce.

Every scenario runs twice: through the replay service (events sorted into time order), and live,
feeding the file line by line to `step` with a tick before each event, so out-of-order lines take
the engine's late-event path. Both must meet the expectations.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from escalon.adapters.policy_files import load_default_policy
from escalon.domain.engine import Decision, EngineState, EventRecord, instant_us, step
from escalon.domain.events import parse_event
from escalon.domain.policy import Policy
from escalon.services.replay import read_events, replay

HERE = Path(__file__).parent
SCENARIOS = sorted(p.name.removesuffix(".jsonl") for p in HERE.glob("*.jsonl"))


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_default_policy()


def _spec(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads((HERE / f"{name}.expect.json").read_text())
    return spec


def _until(spec: dict[str, Any]) -> int | None:
    text = spec.get("until")
    if text is None:
        return None
    from datetime import datetime

    return instant_us(datetime.fromisoformat(text.replace("Z", "+00:00")))


def _matches(decision: Decision, want: dict[str, Any]) -> bool:
    shown = decision.to_dict()
    for key, value in want.items():
        if key == "facts":
            if any(shown["facts"].get(k) != v for k, v in value.items()):
                return False
        elif shown.get(key) != value:
            return False
    return True


def _check(decisions: list[Decision], spec: dict[str, Any]) -> None:
    for want in spec["expect"]:
        assert any(_matches(d, want) for d in decisions), (want, [d.to_dict() for d in decisions])
    for unwanted in spec["absent"]:
        hits = [d.to_dict() for d in decisions if _matches(d, unwanted)]
        assert not hits, (unwanted, hits)
    for kind, count in spec["counts"].items():
        assert sum(d.kind == kind for d in decisions) == count, kind


def _replayed(name: str, policy: Policy, spec: dict[str, Any]) -> list[Decision]:
    records, rejected = read_events(HERE / f"{name}.jsonl", skip_invalid=False)
    assert rejected == []
    return list(replay(records, policy, until=_until(spec)))


def _live(lines: list[dict[str, Any]], policy: Policy, spec: dict[str, Any]) -> list[Decision]:
    state = EngineState()
    out: list[Decision] = []
    for raw in lines:
        event = parse_event(raw)
        # "it is now just before the event": an event at a due instant beats the wake-up
        now = EventRecord.from_event(event).at - 1
        out += step(state, EventRecord(f"tick-{raw['id']}", "tick", now, "*", {}), policy).decisions
        out += step(state, event, policy).decisions
    until = _until(spec)
    if until is not None:
        end = EventRecord("tick-end", "tick", until, "*", {})
        out += step(state, end, policy).decisions
    return out


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_replayed(name: str, policy: Policy) -> None:
    spec = _spec(name)
    decisions = _replayed(name, policy, spec)
    _check(decisions, spec)
    assert [d.at_us for d in decisions] == sorted(d.at_us for d in decisions)


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_live_in_file_order(name: str, policy: Policy) -> None:
    spec = _spec(name)
    lines = [json.loads(line) for line in (HERE / f"{name}.jsonl").read_text().splitlines()]
    _check(_live(lines, policy, spec), spec)


@pytest.mark.parametrize("name", SCENARIOS)
def test_replay_twice_and_shuffled_gives_identical_decisions(
    name: str, policy: Policy, tmp_path: Path
) -> None:
    spec = _spec(name)
    first = [d.to_dict() for d in _replayed(name, policy, spec)]
    second = [d.to_dict() for d in _replayed(name, policy, spec)]
    lines = _shuffled_across_instants((HERE / f"{name}.jsonl").read_text().splitlines())
    shuffled_file = tmp_path / "shuffled.jsonl"
    shuffled_file.write_text("\n".join(lines) + "\n")
    records, _ = read_events(shuffled_file, skip_invalid=False)
    shuffled = [d.to_dict() for d in replay(records, policy, until=_until(spec))]
    assert first == second == shuffled


def _shuffled_across_instants(lines: list[str]) -> list[str]:
    """Shuffle the file's lines, except that lines at the same instant keep their file order:
    that order is meaningful (docs/engine.md, "ties at the same instant: file order")."""
    order = list(range(len(lines)))
    random.Random(len(lines)).shuffle(order)
    instant = [_instant(line) for line in lines]
    queues: dict[int, list[str]] = {}
    for line, at in zip(lines, instant, strict=True):
        queues.setdefault(at, []).append(line)
    return [queues[instant[i]].pop(0) for i in order]


def _instant(line: str) -> int:
    from datetime import datetime

    return instant_us(datetime.fromisoformat(json.loads(line)["at"].replace("Z", "+00:00")))


def test_shuffling_keeps_same_instant_lines_in_file_order() -> None:
    lines = [
        json.dumps({"at": f"2025-04-01T13:0{minute}:00Z", "n": n})
        for n, minute in enumerate([0, 0, 1, 2, 2, 2, 3])
    ]
    shuffled = _shuffled_across_instants(lines)
    assert sorted(shuffled) == sorted(lines)
    assert shuffled != lines
    for at in {_instant(line) for line in lines}:
        assert [x for x in shuffled if _instant(x) == at] == [x for x in lines if _instant(x) == at]


def test_every_scenario_has_expectations() -> None:
    assert len(SCENARIOS) >= 25
    for name in SCENARIOS:
        assert _spec(name)["expect"], name
