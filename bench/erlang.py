"""Erlang C staffing for a year of 15-minute intervals: the vectorised planner against the
scalar function and against pyworkforce (the baseline), same answers checked.

    .venv/bin/python bench/erlang.py [--days 365] [--scale 5] [--seed 1]
    .venv/bin/pip install -r requirements/bench.txt   # pyworkforce, for the baseline

The loads follow the Anonymous Bank's hourly arrival profile (its README's Sunday–Thursday
means, Friday and Saturday scaled down), `--scale` times the bank's size, with lognormal noise
per interval and an AHT around 190 s; target 80 % in 20 s. Intervals with no calls are left
out of the pyworkforce run (it refuses zero transactions).

pyworkforce's search starts at round(A + 1) agents, so where ⌈A⌉ agents (the fewest that can
carry the load) already meet the target it answers one more; those intervals are counted
apart, and every other interval must agree exactly.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from hotline.analytics.wfm import agents_needed, lines_needed
from hotline.analytics.wfm.staffing import agents_needed_many, lines_needed_many

# Mean calls per hour on a Sunday–Thursday day, Anonymous Bank 1999 (data README)
PROFILE = [5.0, 2.0, 1.0, 0.5, 0.4, 1.1, 6.2, 41.6, 89.0, 115.5, 132.7, 116.1, 104.8, 111.4,
           116.5, 114.5, 115.2, 92.7, 76.5, 62.1, 56.9, 57.6, 52.0, 39.8]  # fmt: skip
WEEK = [1.0, 1.0, 1.0, 1.0, 1.0, 0.36, 0.13]  # Sun–Thu, Fri, Sat (relative volume)


def loads(days: int, scale: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    hourly = np.array(PROFILE) * scale
    day_shape = np.repeat(hourly / 4.0, 4)  # calls per 15 minutes
    calls = np.concatenate([day_shape * WEEK[d % 7] for d in range(days)])
    calls *= rng.lognormal(0.0, 0.15, calls.size)
    calls = np.round(calls)
    aht = rng.normal(190.0, 15.0, calls.size).clip(60.0)
    return calls * aht / 900.0, aht


def timed(function, repeat: int = 3):  # type: ignore[no-untyped-def]
    best, result = float("inf"), None
    for _ in range(repeat):
        began = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - began)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--scale", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    a, aht = loads(args.days, args.scale, args.seed)
    busy = a > 0
    print(
        f"{a.size} intervals ({args.days} days × 96), {int(busy.sum())} with calls, "
        f"load up to {a.max():.1f} Erlangs; target 80 % in 20 s"
    )

    t_vec, vec = timed(lambda: agents_needed_many(a, aht, 20.0, 0.8))
    t_scalar, scalar = timed(
        lambda: np.array(
            [agents_needed(float(x), float(h), 20.0, 0.8) for x, h in zip(a, aht, strict=True)]
        ),
        repeat=1,
    )
    assert (vec == scalar).all(), "vectorised and scalar staffing disagree"
    print(f"  vectorised agents_needed_many  {t_vec * 1e3:8.1f} ms")
    print(f"  scalar agents_needed, a loop   {t_scalar * 1e3:8.1f} ms  ({t_scalar / t_vec:.1f}×)")

    try:
        from pyworkforce.queuing import ErlangC  # type: ignore[import-not-found]
    except ImportError:
        print("  pyworkforce: not installed (pip install -r requirements/bench.txt)")
    else:
        idx = np.flatnonzero(busy)

        def baseline() -> np.ndarray:
            out = []
            for i in idx:
                calls = float(a[i] * 900.0 / aht[i])
                erlang = ErlangC(transactions=calls, aht=aht[i], asa=20.0, interval=900)
                out.append(erlang.required_positions(service_level=0.8)["raw_positions"])
            return np.array(out)

        t_pwf, theirs = timed(baseline, repeat=1)
        ours = vec[idx]
        same = ours == theirs
        start_effect = ~same & (theirs == np.round(a[idx] + 1)) & (ours < theirs)
        other = ~same & ~start_effect
        t_vec_busy, _ = timed(lambda: agents_needed_many(a[idx], aht[idx], 20.0, 0.8))
        print(
            f"  pyworkforce ErlangC, a loop    {t_pwf * 1e3:8.1f} ms  "
            f"(vectorised is {t_pwf / t_vec_busy:.0f}× faster on the same {idx.size} intervals)"
        )
        print(
            f"  same answer in {int(same.sum())} of {idx.size} intervals; "
            f"{int(start_effect.sum())} where pyworkforce's search starts above ⌈A⌉; "
            f"{int(other.sum())} other differences"
        )
        assert not other.any(), "an unexplained difference from pyworkforce"

    t_lines, lines = timed(lambda: lines_needed_many(a, 0.01))
    t_lines_scalar, lines_scalar = timed(
        lambda: np.array([lines_needed(float(x), 0.01) for x in a]), repeat=1
    )
    assert (lines == lines_scalar).all(), "vectorised and scalar Erlang B disagree"
    print(
        f"  Erlang B lines at 1 % blocking: vectorised {t_lines * 1e3:.1f} ms, scalar "
        f"{t_lines_scalar * 1e3:.1f} ms ({t_lines_scalar / t_lines:.1f}×), same answers"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
