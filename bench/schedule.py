"""Schedule generator: 50 agents × 7 days at 15-minute resolution with breaks and lunch,
solved by HiGHS; its shortfall against the LP-relaxation bound; then the what-if run of the
schedule through the simulator, its service level beside the target.

    .venv/bin/python bench/schedule.py [--agents 50] [--scale 3.0] [--time-limit 50]
                                       [--replications 3] [--no-what-if]

The requirement is Erlang C (80 % in 20 s) on a week shaped like the Anonymous Bank's
(its README's hourly means, Friday and Saturday lighter, `--scale` times its size), so that
50 agents fall a little short at the peaks: the interesting case, where the optimizer must
choose where to be short. Contracts: 38 full-time (8 h shifts with two breaks and a lunch,
36–40 h, 5 days), 12 part-time (4 h with one break, 12–24 h); some agents only work
07:00–18:00 on weekdays; one in ten has a day off approved.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from hotline.analytics.wfm.schedule import (
    Activity,
    AgentSpec,
    BreakRule,
    Contract,
    ScheduleProblem,
    ShiftTemplate,
    generate,
)
from hotline.analytics.wfm.staffing import ServiceTarget, staff
from hotline.workforce.highs import HighsSolver
from hotline.workforce.whatif import what_if

PROFILE = [5.0, 2.0, 1.0, 0.5, 0.4, 1.1, 6.2, 41.6, 89.0, 115.5, 132.7, 116.1, 104.8, 111.4,
           116.5, 114.5, 115.2, 92.7, 76.5, 62.1, 56.9, 57.6, 52.0, 39.8]  # fmt: skip
BY_WEEKDAY = [1.0, 1.0, 1.0, 1.0, 0.36, 0.13, 1.0]  # Monday … Sunday; the bank rests Fri–Sat
AHT_S = 190.0
PATIENCE_S = 388.0  # the bank's, estimated from its abandons (ADR 0038)


def problem(agents: int, scale: float) -> tuple[ScheduleProblem, np.ndarray]:
    day = np.repeat(np.array(PROFILE) * scale / 4.0, 4)
    calls = np.concatenate([day * f for f in BY_WEEKDAY])
    plan = staff(calls, np.full(calls.size, AHT_S), 900, ServiceTarget(0.8, 20.0))
    full = (
        BreakRule(Activity.BREAK, 15, 90, 150),
        BreakRule(Activity.LUNCH, 30, 210, 300),
        BreakRule(Activity.BREAK, 15, 360, 420),
    )
    templates = (
        ShiftTemplate("day8", "8 h", 480, 7 * 60, 16 * 60, 15, full),
        ShiftTemplate(
            "part4", "4 h", 240, 7 * 60, 20 * 60, 15, (BreakRule(Activity.BREAK, 15, 60, 150),)
        ),
    )
    rng = np.random.default_rng(5)
    specs = []
    for i in range(agents):
        if i < round(agents * 0.76):
            contract = Contract(36 * 60, 40 * 60, 5, frozenset({"day8"}))
        else:
            contract = Contract(12 * 60, 24 * 60, 5, frozenset({"part4"}))
        window = {d: (7 * 60, 18 * 60) for d in range(5)} if i % 7 == 3 else None
        off = ((int(rng.integers(0, 7)), 0, 1440),) if i % 10 == 0 else ()
        specs.append(AgentSpec(f"agent{i + 1:02d}", contract, window, off))
    return ScheduleProblem(plan.agents.astype(float), templates, tuple(specs)), calls


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--scale", type=float, default=3.0)
    parser.add_argument("--time-limit", type=float, default=50.0)
    parser.add_argument("--replications", type=int, default=3)
    parser.add_argument("--no-what-if", action="store_true")
    args = parser.parse_args()
    spec, calls = problem(args.agents, args.scale)
    required = spec.required
    print(
        f"{args.agents} agents × 7 days at 15 min ({required.size} slots), "
        f"{len(spec.templates)} shift templates with breaks; required agent-slots "
        f"{required.sum():.0f}, peak {required.max():.0f}"
    )
    began = time.perf_counter()
    roster = generate(spec, HighsSolver(), time_limit_s=args.time_limit, relative_gap=0.01)
    seconds = time.perf_counter() - began
    short = roster.shortfall
    print(
        f"  solved in {seconds:.1f} s ({roster.status}); {len(roster.shifts)} shifts, "
        f"{sum(len(s.breaks) for s in roster.shifts)} breaks placed"
    )
    gap = (roster.objective - roster.bound) / roster.bound if roster.bound else 0.0
    print(
        f"  objective {roster.objective:.1f} (shortfall {short.sum():.0f} agent-slots, the part "
        f"past 15 % of a slot's need ×3, + 0.05 × excess {roster.excess.sum():.0f}) vs the "
        f"LP-relaxation bound {roster.bound:.1f}: {gap:+.1%} (goal within 5 %)"
    )
    worst = np.argsort(short)[::-1][:5]
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    shown = ", ".join(
        f"{names[i // 96]} {i % 96 // 4:02d}:{i % 4 * 15:02d} −{short[i]:.0f}" for i in worst
    )
    print(f"  shortfall in {int((short > 0).sum())} of {short.size} slots; largest: {shown}")
    if args.no_what_if:
        return 0
    began = time.perf_counter()
    target = ServiceTarget(0.8, 20.0)
    result = what_if(
        calls,
        np.full(calls.size, AHT_S),
        roster.coverage,
        900,
        target,
        patience_s=PATIENCE_S,
        replications=args.replications,
    )
    print(
        f"  what-if (simulator, {result.replications} replications a day, "
        f"{time.perf_counter() - began:.0f} s): SL {result.service_level:.1%} in 20 s "
        f"against the target {result.target:.0%}; ASA {result.asa_s:.0f} s, "
        f"abandoned {result.abandon_share:.1%}"
    )
    for day in result.days:
        print(
            f"    {names[day.day]}: {day.calls:6.0f} calls  SL {day.service_level:6.1%}  "
            f"ASA {day.asa_s:5.0f} s  abandoned {day.abandon_share:5.1%}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
