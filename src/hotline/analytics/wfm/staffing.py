"""Staffing per interval: agents for a service-level target, people to schedule, trunk lines.

Vectorised over every interval at once (a year of 15-minute intervals is 35,040 of them):
the Erlang B recursion walks N upwards for all intervals together, each interval dropping out
when its target is met, so the work is one pass to the largest N. The arithmetic is the
scalar functions' own (`erlang.agents_needed`, `erlang.lines_needed`), operation for
operation; the one transcendental step (e^x in the service level) is re-checked with the
scalar function wherever it lands within 1e-12 of the target, so the answers are identical.

With a known patience (estimated from abandons: abandoned callers / seconds waited by every
queued caller, the censored maximum likelihood of an exponential), agents come from Erlang A
instead, by bisection between 1 and the Erlang C answer (Erlang A's SL is never below C's).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hotline.analytics.wfm.erlang import DEFAULT_SHRINKAGE, agents_needed
from hotline.analytics.wfm.erlang_a import erlang_a
from hotline.analytics.wfm.errors import WfmInputError

__all__ = [
    "ServiceTarget",
    "StaffingPlan",
    "agents_needed_a",
    "agents_needed_many",
    "estimate_patience_s",
    "lines_needed_many",
    "staff",
]

Vector = npt.NDArray[np.float64]
Counts = npt.NDArray[np.int64]

_EDGE = 1e-12


@dataclass(frozen=True, slots=True)
class ServiceTarget:
    """e.g. 80 % answered within 20 s; lines blocking at most 1 %."""

    service_level: float = 0.8
    target_s: float = 20.0
    shrinkage: float = DEFAULT_SHRINKAGE
    blocking: float = 0.01
    line_extra_s: float = 30.0  # a line is also held in the IVR and the queue

    def __post_init__(self) -> None:
        if not 0.0 < self.service_level < 1.0:
            raise WfmInputError(
                f"service level must be in (0, 1), not {self.service_level}", field="service_level"
            )
        if not (math.isfinite(self.target_s) and self.target_s >= 0):
            raise WfmInputError(f"target_s must be >= 0, not {self.target_s}", field="target_s")
        if not 0.0 <= self.shrinkage < 1.0:
            raise WfmInputError(
                f"shrinkage must be in [0, 1), not {self.shrinkage}", field="shrinkage"
            )
        if not 0.0 < self.blocking < 1.0:
            raise WfmInputError(
                f"blocking must be in (0, 1), not {self.blocking}", field="blocking"
            )
        if not (math.isfinite(self.line_extra_s) and self.line_extra_s >= 0):
            raise WfmInputError(
                f"line_extra_s must be >= 0, not {self.line_extra_s}", field="line_extra_s"
            )


def _loads(offered_erlangs: Vector) -> Vector:
    loads = np.asarray(offered_erlangs, dtype=np.float64)
    if loads.ndim != 1 or not np.all(np.isfinite(loads)) or np.any(loads < 0):
        raise WfmInputError("offered loads must be finite numbers >= 0", field="offered_erlangs")
    return loads


def agents_needed_many(
    offered_erlangs: Vector, aht_s: Vector | float, target_s: float, service_level: float
) -> Counts:
    """`erlang.agents_needed` for every interval at once; identical answers."""
    loads = _loads(offered_erlangs)
    aht = np.broadcast_to(np.asarray(aht_s, dtype=np.float64), loads.shape)
    if np.any(~np.isfinite(aht) | (aht <= 0)):
        raise WfmInputError("aht_s must be > 0 seconds", field="aht_s")
    if not 0.0 < service_level < 1.0:
        raise WfmInputError(
            f"service level must be in (0, 1), not {service_level}", field="service_level"
        )
    if not (math.isfinite(target_s) and target_s >= 0):
        raise WfmInputError(f"target_s must be >= 0 seconds, not {target_s}", field="target_s")
    result = np.zeros(loads.shape, dtype=np.int64)
    active = np.flatnonzero(loads > 0)
    a, t_over_aht = loads[active], target_s / aht[active]
    blocking = np.ones(active.size)
    n = 0
    while active.size:
        n += 1
        blocking = a * blocking / (n + a * blocking)
        over = n > a
        if not over.any():
            continue
        # the scalar code's own expressions: C from B, then SL from C
        with np.errstate(divide="ignore", invalid="ignore"):
            wait_p = n * blocking / (n - a * (1.0 - blocking))
            sl = 1.0 - wait_p * np.exp(-(n - a) * t_over_aht)
        done = over & (sl >= service_level)
        edge = over & (np.abs(sl - service_level) <= _EDGE)
        for i in np.flatnonzero(edge):  # settle rounding ties the scalar way
            index = int(active[i])
            done[i] = agents_needed(float(a[i]), float(aht[index]), target_s, service_level) <= n
        if done.any():
            result[active[done]] = n
            keep = ~done
            active, a, t_over_aht, blocking = (
                active[keep],
                a[keep],
                t_over_aht[keep],
                blocking[keep],
            )
    return result


def lines_needed_many(offered_erlangs: Vector, blocking: float) -> Counts:
    """`erlang.lines_needed` for every interval at once; identical answers."""
    loads = _loads(offered_erlangs)
    if not 0.0 < blocking < 1.0:
        raise WfmInputError(f"blocking must be in (0, 1), not {blocking}", field="blocking")
    result = np.zeros(loads.shape, dtype=np.int64)
    active = np.arange(loads.size)
    a = loads.copy()
    b = np.ones(loads.size)
    lines = 0
    while active.size:
        done = b <= blocking
        if done.any():
            result[active[done]] = lines
            keep = ~done
            active, a, b = active[keep], a[keep], b[keep]
            if not active.size:
                break
        lines += 1
        b = a * b / (lines + a * b)
    return result


def estimate_patience_s(
    abandoned: float, waited_s: float, *, minimum_abandons: float = 30
) -> float | None:
    """Mean patience of an exponential by censored maximum likelihood: every queued caller's
    wait is exposure, every abandon an event. None with too few abandons to say."""
    if not (math.isfinite(abandoned) and math.isfinite(waited_s)) or abandoned < 0 or waited_s < 0:
        raise WfmInputError("abandons and wait seconds must be >= 0", field="abandoned")
    if abandoned < minimum_abandons or waited_s <= 0:
        return None
    return waited_s / abandoned


def agents_needed_a(
    arrival_rate_per_s: float,
    aht_s: float,
    patience_s: float,
    target_s: float,
    service_level: float,
) -> int:
    """The fewest agents whose Erlang A service level reaches the target (0 with no calls)."""
    if arrival_rate_per_s <= 0:
        return 0
    upper = agents_needed(arrival_rate_per_s * aht_s, aht_s, target_s, service_level)
    if upper <= 1:
        return upper

    def meets(n: int) -> bool:
        return (
            erlang_a(arrival_rate_per_s, aht_s, patience_s, n, target_s).service_level
            >= service_level
        )

    lower = 1
    if meets(lower):
        return lower
    while upper - lower > 1:  # invariant: lower fails, upper meets
        middle = (lower + upper) // 2
        if meets(middle):
            upper = middle
        else:
            lower = middle
    return upper


@dataclass(frozen=True, slots=True)
class StaffingPlan:
    """Per interval: calls, AHT, agents on the phones, people to schedule, lines."""

    interval_s: int
    calls: Vector
    aht_s: Vector
    agents: Counts
    scheduled: Counts
    lines: Counts
    model: str  # "erlang_c" or "erlang_a"
    patience_s: float | None


def staff(
    calls: Vector,
    aht_s: Vector,
    interval_s: int,
    target: ServiceTarget,
    *,
    patience_s: float | None = None,
) -> StaffingPlan:
    """Agents, people and lines for each interval of a forecast."""
    calls = np.asarray(calls, dtype=np.float64)
    aht = np.asarray(aht_s, dtype=np.float64)
    if calls.shape != aht.shape or calls.ndim != 1:
        raise WfmInputError("calls and aht_s must be vectors of the same length", field="calls")
    if np.any(~np.isfinite(calls) | (calls < 0)):
        raise WfmInputError("calls must be finite numbers >= 0", field="calls")
    busy = calls > 0
    if np.any(busy & (~np.isfinite(aht) | (aht <= 0))):
        raise WfmInputError("aht_s must be > 0 where calls are expected", field="aht_s")
    aht = np.where(busy, aht, 1.0)
    loads = calls * aht / interval_s
    if patience_s is None:
        agents = agents_needed_many(loads, aht, target.target_s, target.service_level)
        model = "erlang_c"
    else:
        if not patience_s > 0:
            raise WfmInputError(f"patience_s must be > 0, not {patience_s}", field="patience_s")
        model = "erlang_a"
        memo: dict[tuple[float, float], int] = {}
        agents = np.zeros(calls.shape, dtype=np.int64)
        for i in np.flatnonzero(busy):
            key = (float(calls[i]), float(aht[i]))
            if key not in memo:
                memo[key] = agents_needed_a(
                    key[0] / interval_s, key[1], patience_s, target.target_s, target.service_level
                )
            agents[i] = memo[key]
    # `erlang.scheduled_agents`, vectorised: ceil(N / (1 − shrinkage)) less a rounding hair
    scheduled = np.ceil(agents / (1.0 - target.shrinkage) - 1e-9).astype(np.int64)
    line_loads = calls * (aht + target.line_extra_s) / interval_s
    # no calls, no lines (`lines_needed(0)` answers 1, the smallest count with blocking < 1)
    lines = np.where(busy, lines_needed_many(np.where(busy, line_loads, 0.0), target.blocking), 0)
    return StaffingPlan(
        interval_s, calls, np.where(busy, aht, 0.0), agents, scheduled, lines, model, patience_s
    )
