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
    def lower_is_better(self) -> bool:
        """Times, latencies and memory: smaller is better; rates: larger is better."""
        return not self.unit.endswith("/s")

    @property
    def ratio(self) -> float:
        """value / baseline: above 1 means more (faster for a rate, slower for a time)."""
        return self.value / self.baseline_value if self.baseline_value else float("inf")

    @property
    def verdict(self) -> str:
        """The ratio in words, the right way round for the unit."""
        if not self.value or not self.baseline_value:
            return "n/a"
        better = self.ratio < 1 if self.lower_is_better else self.ratio > 1
        factor = max(self.ratio, 1 / self.ratio)
        if self.lower_is_better:
            return f"{factor:.2f}x {'less' if better else 'more'} than baseline"
        return f"{factor:.2f}x {'more' if better else 'less'} than baseline"


def best_of(repeats: int, fn: Callable[[], object]) -> float:
    """Shortest wall time of `repeats` runs of `fn`, in seconds (least disturbed by noise)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best
