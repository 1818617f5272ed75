"""DuckDB and the plain pandas implementation give the same aggregates on the same records."""

from __future__ import annotations

import math
from dataclasses import fields

import pytest
from bench.bench_analytics import pandas_aggregates, synthetic_records, to_frames
from tests.unit.analytics.handbuilt import handbuilt_events, handbuilt_ops_records

from escalon.analytics.aggregates import Aggregates
from escalon.analytics.duck import compute_aggregates, connect
from escalon.analytics.records import EscalationRecords, build_records
from escalon.analytics.targets import Targets
from escalon.domain.events import parse_event
from escalon.simulation.ops import simulate_ops


def _close(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)  # type: ignore[arg-type]
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if hasattr(a, "__dataclass_fields__") and type(a) is type(b):
        return all(_close(getattr(a, f.name), getattr(b, f.name)) for f in fields(a))  # type: ignore[arg-type]
    return a == b


def _assert_same(duck: Aggregates, panda: Aggregates) -> None:
    for f in fields(Aggregates):
        assert _close(getattr(duck, f.name), getattr(panda, f.name)), f.name


def _simulated() -> EscalationRecords:
    result = simulate_ops(days=30, tickets=1500, seed=21)
    return build_records([parse_event(e) for e in result.events], result.records)


@pytest.mark.parametrize(
    ("records", "period"),
    [
        (lambda: build_records(handbuilt_events(), handbuilt_ops_records()), 202504),
        (_simulated, 202504),
        (lambda: synthetic_records(20_000, seed=3), 202504),
        (lambda: synthetic_records(5_000, seed=4), 202503),
        (lambda: build_records(handbuilt_events(), handbuilt_ops_records()), 201901),
    ],
)
def test_same_aggregates(records: object, period: int) -> None:
    tables: EscalationRecords = records()  # type: ignore[operator]
    targets = Targets()
    duck = compute_aggregates(connect(tables), period, targets)
    _assert_same(duck, pandas_aggregates(to_frames(tables), period, targets))
