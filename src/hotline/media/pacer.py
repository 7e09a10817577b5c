"""The engine's one 20 ms clock: absolute deadlines `start + k × period` on a monotonic clock,
so lateness in one tick never shifts the next ones (no drift), and a stall is caught up in a
bounded burst instead of a storm. Sans-I/O: the engine passes `now` and asks when to wake.
"""

from __future__ import annotations

__all__ = ["Pacer"]


class Pacer:
    def __init__(
        self,
        start: float,
        *,
        period: float = 0.020,
        late_after: float = 0.010,
        max_burst: int = 5,
        early: float = 0.001,
    ) -> None:
        self.start = start
        self.period = period
        self.late_after = late_after
        self.max_burst = max_burst
        self.early = early  # timer wake-ups are coarse (1 ms in uvloop): accept slightly early
        self.tick = 0  # index of the next tick to run
        self.ran = 0
        self.late = 0  # ticks run more than `late_after` behind their deadline
        self.late_over_period = 0  # ticks run more than a whole period (20 ms) behind
        self.skipped = 0  # ticks dropped after a stall longer than `max_burst` periods
        self.max_lateness = 0.0

    def deadline(self, tick: int) -> float:
        return self.start + tick * self.period

    @property
    def next_deadline(self) -> float:
        return self.deadline(self.tick)

    def due(self, now: float) -> list[tuple[int, float]]:
        """Ticks to run now, as (tick index, lateness in seconds), oldest first."""
        behind = int((now + self.early - self.start) // self.period) + 1 - self.tick
        if behind <= 0:
            return []
        if behind > self.max_burst:
            # A long stall (suspended process, debugger): skip what cannot be useful any more.
            self.skipped += behind - self.max_burst
            self.tick += behind - self.max_burst
            behind = self.max_burst
        ticks = []
        for _ in range(behind):
            lateness = max(0.0, now - self.deadline(self.tick))
            if lateness > self.late_after:
                self.late += 1
                if lateness > self.period:
                    self.late_over_period += 1
            self.max_lateness = max(self.max_lateness, lateness)
            ticks.append((self.tick, lateness))
            self.tick += 1
        self.ran += len(ticks)
        return ticks
