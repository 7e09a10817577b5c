"""Running a scenario: independent replications, then means with confidence intervals.

Replication r draws from `SeedSequence(seed).spawn(R)[r]`, so a scenario with a fixed seed gives
the same report on every machine, and two scenarios that differ only in routing see the same
callers. `erlang_reference` gives the Erlang C/A figures a simple single-queue scenario should
reproduce, for the CLI to print beside the simulated ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hotline.analytics.simulate.distributions import Exponential
from hotline.analytics.simulate.engine import Replication, ReplicationResult
from hotline.analytics.simulate.metrics import HANDLING, QueueTally
from hotline.analytics.simulate.scenario import Scenario
from hotline.analytics.simulate.stats import Estimate, estimate
from hotline.analytics.wfm import ErlangA, erlang_a
from hotline.ids import AgentId
from hotline.routing import AgentProfile, AgentState

__all__ = [
    "AgentResult",
    "GroupResult",
    "PriorityResult",
    "QueueResult",
    "SimulationReport",
    "erlang_reference",
    "simulate",
]


@dataclass(frozen=True, slots=True)
class PriorityResult:
    """The callers of one priority in one queue (VIPs against the rest)."""

    priority: int
    offered: Estimate
    service_level: Estimate
    asa_s: Estimate
    p_wait: Estimate
    abandon_share: Estimate


@dataclass(frozen=True, slots=True)
class QueueResult:
    queue_id: str
    offered: Estimate  # per replication
    answered: Estimate
    abandoned: Estimate
    service_level: Estimate
    asa_s: Estimate
    p_wait: Estimate
    abandon_rate: Estimate  # GLOSSARY: short abandons excluded
    abandon_share: Estimate  # every abandon / offered (Erlang A's P(abandon))
    answer_rate: Estimate
    aht_s: Estimate
    callbacks: Estimate
    left_by_overflow: Estimate
    load_erlangs: Estimate  # handle time carried / measured time
    by_priority: tuple[PriorityResult, ...] = ()

    def priority(self, priority: int) -> PriorityResult:
        return next(p for p in self.by_priority if p.priority == priority)


@dataclass(frozen=True, slots=True)
class GroupResult:
    group: str
    agents: int
    occupancy: Estimate  # handle / (handle + available idle)
    utilization: Estimate  # handle / logged in
    handled_per_agent: Estimate


@dataclass(frozen=True, slots=True)
class AgentResult:
    agent_id: str
    group: str
    occupancy: float  # mean over replications
    utilization: float
    handled: float


@dataclass(frozen=True, slots=True)
class SimulationReport:
    scenario: str
    replications: int
    confidence: float
    horizon_s: float
    calls: int  # simulated, warm-up included
    queues: tuple[QueueResult, ...]
    groups: tuple[GroupResult, ...]
    agents: tuple[AgentResult, ...]

    def queue(self, queue_id: str) -> QueueResult:
        return next(q for q in self.queues if q.queue_id == queue_id)

    def group(self, name: str) -> GroupResult:
        return next(g for g in self.groups if g.group == name)


def simulate(
    scenario: Scenario,
    *,
    replications: int | None = None,
    confidence: float | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> SimulationReport:
    """Run `scenario` (its own replication count and confidence unless overridden)."""
    count = replications or scenario.replications
    level = confidence or scenario.confidence
    seeds = np.random.SeedSequence(scenario.seed).spawn(count)
    results: list[ReplicationResult] = []
    for index, seed in enumerate(seeds):
        progress = None if on_progress is None else _scaled(on_progress, index, count)
        results.append(Replication(scenario, seed).run(progress))
    return _summarise(scenario, results, level)


def _scaled(report: Callable[[float], None], index: int, count: int) -> Callable[[float], None]:
    """Progress of replication `index` as a share of the whole run."""
    return lambda fraction: report((index + fraction) / count)


def _summarise(
    scenario: Scenario, results: list[ReplicationResult], level: float
) -> SimulationReport:
    def over(values: list[float]) -> Estimate:
        return estimate(values, level)

    queues = []
    for config in scenario.queues:
        tallies = [r.sink.queues.get(config.queue_id, QueueTally()) for r in results]

        def each(
            metric: Callable[[QueueTally], float], tallies: list[QueueTally] = tallies
        ) -> Estimate:
            return over([metric(t) for t in tallies])

        queues.append(
            QueueResult(
                queue_id=config.queue_id,
                offered=each(lambda t: t.offered),
                answered=each(lambda t: t.answered),
                abandoned=each(lambda t: t.abandoned),
                service_level=each(lambda t: t.service_level),
                asa_s=each(lambda t: t.asa_s),
                p_wait=each(lambda t: t.p_wait),
                abandon_rate=each(lambda t: t.abandon_rate),
                abandon_share=each(lambda t: t.abandon_share),
                answer_rate=each(lambda t: t.answer_rate),
                aht_s=each(lambda t: t.aht_s),
                callbacks=each(lambda t: t.callbacks),
                left_by_overflow=each(lambda t: t.overflowed_out),
                load_erlangs=each(lambda t: (t.talk_s + t.wrap_up_s) / scenario.horizon_s),
                by_priority=_priorities(scenario, config.queue_id, results, level),
            )
        )
    groups, agents = _agent_results(scenario, results, level)
    return SimulationReport(
        scenario=scenario.name,
        replications=len(results),
        confidence=level,
        horizon_s=scenario.horizon_s,
        calls=sum(r.calls for r in results),
        queues=tuple(queues),
        groups=groups,
        agents=agents,
    )


def _priorities(
    scenario: Scenario, queue_id: str, results: list[ReplicationResult], level: float
) -> tuple[PriorityResult, ...]:
    levels = sorted({s.priority for s in scenario.traffic if s.queue_id == queue_id})
    rows = []
    for priority in levels:
        tallies = [r.sink.priorities.get((queue_id, priority), QueueTally()) for r in results]

        def each(
            metric: Callable[[QueueTally], float], tallies: list[QueueTally] = tallies
        ) -> Estimate:
            return estimate([metric(t) for t in tallies], level)

        rows.append(
            PriorityResult(
                priority=priority,
                offered=each(lambda t: t.offered),
                service_level=each(lambda t: t.service_level),
                asa_s=each(lambda t: t.asa_s),
                p_wait=each(lambda t: t.p_wait),
                abandon_share=each(lambda t: t.abandon_share),
            )
        )
    return tuple(rows)


def _split(seconds: dict[AgentState, float]) -> tuple[float, float, float]:
    handle = sum(seconds.get(s, 0.0) for s in HANDLING)
    # available idle includes ringing: handling starts at the answer (as the wallboard counts)
    available = seconds.get(AgentState.AVAILABLE, 0.0) + seconds.get(AgentState.RESERVED, 0.0)
    logged_in = sum(v for s, v in seconds.items() if s is not AgentState.LOGGED_OUT)
    return handle, available, logged_in


def _agent_results(
    scenario: Scenario, results: list[ReplicationResult], level: float
) -> tuple[tuple[GroupResult, ...], tuple[AgentResult, ...]]:
    groups: list[GroupResult] = []
    agents: list[AgentResult] = []
    for group in scenario.agents:
        occupancy, utilization, handled = [], [], []
        per_agent: dict[str, list[tuple[float, float, float]]] = {}
        for result in results:
            totals = [0.0, 0.0, 0.0, 0.0]
            for agent_id, name in result.agent_group.items():
                if name != group.name:
                    continue
                clock = result.sink.agents.get(agent_id)
                seconds = clock.seconds if clock is not None else {}
                handle, available, logged_in = _split(seconds)
                count = float(clock.handled) if clock is not None else 0.0
                totals = [
                    totals[0] + handle,
                    totals[1] + available,
                    totals[2] + logged_in,
                    totals[3] + count,
                ]
                per_agent.setdefault(agent_id, []).append(
                    (
                        handle / (handle + available) if handle + available else 0.0,
                        handle / logged_in if logged_in else 0.0,
                        float(count),
                    )
                )
            handle, available, logged_in, count = totals
            occupancy.append(handle / (handle + available) if handle + available else 0.0)
            utilization.append(handle / logged_in if logged_in else 0.0)
            handled.append(count / group.count)
        groups.append(
            GroupResult(
                group.name,
                group.count,
                estimate(occupancy, level),
                estimate(utilization, level),
                estimate(handled, level),
            )
        )
        for agent_id, rows in per_agent.items():
            n = len(rows)
            agents.append(
                AgentResult(
                    agent_id,
                    group.name,
                    sum(r[0] for r in rows) / n,
                    sum(r[1] for r in rows) / n,
                    sum(r[2] for r in rows) / n,
                )
            )
    return tuple(groups), tuple(agents)


def erlang_reference(scenario: Scenario) -> dict[str, ErlangA]:
    """Erlang A (or C, without patience) figures for each queue that is a textbook case:
    Poisson arrivals at one constant rate, exponential handle times and patience, no wrap-up,
    ring time, overflow or limits, one fixed group of agents who all serve it and nothing
    else. Other queues are left out."""
    references: dict[str, ErlangA] = {}
    for config in scenario.queues:
        streams = [s for s in scenario.traffic if s.queue_id == config.queue_id]
        if not streams or any(len(s.arrivals.rates_per_hour) != 1 for s in streams):
            continue
        if any(not isinstance(s.handle_time, Exponential) for s in streams):
            continue
        means = {s.handle_time.mean_s for s in streams}
        patiences = {
            s.patience.mean_s if isinstance(s.patience, Exponential) else None for s in streams
        }
        if (
            len(means) != 1
            or len(patiences) != 1
            or any(
                s.patience is not None and not isinstance(s.patience, Exponential) for s in streams
            )
        ):
            continue
        serving = [
            g
            for g in scenario.agents
            if config.requirement.satisfied_by(
                AgentProfile(AgentId("x"), skills=g.skills, teams=g.teams)
            )
        ]
        group = serving[0] if len(serving) == 1 else None
        if group is None or len(scenario.agents) != 1 or group.staffing is not None:
            continue
        if group.answer_delay_s or group.no_answer_probability or config.wrap_up_s != 0:
            continue  # ring time, RONA or wrap-up make the service time non-exponential
        if config.overflow or config.max_wait_s is not None or config.max_length is not None:
            continue
        rate = sum(s.arrivals.rates_per_hour[0] for s in streams) / 3600.0
        aht = means.pop()
        patience = patiences.pop()
        try:
            references[config.queue_id] = erlang_a(
                rate,
                aht,
                patience if patience is not None else float("inf"),
                serving[0].count,
                config.sl.threshold_s,
            )
        except ValueError:
            continue
    return references
