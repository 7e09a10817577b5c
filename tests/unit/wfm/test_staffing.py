"""Vectorised staffing gives the scalar Erlang functions' answers exactly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.analytics.wfm import agents_needed, erlang_a, lines_needed, scheduled_agents
from hotline.analytics.wfm.errors import WfmInputError
from hotline.analytics.wfm.staffing import (
    ServiceTarget,
    agents_needed_a,
    agents_needed_many,
    estimate_patience_s,
    lines_needed_many,
    staff,
)


def test_vectorised_matches_scalar_on_many_loads() -> None:
    rng = np.random.default_rng(7)
    loads = np.concatenate([rng.uniform(0, 80, 3000), rng.uniform(0, 2, 500), np.zeros(5)])
    aht = rng.uniform(30, 900, loads.size)
    for level, target in ((0.8, 20.0), (0.9, 10.0), (0.5, 0.0)):
        vec = agents_needed_many(loads, aht, target, level)
        scalar = [
            agents_needed(float(a), float(h), target, level)
            for a, h in zip(loads, aht, strict=True)
        ]
        assert vec.tolist() == scalar
    assert lines_needed_many(loads, 0.01).tolist() == [lines_needed(float(a), 0.01) for a in loads]


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 300), st.floats(1, 3600), st.floats(0.05, 0.99))
def test_vectorised_equals_scalar_anywhere(load: float, aht: float, level: float) -> None:
    assert agents_needed_many(np.array([load]), aht, 20.0, level)[0] == agents_needed(
        load, aht, 20.0, level
    )


def test_staff_with_shrinkage_lines_and_erlang_a() -> None:
    calls = np.array([0.0, 12.0, 120.0])
    aht = np.array([0.0, 180.0, 200.0])
    target = ServiceTarget(0.8, 20.0, shrinkage=0.3, blocking=0.01, line_extra_s=30.0)
    plan = staff(calls, aht, 900, target)
    assert plan.agents.tolist() == [
        0,
        agents_needed(12 * 180 / 900, 180, 20, 0.8),
        agents_needed(120 * 200 / 900, 200, 20, 0.8),
    ]
    assert plan.scheduled.tolist() == [scheduled_agents(int(n), 0.3) for n in plan.agents]
    assert plan.lines.tolist() == [
        0,
        lines_needed(12 * 210 / 900, 0.01),
        lines_needed(120 * 230 / 900, 0.01),
    ]
    with_patience = staff(calls, aht, 900, target, patience_s=120.0)
    assert with_patience.model == "erlang_a"
    assert with_patience.agents[2] <= plan.agents[2]
    n = int(with_patience.agents[2])
    assert erlang_a(120 / 900, 200, 120, n, 20).service_level >= 0.8
    assert erlang_a(120 / 900, 200, 120, n - 1, 20).service_level < 0.8
    assert agents_needed_a(0.0, 200, 120, 20, 0.8) == 0


def test_patience_from_abandons_and_bad_input() -> None:
    assert estimate_patience_s(50, 20_000) == 400.0
    assert estimate_patience_s(3, 20_000) is None
    with pytest.raises(WfmInputError):
        ServiceTarget(service_level=1.2)
    with pytest.raises(WfmInputError, match="calls"):
        staff(np.array([-1.0]), np.array([100.0]), 900, ServiceTarget())
