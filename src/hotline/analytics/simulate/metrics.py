"""Counting a simulation's results from the router's own domain events.

The simulator does not keep its own books: `KpiSink` is the `EventSink` the router emits to, and
it tallies the GLOSSARY metrics from `queue.*` and `agent.*` events exactly as the wallboard and
reports will (issue 7). Interactions that entered during the warm-up are left out, and agent time
is clipped to the measured window, so an empty center at time zero biases nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.events import DomainEvent
from hotline.routing import AgentState
from hotline.routing.events import (
    AgentInteractionEnded,
    AgentStateChanged,
    AgentWrapUpEnded,
    QueueAbandoned,
    QueueAnswered,
    QueueCallbackRequested,
    QueueEntered,
    QueueExited,
    QueueOffered,
    QueueOverflowed,
    QueueRejected,
)

__all__ = ["HANDLING", "KpiSink", "QueueTally"]

HANDLING = frozenset({AgentState.BUSY, AgentState.WRAP_UP})
"""States that count as handle time (talk + hold + wrap-up); ringing counts as available idle,
as on the wallboard (`analytics/realtime`)."""


@dataclass(slots=True)
class QueueTally:
    """Counts for one queue over the measured window (GLOSSARY definitions)."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    answered_within: int = 0  # wait <= the queue's SL threshold
    abandoned_after: int = 0  # abandoned with wait > the SL threshold
    offered_at_once: int = 0  # an agent was free the moment it entered
    wait_answered_s: float = 0.0
    wait_all_s: float = 0.0  # answered and abandoned
    callbacks: int = 0
    overflowed_out: int = 0
    exited: int = 0
    rejected: int = 0
    talk_s: float = 0.0
    talks: int = 0  # interactions whose talk ended (some answered ones are still talking)
    wrap_up_s: float = 0.0
    wrap_ups: int = 0

    @property
    def service_level(self) -> float:
        denominator = self.answered + self.abandoned_after
        return self.answered_within / denominator if denominator else 1.0

    @property
    def asa_s(self) -> float:
        return self.wait_answered_s / self.answered if self.answered else 0.0

    @property
    def abandon_rate(self) -> float:
        """(abandoned − short) / (offered − short): the GLOSSARY abandon rate."""
        denominator = self.offered - self.short_abandoned
        return (self.abandoned - self.short_abandoned) / denominator if denominator > 0 else 0.0

    @property
    def abandon_share(self) -> float:
        """abandoned / offered, every abandon counted (what Erlang A calls P(abandon))."""
        return self.abandoned / self.offered if self.offered else 0.0

    @property
    def answer_rate(self) -> float:
        denominator = self.offered - self.short_abandoned
        return self.answered / denominator if denominator > 0 else 0.0

    @property
    def p_wait(self) -> float:
        return 1.0 - self.offered_at_once / self.offered if self.offered else 0.0

    @property
    def aht_s(self) -> float:
        """Mean talk + mean wrap-up, each over the interactions that finished it."""
        talk = self.talk_s / self.talks if self.talks else 0.0
        return talk + (self.wrap_up_s / self.wrap_ups if self.wrap_ups else 0.0)


@dataclass(slots=True)
class _AgentClock:
    state: AgentState = AgentState.LOGGED_OUT
    since: float = 0.0
    seconds: dict[AgentState, float] = field(default_factory=dict)
    handled: int = 0


class KpiSink:
    """An `EventSink` tallying queue and agent metrics after `measure_from` (epoch seconds).

    Each queue has one tally over all its callers (`queues`) and one per priority
    (`priorities[(queue, priority)]`), so VIP and regular service can be compared.
    """

    def __init__(self, *, measure_from: float, short_abandon_s: float = 5.0) -> None:
        self.measure_from = measure_from
        self.short_abandon_s = short_abandon_s
        self.queues: dict[str, QueueTally] = {}
        self.priorities: dict[tuple[str, int], QueueTally] = {}
        self.agents: dict[str, _AgentClock] = {}
        # interactions that entered in the measured window → their tallies
        self._counted: dict[str, tuple[QueueTally, QueueTally]] = {}
        self.events = 0

    def tally(self, queue_id: str) -> QueueTally:
        tally = self.queues.get(queue_id)
        if tally is None:
            tally = self.queues[queue_id] = QueueTally()
        return tally

    def priority_tally(self, queue_id: str, priority: int) -> QueueTally:
        tally = self.priorities.get((queue_id, priority))
        if tally is None:
            tally = self.priorities[(queue_id, priority)] = QueueTally()
        return tally

    def emit(self, event: DomainEvent) -> None:
        self.events += 1
        if isinstance(event, AgentStateChanged):
            self._agent(event)
            return
        iid = event.interaction_id or ""
        if isinstance(event, QueueEntered):
            if event.at >= self.measure_from:
                tallies = (
                    self.tally(event.queue_id),
                    self.priority_tally(event.queue_id, event.priority),
                )
                self._counted[iid] = tallies
                for t in tallies:
                    t.offered += 1
            return
        if isinstance(event, QueueRejected):
            if event.at >= self.measure_from:
                self.tally(event.queue_id).rejected += 1
                self.priority_tally(event.queue_id, event.priority).rejected += 1
            return
        pair = self._counted.get(iid)
        if pair is None:
            return
        for t in pair:
            self._count(t, event)
        if isinstance(event, QueueAbandoned | QueueExited | AgentWrapUpEnded) or (
            isinstance(event, QueueOverflowed) and event.left_queue
        ):
            del self._counted[iid]

    def _count(self, t: QueueTally, event: DomainEvent) -> None:
        if isinstance(event, QueueOffered):
            if event.attempt == 1 and event.wait_s == 0.0:
                t.offered_at_once += 1
        elif isinstance(event, QueueAnswered):
            t.answered += 1
            t.wait_answered_s += event.wait_s
            t.wait_all_s += event.wait_s
            t.answered_within += event.wait_s <= event.sl_threshold_s
        elif isinstance(event, QueueAbandoned):
            t.abandoned += 1
            t.wait_all_s += event.wait_s
            t.short_abandoned += event.wait_s <= self.short_abandon_s
            t.abandoned_after += event.wait_s > event.sl_threshold_s
        elif isinstance(event, QueueCallbackRequested):
            t.callbacks += 1
        elif isinstance(event, QueueOverflowed):
            t.overflowed_out += event.left_queue
        elif isinstance(event, QueueExited):
            t.exited += 1
        elif isinstance(event, AgentInteractionEnded):
            t.talk_s += event.talk_s
            t.talks += 1
        elif isinstance(event, AgentWrapUpEnded):
            t.wrap_up_s += event.wrap_up_s
            t.wrap_ups += 1

    def _agent(self, event: AgentStateChanged) -> None:
        clock = self.agents.get(event.agent_id or "")
        if clock is None:
            clock = self.agents[event.agent_id or ""] = _AgentClock(since=event.at)
        self._credit(clock, event.at)
        clock.state, clock.since = event.state, event.at
        if event.state is AgentState.BUSY and event.previous is AgentState.RESERVED:
            clock.handled += event.at >= self.measure_from

    def _credit(self, clock: _AgentClock, until: float) -> None:
        start = max(clock.since, self.measure_from)
        if until > start:
            clock.seconds[clock.state] = clock.seconds.get(clock.state, 0.0) + until - start

    def close(self, end: float) -> None:
        """Count every agent's current state up to `end`, the end of the measured window."""
        for clock in self.agents.values():
            self._credit(clock, end)
            clock.since = end
