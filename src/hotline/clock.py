"""Injected time: the one `Clock` protocol, the system clock and a fake for tests and simulation.

Sans-I/O cores never read the clock themselves; their adapters pass `now` in (DESIGN §3.8).
`now()` is wall-clock epoch seconds (used in events and records); `monotonic()` is for timers.
"""

from __future__ import annotations

import time
from typing import Protocol

__all__ = ["Clock", "FakeClock", "SystemClock"]


class Clock(Protocol):
    def now(self) -> float:
        """Wall-clock time as UTC epoch seconds."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards; only differences are meaningful."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock:
    """A clock that moves only when told to: `clock.advance(32.0)` instead of `sleep`.

    `now()` and `monotonic()` advance together, so a test sees consistent timers and timestamps.
    """

    def __init__(self, start: float = 1_790_000_000.0) -> None:
        self._now = float(start)
        self._monotonic = 1000.0

    def now(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("a FakeClock never goes backwards")
        self._now += seconds
        self._monotonic += seconds
        return self._now

    def set(self, now: float) -> None:
        """Jump wall-clock and monotonic time forward to `now` (epoch seconds)."""
        self.advance(now - self._now)
