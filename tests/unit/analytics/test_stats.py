"""The one-sided binomial test against an exact rational sum, and its cost on huge teams."""

from __future__ import annotations

import math
import time
from fractions import Fraction

import pytest

from escalon.analytics.stats import binomial_upper_tail


def _exact(k: int, n: int, p: Fraction) -> float:
    return float(sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(max(k, 0), n + 1)))


@pytest.mark.parametrize("n", [1, 2, 3, 20, 57, 200])
@pytest.mark.parametrize("p", [Fraction(1, 50), Fraction(3, 20), Fraction(1, 2), Fraction(9, 10)])
def test_matches_the_exact_sum(n: int, p: Fraction) -> None:
    for k in range(-1, n + 2):
        expected = _exact(k, n, p) if k <= n else 0.0
        assert math.isclose(binomial_upper_tail(k, n, float(p)), expected, abs_tol=1e-12)


def test_edges() -> None:
    assert binomial_upper_tail(0, 10, 0.3) == 1.0
    assert binomial_upper_tail(11, 10, 0.3) == 0.0
    assert binomial_upper_tail(1, 10, 0.0) == 0.0
    assert binomial_upper_tail(10, 10, 1.0) == 1.0


def test_millions_of_escalations_take_milliseconds() -> None:
    """A team with 2.5 million escalations a month: a few thousand terms, not millions."""
    n, p = 2_500_000, 0.12
    started = time.perf_counter()
    k = int(n * p) + 1_000  # about 1.9 standard deviations above the mean
    above = binomial_upper_tail(k, n, p)
    below = binomial_upper_tail(int(n * p) - 1_000, n, p)
    assert time.perf_counter() - started < 0.5
    assert 0.02 < above < 0.04 and 0.96 < below < 0.98
    # X >= k exactly when n - X <= n - k: the same tail seen from the other side of the mode
    # (lgamma of millions carries ~1e-9 relative error, far below what a p-value needs)
    assert math.isclose(above + binomial_upper_tail(n - k + 1, n, 1 - p), 1.0, rel_tol=1e-8)
