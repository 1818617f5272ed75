"""Figures, timing helpers and the writer of docs/benchmarks.md."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured figure, its same-run baseline and the issue's target."""

    name: str
    value: float
    unit: str
    baseline_name: str
    baseline_value: float
    target: str
    met: bool

    @property
    def ratio(self) -> float:
        return self.value / self.baseline_value if self.baseline_value else float("inf")


def best_of(repeats: int, fn: Callable[[], object]) -> float:
    """Shortest wall time of `repeats` runs of `fn`, in seconds (least disturbed by noise)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best
