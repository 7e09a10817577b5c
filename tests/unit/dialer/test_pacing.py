"""The pacer on its own: progressive never places more calls than free agents, predictive
places more as the answer rate falls and busy agents near their end, the abandon guard falls
back to progressive when one more abandon could take a window over the cap, and the
estimates learn from what happened."""

from __future__ import annotations

import numpy as np

from hotline.dialer.pacing import (
    Pacer,
    PacerSettings,
    PacingMode,
    RollingRate,
    _binomial,
    _poisson_binomial,
)


def warmed(p: float, *, handle_s: float = 120.0, settings: PacerSettings | None = None) -> Pacer:
    """A pacer that has seen 400 dials at answer rate `p`, ring times 5–12 s, handle times
    around `handle_s`, and 1,000 answers without an abandon."""
    pacer = Pacer(settings or PacerSettings())
    answered = round(400 * p)
    for n in range(400):
        pacer.dial_ended(person=n < answered, ring_s=5.0 + n % 8)
    for n in range(200):
        pacer.handled(handle_s * (0.5 + n / 200))
    for n in range(1000):
        pacer.answered(float(n), abandoned=False)
    return pacer


def test_progressive_covers_each_free_agent_once() -> None:
    pacer = Pacer(PacerSettings(mode=PacingMode.PROGRESSIVE))
    assert pacer.decide(0.0, idle_agents=3, ringing_elapsed=[1.0]).calls == 2
    assert pacer.decide(0.0, idle_agents=1, ringing_elapsed=[1.0, 2.0]).calls == 0


def test_fixed_ratio_keeps_ratio_times_free_agents_in_flight() -> None:
    pacer = Pacer(PacerSettings(mode=PacingMode.FIXED_RATIO, fixed_ratio=2.5))
    assert pacer.decide(0.0, idle_agents=4, ringing_elapsed=[1.0] * 3).calls == 7


def test_predictive_dials_more_when_fewer_answer() -> None:
    now = 2000.0
    low = warmed(0.2).decide(now, idle_agents=5, busy_elapsed=[30.0] * 15)
    high = warmed(0.6).decide(now, idle_agents=5, busy_elapsed=[30.0] * 15)
    assert low.calls > high.calls > 5
    assert 0.18 < low.answer_rate < 0.23
    assert low.expected_abandon <= low.allowed_ratio * (low.calls * low.answer_rate) + 1e-9


def test_agents_near_their_end_count_as_about_free() -> None:
    pacer = warmed(0.3)
    fresh = pacer.decide(2000.0, idle_agents=0, busy_elapsed=[1.0] * 20)
    ending = pacer.decide(2000.0, idle_agents=0, busy_elapsed=[170.0] * 20)
    assert ending.calls > fresh.calls


def test_calls_ringing_long_are_less_likely_answered() -> None:
    pacer = warmed(0.3)
    young = pacer.decide(2000.0, idle_agents=4, busy_elapsed=[60.0] * 16, ringing_elapsed=[1.0] * 6)
    old = pacer.decide(2000.0, idle_agents=4, busy_elapsed=[60.0] * 16, ringing_elapsed=[20.0] * 6)
    assert old.calls > young.calls


def test_no_budget_left_means_progressive() -> None:
    pacer = warmed(0.3)
    for n in range(30):  # 30 abandons in 1,030 answers: 2.9 %, no room for a burst
        pacer.answered(1000.0 + n, abandoned=True)
    decision = pacer.decide(1100.0, idle_agents=3, busy_elapsed=[10.0] * 17)
    assert decision.allowed_ratio == 0.0
    assert decision.calls == 3
    # A day later the window is empty again, but the 30 days still remember.
    later = pacer.decide(1100.0 + 86_400, idle_agents=3, busy_elapsed=[10.0] * 17)
    assert later.allowed_ratio == 0.0


def test_the_guard_looks_ahead_past_connects_about_to_leave_the_window() -> None:
    settings = PacerSettings(lookahead_s=3600.0)
    pacer = Pacer(settings)
    for n in range(900):  # early answers, about to slide out of the window
        pacer.answered(float(n), abandoned=False)
    for n in range(100):
        pacer.answered(80_000.0 + n, abandoned=n < 2)
    # 2 abandons in 1,000 now, but the connects kept for the next hour are only 100.
    assert pacer.window.rate(86_000.0) == 0.002
    assert pacer.allowed_ratio(86_000.0) == 0.0


def test_no_agents_no_calls() -> None:
    assert warmed(0.3).decide(0.0, idle_agents=0).calls == 0


def test_rolling_rate_forgets_what_slid_out() -> None:
    rate = RollingRate(100.0)
    rate.add(0.0, True)
    rate.add(50.0, False)
    assert rate.rate(60.0) == 0.5
    assert rate.rate(120.0) == 0.0
    assert rate.answered_since(40.0) == 1


def test_distributions_match_their_definitions() -> None:
    q = np.array([0.1, 0.5, 0.9, 0.3])
    direct = np.ones(1)
    for x in q:
        direct = np.convolve(direct, (1 - x, x))
    assert np.allclose(_poisson_binomial(q), direct)
    assert np.allclose(_binomial(4, 0.3), _poisson_binomial(np.full(4, 0.3)))
    assert _binomial(0, 0.5).tolist() == [1.0]
