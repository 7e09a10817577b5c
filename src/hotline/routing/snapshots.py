"""Read-only views of the router for the wallboard, the agent desktop and restarts.

`QueueSnapshot` and `AgentSnapshot` are what `Router.queue_snapshot` / `agent_snapshot` return
(point-in-time copies, safe to hand to another task). `ReconcileSnapshot` goes the other way:
the facts call control gathers after a restart (registered phones, live interactions, callers
still waiting) from which `Router.reconcile` rebuilds its state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hotline.ids import AgentId, CustomerId, QueueId, WorkId
from hotline.routing.agent_state import AgentState, WorkPhase
from hotline.routing.capacity import Channel

__all__ = [
    "AgentFacts",
    "AgentSnapshot",
    "LiveWork",
    "QueueSnapshot",
    "ReconcileSnapshot",
    "WaitingFacts",
    "WaitingSnapshot",
    "WorkSnapshot",
]


@dataclass(frozen=True, slots=True)
class WorkSnapshot:
    work_id: WorkId
    queue_id: QueueId
    channel: Channel
    phase: WorkPhase
    since: float
    wrap_up_until: float | None = None


@dataclass(frozen=True, slots=True)
class AgentSnapshot:
    agent_id: AgentId
    state: AgentState
    reason: str | None
    since: float
    presence: AgentState  # what the agent returns to when its work is done
    presence_reason: str | None
    work: tuple[WorkSnapshot, ...]
    handled_today: int
    idle_since: float

    @property
    def current_interaction(self) -> WorkId | None:
        """The interaction shown on the desktop: connected first, then ringing, then wrap-up."""
        order = {WorkPhase.CONNECTED: 0, WorkPhase.RINGING: 1, WorkPhase.WRAP_UP: 2}
        ranked = sorted(self.work, key=lambda w: (order[w.phase], w.since))
        return ranked[0].work_id if ranked else None


@dataclass(frozen=True, slots=True)
class WaitingSnapshot:
    work_id: WorkId
    queue_id: QueueId
    position: int  # 1-based, in its queue
    wait_s: float
    ewt_s: float | None
    priority: int
    ringing: bool
    callback: bool


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    queue_id: QueueId
    at: float
    open: bool
    waiting: int  # in line, including ringing and callbacks kept in line
    ringing: int
    callbacks: int
    longest_wait_s: float
    agents: Mapping[AgentState, int]  # agents meeting the queue's requirement, by state
    staffed: int  # of those, logged in and not in not-ready
    aht_s: float  # the handle time EWT uses
    sl_target: float
    sl_threshold_s: float


@dataclass(frozen=True, slots=True)
class LiveWork:
    """An interaction an agent is connected to, or wrapping up, at reconcile time."""

    work_id: WorkId
    queue_id: QueueId
    channel: Channel
    phase: WorkPhase  # CONNECTED or WRAP_UP
    since: float  # when it connected (or when wrap-up began)


@dataclass(frozen=True, slots=True)
class AgentFacts:
    agent_id: AgentId
    presence: AgentState  # LOGGED_OUT, AVAILABLE or NOT_READY, from the log
    reason: str | None = None
    reachable: bool = True  # phone registered / browser session open
    work: tuple[LiveWork, ...] = ()
    handled_today: int = 0


@dataclass(frozen=True, slots=True)
class WaitingFacts:
    work_id: WorkId
    queue_id: QueueId
    entered_at: float
    priority: int = 0
    skills: tuple[str, ...] = ()
    customer_id: CustomerId | None = None
    callback_number: str | None = None


@dataclass(frozen=True, slots=True)
class ReconcileSnapshot:
    """The whole truth: agents not listed are logged out, interactions not listed are gone."""

    agents: tuple[AgentFacts, ...] = ()
    waiting: tuple[WaitingFacts, ...] = ()
