"""The raw counts and sums every dashboard figure is derived from, for one period.

Two implementations fill this same structure: DuckDB (`analytics.duck`, what escalon runs) and
a straightforward pandas one (the benchmark baseline and a cross-check in tests). Shares, marks
and wording are computed afterwards from these numbers only, so both agree by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

UNKNOWN = "unknown"
"""Key used when a grouping column (category, region, ...) is empty."""


@dataclass(frozen=True)
class TierTimes:
    """Escalations into one tier in the period and the hours until resolution there."""

    escalations: int
    resolved: int
    avg_hours: float | None
    median_hours: float | None


@dataclass(frozen=True)
class TeamCounts:
    escalations: int
    avoidable: int


@dataclass(frozen=True)
class Ratio:
    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True)
class Mean:
    total: float
    count: int

    @property
    def value(self) -> float | None:
        return self.total / self.count if self.count else None


@dataclass
class Aggregates:
    """Counts for `period` (yyyymm); `previous_total` is the escalation count a month earlier."""

    period: int
    previous_total: int = 0
    volume_by_path: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)
    tiers: dict[str, TierTimes] = field(default_factory=dict)
    success: Ratio = Ratio(0, 0)
    re_escalation: Ratio = Ratio(0, 0)
    labour_cost: float = 0.0
    barriers: dict[str, int] = field(default_factory=dict)
    product_areas: dict[str, int] = field(default_factory=dict)
    segments: dict[str, int] = field(default_factory=dict)
    regions: dict[str, int] = field(default_factory=dict)
    teams: dict[str, TeamCounts] = field(default_factory=dict)
    csat_escalated: Mean = Mean(0.0, 0)
    csat_not_escalated: Mean = Mean(0.0, 0)
    fcr: Ratio = Ratio(0, 0)
    fcr_by_category: dict[str, Ratio] = field(default_factory=dict)
    credits: float = 0.0
    churned_customers: int = 0
    initiatives: dict[str, int] = field(default_factory=dict)
    tickets: int = 0

    @property
    def total(self) -> int:
        return sum(self.volume_by_path.values())


def previous_month(period: int) -> int:
    year, month = divmod(period, 100)
    return (year - 1) * 100 + 12 if month == 1 else period - 1


def parse_period(text: str) -> int:
    """`2025-04` -> 202504; raises ValueError with the expected shape."""
    parts = text.strip().split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise ValueError(f"period must look like 2025-04, got {text!r}")
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12:
        raise ValueError(f"period month must be 01-12, got {text!r}")
    return year * 100 + month


def period_label(period: int) -> str:
    return f"{period // 100:04d}-{period % 100:02d}"
