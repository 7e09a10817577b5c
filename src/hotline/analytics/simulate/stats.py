"""Confidence intervals over independent replications (Student's t, no scipy needed).

Each replication is one independent sample of every metric; the interval is
mean ± t(1 − α/2, n − 1) · s / √n. The t quantile comes from the exact closed form of the
t distribution function for whole degrees of freedom (Abramowitz & Stegun 26.7.3–4), inverted
by bisection to 1e-12.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Estimate", "estimate", "t_quantile"]


def _t_two_sided(t: float, df: int) -> float:
    """P(|T| ≤ t) for Student's t with `df` degrees of freedom (A&S 26.7.3/26.7.4)."""
    theta = math.atan(t / math.sqrt(df))
    s, c = math.sin(theta), math.cos(theta)
    if df % 2 == 1:
        total, term = 0.0, c
        for k in range(1, (df - 1) // 2 + 1):
            if k > 1:
                term *= c * c * (2 * k - 2) / (2 * k - 1)
            total += term
        return (2.0 / math.pi) * (theta + s * total) if df > 1 else 2.0 * theta / math.pi
    total, term = 1.0, 1.0
    for k in range(1, df // 2):
        term *= c * c * (2 * k - 1) / (2 * k)
        total += term
    return s * total


def t_quantile(confidence: float, df: int) -> float:
    """The t with P(|T| ≤ t) = `confidence` (e.g. 0.99 → 3.2498 for df = 9)."""
    if not 0.0 < confidence < 1.0 or df < 1:
        raise ValueError("confidence must be in (0, 1) and df >= 1")
    low, high = 0.0, 1.0
    while _t_two_sided(high, df) < confidence:
        high *= 2.0
    while high - low > 1e-12 * max(1.0, high):
        mid = (low + high) / 2
        if _t_two_sided(mid, df) < confidence:
            low = mid
        else:
            high = mid
    return (low + high) / 2


@dataclass(frozen=True, slots=True)
class Estimate:
    """A mean over replications with its confidence half-width."""

    mean: float
    half_width: float
    n: int
    confidence: float

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def __str__(self) -> str:
        return f"{self.mean:.4g} ± {self.half_width:.2g}"


def estimate(values: Sequence[float], confidence: float) -> Estimate:
    n = len(values)
    if n == 0:
        return Estimate(math.nan, math.nan, 0, confidence)
    mean = math.fsum(values) / n
    if n == 1:
        return Estimate(mean, math.inf, 1, confidence)
    variance = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    half = t_quantile(confidence, n - 1) * math.sqrt(variance / n)
    return Estimate(mean, half, n, confidence)
