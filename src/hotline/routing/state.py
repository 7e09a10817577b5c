"""The router's state and bookkeeping: its settings, queues, agents, waiting work items and
timers, the decisions an operation collects and the events it emits (each stamped with the
contact its work item belongs to). `RoutingCore` (core.py) builds the moves on it.
"""

from __future__ import annotations

import dataclasses
import random
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from hotline.events import DomainEvent, EventSink
from hotline.ids import AgentId, CustomerId, InteractionId, QueueId, TenantId, WorkId
from hotline.routing.agents import Agent
from hotline.routing.decisions import Decision
from hotline.routing.dispatch import Dispatcher
from hotline.routing.errors import UnknownAgent, UnknownQueue
from hotline.routing.ewt import HandleTimeAverage
from hotline.routing.ordered import SortedMembers
from hotline.routing.queues import QueueConfig
from hotline.routing.skills import Requirement
from hotline.routing.timers import TimerKind, Timers
from hotline.routing.waiting import Target, Waiting

__all__ = ["QueueRuntime", "RouterSettings", "RouterState"]


@dataclass(frozen=True, slots=True)
class RouterSettings:
    """Defaults for queues that leave a field unset, and the router's own limits."""

    ring_timeout_s: float = 15.0
    wrap_up_s: float = 30.0
    sticky_memory_s: float = 7 * 86_400.0  # remember a customer's last agent this long
    sticky_memory_size: int = 100_000
    callback_dial_s: float = 60.0  # extra time a DialCallback has to reach the customer
    aht_smoothing: float = 0.05  # weight of each new handle time in a queue's EWT average
    tz: tzinfo = UTC  # the tenant's day, for "handled today"


@dataclass(slots=True, eq=False)
class QueueRuntime:
    config: QueueConfig
    line: SortedMembers[WorkId]
    aht: HandleTimeAverage


class RouterState:
    """What one tenant's router holds, and the bookkeeping every operation shares."""

    def __init__(
        self,
        tenant_id: TenantId,
        sink: EventSink,
        *,
        settings: RouterSettings | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.tenant_id = tenant_id
        self.settings = settings or RouterSettings()
        self._sink = sink
        self._rng = rng or random.Random()
        self._agents: dict[AgentId, Agent] = {}
        self._queues: dict[QueueId, QueueRuntime] = {}
        self._items: dict[WorkId, Waiting] = {}  # in a queue: waiting or ringing
        self._handling: dict[WorkId, AgentId] = {}  # answered, until wrap-up ends
        # the contact each live work item belongs to, stamped on every event about it
        self._contact_of: dict[WorkId, InteractionId] = {}
        self._settled: list[WorkId] = []  # work items that may have just left the router
        self._dispatch = Dispatcher(self._agents, self._rng)
        self._timers = Timers()
        self._last_agent: OrderedDict[CustomerId, tuple[AgentId, float]] = OrderedDict()
        self._seq = 0
        self._next_ordinal = 0
        self._day_ends_at: float | None = None
        self._out: list[Decision] = []
        # (queue, own skills, overflow steps fired) → targets; cleared when queues change
        self._targets_memo: dict[tuple[QueueId, Requirement, int], tuple[Target, ...]] = {}

    def _schedule_day(self, now: float) -> None:
        tz = self.settings.tz
        today = datetime.fromtimestamp(now, tz).date()
        midnight = datetime.combine(today + timedelta(days=1), time(0), tz).timestamp()
        self._day_ends_at = midnight
        self._timers.schedule(midnight, TimerKind.DAY_ROLLOVER, "")

    def _begin(self, now: float) -> None:
        self._out = []
        if self._day_ends_at is None:
            self._schedule_day(now)

    def _flush(self) -> list[Decision]:
        for work_id in self._settled:
            if work_id not in self._items and work_id not in self._handling:
                self._contact_of.pop(work_id, None)
        self._settled.clear()
        out, self._out = self._out, []
        return out

    def _emit(self, event: DomainEvent) -> None:
        """Emit with the envelope naming the contact (ADR 0061): a work item's events carry its
        `work_id` in the payload and its contact as `interaction_id`."""
        work_id = getattr(event, "work_id", None)
        if work_id is not None and event.interaction_id is None:
            contact = self._contact_of.get(WorkId(work_id), InteractionId(work_id))
            event = dataclasses.replace(event, interaction_id=contact)
        self._sink.emit(event)

    def contact_of(self, work_id: WorkId) -> InteractionId:
        """The contact a live work item belongs to (the work id itself if none was given)."""
        return self._contact_of.get(work_id, InteractionId(work_id))

    def _agent(self, agent_id: AgentId) -> Agent:
        agent = self._agents.get(agent_id)
        if agent is None:
            raise UnknownAgent(agent_id)
        return agent

    def _queue(self, queue_id: QueueId) -> QueueRuntime:
        queue = self._queues.get(queue_id)
        if queue is None:
            raise UnknownQueue(queue_id)
        return queue

    def _wrap_up_s(self, queue_id: QueueId) -> float:
        """The after-call work time of a queue's work (a personal line's: its rules queue's)."""
        queue = self._queues.get(queue_id)
        if queue is None or queue.config.wrap_up_s is None:
            return self.settings.wrap_up_s
        return queue.config.wrap_up_s
