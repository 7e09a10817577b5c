"""Multi-skill staffing: the planner's method (each queue staffed on its own with Erlang C)
against the simulator, which routes the same traffic through the real router.

    .venv/bin/python bench/multiskill.py [--replications 10]

Two queues (sales 8 Erlangs, support 5 Erlangs, AHT 180 s, 80 % in 20 s). Erlang C sizes each
queue alone; the headcount is then simulated with 0 %, 25 % and 50 % of the agents trained
for both queues (cross-trained agents taken from both pools in proportion), and pooled
(everyone trained for both, staffed by Erlang C on the summed load). The printed error is the
simulated service level minus the one Erlang C promised for that staffing.
"""

from __future__ import annotations

import argparse

from hotline.analytics.simulate import parse_scenario, simulate
from hotline.analytics.wfm import agents_needed, service_level

LOADS = {"sales": 8.0, "support": 5.0}
AHT_S = 180.0


def scenario(groups: list[tuple[str, int, list[str]]], replications: int) -> str:
    agents = "\n".join(
        f"  - group: {name}\n    count: {count}\n    skills: [{', '.join(skills)}]"
        for name, count, skills in groups
        if count
    )
    traffic = "\n".join(
        f"  - name: {q}\n    queue: {q}\n    arrivals: {{rate_per_hour: {a * 3600 / AHT_S:.1f}}}\n"
        f"    handle_time: {{distribution: exponential, mean_s: {AHT_S}}}"
        for q, a in LOADS.items()
    )
    queues = "\n".join(
        f"  - id: {q}\n    skills: [{q}]\n    sl: 80/20\n    wrap_up_s: 0\n"
        "    priority_credit_s: null"
        for q in LOADS
    )
    return (
        f"name: multi-skill\nseed: 7\nreplications: {replications}\nwarmup: 1h\nhorizon: 8h\n"
        f"queues:\n{queues}\nagents:\n{agents}\ntraffic:\n{traffic}\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replications", type=int, default=10)
    args = parser.parse_args()
    alone = {q: agents_needed(a, AHT_S, 20.0, 0.8) for q, a in LOADS.items()}
    promised = {q: service_level(LOADS[q], n, AHT_S, 20.0) for q, n in alone.items()}
    total_load = sum(LOADS.values())
    pooled = agents_needed(total_load, AHT_S, 20.0, 0.8)
    print(
        f"Erlang C alone: sales {alone['sales']} agents (SL {promised['sales']:.1%}), "
        f"support {alone['support']} (SL {promised['support']:.1%}); pooled: {pooled} agents"
    )
    header = f"{'sales SL':>9} {'error':>7}  {'support SL':>10} {'error':>7}"
    print(f"  {'cross-trained':14} {'agents':>6}  {header}")
    for share in (0.0, 0.25, 0.5):
        groups = []
        for q, n in alone.items():
            both = round(n * share)
            groups.append((f"{q}-only", n - both, [q]))
            groups.append((f"{q}-both", both, ["sales", "support"]))
        report = simulate(parse_scenario(scenario(groups, args.replications)))
        got = {r.queue_id: r.service_level.mean for r in report.queues}
        print(
            f"  {share:14.0%} {sum(alone.values()):6d}  {got['sales']:9.1%} "
            f"{got['sales'] - promised['sales']:+7.1%}  {got['support']:10.1%} "
            f"{got['support'] - promised['support']:+7.1%}"
        )
    report = simulate(
        parse_scenario(scenario([("all", pooled, ["sales", "support"])], args.replications))
    )
    got = {r.queue_id: r.service_level.mean for r in report.queues}
    pooled_sl = service_level(total_load, pooled, AHT_S, 20.0)
    print(
        f"  {'pooled':14} {pooled:6d}  {got['sales']:9.1%} {got['sales'] - pooled_sl:+7.1%}  "
        f"{got['support']:10.1%} {got['support'] - pooled_sl:+7.1%}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
