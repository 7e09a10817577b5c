"""The pacer: how many calls to place now (sans-I/O: facts and `now` in, a number out).

Progressive: one call per free agent not yet covered by a ringing call. Predictive: the most
calls for which the *expected* share of answered calls finding no agent stays under an allowed
ratio, from the live figures:

- the answer rate of recent dials (a person answering; machines are the detector's and take no
  agent), with a prior so the first dials are not over-paced;
- when answered calls answer (their ring times), so a call ringing for a while is less likely
  to be answered than a new one;
- the handle times (talk + wrap-up) seen so far, so an agent 4 minutes into a call is more
  likely to be free soon than one who has just started.

Agents free at the horizon (the mean time to answer plus the 2 s a connect may wait) are the
idle ones plus each busy agent freed with its conditional probability; answered calls are the
ringing calls and the new ones, each answered with its probability. The expected abandons are
E[max(0, answered − free)], computed exactly on those Poisson-binomial distributions.

The allowed ratio is where the feedback on the measured abandon rate acts: it starts at the
set-point (below the cap), moves against the error of the last hour's rate and of the rolling
window's, and drops to zero — progressive pacing, which cannot abandon while agents stay —
whenever one more abandon could take a window over the cap (ADR 0262). The window guard looks
ahead: it counts only the connects that will still be in every window ending within the next
`lookahead_s`, so a window sliding past its old connects cannot cross the cap unnoticed.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

__all__ = ["Decision", "Pacer", "PacerSettings", "PacingMode", "RollingRate"]


class PacingMode(StrEnum):
    PROGRESSIVE = "progressive"
    PREDICTIVE = "predictive"
    FIXED_RATIO = "fixed_ratio"  # the classic baseline: ratio × free agents in flight


@dataclass(frozen=True, slots=True)
class PacerSettings:
    mode: PacingMode = PacingMode.PREDICTIVE
    abandon_cap: float = 0.03  # abandoned / answered by a person, in every window
    window_s: float = 86_400.0
    long_window_s: float = 30 * 86_400.0  # the FTC's 30 days
    setpoint: float = 0.02  # what the feedback aims at, below the cap
    gain: float = 0.8  # how hard the allowed ratio leans against the measured error
    lookahead_s: float = 3600.0
    burst: float = 3.0  # abandons the calls in flight may still bring, kept in reserve
    connect_grace_s: float = 2.0  # safe harbor: a connect waits at most this long
    max_lines_per_agent: float = 5.0
    fixed_ratio: float = 1.5  # FIXED_RATIO mode only
    prior_answer_rate: float = 0.3
    prior_weight: float = 30.0
    answer_memory: int = 400  # recent dials behind the answer rate
    sample_memory: int = 800  # recent ring and handle times
    min_samples: int = 30  # ring or handle times needed before they are used


@dataclass(frozen=True, slots=True)
class Decision:
    calls: int
    allowed_ratio: float  # the expected-abandon ratio the decision was held to
    expected_abandon: float  # expected abandons among the calls in flight after placing
    answer_rate: float


class RollingRate:
    """Abandons over person-answered calls in a rolling window."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._times: list[float] = []
        self._flags: list[bool] = []
        self._start = 0  # the first entry still in the window
        self.answered = 0
        self.abandoned = 0

    def add(self, at: float, abandoned: bool) -> None:
        self._times.append(at)
        self._flags.append(abandoned)
        self.answered += 1
        self.abandoned += abandoned

    def prune(self, now: float) -> None:
        edge = now - self.window_s
        times, flags = self._times, self._flags
        start = self._start
        while start < len(times) and times[start] <= edge:
            self.answered -= 1
            self.abandoned -= flags[start]
            start += 1
        if start > 4096 and start * 2 > len(times):  # drop what slid out, now and then
            del times[:start], flags[:start]
            start = 0
        self._start = start

    def rate(self, now: float) -> float:
        self.prune(now)
        return self.abandoned / self.answered if self.answered else 0.0

    def answered_since(self, since: float) -> int:
        """Answered calls in the window after `since`."""
        first = max(self._start, bisect.bisect_right(self._times, since))
        return len(self._times) - first


