"""One replication: a discrete-event calendar driving the real `Router` in virtual time.

The calendar holds arrivals, agents picking up, hang-ups, callers running out of patience,
staffing changes and the router's own next timer. Popping an event sets "now"; every router call
gets that `now`, and its decisions are turned into future events the way call control would
(ring the agent → answered after the group's answer delay; hang up after the handle time). The
router's events go to a `KpiSink`, which counts the results.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import cast

import numpy as np

from hotline.analytics.simulate.distributions import Sampler
from hotline.analytics.simulate.metrics import KpiSink
from hotline.analytics.simulate.scenario import AgentGroup, Scenario
from hotline.events import DomainEvent, EventSink
from hotline.ids import AgentId, TenantId, WorkId
from hotline.routing import (
    AgentProfile,
    AgentState,
    Announce,
    CancelOffer,
    Decision,
    DialCallback,
    Exited,
    Offer,
    OfferCallback,
    Overflow,
    Rejected,
    Router,
    RouterSettings,
)

__all__ = ["Replication", "ReplicationResult"]

Progress = Callable[[float], None]


class _Kind(IntEnum):
    TIMER = 0  # the router's timers first at equal times: a ring timeout beats a late answer
    STAFFING = 1
    HANGUP = 2
    ANSWER = 3
    ABANDON = 4
    ARRIVAL = 5


@dataclass(slots=True, eq=False)
class _Call:
    stream: int
    handle_s: float
    queued: bool = True  # in the router's queue (waiting or ringing)
    callback: bool = False
    ringing: set[AgentId] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class ReplicationResult:
    sink: KpiSink
    agent_group: dict[str, str]  # agent id → group name
    calls: int
    measured_s: float


class _Tee:
    """The router's sink in a simulation: the KPI tally, and a tap that sees every event too
    (the reports' rollup, so a simulated day yields a real report)."""

    def __init__(self, first: EventSink, second: EventSink) -> None:
        self._first, self._second = first, second

    def emit(self, event: DomainEvent) -> None:
        self._first.emit(event)
        self._second.emit(event)


class Replication:
    def __init__(
        self, scenario: Scenario, seed: np.random.SeedSequence, *, tap: EventSink | None = None
    ) -> None:
        self.scenario = scenario
        self.start = scenario.start_epoch
        self.measure_from = self.start + scenario.warmup_s
        self.end = self.measure_from + scenario.horizon_s
        self.sink = KpiSink(
            measure_from=self.measure_from, short_abandon_s=scenario.short_abandon_s
        )
        streams = scenario.traffic
        seeds = seed.spawn(3 * len(streams) + 2)
        self._arrival_rng = [np.random.default_rng(seeds[3 * i]) for i in range(len(streams))]
        self._handle = [
            Sampler(s.handle_time, np.random.default_rng(seeds[3 * i + 1]))
            for i, s in enumerate(streams)
        ]
        self._patience = [
            Sampler(s.patience, np.random.default_rng(seeds[3 * i + 2])) if s.patience else None
            for i, s in enumerate(streams)
        ]
        self._behaviour = np.random.default_rng(seeds[-2])
        router_seed = int(seeds[-1].generate_state(1)[0])
        self.router = Router(
            TenantId("simulation"),
            self.sink if tap is None else _Tee(self.sink, tap),
            settings=RouterSettings(),
            rng=random.Random(router_seed),
        )
        self._calendar: list[tuple[float, int, int, object]] = []
        self._seq = 0
        self._armed: float | None = None
        self._calls: dict[WorkId, _Call] = {}
        self._made = 0
        self._groups: dict[AgentId, AgentGroup] = {}
        self._members: dict[str, list[AgentId]] = {}
        self._logged_in: set[AgentId] = set()

    # -- set-up -----------------------------------------------------------------------------

    def _configure(self) -> None:
        now = self.start
        for config in self.scenario.queues:
            self.router.configure_queue(config, now=now)
        for group in self.scenario.agents:
            members = []
            for k in range(group.count):
                agent_id = AgentId(f"{group.name}-{k + 1:03d}")
                profile = AgentProfile(
                    agent_id, skills=group.skills, teams=group.teams, capacity=group.capacity
                )
                self.router.configure_agent(profile, now=now)
                self._groups[agent_id] = group
                members.append(agent_id)
            self._members[group.name] = members
        self._staff(now)
        for index in range(len(self.scenario.traffic)):
            self._schedule_arrival(index, 0.0)

    def _staff(self, now: float) -> None:
        """Log agents in or out to match each group's staffing for this interval."""
        next_change: float | None = None
        for group in self.scenario.agents:
            staffing = group.staffing
            wanted = group.count if staffing is None else staffing.count_at(now - self.start)
            for k, agent_id in enumerate(self._members[group.name]):
                if k < wanted and agent_id not in self._logged_in:
                    self._logged_in.add(agent_id)
                    state = self.router.agent_snapshot(agent_id, now=now).state
                    if state is AgentState.LOGGED_OUT:
                        self._decide(self.router.login(agent_id, now=now, ready=True), now)
                    else:  # still finishing a call since its logout: it stays on instead
                        self._decide(self.router.set_available(agent_id, now=now), now)
                elif k >= wanted and agent_id in self._logged_in:
                    self._logged_in.discard(agent_id)
                    self._decide(self.router.logout(agent_id, now=now), now)
            if staffing is not None:
                offset = now - self.start
                boundary = (offset // staffing.interval_s + 1) * staffing.interval_s
                at = self.start + boundary
                next_change = at if next_change is None else min(next_change, at)
        if next_change is not None:
            self._push(next_change, _Kind.STAFFING, None)

    # -- the calendar -----------------------------------------------------------------------

    def _push(self, at: float, kind: _Kind, payload: object) -> None:
        self._seq += 1
        heapq.heappush(self._calendar, (at, int(kind), self._seq, payload))

    def _arm_timer(self) -> None:
        due = self.router.next_timer()
        if due is not None and (self._armed is None or due < self._armed):
            self._armed = due
            self._push(due, _Kind.TIMER, due)

    def _schedule_arrival(self, stream: int, after: float) -> None:
        profile = self.scenario.traffic[stream].arrivals
        at = self.start + profile.next_arrival(after, self._arrival_rng[stream])
        if at <= self.end:
            self._push(at, _Kind.ARRIVAL, stream)

    def run(self, on_progress: Progress | None = None) -> ReplicationResult:
        self._configure()
        self._arm_timer()
        span = self.end - self.start
        next_report = self.start
        while self._calendar:
            at, kind, _, payload = heapq.heappop(self._calendar)
            if at > self.end:
                break
            self._handle_event(_Kind(kind), at, payload)
            self._arm_timer()
            if on_progress is not None and at >= next_report:
                on_progress((at - self.start) / span)
                next_report = at + span / 200
        self.sink.close(self.end)
        if on_progress is not None:
            on_progress(1.0)
        groups = {str(a): g.name for a, g in self._groups.items()}
        return ReplicationResult(self.sink, groups, self._made, self.scenario.horizon_s)

    def _handle_event(self, kind: _Kind, now: float, payload: object) -> None:
        if kind is _Kind.TIMER:
            if payload == self._armed:
                self._armed = None
            due = self.router.next_timer()
            if due is not None and due <= now:
                self._decide(self.router.on_timer(now=now), now)
        elif kind is _Kind.ARRIVAL:
            assert isinstance(payload, int)
            self._arrive(payload, now)
        elif kind is _Kind.ANSWER:
            work_id, agent_id = cast(tuple[WorkId, AgentId], payload)
            call = self._calls.get(work_id)
            if call is not None and call.queued and agent_id in call.ringing:
                call.queued = False
                call.ringing.clear()
                self._decide(self.router.offer_answered(work_id, agent_id, now=now), now)
                self._push(now + call.handle_s, _Kind.HANGUP, work_id)
        elif kind is _Kind.HANGUP:
            assert isinstance(payload, str)
            work_id = WorkId(payload)
            del self._calls[work_id]
            self._decide(self.router.interaction_ended(work_id, now=now), now)
        elif kind is _Kind.ABANDON:
            assert isinstance(payload, str)
            call = self._calls.get(WorkId(payload))
            if call is not None and call.queued and not call.callback:
                self._forget(WorkId(payload))
                self._decide(self.router.abandon(WorkId(payload), now=now), now)
        elif kind is _Kind.STAFFING:
            self._staff(now)

    def _arrive(self, stream_index: int, now: float) -> None:
        stream = self.scenario.traffic[stream_index]
        self._made += 1
        work_id = WorkId(f"c{self._made}")
        call = _Call(stream_index, self._handle[stream_index].draw())
        patience = self._patience[stream_index]
        patience_s = patience.draw() if patience is not None else None
        self._calls[work_id] = call
        self._schedule_arrival(stream_index, now - self.start)
        decisions = self.router.enqueue(
            work_id, stream.queue_id, now=now, priority=stream.priority, skills=stream.skills
        )
        self._decide(decisions, now)
        if patience_s is not None and call.queued and not call.callback:
            self._push(now + patience_s, _Kind.ABANDON, work_id)

    def _forget(self, work_id: WorkId) -> None:
        call = self._calls.pop(work_id, None)
        if call is not None:
            call.queued = False

    def _decide(self, decisions: list[Decision], now: float) -> None:
        """Do what call control would do with each decision."""
        for d in decisions:
            if isinstance(d, Offer | DialCallback):
                call = self._calls[d.work_id]
                group = self._groups[d.agent_id]
                if (
                    group.no_answer_probability
                    and self._behaviour.random() < group.no_answer_probability
                ):
                    continue  # let it ring: the router's ring timeout fires RONA
                call.ringing.add(d.agent_id)
                self._push(now + group.answer_delay_s, _Kind.ANSWER, (d.work_id, d.agent_id))
            elif isinstance(d, CancelOffer):
                call_or_none = self._calls.get(d.work_id)
                if call_or_none is not None:
                    call_or_none.ringing.discard(d.agent_id)
            elif isinstance(d, OfferCallback):
                call = self._calls[d.work_id]
                accepts = self.scenario.traffic[call.stream].accepts_callback
                if accepts and self._behaviour.random() < accepts:
                    call.callback = True
                    self._decide(self.router.request_callback(d.work_id, "sim", now=now), now)
            elif isinstance(d, Overflow):
                if d.left_queue:
                    self._forget(d.work_id)
            elif isinstance(d, Rejected | Exited):
                self._forget(d.work_id)
            elif isinstance(d, Announce):
                pass  # a real caller would hear it; the simulated one's patience is fixed
