"""Rebuilding the router from the facts after a restart (`Router.reconcile`).

The router keeps its state in memory; the events log keeps history. After a restart, call
control gathers what is true *now* — which agents were logged in and in what presence (from the
log), whose phone or browser is reachable, which interactions are connected or wrapping up, and
which callers still wait — and hands it over as a `ReconcileSnapshot`. The router adopts it
wholesale: agents not listed are logged out, interactions not listed are gone, offers that were
ringing are withdrawn (call control re-rings from the decisions returned).
"""

from __future__ import annotations

from hotline.ids import WorkId
from hotline.routing.agent_state import AgentState, WorkPhase
from hotline.routing.agents import Agent, WorkItem
from hotline.routing.core import RoutingCore
from hotline.routing.decisions import Decision, OfferEnd
from hotline.routing.errors import DuplicateInteraction, InvalidRoutingConfig, UnknownAgent
from hotline.routing.events import QueueExited
from hotline.routing.skills import Requirement
from hotline.routing.snapshots import AgentFacts, ReconcileSnapshot, WaitingFacts
from hotline.routing.timers import TimerKind
from hotline.routing.waiting import Waiting, WaitState

__all__ = ["Reconciling"]

_IDLE = (AgentState.LOGGED_OUT, AgentState.AVAILABLE, AgentState.NOT_READY)
_LIVE = (WorkPhase.CONNECTED, WorkPhase.WRAP_UP)


class Reconciling(RoutingCore):
    """The `reconcile` operation of `Router`, kept apart for size."""

    def reconcile(self, snapshot: ReconcileSnapshot, *, now: float) -> list[Decision]:
        """Adopt `snapshot` as the truth, then route what can be routed."""
        self._begin(now)
        self._check(snapshot)
        for item in list(self._items.values()):
            for agent_id in list(item.ringing):
                agent = self._agents[agent_id]
                self._withdraw(item, agent, now, OfferEnd.WITHDRAWN, not_ready=False, cancel=True)
            if item.ringing == set() and item.state is WaitState.RINGING:
                self._timers.cancel(TimerKind.RING_TIMEOUT, item.work_id)
                item.state, item.via = WaitState.WAITING, None
                self._dispatch.add_routable(item)
        listed = {w.work_id for w in snapshot.waiting}
        for item in [i for i in self._items.values() if i.work_id not in listed]:
            self._forget(item)
            self._emit(
                QueueExited(
                    tenant_id=self.tenant_id,
                    at=now,
                    work_id=item.work_id,
                    queue_id=item.queue_id,
                    reason="reconciled",
                    destination="none",
                    wait_s=item.wait_s(now),
                )
            )
        facts = {f.agent_id: f for f in snapshot.agents}
        for agent in self._agents.values():
            self._adopt(agent, facts.get(agent.agent_id, AgentFacts(agent.agent_id, _IDLE[0])), now)
        for waiting in sorted(snapshot.waiting, key=lambda w: w.entered_at):
            if waiting.work_id not in self._items:
                self._readmit(waiting, now)
        for item in sorted(self._items.values(), key=lambda i: i.key):
            self._route_item(item, now)
        for agent in self._agents.values():
            self._route_agent(agent, now)
        return self._flush()

    def _check(self, snapshot: ReconcileSnapshot) -> None:
        """Refuse the whole snapshot before changing anything if any fact is impossible."""
        seen: set[WorkId] = set()
        for facts in snapshot.agents:
            if facts.agent_id not in self._agents:
                raise UnknownAgent(facts.agent_id)
            if facts.presence not in _IDLE:
                raise InvalidRoutingConfig(
                    f"presence of {facts.agent_id!r} must be logged_out, available or not_ready",
                    field="presence",
                )
            for work in facts.work:
                if work.phase not in _LIVE:
                    raise InvalidRoutingConfig(
                        "live work must be connected or wrap_up", field="work.phase"
                    )
                if work.work_id in seen:
                    raise DuplicateInteraction(work.work_id)
                seen.add(work.work_id)
        for waiting in snapshot.waiting:
            self._queue(waiting.queue_id)
            if waiting.work_id in seen:
                raise DuplicateInteraction(waiting.work_id)
            seen.add(waiting.work_id)

    def _adopt(self, agent: Agent, facts: AgentFacts, now: float) -> None:
        self._dispatch.index_out(agent)
        for work_id in list(agent.work):
            self._timers.cancel(TimerKind.WRAP_UP_END, work_id)
            self._handling.pop(work_id, None)
        agent.work.clear()
        agent.load.clear()
        for live in facts.work:
            work = WorkItem(live.work_id, live.queue_id, live.channel, live.phase, live.since)
            if live.phase is WorkPhase.CONNECTED:
                work.connected_at = live.since
            else:
                work.ended_at = live.since
                work.wrap_up_until = live.since + self._wrap_up_s(live.queue_id)
                self._timers.schedule(work.wrap_up_until, TimerKind.WRAP_UP_END, live.work_id)
            agent.add_work(work)
            self._handling[live.work_id] = agent.agent_id
        agent.handled = facts.handled_today
        presence, reason = facts.presence, facts.reason
        if presence is AgentState.AVAILABLE and not facts.reachable:
            presence, reason = AgentState.NOT_READY, "unreachable"
        elif presence is AgentState.NOT_READY and reason is None:
            reason = "reconcile"
        change = agent.force(presence, reason, now)
        self._dispatch.index_in(agent)
        self._changed(agent, change, now, None)

    def _readmit(self, facts: WaitingFacts, now: float) -> None:
        config = self._queues[facts.queue_id].config
        self._seq += 1
        item = Waiting(
            work_id=facts.work_id,
            queue_id=facts.queue_id,
            channel=config.channel,
            priority=facts.priority,
            entered_at=facts.entered_at,
            key=(config.virtual_arrival(facts.entered_at, facts.priority), self._seq),
            extra=Requirement.of(facts.skills),
            customer_id=facts.customer_id,
            callback_number=facts.callback_number,
        )
        item.targets = self._targets_for(item)
        for target in item.targets:
            self._dispatch.acquire(target.requirement)
        self._items[item.work_id] = item
        self._queues[item.queue_id].line.add(item.work_id, item.key)
        if config.max_wait_s is not None and item.callback_number is None:
            deadline = item.entered_at + config.max_wait_s
            self._timers.schedule(deadline, TimerKind.MAX_WAIT, item.work_id)
        self._schedule_overflow(item)  # steps already due fire at the next timer
        if config.announce_every_s is not None and item.callback_number is None:
            self._timers.schedule(now + config.announce_every_s, TimerKind.ANNOUNCE, item.work_id)
        self._dispatch.add_routable(item)
