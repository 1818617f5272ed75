"""Replay output pinned byte for byte: the fast paths of replay (plain-event decoding, the
engine's shortcuts, batched printing) must not change a single decision, id or reason.

The digests were taken with the straightforward pipeline (every line validated by pydantic,
every decision printed on its own). When an intended change to the engine or the default policy
changes decisions, check the difference and update the digests (`pytest -k golden` prints the
new ones).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from bench.eventgen import as_canonical, generate
from typer.testing import CliRunner

from escalon.adapters.policy_files import load_default_policy
from escalon.domain.engine import EventRecord
from escalon.domain.events import parse_event
from escalon.entrypoints.cli.main import app
from escalon.services.replay import Replayer, replay

TICKETS = 400
DIGESTS = {
    "json": "c8b1ab60b8a8036f5817d030",
    "explain": "eda755531884534afb6c7362",
}


@pytest.fixture(scope="module")
def events_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("golden") / "events.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for record in generate(TICKETS, seed=3):
            out.write(json.dumps(as_canonical(record)) + "\n")
    return path


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


@pytest.mark.parametrize("mode", sorted(DIGESTS))
def test_replay_output_is_unchanged(events_file: Path, mode: str) -> None:
    args = ["replay", str(events_file)] + (["--explain"] if mode == "explain" else [])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") > 500
    assert _digest(result.output) == DIGESTS[mode], f"new {mode} digest: {_digest(result.output)}"


def test_fast_and_canonical_pipelines_print_the_same(events_file: Path) -> None:
    """The same file through pydantic validation and per-decision json.dumps."""
    policy = load_default_policy()
    lines = events_file.read_text(encoding="utf-8").splitlines()
    records = [EventRecord.from_event(parse_event(json.loads(line))) for line in lines]
    records.sort(key=EventRecord.order_key)
    expected = "".join(
        json.dumps(d.to_dict(), sort_keys=True) + "\n"
        for d in replay(records, policy, replayer=Replayer(policy))
    )
    result = CliRunner().invoke(app, ["replay", str(events_file)])
    assert result.output == expected
