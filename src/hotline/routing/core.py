"""The router's engine room: its state and the moves every operation is built from.

`RoutingCore` holds agents, queues, waiting interactions, the matching index and the timers, and
implements the shared moves — offer, withdraw an offer, route an agent or an interaction, forget
an interaction, apply an agent event — each of which keeps the indexes, the events and the
decisions in step. `Router` (router.py) is the public face built on these moves.
"""

from __future__ import annotations

from hotline.ids import AgentId, CustomerId, QueueId, WorkId
from hotline.routing.agent_state import (
    AgentEvent,
    AgentState,
    SetNotReady,
    WorkPhase,
    WorkStep,
)
from hotline.routing.agents import Agent, StateChange, WorkItem
from hotline.routing.decisions import (
    Announce,
    CancelOffer,
    Decision,
    DialCallback,
    Exited,
    ExitReason,
    Offer,
    OfferCallback,
    OfferEnd,
    Overflow,
    Rejected,
    RejectReason,
)
from hotline.routing.errors import (
    IllegalAgentTransition,
)
from hotline.routing.events import (
    AgentStateChanged,
    AgentWrapUpEnded,
    AgentWrapUpOverrun,
    QueueExited,
    QueueOffered,
    QueueOfferFailed,
    QueueOverflowed,
    QueueRejected,
)
from hotline.routing.ewt import queue_length_ewt
from hotline.routing.overflow import OverflowAction, widen
from hotline.routing.queues import Destination, QueueConfig, Strategy
from hotline.routing.skills import Requirement
from hotline.routing.state import QueueRuntime, RouterSettings, RouterState
from hotline.routing.strategies import PoolSpec
from hotline.routing.timers import TimerKind
from hotline.routing.waiting import Target, Waiting, WaitState

__all__ = ["QueueRuntime", "RouterSettings", "RoutingCore"]

_AGENT_FAILURES = frozenset({OfferEnd.NO_ANSWER, OfferEnd.REJECTED, OfferEnd.UNREACHABLE})
"""Offer endings that keep the interaction away from that agent from then on."""

_ITEM_TIMERS = (
    TimerKind.RING_TIMEOUT,
    TimerKind.MAX_WAIT,
    TimerKind.STICKY_EXPIRY,
    TimerKind.OVERFLOW,
    TimerKind.ANNOUNCE,
)


