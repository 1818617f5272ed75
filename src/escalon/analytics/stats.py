"""The significance test behind "team requiring coaching": is its over-escalation share above
the organisation's by more than chance?

One-sided exact binomial test: P(X >= k) for X ~ Binomial(n, p_org). The probabilities are
summed from the end nearer the mode outwards and the sum stops once the remaining terms cannot
change it (they fall off faster than geometrically), so a team with millions of escalations costs
a few thousand terms, not n - k; below the mode the tail is taken as one minus the lower tail.
"""

from __future__ import annotations

import math

SIGNIFICANCE = 0.05
MIN_ESCALATIONS = 20
_EPSILON = 1e-17


def _log_pmf(i: int, n: int, log_p: float, log_q: float) -> float:
    return (
        math.lgamma(n + 1)
        - math.lgamma(i + 1)
        - math.lgamma(n - i + 1)
        + i * log_p
        + (n - i) * log_q
    )


def _tail_sum(start: int, n: int, p: float, *, upward: bool) -> float:
    """P(X >= start) when upward, else P(X <= start); `start` lies on the far side of the mode,
    so the terms only shrink from there and the ratio of neighbours only falls."""
    q = 1.0 - p
    total = term = 1.0  # relative to the first term, scaled back at the end
    i = start
    while (i < n) if upward else (i > 0):
        ratio = (n - i) / (i + 1) * p / q if upward else i / (n - i + 1) * q / p
        term *= ratio
        total += term
        i = i + 1 if upward else i - 1
        if ratio < 1.0 and term * ratio / (1.0 - ratio) < _EPSILON * total:
            break
    return math.exp(_log_pmf(start, n, math.log(p), math.log1p(-p))) * total


def binomial_upper_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p); 1.0 when k <= 0, 0.0 when k > n."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    mode = math.floor((n + 1) * p)
    if k > mode:
        return min(1.0, _tail_sum(k, n, p, upward=True))
    return min(1.0, max(0.0, 1.0 - _tail_sum(k - 1, n, p, upward=False)))
