"""Login throttling: after N failures within a window, a key (tenant+user, and the source
address) is locked for a while. Pure: takes the failure times and `now`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["ThrottlePolicy"]


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    max_failures: int = 5
    window_s: float = 900.0
    lockout_s: float = 300.0

    def locked_for(self, failures: Sequence[float], now: float) -> float:
        """Seconds the key stays locked (0 when a login may be tried)."""
        recent = sorted(t for t in failures if now - t <= self.window_s)
        if len(recent) < self.max_failures:
            return 0.0
        # Locked from the max_failures-th failure of the latest run for lockout_s.
        until = recent[-1] + self.lockout_s
        return max(0.0, until - now)
