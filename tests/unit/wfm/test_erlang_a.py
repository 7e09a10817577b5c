"""Erlang A against an independent reference: the birth–death chain and numerical integration
in mpmath, so the log-space series in the code is checked by different mathematics."""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath as mp
import pytest

from hotline.analytics.wfm import erlang_a, erlang_c, service_level
from hotline.analytics.wfm.errors import WfmInputError


@dataclass(frozen=True)
class Reference:
    p_wait: float
    p_abandon: float
    p_served_from_density: float
    service_level: float
    asa_s: float
    mean_wait_s: float


def reference(lam: float, aht: float, patience: float, n: int, t: float) -> Reference:
    mp.mp.dps = 40
    lam_, mu, th = mp.mpf(lam), 1 / mp.mpf(aht), 1 / mp.mpf(patience)
    weights = [mp.mpf(1)]
    for j in range(1, n + 1):
        weights.append(weights[-1] * lam_ / (j * mu))
    k = 1
    while True:
        weights.append(weights[-1] * lam_ / (n * mu + k * th))
        if weights[-1] < max(weights) * mp.mpf(10) ** -45 and lam_ / (n * mu + k * th) < 1:
            break
        k += 1
    total = mp.fsum(weights)
    pi = [w / total for w in weights]
    p_wait = mp.fsum(pi[n:])
    queue = mp.fsum((j - n) * pi[j] for j in range(n, len(pi)))
    p_abandon = th * queue / lam_

    def density(x: mp.mpf) -> mp.mpf:  # of the offered wait V on (0, ∞)
        return lam_ * pi[n - 1] * mp.exp(lam_ * (1 - mp.exp(-th * x)) / th - n * mu * x)

    p_zero = 1 - p_wait
    edges = [0, t, t + aht, 20 * aht, mp.inf]
    served = p_zero + mp.quad(lambda x: mp.exp(-th * x) * density(x), edges)
    served_early = p_zero + mp.quad(lambda x: mp.exp(-th * x) * density(x), [0, t])
    abandoned_late = mp.quad(
        lambda x: density(x) * (mp.exp(-th * t) - mp.exp(-th * x)), [t, t + aht, 20 * aht, mp.inf]
    )
    wait_served = mp.quad(lambda x: x * mp.exp(-th * x) * density(x), edges)
    return Reference(
        p_wait=float(p_wait),
        p_abandon=float(p_abandon),
        p_served_from_density=float(served),
        service_level=float(served_early / (served + abandoned_late)),
        asa_s=float(wait_served / served),
        mean_wait_s=float(queue / lam_),
    )


CASES = [
    (10 / 180, 180.0, 300.0, 13, 20.0),  # the issue's case
    (10 / 180, 180.0, 300.0, 14, 20.0),
    (10 / 180, 180.0, 60.0, 9, 20.0),  # overloaded, impatient
    (1 / 60, 240.0, 600.0, 3, 30.0),
    (0.5, 200.0, 120.0, 95, 20.0),  # 100 Erlangs
    (2.0, 190.0, 400.0, 360, 20.0),  # 380 Erlangs, 360 agents
    (0.05, 180.0, 900.0, 1, 0.0),
]


def test_the_issues_case_abandons_about_two_and_a_half_percent() -> None:
    result = erlang_a(10 / 180, 180, 300, 13, 20)
    assert round(result.p_abandon, 4) == 0.0250


@pytest.mark.parametrize(("lam", "aht", "patience", "n", "t"), CASES)
def test_erlang_a_matches_the_birth_death_chain_and_the_integrals(
    lam: float, aht: float, patience: float, n: int, t: float
) -> None:
    got = erlang_a(lam, aht, patience, n, t)
    ref = reference(lam, aht, patience, n, t)
    assert ref.p_served_from_density == pytest.approx(1 - ref.p_abandon, rel=1e-12)
    assert got.p_wait == pytest.approx(ref.p_wait, rel=1e-9)
    assert got.p_abandon == pytest.approx(ref.p_abandon, rel=1e-9)
    assert got.service_level == pytest.approx(ref.service_level, rel=1e-9)
    assert got.asa_s == pytest.approx(ref.asa_s, rel=1e-9)
    assert got.mean_wait_s == pytest.approx(ref.mean_wait_s, rel=1e-9)  # Little's law
    assert got.occupancy == pytest.approx(lam * aht * (1 - ref.p_abandon) / n, rel=1e-9)


def test_infinite_patience_is_erlang_c_and_long_patience_tends_to_it() -> None:
    exact = erlang_a(10 / 180, 180, math.inf, 14, 20)
    assert exact.p_wait == erlang_c(10, 14)
    assert exact.service_level == service_level(10, 14, 180, 20)
    assert exact.p_abandon == 0.0
    patient = erlang_a(10 / 180, 180, 1e7, 14, 20)
    assert patient.p_wait == pytest.approx(exact.p_wait, rel=1e-4)
    assert patient.asa_s == pytest.approx(exact.asa_s, rel=1e-4)
    with pytest.raises(WfmInputError):
        erlang_a(10 / 180, 180, math.inf, 10, 20)


def test_deep_overload_and_thousands_of_agents_stay_finite() -> None:
    heavy = erlang_a(2000 / 180, 180, 3600, 1000, 20)
    assert heavy.p_abandon == pytest.approx(0.5, rel=1e-6)  # half the calls cannot be served
    assert 0.0 <= heavy.service_level < 1e-6
    big = erlang_a(5000 / 180, 180, 300, 5000, 20)
    assert 0 < big.p_abandon < 0.01
    assert big.service_level > 0.99


def test_no_traffic_and_bad_input() -> None:
    assert erlang_a(0, 180, 300, 5, 20).service_level == 1.0
    with pytest.raises(WfmInputError) as info:
        erlang_a(1, 180, 300, 0, 20)
    assert info.value.details["field"] == "agents"
    with pytest.raises(WfmInputError):
        erlang_a(1, 180, 0, 3, 20)
