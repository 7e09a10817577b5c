"""Erlang B/C and staffing, against the issue's figures and an independent mpmath computation.

The reference uses closed forms in 50-digit arithmetic (incomplete gamma), not the recursion the
code uses, so agreement to 1e-9 checks both the formula and its numerics.
"""

from __future__ import annotations

import math

import mpmath as mp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.analytics.wfm import (
    agents_needed,
    average_speed_of_answer,
    erlang_b,
    erlang_c,
    lines_needed,
    occupancy,
    scheduled_agents,
    service_level,
)
from hotline.analytics.wfm.errors import WfmInputError

mp.mp.dps = 50


def ref_b(a: float, n: int) -> mp.mpf:
    """A^N/N! / Σ_{k≤N} A^k/k!  =  A^N·e^(−A) / Γ(N+1, A)."""
    a = mp.mpf(a)
    return a**n * mp.exp(-a) / mp.gammainc(n + 1, a)


def ref_c(a: float, n: int) -> mp.mpf:
    b = ref_b(a, n)
    return n * b / (n - mp.mpf(a) * (1 - b))


CASES = [
    (10.0, 14),
    (10.0, 17),
    (2.5, 3),
    (0.3, 1),
    (100.0, 107),
    (100.0, 120),
    (870.5, 900),
    (4000.0, 4100),
]


def test_the_figures_in_the_issue() -> None:
    assert round(erlang_c(10, 14), 5) == 0.17413
    assert round(service_level(10, 14, 180, 20), 5) == 0.88835
    assert round(average_speed_of_answer(10, 14, 180), 3) == 7.836
    assert round(erlang_b(10, 17), 5) == 0.01295
    assert agents_needed(100, 180, 20, 0.8) == 107


@pytest.mark.parametrize(("a", "n"), CASES)
def test_erlang_b_and_c_match_high_precision(a: float, n: int) -> None:
    assert erlang_b(a, n) == pytest.approx(float(ref_b(a, n)), rel=1e-9)
    assert erlang_c(a, n) == pytest.approx(float(ref_c(a, n)), rel=1e-9)


@pytest.mark.parametrize(("a", "n"), CASES)
def test_service_level_and_asa_match_high_precision(a: float, n: int) -> None:
    aht, t = 180.0, 20.0
    c = ref_c(a, n)
    sl = 1 - c * mp.exp(-(n - mp.mpf(a)) * t / aht)
    asa = c * aht / (n - mp.mpf(a))
    assert service_level(a, n, aht, t) == pytest.approx(float(sl), rel=1e-9)
    assert average_speed_of_answer(a, n, aht) == pytest.approx(float(asa), rel=1e-9)


@pytest.mark.parametrize(
    ("a", "aht", "target", "level"),
    [
        (100, 180, 20, 0.8),
        (10, 180, 20, 0.8),
        (1000, 300, 30, 0.9),
        (3.2, 240, 60, 0.95),
        (0.1, 60, 0, 0.5),
    ],
)
def test_agents_needed_is_the_fewest_that_reach_the_target(
    a: float, aht: float, target: float, level: float
) -> None:
    n = agents_needed(a, aht, target, level)

    def ref_sl(m: int) -> float:
        if m <= a:
            return 0.0
        return float(1 - ref_c(a, m) * mp.exp(-(m - mp.mpf(a)) * target / aht))

    assert ref_sl(n) >= level
    assert ref_sl(n - 1) < level


def test_lines_needed_is_the_fewest_below_the_blocking() -> None:
    assert lines_needed(10, 0.01295) == 17
    assert lines_needed(10, 0.0129) == 18
    for a, p in [(0.5, 0.01), (50, 0.001), (700, 0.02)]:
        n = lines_needed(a, p)
        assert ref_b(a, n) <= p < ref_b(a, n - 1)


def test_an_overloaded_queue_never_settles() -> None:
    assert erlang_c(10, 10) == 1.0
    assert service_level(10, 9, 180, 20) == 0.0
    assert math.isinf(average_speed_of_answer(12, 10, 180))
    assert erlang_b(0, 5) == 0.0
    assert erlang_b(5, 0) == 1.0
    assert agents_needed(0, 180, 20, 0.8) == 0


def test_occupancy_and_shrinkage() -> None:
    assert occupancy(100, 107) == pytest.approx(100 / 107)
    assert occupancy(5, 0) == 1.0
    assert scheduled_agents(107) == 153  # 107 / (1 − 30 %) = 152.9
    assert scheduled_agents(70, 0.3) == 100  # exactly, despite 70 / 0.7 = 100.00000000000001
    assert scheduled_agents(10, 0.0) == 10


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: erlang_b(-1, 3), "offered_erlangs"),
        (lambda: erlang_b(math.nan, 3), "offered_erlangs"),
        (lambda: erlang_c(1, -2), "agents"),
        (lambda: erlang_c(1, 2.5), "agents"),
        (lambda: service_level(1, 2, 0, 20), "aht_s"),
        (lambda: service_level(1, 2, 180, -1), "target_s"),
        (lambda: agents_needed(1, 180, 20, 1.0), "service_level"),
        (lambda: lines_needed(1, 0), "blocking"),
        (lambda: scheduled_agents(3, 1.0), "shrinkage"),
    ],
)
def test_bad_input_names_the_argument(call: object, field: str) -> None:
    with pytest.raises(WfmInputError) as info:
        call()  # type: ignore[operator]
    assert info.value.details["field"] == field
    assert info.value.code == "wfm.input.invalid"
    assert isinstance(info.value, ValueError)


@given(st.floats(0.01, 500), st.integers(1, 600))
def test_more_agents_never_make_things_worse(a: float, n: int) -> None:
    assert erlang_b(a, n + 1) <= erlang_b(a, n)
    assert erlang_c(a, n + 1) <= erlang_c(a, n)
    assert service_level(a, n + 1, 180, 20) >= service_level(a, n, 180, 20)
    assert 0.0 <= erlang_b(a, n) <= erlang_c(a, n) <= 1.0
