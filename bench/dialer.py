"""Predictive pacing against progressive dialing and a fixed-ratio baseline, over a simulated
week of one campaign (hotline.dialer.simulation, driving the real pacer).

    .venv/bin/python bench/dialer.py [--days 7] [--agents 20] [--seed 1]

Virtual callees answer 20–60 % of dials (a daily curve and a level per day), 10 % of the
answers are machines (dropped after the detector's 2.5 s), talk times are lognormal (mean
150 s), wrap-up 15 s, agents work 09:00–21:00. An answered person with no agent within 2 s
hears the safe-harbor message and counts as abandoned. All three runs meet the same callees
(common random numbers).

The fixed-ratio baseline keeps `ratio × free agents` calls in flight; its ratio is tuned by
bisection so that its abandon rate over the whole run matches the predictive pacer's. Printed:
dials, person-answered calls, abandon rate over the run and in the worst 24-hour window (on a
15-minute grid and at each answer), agent talk occupancy (talk / staffed time), and the
predictive pacer's occupancy as a ratio of each other run's.
"""

from __future__ import annotations

import argparse
import time

from hotline.dialer.pacing import PacerSettings, PacingMode
from hotline.dialer.simulation import SimResult, Staffing, simulate


def run(mode: PacingMode, days: int, agents: int, seed: int, ratio: float = 1.0) -> SimResult:
    settings = PacerSettings(mode=mode, fixed_ratio=ratio)
    return simulate(settings, days=days, staffing=Staffing(agents=agents), seed=seed)


def line(result: SimResult, seconds: float) -> str:
    total = result.total()
    return (
        f"{result.label:<22} {total.dials:>8,} {total.answered:>8,} "
        f"{100 * total.abandon_rate:>8.2f}% {100 * result.worst_window():>8.2f}% "
        f"{100 * total.talk_occupancy:>9.1f}% {seconds:>7.0f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--steps", type=int, default=8, help="bisection steps of the baseline")
    args = parser.parse_args()
    print(f"{args.days} days, {args.agents} agents, seed {args.seed}")
    print(f"{'pacing':<22} {'dials':>8} {'answered':>8} {'abandon':>9} {'worst 24h':>9} "
          f"{'talk occ.':>10} {'time':>9}")  # fmt: skip

    started = time.perf_counter()
    predictive = run(PacingMode.PREDICTIVE, args.days, args.agents, args.seed)
    print(line(predictive, time.perf_counter() - started), flush=True)
    started = time.perf_counter()
    progressive = run(PacingMode.PROGRESSIVE, args.days, args.agents, args.seed)
    print(line(progressive, time.perf_counter() - started), flush=True)

    goal = predictive.total().abandon_rate
    low, high = 1.0, 3.0
    started = time.perf_counter()
    fixed = run(PacingMode.FIXED_RATIO, args.days, args.agents, args.seed, low)
    for _ in range(args.steps):  # bisection on the ratio: its abandon rate grows with it
        middle = (low + high) / 2
        trial = run(PacingMode.FIXED_RATIO, args.days, args.agents, args.seed, middle)
        if trial.total().abandon_rate <= goal:
            low, fixed = middle, trial
        else:
            high = middle
    fixed.label = f"fixed ratio {low:.3f}"
    print(line(fixed, time.perf_counter() - started), flush=True)

    occupancy = predictive.total().talk_occupancy
    print(
        f"predictive talk occupancy ÷ progressive: "
        f"{occupancy / progressive.total().talk_occupancy:.3f}; "
        f"÷ fixed ratio: {occupancy / fixed.total().talk_occupancy:.3f}"
    )
    delays = predictive.safe_harbor_delays
    if delays:
        print(f"safe-harbor message after answer: at most {max(delays):.2f} s")
    for label, result in (("predictive", predictive), ("fixed ratio", fixed)):
        days = " ".join(f"{100 * d.abandon_rate:.2f}" for d in result.days)
        print(f"{label} abandon % per day: {days}")


if __name__ == "__main__":
    main()