class RoutingCore(RouterState):
    """State and shared moves of one tenant's router; use `Router`."""

    def _fire(self, kind: TimerKind, subject: str, now: float) -> None:
        if kind is TimerKind.DAY_ROLLOVER:
            self._roll_day(now)
        elif kind is TimerKind.HOURS:
            self._hours_changed(QueueId(subject), now)
        elif kind is TimerKind.WRAP_UP_END:
            agent_id = self._handling.get(WorkId(subject))
            if agent_id is not None:
                agent = self._agents[agent_id]
                work = agent.work[WorkId(subject)]
                if self._disposition_missing(work):
                    self._overrun(agent, work, now)
                    return
                self._finish_wrap_up(agent, work, now, False)
                self._route_agent(agent, now)
        else:
            item = self._items.get(WorkId(subject))
            if item is not None:
                self._fire_item(kind, item, now)

    def _fire_item(self, kind: TimerKind, item: Waiting, now: float) -> None:
        if kind is TimerKind.RING_TIMEOUT:
            not_ready = self._queues[item.queue_id].config.rona_not_ready
            # ring-all rang everyone at once: nobody is to blame for not answering
            blame = not_ready and len(item.ringing) == 1
            agents = [self._agents[a] for a in item.ringing]
            for agent in agents:
                self._withdraw(item, agent, now, OfferEnd.NO_ANSWER, not_ready=blame, cancel=True)
            self._after_offer_failed(item, now)
            for agent in agents:
                self._route_agent(agent, now)
        elif kind is TimerKind.MAX_WAIT:
            if item.state is WaitState.RINGING:
                item.max_wait_passed = True
            else:
                config = self._queues[item.queue_id].config
                self._exit(item, ExitReason.MAX_WAIT, config.when_max_wait, now)
        elif kind is TimerKind.STICKY_EXPIRY and item.sticky_agent is not None:
            self._unstick(item, now)
        elif kind is TimerKind.OVERFLOW:
            self._overflow(item, now)
        elif kind is TimerKind.ANNOUNCE:
            self._announce(item, now)

    # == internals: overflow, announcements, EWT ===========================================

    def _overflow(self, item: Waiting, now: float) -> None:
        """Apply the next overflow step of `item` and set the timer for the one after."""
        queue = self._queues[item.queue_id]
        steps = queue.config.overflow
        if item.steps_done >= len(steps):
            return
        index = item.steps_done
        step = steps[index]
        item.steps_done += 1
        skip = (step.needs_caller and item.callback_number is not None) or (
            step.leaves and item.state is WaitState.RINGING  # never pull a call off a ringing phone
        )
        if not skip:
            self._emit(
                QueueOverflowed(
                    tenant_id=self.tenant_id,
                    at=now,
                    work_id=item.work_id,
                    queue_id=item.queue_id,
                    step=index,
                    action=step.action.value,
                    target=step.describe_target(),
                    wait_s=item.wait_s(now),
                    left_queue=step.leaves,
                )
            )
            self._out.append(
                Overflow(
                    item.work_id,
                    item.queue_id,
                    index,
                    step.action.value,
                    step.describe_target(),
                    step.leaves,
                    step.destination(),
                )
            )
            if step.leaves:
                self._forget(item)
                return
            if step.action is OverflowAction.OFFER_CALLBACK:
                if item.state is WaitState.WAITING:
                    position = self._position(item)
                    self._out.append(
                        OfferCallback(
                            item.work_id,
                            item.queue_id,
                            position,
                            self._ewt(item, position),
                        )
                    )
            else:
                self._retarget(item, now)
                if item.work_id not in self._items:
                    return
        self._schedule_overflow(item)

    def _schedule_overflow(self, item: Waiting) -> None:
        steps = self._queues[item.queue_id].config.overflow
        if item.steps_done < len(steps):
            at = item.entered_at + steps[item.steps_done].after_s
            self._timers.schedule(at, TimerKind.OVERFLOW, item.work_id)
        else:
            self._timers.cancel(TimerKind.OVERFLOW, item.work_id)

    def _announce(self, item: Waiting, now: float) -> None:
        config = self._queues[item.queue_id].config
        if item.state is WaitState.WAITING and item.callback_number is None:
            position = self._position(item)
            self._out.append(
                Announce(item.work_id, item.queue_id, position, self._ewt(item, position))
            )
        if config.announce_every_s is not None and item.callback_number is None:
            self._timers.schedule(now + config.announce_every_s, TimerKind.ANNOUNCE, item.work_id)

    def _free_agent_exists(self, item: Waiting) -> bool:
        for target in item.targets:
            group = self._dispatch.group(target.requirement)
            if group is not None and len(self._dispatch.pool(group, target.spec)):
                return True
        return False

    def _position(self, item: Waiting) -> int:
        return self._queues[item.queue_id].line.rank(item.work_id) + 1

    def _ewt(self, item: Waiting, position: int) -> float | None:
        """Queue-length estimate (`ewt.py`) over the agents of the interaction's home target."""
        group = self._dispatch.group(item.targets[0].requirement)
        serving = group.staffed.get(item.channel, 0) if group is not None else 0
        return queue_length_ewt(position, serving, self._queues[item.queue_id].aht.value_s)

    def _observe_handle(self, work: WorkItem, now: float) -> None:
        queue = self._queues.get(work.queue_id)
        if queue is not None and work.connected_at is not None:
            queue.aht.observe(now - work.connected_at)

    # == internals: agents =================================================================

    def _apply(self, agent: Agent, event: AgentEvent, now: float) -> None:
        change = agent.apply(event, now)  # raises before changing anything if illegal
        self._dispatch.reindex(agent)
        self._changed(agent, change, now, None)

    def _sync(self, agent: Agent, now: float, work: WorkItem | None) -> None:
        """After a work item moved: raise the agent event for the new aggregate phase."""
        change = agent.sync_phase(now)
        self._changed(agent, change, now, work)

    def _changed(
        self, agent: Agent, change: StateChange | None, now: float, work: WorkItem | None
    ) -> None:
        if change is None:
            return
        self._emit(
            AgentStateChanged(
                tenant_id=self.tenant_id,
                at=now,
                agent_id=agent.agent_id,
                work_id=work.work_id if work else None,
                state=change.state,
                previous=change.previous,
                reason=change.reason,
                queue_id=work.queue_id if work else None,
                channel=work.channel if work else None,
                previous_duration_s=change.previous_duration_s,
            )
        )
        if change.state is AgentState.LOGGED_OUT:
            for work_id in self._dispatch.sticky_for(agent.agent_id):
                self._unstick(self._items[work_id], now)

    def _route_agent(self, agent: Agent, now: float) -> None:
        """Give a free agent the best waiting interactions it may take, while it has room."""
        while agent.presence is AgentState.AVAILABLE:
            found = self._dispatch.best_item(agent, self._items)
            if found is None:
                return
            item, target = found
            self._offer(item, target, [agent], now)

    def _wrap_ups(self, agent: Agent, work_id: WorkId | None, action: str) -> list[WorkItem]:
        works = [
            w
            for w in agent.work.values()
            if w.phase is WorkPhase.WRAP_UP and (work_id is None or w.work_id == work_id)
        ]
        if not works:
            raise IllegalAgentTransition("agent", agent.state.value, action)
        return works

    def _disposition_missing(self, work: WorkItem) -> bool:
        """The one rule of "wrap-up that means it": the work's queue wants a disposition and
        none was saved."""
        queue = self._queues.get(work.rules_queue)
        return queue is not None and queue.config.disposition_required and not work.dispositioned

    def _overrun(self, agent: Agent, work: WorkItem, now: float) -> None:
        """The wrap-up timer ran out without the disposition its queue requires: the agent
        stays in after-call work, and the overrun is an event (desk, wallboard, reports)."""
        if work.overrun_since is not None:
            return
        work.overrun_since = min(now, work.wrap_up_until or now)  # since the timer ran out
        self._emit(
            AgentWrapUpOverrun(
                tenant_id=self.tenant_id,
                at=now,
                work_id=work.work_id,
                agent_id=agent.agent_id,
                queue_id=work.queue_id,
                due_at=work.wrap_up_until or now,
            )
        )

    def _finish_wrap_up(self, agent: Agent, work: WorkItem, now: float, by_agent: bool) -> None:
        self._timers.cancel(TimerKind.WRAP_UP_END, work.work_id)
        agent.step_work(work.work_id, WorkStep.FINISH, now)
        del self._handling[work.work_id]
        self._settled.append(work.work_id)
        self._observe_handle(work, now)
        self._emit(
            AgentWrapUpEnded(
                tenant_id=self.tenant_id,
                at=now,
                work_id=work.work_id,
                agent_id=agent.agent_id,
                queue_id=work.queue_id,
                channel=work.channel,
                wrap_up_s=now - (work.ended_at or now),
                by_agent=by_agent,
                overrun_s=now - work.overrun_since if work.overrun_since is not None else 0.0,
            )
        )
        self._sync(agent, now, work)
        self._dispatch.reindex(agent)

    # == internals: offers =================================================================

    def _route_item(self, item: Waiting, now: float) -> None:
        if not item.routable:
            return
        found = self._dispatch.best_agents(item)
        if found is not None:
            target, agent_ids = found
            self._offer(item, target, [self._agents[a] for a in agent_ids], now)

    def _offer(self, item: Waiting, target: Target, agents: list[Agent], now: float) -> None:
        if item.sticky_agent is not None:
            self._dispatch.remove_sticky(item, item.sticky_agent)
            self._timers.cancel(TimerKind.STICKY_EXPIRY, item.work_id)
            item.sticky_agent = None
        else:
            self._dispatch.remove_routable(item)
        config = self._queues[item.queue_id].config
        ring_timeout_s = config.ring_timeout_s or self.settings.ring_timeout_s
        item.state, item.via = WaitState.RINGING, target.queue_id
        item.attempts += 1
        for agent in agents:
            item.ringing.add(agent.agent_id)
            work = WorkItem(
                item.work_id,
                item.queue_id,
                item.channel,
                WorkPhase.RINGING,
                now,
                rules_queue_id=item.rules_queue,
            )
            agent.add_work(work)
            self._sync(agent, now, work)
            self._dispatch.reindex(agent)
            self._dispatch.note_offered(target, agent)
            self._emit(
                QueueOffered(
                    tenant_id=self.tenant_id,
                    at=now,
                    work_id=item.work_id,
                    agent_id=agent.agent_id,
                    queue_id=item.queue_id,
                    via_queue_id=target.queue_id,
                    priority=item.priority,
                    wait_s=item.wait_s(now),
                    attempt=item.attempts,
                    ring_timeout_s=ring_timeout_s,
                    callback=item.callback_number is not None,
                )
            )
            if item.callback_number is not None:
                self._out.append(
                    DialCallback(
                        item.work_id,
                        agent.agent_id,
                        item.queue_id,
                        item.callback_number,
                        ring_timeout_s,
                    )
                )
            else:
                self._out.append(
                    Offer(
                        item.work_id,
                        agent.agent_id,
                        item.queue_id,
                        item.channel,
                        ring_timeout_s,
                        item.attempts,
                        item.priority,
                    )
                )
        # a callback also needs time to dial the customer before anyone can "answer"
        dial_s = self.settings.callback_dial_s if item.callback_number is not None else 0.0
        deadline = now + ring_timeout_s + dial_s
        self._timers.schedule(deadline, TimerKind.RING_TIMEOUT, item.work_id)

    def _withdraw(
        self,
        item: Waiting,
        agent: Agent,
        now: float,
        reason: OfferEnd,
        *,
        not_ready: bool,
        cancel: bool = False,
    ) -> None:
        """End one ringing offer without an answer; with `not_ready`, the agent goes not ready
        (`missed` for RONA, else the reason) when the offer's work item is gone."""
        item.ringing.discard(agent.agent_id)
        if reason in _AGENT_FAILURES:
            item.declined_by.add(agent.agent_id)
        if not_ready and agent.presence is not AgentState.LOGGED_OUT:
            # while ringing this only sets the presence the agent returns to
            label = "missed" if reason is OfferEnd.NO_ANSWER else reason.value
            agent.apply(SetNotReady(label), now)
        work = agent.step_work(item.work_id, WorkStep.WITHDRAW, now)
        self._sync(agent, now, work)
        self._dispatch.reindex(agent)
        self._emit(
            QueueOfferFailed(
                tenant_id=self.tenant_id,
                at=now,
                work_id=item.work_id,
                agent_id=agent.agent_id,
                queue_id=item.queue_id,
                reason=reason.value,
                wait_s=item.wait_s(now),
                agent_not_ready=not_ready,
            )
        )
        if cancel:
            self._out.append(CancelOffer(item.work_id, agent.agent_id, reason))

    def _after_offer_failed(self, item: Waiting, now: float) -> None:
        """Once no offer rings any more the interaction is back at its place in line."""
        if item.ringing:
            return
        self._timers.cancel(TimerKind.RING_TIMEOUT, item.work_id)
        item.state, item.via = WaitState.WAITING, None
        if item.max_wait_passed:
            config = self._queues[item.queue_id].config
            self._exit(item, ExitReason.MAX_WAIT, config.when_max_wait, now)
            return
        self._dispatch.add_routable(item)
        self._route_item(item, now)

    # == internals: queue membership =======================================================

    def _spec(self, config: QueueConfig) -> PoolSpec:
        weights = config.weights if config.strategy is Strategy.WEIGHTED else None
        return PoolSpec(config.channel, config.strategy, weights)

    def _target(self, config: QueueConfig, requirement: Requirement) -> Target:
        limit = config.ring_all_limit if config.strategy is Strategy.RING_ALL else 1
        return Target(config.queue_id, requirement, self._spec(config), limit)

    def _targets_for(self, item: Waiting) -> tuple[Target, ...]:
        """Home queue first (its requirement widened by the overflow steps fired so far), then
        the queues `add_queue` steps brought in. Memoised: most interactions share a few."""
        key = (item.queue_id, item.extra, item.steps_done)
        targets = self._targets_memo.get(key)
        if targets is None:
            targets = self._targets_memo[key] = self._compute_targets(*key)
        return targets

    def _compute_targets(
        self, queue_id: QueueId, extra: Requirement, steps_done: int
    ) -> tuple[Target, ...]:
        config = self._queues[queue_id].config
        home, added = widen(
            config.requirement.merged(extra),
            config.overflow[:steps_done],
            self._queue_requirement,
        )
        targets = [self._target(config, home)]
        for queue_id, requirement in added:
            target = self._target(self._queues[queue_id].config, requirement)
            if target not in targets:
                targets.append(target)
        return tuple(targets)

    def _queue_requirement(self, queue_id: QueueId) -> Requirement | None:
        queue = self._queues.get(queue_id)
        return None if queue is None else queue.config.requirement

    def _uses_queue(self, item: Waiting, queue_id: QueueId) -> bool:
        return any(t.queue_id == queue_id for t in item.targets)

    def _retarget(self, item: Waiting, now: float) -> None:
        """Recompute an interaction's targets after a configuration change."""
        routable = item.routable
        if routable:
            self._dispatch.remove_routable(item)
        old = item.targets
        item.targets = self._targets_for(item)
        for target in item.targets:
            self._dispatch.acquire(target.requirement)
        for target in old:
            self._dispatch.release(target.requirement)
        self._schedule_overflow(item)
        if routable:
            self._dispatch.add_routable(item)
            self._route_item(item, now)

    def _forget(self, item: Waiting) -> None:
        """Remove an interaction from every index and timer (answered, abandoned, exited)."""
        if item.routable:
            self._dispatch.remove_routable(item)
        elif item.sticky_agent is not None:
            self._dispatch.remove_sticky(item, item.sticky_agent)
        for kind in _ITEM_TIMERS:
            self._timers.cancel(kind, item.work_id)
        for target in item.targets:
            self._dispatch.release(target.requirement)
        self._queues[item.queue_id].line.discard(item.work_id)
        del self._items[item.work_id]
        self._settled.append(item.work_id)

    def _exit(
        self, item: Waiting, reason: ExitReason, destination: Destination, now: float
    ) -> None:
        self._forget(item)
        self._emit(
            QueueExited(
                tenant_id=self.tenant_id,
                at=now,
                work_id=item.work_id,
                queue_id=item.queue_id,
                reason=reason.value,
                destination=str(destination),
                wait_s=item.wait_s(now),
            )
        )
        self._out.append(Exited(item.work_id, item.queue_id, reason, destination))

    def _reject(
        self,
        work_id: WorkId,
        config: QueueConfig,
        priority: int,
        reason: RejectReason,
        now: float,
    ) -> list[Decision]:
        destination = config.when_closed if reason is RejectReason.CLOSED else config.when_full
        self._emit(
            QueueRejected(
                tenant_id=self.tenant_id,
                at=now,
                work_id=work_id,
                queue_id=config.queue_id,
                channel=config.channel,
                priority=priority,
                reason=reason.value,
                destination=str(destination),
            )
        )
        self._out.append(Rejected(work_id, config.queue_id, reason, destination))
        return self._flush()

    # == internals: sticky agent ===========================================================

    def _sticky_agent(
        self, item: Waiting, config: QueueConfig, preferred: AgentId | None, now: float
    ) -> Agent | None:
        if config.sticky_wait_s <= 0:
            return None
        if preferred is None and item.customer_id is not None:
            remembered = self._last_agent.get(item.customer_id)
            if remembered is not None and now - remembered[1] <= self.settings.sticky_memory_s:
                preferred = remembered[0]
        agent = self._agents.get(preferred) if preferred is not None else None
        if agent is None or agent.state is AgentState.LOGGED_OUT:
            return None
        group = self._dispatch.group(item.targets[0].requirement)
        if group is None or agent.agent_id not in group.members:
            return None
        return agent

    def _unstick(self, item: Waiting, now: float) -> None:
        assert item.sticky_agent is not None
        self._dispatch.remove_sticky(item, item.sticky_agent)
        self._timers.cancel(TimerKind.STICKY_EXPIRY, item.work_id)
        item.sticky_agent = None
        self._dispatch.add_routable(item)
        self._route_item(item, now)

    def _remember_agent(
        self, customer_id: CustomerId | None, agent_id: AgentId, now: float
    ) -> None:
        if customer_id is None:
            return
        self._last_agent[customer_id] = (agent_id, now)
        self._last_agent.move_to_end(customer_id)
        while len(self._last_agent) > self.settings.sticky_memory_size:
            self._last_agent.popitem(last=False)

    # == internals: hours, day, bookkeeping ================================================

    def _schedule_hours(self, config: QueueConfig, now: float) -> None:
        change = config.hours.next_change(now) if config.hours is not None else None
        if change is None:
            self._timers.cancel(TimerKind.HOURS, config.queue_id)
        else:
            self._timers.schedule(change, TimerKind.HOURS, config.queue_id)

    def _hours_changed(self, queue_id: QueueId, now: float) -> None:
        queue = self._queues.get(queue_id)
        if queue is None:
            return
        config = queue.config
        self._schedule_hours(config, now)
        if config.hours is None or config.hours.is_open(now) or not config.flush_when_closed:
            return
        for work_id in list(queue.line):
            item = self._items[work_id]
            if item.state is WaitState.WAITING:
                self._exit(item, ExitReason.CLOSED, config.when_closed, now)

    def _roll_day(self, now: float) -> None:
        """A new day for the tenant: "handled today" restarts from zero."""
        for agent in self._agents.values():
            if agent.handled:
                agent.handled = 0
                self._dispatch.reindex(agent)
        self._schedule_day(now)