class _Samples:
    """The last `size` values, kept sorted for survival look-ups."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.order: deque[float] = deque()
        self.sorted: list[float] = []
        self.total = 0.0
        self._array: npt.NDArray[np.float64] | None = None

    def add(self, value: float) -> None:
        self.order.append(value)
        self.total += value
        bisect.insort(self.sorted, value)
        if len(self.order) > self.size:
            old = self.order.popleft()
            self.total -= old
            del self.sorted[bisect.bisect_left(self.sorted, old)]
        self._array = None

    def survival(self, t: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Share of samples above each `t`, with one pseudo-sample above everything: a value
        longer than any seen yet stays possible (few samples must not make it certain)."""
        if self._array is None:
            self._array = np.array(self.sorted)
        n = self._array.size
        return (n + 1 - np.searchsorted(self._array, t, side="right")) / (n + 1)

    def mean(self, default: float) -> float:
        return self.total / len(self.order) if self.order else default


class Pacer:
    """Feed it what happens (`dial_ended`, `answered`, `handled`); ask `decide` for the number
    of calls to place. One pacer per campaign; its windows live as long as it does (a restart
    rebuilds them from the log through the same calls)."""

    def __init__(self, settings: PacerSettings | None = None) -> None:
        self.settings = s = settings or PacerSettings()
        self._outcomes: deque[bool] = deque()  # person answered?
        self._ring = _Samples(s.sample_memory)  # ring time of person-answered calls
        self._handle = _Samples(s.sample_memory)  # talk + wrap-up
        self.window = RollingRate(s.window_s)
        self.recent = RollingRate(3600.0)
        self.long = RollingRate(s.long_window_s)
        self._carry = 0.0  # fixed ratio: the part of a call not placed yet

    # -- what happened ---------------------------------------------------------------------

    def dial_ended(self, *, person: bool, ring_s: float | None = None) -> None:
        """A dial's ringing is over: answered by a person (with its ring time) or not (busy,
        no answer, dead number, machine)."""
        self._outcomes.append(person)
        if len(self._outcomes) > self.settings.answer_memory:
            self._outcomes.popleft()
        if person and ring_s is not None:
            self._ring.add(ring_s)

    def answered(self, at: float, *, abandoned: bool) -> None:
        """A person answered: connected to an agent, or abandoned (safe-harbor message)."""
        for rate in (self.window, self.recent, self.long):
            rate.add(at, abandoned)

    def handled(self, handle_s: float) -> None:
        self._handle.add(handle_s)

    # -- figures ---------------------------------------------------------------------------

    @property
    def answer_rate(self) -> float:
        s = self.settings
        person = sum(self._outcomes)
        return (person + s.prior_answer_rate * s.prior_weight) / (
            len(self._outcomes) + s.prior_weight
        )

    def abandon_rate(self, now: float) -> float:
        return self.window.rate(now)

    def allowed_ratio(self, now: float) -> float:
        """The expected-abandon ratio a decision may take (0: progressive only)."""
        s = self.settings
        for rate in (self.window, self.recent, self.long):
            rate.prune(now)
        # Guard: one more abandon must keep every window ending within the lookahead (which
        # keeps the connects after now − window + lookahead) and the 30 days under the cap.
        # Calls in flight can abandon together, so a decision needs room for `burst` more.
        kept = self.window.answered_since(now - s.window_s + s.lookahead_s)
        room = s.abandon_cap * kept - self.window.abandoned
        if room < s.burst or s.abandon_cap * self.long.answered - self.long.abandoned < s.burst:
            return 0.0
        error = 0.0
        if self.recent.answered >= 30:
            error += s.setpoint - self.recent.rate(now)
        if self.window.answered >= 100:
            error += s.setpoint - self.window.rate(now)
        ratio = s.setpoint + s.gain * error
        # Lower the ratio as the window's budget runs out.
        ratio *= min(1.0, (room - s.burst + 1.0) / 4.0)
        return max(0.0, min(ratio, s.abandon_cap))

    # -- the decision ----------------------------------------------------------------------

    def decide(
        self,
        now: float,
        *,
        idle_agents: int,
        busy_elapsed: Sequence[float] = (),
        ringing_elapsed: Sequence[float] = (),
    ) -> Decision:
        """Calls to place now. `busy_elapsed`: seconds each agent on a call (or wrapping up)
        has spent on it; `ringing_elapsed`: seconds each call in flight has rung."""
        s = self.settings
        p = self.answer_rate
        ringing = len(ringing_elapsed)
        if s.mode is PacingMode.PROGRESSIVE:
            return Decision(max(0, idle_agents - ringing), 0.0, 0.0, p)
        if s.mode is PacingMode.FIXED_RATIO:
            # The fraction of a call left over is carried to the next decision, so a ratio
            # of 1.5 places 3 calls for 2 single free agents in a row (not 1 + 1).
            wanted = s.fixed_ratio * idle_agents - ringing
            if wanted <= 0:
                self._carry = 0.0
                return Decision(0, 0.0, 0.0, p)
            calls = math.floor(wanted + self._carry + 1e-9)
            self._carry = wanted + self._carry - calls if calls < wanted else 0.0
            return Decision(calls, 0.0, 0.0, p)
        ratio = self.allowed_ratio(now)
        if ratio <= 0.0:  # no room for an abandon: progressive
            return Decision(max(0, idle_agents - ringing), 0.0, 0.0, p)
        staffed = idle_agents + len(busy_elapsed)
        most = max(0, math.floor(s.max_lines_per_agent * staffed) - ringing)
        if staffed == 0:
            return Decision(0, ratio, 0.0, p)
        horizon = self._ring.mean(8.0) + s.connect_grace_s
        freed = _poisson_binomial(self._freed(busy_elapsed, horizon))
        chances = self._still_answers(ringing_elapsed, p)
        connects = _poisson_binomial(chances)
        mean_ringing = float(chances.sum())
        # short[k] = E[max(0, k − agents free at the horizon)] for k answered calls.
        over = np.arange(ringing + most + 1)[:, None] - idle_agents - np.arange(freed.size)
        short = np.clip(over, 0, None) @ freed

        def shortfall(n: int) -> float:
            pmf = np.convolve(connects, _binomial(n, p))
            return float(pmf @ short[: pmf.size])

        def fits(n: int) -> bool:
            # Up to the free agents nothing can be abandoned; beyond, the ratio decides.
            return ringing + n <= idle_agents or shortfall(n) <= ratio * (mean_ringing + n * p)

        low = min(most, max(0, idle_agents - ringing))  # always fits
        high = most
        while low < high:  # the largest n that fits (the shortfall ratio grows with n)
            middle = (low + high + 1) // 2
            if fits(middle):
                low = middle
            else:
                high = middle - 1
        calls = low
        expected = shortfall(calls)
        return Decision(calls, ratio, expected, p)

    def _freed(self, elapsed: Sequence[float], horizon: float) -> npt.NDArray[np.float64]:
        """P(an agent `elapsed` into handling is free within `horizon`), per agent."""
        e = np.asarray(elapsed, dtype=float)
        if len(self._handle.order) < self.settings.min_samples:
            return np.zeros_like(e)  # no idea yet: nobody frees up
        return 1.0 - self._handle.survival(e + horizon) / self._handle.survival(e)

    def _still_answers(self, elapsed: Sequence[float], p: float) -> npt.NDArray[np.float64]:
        """P(a call ringing for `elapsed` is answered by a person), by Bayes on ring times."""
        e = np.asarray(elapsed, dtype=float)
        if len(self._ring.order) < self.settings.min_samples:
            return np.full_like(e, p)
        later = p * self._ring.survival(e)
        return later / (later + (1.0 - p))


def _poisson_binomial(probabilities: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The distribution of the number of successes of independent trials (by the discrete
    Fourier transform of its generating function: one vectorised product, no loop)."""
    n = probabilities.size
    if n == 0:
        return np.ones(1)
    turns = np.exp(2j * np.pi * np.arange(n + 1) / (n + 1))
    factors = 1.0 - probabilities[:, None] + probabilities[:, None] * turns[None, :]
    pmf = np.fft.fft(np.prod(factors, axis=0)).real / (n + 1)
    return np.clip(pmf, 0.0, None)


def _binomial(n: int, p: float) -> npt.NDArray[np.float64]:
    if n == 0:
        return np.ones(1)
    if p >= 1.0:
        out = np.zeros(n + 1)
        out[n] = 1.0
        return out
    k = np.arange(n)
    steps = (n - k) / (k + 1) * (p / (1.0 - p))
    return np.concatenate(([1.0], np.cumprod(steps))) * (1.0 - p) ** n
