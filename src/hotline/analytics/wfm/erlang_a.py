"""Erlang A (Palm's M/M/N+M): Erlang C with callers who hang up after exponential patience.

Exact formulas, after Mandelbaum & Zeltyn ("The M/M/n+G queue: summary of performance measures",
Technion 2007; Garnett, Mandelbaum & Reiman, MSOM 2002). With λ arrivals/s, service rate μ,
abandonment rate θ = 1/patience and N agents, let V be the wait a caller *would* have (the
"offered wait", fixed by those ahead under FCFS) and τ ~ Exp(θ) its patience: it is served if
τ > V, and its wait is min(V, τ). V has an atom P(V = 0) and a density on (0, ∞) built from
J = ∫₀^∞ exp(λ·H(x) − Nμx) dx, H(x) = (1 − e^(−θx))/θ. Every quantity needed is such an integral,
and each has a closed form in the positive series

    S(s, z) = Σₖ zᵏ / (s(s+1)…(s+k)),   s = Nμ/θ,  z = λ/θ  (or z·e^(−θt) for tails),

which is γ(s, z)·eᶻ·z^(−s) (the lower incomplete gamma). Sums are taken in log space, so neither
a huge overload nor thousands of agents overflow, and nothing is subtracted from a near-equal
number except where the result is the large complement (P(served) − P(served, late)).

Service level follows the GLOSSARY: answered within T / (answered + abandoned after T);
`p_abandon` counts every abandon, however short.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hotline.analytics.wfm.erlang import erlang_c
from hotline.analytics.wfm.errors import WfmInputError

__all__ = ["ErlangA", "erlang_a"]

_NEGLIGIBLE = 46.0  # terms below e⁻⁴⁶ ≈ 1e-20 of the largest do not move a double


@dataclass(frozen=True, slots=True)
class ErlangA:
    p_wait: float  # an arriving caller finds every agent busy
    p_abandon: float  # the caller hangs up before an answer (all abandons)
    service_level: float  # answered within T / (answered + abandoned after T)
    asa_s: float  # mean wait of answered callers
    mean_wait_s: float  # mean time in queue of all callers, answered or not
    occupancy: float  # share of agent time busy: λ·(1 − P(ab))·AHT / N


def erlang_a(
    arrival_rate_per_s: float, aht_s: float, patience_s: float, agents: int, target_s: float
) -> ErlangA:
    """Erlang A figures for one queue; `patience_s=inf` gives Erlang C (needs N > A)."""
    lam, n = arrival_rate_per_s, agents
    if not (math.isfinite(lam) and lam >= 0):
        raise WfmInputError(
            f"arrival rate must be >= 0 per second, not {lam}", field="arrival_rate_per_s"
        )
    if not (math.isfinite(aht_s) and aht_s > 0):
        raise WfmInputError(f"aht_s must be > 0, not {aht_s}", field="aht_s")
    if not patience_s > 0:
        raise WfmInputError(f"patience_s must be > 0, not {patience_s}", field="patience_s")
    if not (math.isfinite(target_s) and target_s >= 0):
        raise WfmInputError(f"target_s must be >= 0, not {target_s}", field="target_s")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise WfmInputError(f"agents must be a whole number >= 1, not {n!r}", field="agents")
    offered = lam * aht_s
    if lam == 0:
        return ErlangA(0.0, 0.0, 1.0, 0.0, 0.0, 0.0)
    if math.isinf(patience_s):
        return _erlang_c(offered, n, aht_s, target_s)

    mu, theta = 1.0 / aht_s, 1.0 / patience_s
    s, z = n * mu / theta, lam / theta
    # scale by 1/E = B(N−1, A) so that P(V=0) = 1/D with D = 1 + λ·J·B
    log_scale = math.log(lam / theta) + _log_erlang_b(offered, n - 1)

    terms, k = _log_terms(s, z)
    to_self = np.log((k + 1) / (s + k + 1))  # S(s) − S(s+1) termwise: callers who abandon
    to_next = np.log(s / (s + k + 1))  # S(s+1) termwise: callers who are served
    log_d = np.logaddexp(0.0, log_scale + _lse(terms))
    p_zero = math.exp(-log_d)
    p_wait = math.exp(log_scale + _lse(terms) - log_d)
    p_abandon = math.exp(log_scale + _lse(terms + to_self) - log_d)
    p_served = p_zero + math.exp(log_scale + _lse(terms + to_next) - log_d)

    # tails beyond T: the same series at z·e^(−θT), times e^(z − zₜ − (s+1)θT)
    z_t = z * math.exp(-theta * target_s)
    tail_terms, kt = _log_terms(s, z_t)
    log_tail = log_scale + (z - z_t) - (s + 1) * theta * target_s - log_d
    served_late = math.exp(log_tail + _lse(tail_terms + np.log(s / (s + kt + 1))))
    abandoned_late = math.exp(log_tail + _lse(tail_terms + np.log((kt + 1) / (s + kt + 1))))
    # in deep overload both terms are ≈ P(served) and their difference is rounding noise
    service_level = min(1.0, max(0.0, (p_served - served_late) / (p_served + abandoned_late)))

    # E[V; served] = −(1/θ)·d/dσ of the served integral: weights Σ 1/(s+1+i), i ≤ k
    harmonic = np.cumsum(1.0 / (s + 1 + k))
    log_wait_served = log_scale - math.log(theta) + _lse(terms + to_next + np.log(harmonic)) - log_d
    asa_s = math.exp(log_wait_served) / p_served

    return ErlangA(
        p_wait=p_wait,
        p_abandon=p_abandon,
        service_level=service_level,
        asa_s=asa_s,
        mean_wait_s=p_abandon / theta,  # abandons happen at rate θ per waiting caller
        occupancy=offered * (1.0 - p_abandon) / n,
    )


def _erlang_c(offered: float, n: int, aht_s: float, target_s: float) -> ErlangA:
    if n <= offered:
        raise WfmInputError(
            f"with infinite patience {n} agents cannot carry {offered:.3f} Erlangs",
            field="agents",
        )
    wait_p = erlang_c(offered, n)
    asa = wait_p * aht_s / (n - offered)
    sl = 1.0 - wait_p * math.exp(-(n - offered) * target_s / aht_s)
    # nobody abandons, so the answered callers are all callers
    return ErlangA(wait_p, 0.0, sl, asa, asa, offered / n)


def _log_erlang_b(offered: float, lines: int) -> float:
    """log B(lines, A) by the Erlang B recursion carried in logs (B may be below 1e-308)."""
    log_a, log_b = math.log(offered), 0.0
    for m in range(1, lines + 1):
        log_b = log_a + log_b - math.log(m + offered * math.exp(log_b))
    return log_b


def _log_terms(s: float, z: float) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """log of zᵏ / (s(s+1)…(s+k)) for k = 0 … K, K far enough that the rest is negligible.

    The terms grow while s + k < z, peak near k = z − s, then fall like a Gaussian of width √z.
    """
    count = int(max(0.0, z - s) + 12.0 * math.sqrt(z + 1.0)) + 64
    while True:
        k = np.arange(count, dtype=np.float64)
        logs = k * math.log(z) - np.cumsum(np.log(s + k))
        last_ratio = z / (s + count)
        if last_ratio < 0.5 and logs[-1] < logs.max() - _NEGLIGIBLE:
            return logs, k
        count *= 2


def _lse(values: npt.NDArray[np.float64]) -> float:
    top = float(values.max())
    return top + math.log(float(np.exp(values - top).sum()))
