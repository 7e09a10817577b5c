"""The schedule program solved by HiGHS: contracts, availability, time off and breaks hold."""

from __future__ import annotations

import numpy as np
import pytest

from hotline.analytics.wfm.errors import WfmInputError
from hotline.analytics.wfm.schedule import (
    Activity,
    AgentSpec,
    BreakRule,
    Contract,
    ScheduleProblem,
    ShiftTemplate,
    coverage_of,
    generate,
)
from hotline.workforce.highs import HighsSolver

SLOT = 60  # hour slots keep the program tiny
BREAKS = (BreakRule(Activity.LUNCH, 60, 180, 300),)
TEMPLATE = ShiftTemplate("d8", "8 h", 480, 8 * 60, 12 * 60, 60, BREAKS)


def problem(agents: list[AgentSpec], need: float = 2.0) -> ScheduleProblem:
    day = np.zeros(24)
    day[9:18] = need
    required = np.tile(day, 7)
    return ScheduleProblem(required, (TEMPLATE,), tuple(agents), slot_minutes=SLOT)


def test_schedule_respects_contracts_and_reaches_the_bound() -> None:
    agents = [
        AgentSpec("ann", Contract(32 * 60, 40 * 60, 5)),
        AgentSpec(
            "bo",
            Contract(16 * 60, 24 * 60, 3),
            availability={d: (8 * 60, 18 * 60) for d in range(7)},
        ),
        AgentSpec("cy", Contract(0, 40 * 60, 5), time_off=((2, 0, 1440),)),
    ]
    p = problem(agents)
    roster = generate(p, HighsSolver(), time_limit_s=20)
    by_agent: dict[str, list[int]] = {}
    for shift in roster.shifts:
        by_agent.setdefault(shift.agent_id, []).append(shift.day)
        assert len(shift.breaks) == 1
        activity, start, end = shift.breaks[0]
        assert activity is Activity.LUNCH
        assert shift.start + 180 <= start <= shift.start + 300
        assert end - start == 60
    for agent in agents:
        days = by_agent.get(agent.id, [])
        assert len(days) == len(set(days)) <= agent.contract.max_days
        assert agent.contract.min_minutes <= 480 * len(days) <= agent.contract.max_minutes
    assert 2 not in by_agent["cy"]
    assert np.array_equal(roster.coverage, coverage_of(roster.shifts, 168, SLOT))
    assert roster.status == "optimal"
    assert roster.objective >= roster.bound - 1e-6  # the LP relaxation bounds it from below
    assert roster.shortfall.sum() > 0  # 3 agents cannot staff 2 seats 9 h a day, 7 days


def test_bad_templates_and_requirements() -> None:
    bad = ShiftTemplate("x", "x", 450, 8 * 60, 9 * 60, 60)
    wrong_length = ScheduleProblem(np.zeros(168), (bad,), (), slot_minutes=SLOT)
    with pytest.raises(WfmInputError, match="multiples"):
        generate(wrong_length, HighsSolver())
    short = ScheduleProblem(np.zeros(10), (TEMPLATE,), (), slot_minutes=SLOT)
    with pytest.raises(WfmInputError, match="required"):
        generate(short, HighsSolver())
