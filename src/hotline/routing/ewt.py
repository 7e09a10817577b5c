"""Estimated wait time (预计等待时间) for announcements: the queue-length (QL) estimator.

A caller at position k (1-based) behind a busy queue waits for k service completions among the
s agents serving it. With handle times of mean AHT, completions come at rate s / AHT, so the
expected wait is `k × AHT / s` (Whitt, "Predicting queueing delays", Management Science 1999).
Ibrahim & Whitt (2009) found this estimator the most accurate when s and AHT are known, which
they are here: the dispatcher counts the staffed agents of the queue's requirement, and AHT is an
exponentially weighted mean of the queue's recent handle times (talk + wrap-up), started from
the configured expectation. Abandonment ahead of the caller is ignored, so the estimate errs long
— the friendly direction for an announcement. ADR 0034 has the reasoning.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["HandleTimeAverage", "queue_length_ewt"]


def queue_length_ewt(position: int, serving: int, aht_s: float) -> float | None:
    """Expected wait of the caller at `position` with `serving` agents; `None` if nobody serves."""
    if serving <= 0:
        return None
    return max(0, position) * aht_s / serving


@dataclass(slots=True)
class HandleTimeAverage:
    """An exponentially weighted mean of handle times, seeded with an expected value."""

    value_s: float
    smoothing: float = 0.05  # weight of the newest observation
    count: int = 0

    def observe(self, handle_s: float) -> None:
        if handle_s < 0:
            return
        self.count += 1
        # the first observations weigh more, so a wrong seed is forgotten within a few calls
        weight = max(self.smoothing, 1.0 / (self.count + 1))
        self.value_s += weight * (handle_s - self.value_s)
