"""Erlang B and Erlang C (M/M/N) — blocking, waiting, service level, ASA and staffing.

Everything rests on the Erlang B recursion B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)), which
only ever divides positive numbers by larger ones: it neither overflows nor loses precision for
thousands of lines, where the textbook formula Aᴺ/N! / Σ Aᵏ/k! overflows at N ≈ 170. Erlang C
follows from B: C = N·B / (N − A·(1 − B)).

Definitions (GLOSSARY): offered load A = arrival rate × AHT in Erlangs; service level is the
share of calls answered within `target_s`, SL = 1 − C·e^(−(N−A)·t/AHT); ASA is the mean wait
of all calls, C·AHT/(N−A). With N ≤ A the queue never settles: C = 1, SL = 0, ASA = ∞.
Staffing hints divide by (1 − shrinkage), 30 % by default.
"""

from __future__ import annotations

import math

from hotline.analytics.wfm.errors import WfmInputError

__all__ = [
    "DEFAULT_SHRINKAGE",
    "agents_needed",
    "average_speed_of_answer",
    "erlang_b",
    "erlang_c",
    "lines_needed",
    "occupancy",
    "scheduled_agents",
    "service_level",
]

DEFAULT_SHRINKAGE = 0.30


def _check_load(offered_erlangs: float) -> None:
    if not (math.isfinite(offered_erlangs) and offered_erlangs >= 0):
        raise WfmInputError(
            f"offered load must be a finite number >= 0 Erlangs, not {offered_erlangs}",
            field="offered_erlangs",
        )


def _check_count(count: int, name: str) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise WfmInputError(f"{name} must be a whole number >= 0, not {count!r}", field=name)


def _check_seconds(seconds: float, name: str, *, positive: bool) -> None:
    if not math.isfinite(seconds) or seconds < 0 or (positive and seconds == 0):
        bound = "> 0" if positive else ">= 0"
        raise WfmInputError(f"{name} must be {bound} seconds, not {seconds}", field=name)


def erlang_b(offered_erlangs: float, lines: int) -> float:
    """Probability that a call finds all `lines` busy and is lost (M/M/N/N)."""
    _check_load(offered_erlangs)
    _check_count(lines, "lines")
    blocking = 1.0
    for n in range(1, lines + 1):
        blocking = offered_erlangs * blocking / (n + offered_erlangs * blocking)
    return blocking


def erlang_c(offered_erlangs: float, agents: int) -> float:
    """Probability that a call waits (M/M/N, nobody abandons); 1.0 when N ≤ A."""
    _check_count(agents, "agents")
    blocking = erlang_b(offered_erlangs, agents)
    return _c_from_b(offered_erlangs, agents, blocking)


def _c_from_b(offered_erlangs: float, agents: int, blocking: float) -> float:
    if agents <= offered_erlangs:
        return 1.0
    return agents * blocking / (agents - offered_erlangs * (1.0 - blocking))


def service_level(offered_erlangs: float, agents: int, aht_s: float, target_s: float) -> float:
    """Share of calls answered within `target_s` seconds."""
    _check_seconds(aht_s, "aht_s", positive=True)
    _check_seconds(target_s, "target_s", positive=False)
    return _sl_from_c(offered_erlangs, agents, aht_s, target_s, erlang_c(offered_erlangs, agents))


def _sl_from_c(a: float, agents: int, aht_s: float, target_s: float, wait_p: float) -> float:
    if agents <= a:
        return 0.0
    return 1.0 - wait_p * math.exp(-(agents - a) * target_s / aht_s)


def average_speed_of_answer(offered_erlangs: float, agents: int, aht_s: float) -> float:
    """Mean wait of all calls in seconds (ASA); `inf` when N ≤ A."""
    _check_seconds(aht_s, "aht_s", positive=True)
    wait_p = erlang_c(offered_erlangs, agents)
    if agents <= offered_erlangs:
        return math.inf
    return wait_p * aht_s / (agents - offered_erlangs)


def occupancy(offered_erlangs: float, agents: int) -> float:
    """Share of staffed time spent handling calls: A / N (at most 1)."""
    _check_load(offered_erlangs)
    _check_count(agents, "agents")
    if agents == 0:
        return 1.0 if offered_erlangs > 0 else 0.0
    return min(1.0, offered_erlangs / agents)


def agents_needed(
    offered_erlangs: float, aht_s: float, target_s: float, service_level: float
) -> int:
    """The fewest agents whose service level reaches `service_level` (e.g. 0.8 for 80/20)."""
    _check_load(offered_erlangs)
    _check_seconds(aht_s, "aht_s", positive=True)
    _check_seconds(target_s, "target_s", positive=False)
    if not 0.0 < service_level < 1.0:
        raise WfmInputError(
            f"service level must be in (0, 1), not {service_level}", field="service_level"
        )
    if offered_erlangs == 0:
        return 0
    # walk N upwards carrying B(N) along, so the search costs one recursion in total
    agents, blocking = 0, 1.0
    while True:
        agents += 1
        blocking = offered_erlangs * blocking / (agents + offered_erlangs * blocking)
        if agents <= offered_erlangs:
            continue
        wait_p = _c_from_b(offered_erlangs, agents, blocking)
        if _sl_from_c(offered_erlangs, agents, aht_s, target_s, wait_p) >= service_level:
            return agents


def lines_needed(offered_erlangs: float, blocking: float) -> int:
    """The fewest trunk lines (channels) whose Erlang B blocking is at most `blocking`."""
    _check_load(offered_erlangs)
    if not 0.0 < blocking < 1.0:
        raise WfmInputError(f"blocking must be in (0, 1), not {blocking}", field="blocking")
    lines, b = 0, 1.0
    while b > blocking:
        lines += 1
        b = offered_erlangs * b / (lines + offered_erlangs * b)
    return lines


def scheduled_agents(agents: int, shrinkage: float = DEFAULT_SHRINKAGE) -> int:
    """Agents to schedule so that `agents` are on the phones after breaks, meetings, absence."""
    _check_count(agents, "agents")
    if not 0.0 <= shrinkage < 1.0:
        raise WfmInputError(f"shrinkage must be in [0, 1), not {shrinkage}", field="shrinkage")
    return math.ceil(agents / (1.0 - shrinkage) - 1e-9)
