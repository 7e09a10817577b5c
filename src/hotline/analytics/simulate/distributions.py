"""Random inputs of a simulation: handle times, patience, arrival rates over the day.

Each call's handle time and patience are drawn when it arrives, from the stream's own generator,
so two runs that differ only in routing see exactly the same callers (common random numbers):
any difference in their results is the routing's doing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["ArrivalProfile", "Distribution", "Exponential", "Fixed", "LogNormal", "Sampler"]


@dataclass(frozen=True, slots=True)
class Exponential:
    mean_s: float


@dataclass(frozen=True, slots=True)
class LogNormal:
    """Parameterised by its own mean and standard deviation in seconds, as measured."""

    mean_s: float
    sd_s: float

    @property
    def sigma(self) -> float:
        return math.sqrt(math.log1p((self.sd_s / self.mean_s) ** 2))

    @property
    def mu(self) -> float:
        return math.log(self.mean_s) - self.sigma**2 / 2


@dataclass(frozen=True, slots=True)
class Fixed:
    value_s: float

    @property
    def mean_s(self) -> float:
        return self.value_s


Distribution = Exponential | LogNormal | Fixed


class Sampler:
    """Draws from one distribution with one generator, a block at a time (numpy is fast in bulk)."""

    __slots__ = ("_buffer", "_distribution", "_next", "_rng")

    _BLOCK = 512

    def __init__(self, distribution: Distribution, rng: np.random.Generator) -> None:
        self._distribution = distribution
        self._rng = rng
        self._buffer: list[float] = []
        self._next = 0

    def draw(self) -> float:
        if self._next >= len(self._buffer):
            self._buffer = self._block()
            self._next = 0
        value = self._buffer[self._next]
        self._next += 1
        return value

    def _block(self) -> list[float]:
        d, n = self._distribution, self._BLOCK
        if isinstance(d, Exponential):
            values = self._rng.exponential(d.mean_s, n)
        elif isinstance(d, LogNormal):
            values = self._rng.lognormal(d.mu, d.sigma, n)
        else:
            values = np.full(n, d.value_s)
        result: list[float] = values.tolist()
        return result


@dataclass(frozen=True, slots=True)
class ArrivalProfile:
    """Poisson arrivals whose rate is constant within each interval and repeats every cycle
    (24 one-hour rates make a daily profile; one rate makes a plain Poisson stream)."""

    rates_per_hour: tuple[float, ...]
    interval_s: float = 3600.0

    @property
    def cycle_s(self) -> float:
        return self.interval_s * len(self.rates_per_hour)

    def rate_per_s(self, t: float) -> float:
        index = int((t % self.cycle_s) // self.interval_s)
        return self.rates_per_hour[min(index, len(self.rates_per_hour) - 1)] / 3600.0

    def next_arrival(self, t: float, rng: np.random.Generator) -> float:
        """The next arrival after time `t` (seconds from the start), exactly: an exponential
        amount of "rate × time" is spent across interval boundaries (memorylessness)."""
        if max(self.rates_per_hour) <= 0:
            return math.inf
        budget = float(rng.exponential(1.0))
        while True:
            rate = self.rate_per_s(t)
            boundary = (math.floor(t / self.interval_s + 1e-12) + 1) * self.interval_s
            if len(self.rates_per_hour) == 1:
                return t + budget / rate
            if rate > 0 and budget <= rate * (boundary - t):
                return t + budget / rate
            budget -= rate * (boundary - t)
            t = boundary

    def mean_rate_per_s(self) -> float:
        return sum(self.rates_per_hour) / len(self.rates_per_hour) / 3600.0
