"""The lockstep walk (store path) builds the same records as `build_records` (events-file path).

Both run on the same events and engine decisions: the hand-built log, and a simulated month
replayed through the engine (time-based and management escalations, returns, reopens, credits).
Every record table is compared row for row, every column.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from tests.unit.analytics.handbuilt import handbuilt_events, handbuilt_ops_records

from escalon.adapters.policy_files import load_default_policy
from escalon.analytics.items import (
    COUNTED_DECISIONS,
    DECISION_ROWS,
    EVENT_BODIES,
    EVENT_KINDS,
)
from escalon.analytics.ops_records import OpsRecord
from escalon.analytics.records import EscalationRecords, build_records
from escalon.analytics.store_source import records_from_bodies
from escalon.domain.engine import Decision
from escalon.domain.events import Event, parse_event
from escalon.entrypoints.cli.report import run_engine
from escalon.simulation.ops import simulate_ops


def _bodies(events: Sequence[Event], decisions: Sequence[Decision]) -> tuple[pa.Table, pa.Table]:
    event_rows = pa.table(
        {
            "ord": pa.array(range(len(events)), pa.int64()),
            "kind": pa.array([EVENT_KINDS.get(e.type, -1) for e in events], pa.int8()),
            "body": pa.array([e.model_dump_json() for e in events], pa.string()),
        },
        schema=EVENT_BODIES,
    )
    counted = [d for d in decisions if d.kind in COUNTED_DECISIONS]
    decision_rows = pa.table(
        {
            "ord": pa.array(range(len(counted)), pa.int64()),
            "id": [d.id for d in counted],
            "ticket": [d.ticket for d in counted],
            "kind": [d.kind for d in counted],
            "due_at": [d.at.isoformat() for d in counted],
            "body": [json.dumps({"facts": d.facts}, default=str) for d in counted],
        },
        schema=DECISION_ROWS,
    )
    return event_rows, decision_rows


def _rows(table: pa.Table, keys: list[str]) -> list[dict[str, object]]:
    plain = pa.table(
        {
            name: pc.cast(table.column(name), pa.string())
            if pa.types.is_dictionary(table.column(name).type)
            else table.column(name)
            for name in table.column_names
        }
    )
    return sorted(plain.to_pylist(), key=lambda r: tuple(str(r[k]) for k in keys))


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12)
    return a == b


def _assert_same(walked: EscalationRecords, reference: EscalationRecords) -> None:
    for name, keys in (
        ("escalations", ["escalation_id"]),
        ("tickets", ["ticket_id"]),
        ("credits", ["ticket_id", "at"]),
        ("initiatives", ["kind", "id", "at"]),
        ("churn", ["customer_id", "at"]),
    ):
        got = _rows(getattr(walked, name), keys)
        want = _rows(getattr(reference, name), keys)
        assert len(got) == len(want), name
        for row, expected in zip(got, want, strict=True):
            assert row.keys() == expected.keys(), name
            wrong = {k: (row[k], expected[k]) for k in row if not _same(row[k], expected[k])}
            assert not wrong, (name, expected.get(keys[0]), wrong)


def _both(
    events: list[Event], ops: Sequence[OpsRecord], decisions: list[Decision]
) -> tuple[EscalationRecords, EscalationRecords]:
    event_rows, decision_rows = _bodies(events, decisions)
    return records_from_bodies(event_rows, decision_rows, ops), build_records(
        events, ops, decisions
    )


def test_handbuilt_log() -> None:
    _assert_same(*_both(handbuilt_events(), handbuilt_ops_records(), []))


def test_handbuilt_log_replayed_through_the_engine() -> None:
    events = handbuilt_events()
    decisions = run_engine(events, load_default_policy()).decisions
    _assert_same(*_both(events, handbuilt_ops_records(), decisions))


@pytest.mark.parametrize("seed", [7, 12])
def test_simulated_months_with_the_engine(seed: int) -> None:
    result = simulate_ops(days=45, tickets=2500, seed=seed, start=datetime(2025, 3, 1, tzinfo=UTC))
    events = [parse_event(e) for e in result.events]
    decisions = run_engine(events, load_default_policy()).decisions
    walked, reference = _both(events, result.records, decisions)
    assert reference.escalations.num_rows > 500
    _assert_same(walked, reference)
