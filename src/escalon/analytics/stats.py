"""The significance test behind "team requiring coaching": is its over-escalation share above
the organisation's by more than chance?

One-sided exact binomial test: P(X >= k) for X ~ Binomial(n, p_org). Summed in log space, so it
is exact for any sample escalon sees (tens of thousands of escalations per team per month).
"""

from __future__ import annotations

import math

SIGNIFICANCE = 0.05
MIN_ESCALATIONS = 20


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
    log_p, log_q = math.log(p), math.log1p(-p)
    log_n = math.lgamma(n + 1)
    terms = [
        log_n - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q
        for i in range(k, n + 1)
    ]
    top = max(terms)
    return min(1.0, math.exp(top) * math.fsum(math.exp(t - top) for t in terms))
