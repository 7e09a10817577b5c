"""Discrete-event simulation that drives the real router in virtual time.

`load_scenario(path)` reads a scenario file (`docs/simulation.md`), `simulate(scenario)` runs
its replications and returns a `SimulationReport` with confidence intervals, and
`erlang_reference(scenario)` gives the Erlang figures a textbook scenario should reproduce.
"""

from hotline.analytics.simulate.distributions import (
    ArrivalProfile,
    Exponential,
    Fixed,
    LogNormal,
)
from hotline.analytics.simulate.runner import (
    AgentResult,
    GroupResult,
    PriorityResult,
    QueueResult,
    SimulationReport,
    erlang_reference,
    simulate,
)
from hotline.analytics.simulate.scenario import (
    AgentGroup,
    Scenario,
    ScenarioError,
    Staffing,
    TrafficStream,
    load_scenario,
    parse_scenario,
)
from hotline.analytics.simulate.stats import Estimate, estimate, t_quantile

__all__ = [
    "AgentGroup",
    "AgentResult",
    "ArrivalProfile",
    "Estimate",
    "Exponential",
    "Fixed",
    "GroupResult",
    "LogNormal",
    "PriorityResult",
    "QueueResult",
    "Scenario",
    "ScenarioError",
    "SimulationReport",
    "Staffing",
    "TrafficStream",
    "erlang_reference",
    "estimate",
    "load_scenario",
    "parse_scenario",
    "simulate",
    "t_quantile",
]
