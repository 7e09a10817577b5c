"""Issue 5's acceptance runs: the simulator, driving the real router, against queueing theory.

Fixed seeds, so each run is the same everywhere; horizons are short enough for the unit suite,
and each test also checks that its confidence interval is narrow enough to mean something.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np

from hotline.analytics.simulate import Scenario, erlang_reference, load_scenario, simulate
from hotline.analytics.simulate.engine import Replication
from hotline.analytics.simulate.stats import estimate
from hotline.analytics.wfm import erlang_a, erlang_c, service_level
from hotline.routing import Strategy

EXAMPLES = Path(__file__).parents[3] / "examples" / "scenarios"


def example(name: str, *, hours: float, replications: int) -> Scenario:
    scenario = load_scenario(EXAMPLES / f"{name}.yaml")
    return dataclasses.replace(scenario, horizon_s=hours * 3600, replications=replications)


def test_mm14_agrees_with_erlang_c_within_its_99_percent_interval() -> None:
    scenario = example("mm14-erlang-c", hours=8, replications=10)
    queue = simulate(scenario, confidence=0.99).queue("support")
    assert queue.p_wait.contains(erlang_c(10, 14))  # 0.17413
    assert queue.service_level.contains(service_level(10, 14, 180, 20))  # 0.88835
    assert queue.asa_s.contains(7.836)
    assert queue.p_wait.half_width < 0.07
    assert queue.abandoned.mean == 0


def test_patient_callers_on_13_agents_agree_with_erlang_a() -> None:
    scenario = example("erlang-a-13-agents", hours=8, replications=10)
    queue = simulate(scenario, confidence=0.99).queue("support")
    model = erlang_a(10 / 180, 180, 300, 13, 20)
    assert round(model.p_abandon, 4) == 0.0250
    assert queue.abandon_share.contains(model.p_abandon)  # every abandon counted
    assert queue.abandon_share.half_width < 0.01
    assert queue.p_wait.contains(model.p_wait)
    assert queue.service_level.contains(model.service_level)
    assert queue.asa_s.contains(model.asa_s)
    assert erlang_reference(scenario)["support"] == model


def test_longest_idle_and_random_give_the_same_service_level() -> None:
    """With identical agents and work-conserving routing, who answers does not change when:
    the same callers (common random numbers) see exactly the same queue."""
    base = example("erlang-a-13-agents", hours=4, replications=4)
    results = []
    for strategy in (Strategy.LONGEST_IDLE, Strategy.RANDOM):
        queue = dataclasses.replace(base.queues[0], strategy=strategy)
        results.append(simulate(dataclasses.replace(base, queues=(queue,))).queue("support"))
    idle, rand = results
    assert idle.service_level == rand.service_level
    assert idle.asa_s == rand.asa_s
    assert idle.abandon_share == rand.abandon_share


def test_vip_callers_wait_strictly_less_under_load() -> None:
    scenario = example("vip-under-load", hours=4, replications=6)
    seeds = np.random.SeedSequence(scenario.seed).spawn(scenario.replications)
    gaps, vip_abandons, regular_abandons = [], [], []
    for seed in seeds:
        sink = Replication(scenario, seed).run().sink
        regular, vip = sink.priorities[("service", 0)], sink.priorities[("service", 1)]
        assert vip.asa_s < regular.asa_s  # in every replication
        gaps.append(regular.asa_s - vip.asa_s)
        vip_abandons.append(vip.abandon_share)
        regular_abandons.append(regular.abandon_share)
    gap = estimate(gaps, 0.99)
    assert gap.low > 0  # paired: the same busy hours, VIPs ahead
    assert max(vip_abandons) < min(regular_abandons) or sum(vip_abandons) < sum(regular_abandons)
    assert sink.queues["service"].service_level < 0.8  # it really is under load
    assert not math.isnan(gap.mean)
