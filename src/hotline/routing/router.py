"""The ACD router: the single source of truth for agent state and queues (DESIGN §10).

Sans-I/O: every operation takes `now` (epoch seconds) and returns the decisions the caller must
carry out (`decisions.py`); every state change is also emitted as a domain event (`events.py`)
to the `EventSink`. Timers (ring timeout, wrap-up, max wait, …) are the router's own: the adapter
asks `next_timer()` and calls `on_timer(now)` when it comes. One router serves one tenant.

Matching: an interaction arriving takes the best *free agent* by its queue's strategy; an agent
freeing up takes the best *waiting interaction* by priority and age. Both are index look-ups
(`dispatch.py`), so a decision costs the same with 100 or 10,000 agents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from hotline.ids import AgentId, CustomerId, InteractionId, QueueId, WorkId
from hotline.routing.agent_state import (
    AgentState,
    LogIn,
    LogInReady,
    LogOut,
    SetNotReady,
    SetReady,
    WorkPhase,
    WorkStep,
)
from hotline.routing.agents import Agent, AgentProfile
from hotline.routing.capacity import Channel
from hotline.routing.core import QueueRuntime, RouterSettings
from hotline.routing.decisions import (
    Decision,
    OfferEnd,
    RejectReason,
)
from hotline.routing.errors import (
    AgentLoggedIn,
    CallbackRefused,
    DispositionMissing,
    DuplicateInteraction,
    InvalidRoutingInput,
    NotWaiting,
    OfferNotPending,
    QueueNotEmpty,
    UnknownInteraction,
)
from hotline.routing.events import (
    AgentInteractionEnded,
    AgentWrapUpEnded,
    AgentWrapUpExtended,
    QueueAbandoned,
    QueueAnswered,
    QueueCallbackFailed,
    QueueCallbackRequested,
    QueueEntered,
    QueueExited,
)
from hotline.routing.ewt import HandleTimeAverage
from hotline.routing.ordered import SortedMembers
from hotline.routing.personal import PersonalLines, personal_skill, with_personal_skill
from hotline.routing.queues import QueueConfig
from hotline.routing.reconcile import Reconciling
from hotline.routing.skills import Requirement
from hotline.routing.snapshots import (
    AgentSnapshot,
    QueueSnapshot,
    WaitingSnapshot,
    WorkSnapshot,
)
from hotline.routing.timers import TimerKind
from hotline.routing.waiting import Waiting, WaitState

__all__ = ["Router", "RouterSettings"]

LOGGED_OUT, NOT_READY = AgentState.LOGGED_OUT, AgentState.NOT_READY
_NO_EXTRA = Requirement()


__all__ = ["Router", "RouterSettings"]

LOGGED_OUT, NOT_READY = AgentState.LOGGED_OUT, AgentState.NOT_READY
_NO_EXTRA = Requirement()


class Router(PersonalLines, Reconciling):
    """One tenant's ACD. See `docs/routing.md` for the contract with call control."""

    # == configuration =====================================================================

    def configure_queue(self, config: QueueConfig, *, now: float) -> list[Decision]:
        """Install or replace a queue. Waiting interactions follow the new rules at once."""
        self._begin(now)
        self._targets_memo.clear()
        queue = self._queues.get(config.queue_id)
        if queue is None:
            aht = HandleTimeAverage(config.expected_aht_s, self.settings.aht_smoothing)
            self._queues[config.queue_id] = QueueRuntime(config, SortedMembers(), aht)
        group = self._dispatch.acquire(config.requirement)
        self._dispatch.pool(group, self._spec(config))
        if queue is not None:
            self._dispatch.release(queue.config.requirement)
            queue.config = config
        self._schedule_hours(config, now)
        if queue is not None:
            for item in [i for i in self._items.values() if self._uses_queue(i, config.queue_id)]:
                self._retarget(item, now)
        return self._flush()

    def remove_queue(self, queue_id: QueueId, *, now: float) -> list[Decision]:
        self._begin(now)
        queue = self._queue(queue_id)
        if queue.line:
            raise QueueNotEmpty(queue_id, len(queue.line))
        del self._queues[queue_id]
        self._targets_memo.clear()
        self._dispatch.release(queue.config.requirement)
        self._timers.cancel(TimerKind.HOURS, queue_id)
        for item in [i for i in self._items.values() if self._uses_queue(i, queue_id)]:
            self._retarget(item, now)
        return self._flush()

    def configure_agent(self, profile: AgentProfile, *, now: float) -> list[Decision]:
        """Add an agent (logged out) or change its skills, teams or capacity."""
        self._begin(now)
        profile = with_personal_skill(profile)
        agent = self._agents.get(profile.agent_id)
        if agent is None:
            agent = Agent(profile=profile, ordinal=self._next_ordinal, since=now, idle_since=now)
            self._next_ordinal += 1
            self._agents[profile.agent_id] = agent
            self._dispatch.add_agent(agent)
            self._dispatch.index_in(agent)
        else:
            self._dispatch.index_out(agent)
            agent.profile = profile
            self._dispatch.add_agent(agent)
            self._dispatch.index_in(agent)
            self._route_agent(agent, now)
        return self._flush()

    def remove_agent(self, agent_id: AgentId, *, now: float) -> list[Decision]:
        self._begin(now)
        agent = self._agent(agent_id)
        if agent.state is not AgentState.LOGGED_OUT:
            raise AgentLoggedIn(agent_id)
        self._dispatch.index_out(agent)
        self._dispatch.remove_agent(agent_id)
        del self._agents[agent_id]
        return self._flush()

    # == agent operations ==================================================================

    def login(self, agent_id: AgentId, *, now: float, ready: bool = False) -> list[Decision]:
        """签入: into not ready (reason "login"), or straight into available with `ready`."""
        self._begin(now)
        agent = self._agent(agent_id)
        self._apply(agent, LogInReady() if ready else LogIn(), now)
        self._route_agent(agent, now)
        return self._flush()

    def set_available(self, agent_id: AgentId, *, now: float) -> list[Decision]:
        """示闲. While working: be available again once the work is done — refused
        (`DispositionMissing`) while after-call work still owes a required disposition."""
        self._begin(now)
        agent = self._agent(agent_id)
        self._check_dispositions(agent, None)
        self._apply(agent, SetReady(), now)
        self._route_agent(agent, now)
        return self._flush()

    def set_not_ready(self, agent_id: AgentId, reason: str, *, now: float) -> list[Decision]:
        """示忙 with a reason. While working it starts when the work is done."""
        self._begin(now)
        self._apply(self._agent(agent_id), SetNotReady(reason), now)
        return self._flush()

    def logout(self, agent_id: AgentId, *, now: float) -> list[Decision]:
        """签出. While working it happens when the work is done."""
        self._begin(now)
        self._apply(self._agent(agent_id), LogOut(), now)
        return self._flush()

    def interaction_ended(self, work_id: WorkId, *, now: float) -> list[Decision]:
        """The answered interaction ended (hang-up, chat closed): after-call work starts."""
        self._begin(now)
        agent_id = self._handling.get(work_id)
        if agent_id is None:
            raise UnknownInteraction(work_id, "connected to an agent")
        agent = self._agents[agent_id]
        work = agent.work[work_id]
        if work.phase is not WorkPhase.CONNECTED:
            raise NotWaiting(f"interaction {work_id!r} already ended")
        wrap_up_s = self._wrap_up_s(work.rules_queue)
        self._emit(
            AgentInteractionEnded(
                tenant_id=self.tenant_id,
                at=now,
                work_id=work_id,
                agent_id=agent_id,
                queue_id=work.queue_id,
                channel=work.channel,
                talk_s=now - (work.connected_at or now),
                wrap_up_ends_at=now + wrap_up_s if wrap_up_s > 0 else None,
            )
        )
        if wrap_up_s > 0:
            agent.step_work(work_id, WorkStep.END, now)
            work.ended_at, work.wrap_up_until = now, now + wrap_up_s
            self._timers.schedule(now + wrap_up_s, TimerKind.WRAP_UP_END, work_id)
        else:
            agent.step_work(work_id, WorkStep.FINISH, now)
            del self._handling[work_id]
            self._settled.append(work_id)
            self._observe_handle(work, now)
            # every handled interaction ends with exactly one wrap_up_ended, even a zero one,
            # so reports know its handle time is complete
            self._emit(
                AgentWrapUpEnded(
                    tenant_id=self.tenant_id,
                    at=now,
                    work_id=work_id,
                    agent_id=agent_id,
                    queue_id=work.queue_id,
                    channel=work.channel,
                    wrap_up_s=0.0,
                    by_agent=False,
                )
            )
        self._sync(agent, now, work)
        self._dispatch.reindex(agent)
        self._route_agent(agent, now)
        return self._flush()

    def end_wrap_up(
        self, agent_id: AgentId, *, now: float, work_id: WorkId | None = None
    ) -> list[Decision]:
        """The agent finished after-call work (all of it, or that of one work item); refused
        (`DispositionMissing`) when its queue requires a disposition not yet saved."""
        self._begin(now)
        agent = self._agent(agent_id)
        works = self._wrap_ups(agent, work_id, "EndWrapUp")
        self._check_dispositions(agent, work_id)
        for work in works:
            self._finish_wrap_up(agent, work, now, by_agent=True)
        self._route_agent(agent, now)
        return self._flush()

    def record_disposition(
        self, agent_id: AgentId, work_id: WorkId, *, now: float
    ) -> list[Decision]:
        """The agent saved the disposition of `work_id` (during the call or after it). If the
        wrap-up timer already ran out waiting for it, after-call work ends now."""
        self._begin(now)
        agent = self._agent(agent_id)
        work = agent.work.get(work_id)
        if work is None or work.phase is WorkPhase.RINGING:
            return self._flush()  # a disposition after the work was done changes nothing here
        work.dispositioned = True
        if work.phase is WorkPhase.WRAP_UP and work.overrun_since is not None:
            self._finish_wrap_up(agent, work, now, by_agent=True)
            self._route_agent(agent, now)
        return self._flush()

    def _check_dispositions(self, agent: Agent, work_id: WorkId | None) -> None:
        for work in agent.work.values():
            if work.phase is not WorkPhase.WRAP_UP or (work_id and work.work_id != work_id):
                continue
            if self._disposition_missing(work):
                raise DispositionMissing(agent.agent_id, work.work_id, work.rules_queue)

    def extend_wrap_up(
        self,
        agent_id: AgentId,
        seconds: float,
        *,
        now: float,
        work_id: WorkId | None = None,
    ) -> list[Decision]:
        """Give the agent `seconds` more after-call work than the queue's timer allows."""
        self._begin(now)
        if not seconds > 0:
            raise InvalidRoutingInput(
                f"a wrap-up extension must be > 0 seconds, not {seconds}", field="seconds"
            )
        agent = self._agent(agent_id)
        for work in self._wrap_ups(agent, work_id, "ExtendWrapUp"):
            work.wrap_up_until = (work.wrap_up_until or now) + seconds
            self._timers.schedule(work.wrap_up_until, TimerKind.WRAP_UP_END, work.work_id)
            self._emit(
                AgentWrapUpExtended(
                    tenant_id=self.tenant_id,
                    at=now,
                    work_id=work.work_id,
                    agent_id=agent_id,
                    queue_id=work.queue_id,
                    extended_by_s=seconds,
                    ends_at=work.wrap_up_until,
                )
            )
        return self._flush()

    def agent_unreachable(
        self, agent_id: AgentId, *, now: float, reason: str = "unreachable"
    ) -> list[Decision]:
        """The agent's phone or browser cannot be reached: not ready, offers withdrawn."""
        self._begin(now)
        agent = self._agent(agent_id)
        if agent.state is AgentState.LOGGED_OUT:
            return self._flush()
        self._apply(agent, SetNotReady(reason), now)  # while ringing it only sets the presence
        ringing = [w for w in agent.work.values() if w.phase is WorkPhase.RINGING]
        for work in ringing:
            item = self._items[work.work_id]
            self._withdraw(item, agent, now, OfferEnd.UNREACHABLE, not_ready=True, cancel=True)
            self._after_offer_failed(item, now)
        return self._flush()

    # == interactions ======================================================================

    def enqueue(
        self,
        work_id: WorkId,
        queue_id: QueueId,
        *,
        now: float,
        priority: int = 0,
        skills: Mapping[str, int] | Iterable[str] = (),
        customer_id: CustomerId | None = None,
        preferred_agent: AgentId | None = None,
        contact_id: InteractionId | None = None,
        exclude: Iterable[AgentId] = (),
        target_agent: AgentId | None = None,
        rules_queue: QueueId | None = None,
    ) -> list[Decision]:
        """Put a work item in line (a queue node, a transfer, a consult). `skills` add to the
        queue's; `priority` earns virtual waiting credit (see `queues`); `preferred_agent` (else
        the customer's last agent) is waited for up to the queue's `sticky_wait_s`.
        `contact_id` is the customer contact the work belongs to (stamped on every event about
        it; default: the work id itself); agents in `exclude` are never offered it (the agent
        who transferred it). Use `route_to_agent` for one named agent."""
        self._begin(now)
        queue = self._queue(queue_id)
        config = queue.config
        if work_id in self._items or work_id in self._handling:
            raise DuplicateInteraction(work_id)
        self._contact_of[work_id] = contact_id or InteractionId(work_id)
        self._settled.append(work_id)
        extra = Requirement.of(skills) if skills else _NO_EXTRA
        if target_agent is not None:
            extra = extra.merged(Requirement.of({personal_skill(target_agent): 1}))
        if config.hours is not None and not config.hours.is_open(now):
            return self._reject(work_id, config, priority, RejectReason.CLOSED, now)
        if config.max_length is not None and len(queue.line) >= config.max_length:
            return self._reject(work_id, config, priority, RejectReason.FULL, now)
        self._seq += 1
        item = Waiting(
            work_id=work_id,
            queue_id=queue_id,
            channel=config.channel,
            priority=priority,
            entered_at=now,
            key=(config.virtual_arrival(now, priority), self._seq),
            extra=extra,
            customer_id=customer_id,
            declined_by=set(exclude),
            rules_queue=rules_queue,
        )
        item.targets = self._targets_for(item)
        for target in item.targets:
            self._dispatch.acquire(target.requirement)
        self._items[work_id] = item
        queue.line.add(work_id, item.key)
        position = queue.line.rank(work_id) + 1
        ewt_s = 0.0 if self._free_agent_exists(item) else self._ewt(item, position)
        self._emit(
            QueueEntered(
                tenant_id=self.tenant_id,
                at=now,
                work_id=work_id,
                queue_id=queue_id,
                channel=config.channel,
                priority=priority,
                skills=item.targets[0].requirement.labels(),
                customer_id=customer_id,
                target_agent_id=target_agent,
                excluded_agents=tuple(sorted(exclude)),
                position=position,
                ewt_s=ewt_s,
            )
        )
        if config.max_wait_s is not None:
            self._timers.schedule(now + config.max_wait_s, TimerKind.MAX_WAIT, work_id)
        self._schedule_overflow(item)
        sticky = self._sticky_agent(item, config, preferred_agent, now)
        if sticky is not None and sticky.free_slots(item.channel):
            self._offer(item, item.targets[0], [sticky], now)
        elif sticky is not None:
            item.sticky_agent = sticky.agent_id
            self._dispatch.add_sticky(item, sticky.agent_id)
            expiry = now + config.sticky_wait_s
            self._timers.schedule(expiry, TimerKind.STICKY_EXPIRY, work_id)
        else:
            self._dispatch.add_routable(item)
            self._route_item(item, now)
        first = config.announce_first_s
        if first is not None and work_id in self._items:
            if first == 0:
                self._announce(item, now)
            else:
                self._timers.schedule(now + first, TimerKind.ANNOUNCE, work_id)
        return self._flush()

    def abandon(self, work_id: WorkId, *, now: float) -> list[Decision]:
        """The caller left the queue (hung up, closed the chat) before any answer."""
        self._begin(now)
        item = self._items.get(work_id)
        if item is None:
            raise UnknownInteraction(work_id, "waiting in a queue")
        queue = self._queues[item.queue_id]
        position = queue.line.rank(work_id) + 1
        was_ringing = item.state is WaitState.RINGING
        freed = [self._agents[a] for a in item.ringing]
        for agent in freed:
            self._withdraw(item, agent, now, OfferEnd.CALLER_GONE, not_ready=False, cancel=True)
        self._forget(item)
        self._emit(
            QueueAbandoned(
                tenant_id=self.tenant_id,
                at=now,
                work_id=work_id,
                queue_id=item.queue_id,
                channel=item.channel,
                priority=item.priority,
                wait_s=item.wait_s(now),
                sl_threshold_s=queue.config.sl.threshold_s,
                position=position,
                while_ringing=was_ringing,
            )
        )
        for agent in freed:
            self._route_agent(agent, now)
        return self._flush()

    def offer_answered(self, work_id: WorkId, agent_id: AgentId, *, now: float) -> list[Decision]:
        """The agent answered (or the callback connected): the interaction leaves the queue."""
        self._begin(now)
        item = self._items.get(work_id)
        if item is None or agent_id not in item.ringing:
            raise OfferNotPending(work_id, agent_id)
        agent = self._agents[agent_id]
        for other in [self._agents[a] for a in item.ringing if a != agent_id]:
            self._withdraw(
                item, other, now, OfferEnd.ANSWERED_ELSEWHERE, not_ready=False, cancel=True
            )
            self._route_agent(other, now)
        item.ringing.clear()
        work = agent.step_work(work_id, WorkStep.ANSWER, now)
        work.connected_at = now
        agent.handled += 1
        self._sync(agent, now, work)
        self._dispatch.reindex(agent)
        queue = self._queues[item.queue_id]
        self._forget(item)
        self._handling[work_id] = agent_id
        self._emit(
            QueueAnswered(
                tenant_id=self.tenant_id,
                at=now,
                work_id=work_id,
                agent_id=agent_id,
                queue_id=item.queue_id,
                via_queue_id=item.via or item.queue_id,
                channel=item.channel,
                priority=item.priority,
                wait_s=item.wait_s(now),
                sl_threshold_s=queue.config.sl.threshold_s,
                callback=item.callback_number is not None,
            )
        )
        self._remember_agent(item.customer_id, agent_id, now)
        self._route_agent(agent, now)
        return self._flush()

    def offer_rejected(
        self,
        work_id: WorkId,
        agent_id: AgentId,
        *,
        now: float,
        reason: OfferEnd = OfferEnd.REJECTED,
    ) -> list[Decision]:
        """The offer failed at the agent's end (declined, busy here, no answer reported by the
        phone). The interaction keeps its place and is not offered to this agent again."""
        self._begin(now)
        item = self._items.get(work_id)
        if item is None or agent_id not in item.ringing:
            raise OfferNotPending(work_id, agent_id)
        agent = self._agents[agent_id]
        not_ready = self._queues[item.queue_id].config.rona_not_ready
        self._withdraw(item, agent, now, reason, not_ready=not_ready)
        self._after_offer_failed(item, now)
        self._route_agent(agent, now)
        return self._flush()

    def request_callback(self, work_id: WorkId, number: str, *, now: float) -> list[Decision]:
        """The caller asked to be called back at `number` and hangs up: the interaction keeps
        its place in line and yields `DialCallback` when it reaches an agent."""
        self._begin(now)
        item = self._items.get(work_id)
        if item is None:
            raise UnknownInteraction(work_id, "waiting in a queue")
        config = self._queues[item.queue_id].config
        if not config.callbacks:
            raise CallbackRefused(f"queue {item.queue_id!r} does not offer callbacks")
        if item.state is not WaitState.WAITING or item.callback_number is not None:
            raise CallbackRefused(f"interaction {work_id!r} is ringing or already a callback")
        if not number:
            raise InvalidRoutingInput("a callback needs a number", field="number")
        item.callback_number = number
        # the caller is off the line: nothing to announce, no max wait to enforce
        self._timers.cancel(TimerKind.ANNOUNCE, work_id)
        self._timers.cancel(TimerKind.MAX_WAIT, work_id)
        self._emit(
            QueueCallbackRequested(
                tenant_id=self.tenant_id,
                at=now,
                work_id=work_id,
                queue_id=item.queue_id,
                wait_s=item.wait_s(now),
                number=number,
            )
        )
        return self._flush()

    def callback_failed(
        self, work_id: WorkId, *, now: float, reason: str = "no_answer"
    ) -> list[Decision]:
        """The customer could not be reached for a `DialCallback`: the agent is freed and the
        callback leaves the queue (`queue.callback_failed`)."""
        self._begin(now)
        item = self._items.get(work_id)
        if item is None or item.callback_number is None or not item.ringing:
            raise UnknownInteraction(work_id, "a callback being dialled")
        agents = [self._agents[a] for a in item.ringing]
        for agent in agents:
            self._withdraw(item, agent, now, OfferEnd.WITHDRAWN, not_ready=False)
        self._forget(item)
        self._emit(
            QueueCallbackFailed(
                tenant_id=self.tenant_id,
                at=now,
                work_id=work_id,
                queue_id=item.queue_id,
                wait_s=item.wait_s(now),
                reason=reason,
            )
        )
        for agent in agents:
            self._route_agent(agent, now)
        return self._flush()

    def remove(self, work_id: WorkId, *, now: float, reason: str = "removed") -> list[Decision]:
        """Take an interaction out of its queue for a reason other than the caller leaving
        (a supervisor moved it, the customer reached us another way). Ringing offers stop."""
        self._begin(now)
        item = self._items.get(work_id)
        if item is None:
            raise UnknownInteraction(work_id, "waiting in a queue")
        agents = [self._agents[a] for a in item.ringing]
        for agent in agents:
            self._withdraw(item, agent, now, OfferEnd.WITHDRAWN, not_ready=False, cancel=True)
        self._forget(item)
        self._emit(
            QueueExited(
                tenant_id=self.tenant_id,
                at=now,
                work_id=work_id,
                queue_id=item.queue_id,
                reason=reason,
                destination="caller",
                wait_s=item.wait_s(now),
            )
        )
        for agent in agents:
            self._route_agent(agent, now)
        return self._flush()

    # == timers ============================================================================

    def next_timer(self) -> float | None:
        """When `on_timer` must next be called (epoch seconds), or `None`."""
        return self._timers.next_at()

    def on_timer(self, *, now: float) -> list[Decision]:
        """Fire every timer due at `now`, in deadline order."""
        self._begin(now)
        for _, kind, subject in self._timers.pop_due(now):
            self._fire(kind, subject, now)
        return self._flush()

    # == queries ===========================================================================

    def agent_snapshot(self, agent_id: AgentId, *, now: float) -> AgentSnapshot:
        """One agent for the desktop or wallboard: state, since when, the work it holds."""
        agent = self._agent(agent_id)
        return AgentSnapshot(
            agent_id=agent.agent_id,
            state=agent.state,
            reason=agent.reason,
            since=agent.since,
            presence=agent.presence,
            presence_reason=agent.presence_reason,
            work=tuple(
                WorkSnapshot(w.work_id, w.queue_id, w.channel, w.phase, w.since, w.wrap_up_until)
                for w in agent.work.values()
            ),
            handled_today=agent.handled,
            idle_since=agent.idle_since,
        )

    def waiting_snapshot(self, work_id: WorkId, *, now: float) -> WaitingSnapshot:
        """Where a waiting interaction stands: position, wait so far, estimated wait."""
        item = self._items.get(work_id)
        if item is None:
            raise UnknownInteraction(work_id, "waiting in a queue")
        position = self._position(item)
        return WaitingSnapshot(
            work_id=work_id,
            queue_id=item.queue_id,
            position=position,
            wait_s=item.wait_s(now),
            ewt_s=self._ewt(item, position),
            priority=item.priority,
            ringing=item.state is WaitState.RINGING,
            callback=item.callback_number is not None,
        )

    def queue_snapshot(self, queue_id: QueueId, *, now: float) -> QueueSnapshot:
        """One queue for the wallboard: who waits, for how long, and the agents who serve it.

        Costs O(waiting) for the counts; call it per refresh, not per decision.
        """
        queue = self._queue(queue_id)
        config = queue.config
        items = [self._items[i] for i in queue.line]
        group = self._dispatch.group(config.requirement)
        states = {s: n for s, n in group.states.items() if n} if group is not None else {}
        staffed = sum(n for s, n in states.items() if s not in (LOGGED_OUT, NOT_READY))
        return QueueSnapshot(
            queue_id=queue_id,
            at=now,
            open=config.hours is None or config.hours.is_open(now),
            waiting=len(items),
            ringing=sum(1 for i in items if i.state is WaitState.RINGING),
            callbacks=sum(1 for i in items if i.callback_number is not None),
            longest_wait_s=max((i.wait_s(now) for i in items), default=0.0),
            agents=MappingProxyType(states),
            staffed=staffed,
            aht_s=queue.aht.value_s,
            sl_target=config.sl.fraction,
            sl_threshold_s=config.sl.threshold_s,
        )

    def agent_ids(self) -> list[AgentId]:
        return list(self._agents)

    def queue_ids(self) -> list[QueueId]:
        return list(self._queues)

    def queue_ids_of(self, channel: Channel) -> list[QueueId]:
        """The queues whose work is of `channel` (where a new chat may go)."""
        return [q for q, queue in self._queues.items() if queue.config.channel is channel]
