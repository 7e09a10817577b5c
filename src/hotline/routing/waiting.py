"""An interaction waiting in a queue, as the router keeps it until an agent answers.

Its place in line is `key = (virtual arrival, sequence)`, fixed at entry (see `queues`), so it
keeps its place through an unanswered offer (RONA) and through a callback request. Its
`targets` say which agents may take it: the home queue's requirement merged with the
interaction's own skills, plus any queues or wider requirements that overflow steps added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from hotline.ids import AgentId, CustomerId, QueueId, WorkId
from hotline.routing.capacity import Channel
from hotline.routing.skills import Requirement
from hotline.routing.strategies import PoolSpec

__all__ = ["Target", "WaitState", "Waiting"]


class WaitState(StrEnum):
    WAITING = "waiting"
    RINGING = "ringing"  # offered to one agent (or several, ring-all); not routable meanwhile


@dataclass(frozen=True, slots=True)
class Target:
    """Agents meeting `requirement`, chosen by `spec`, on behalf of queue `queue_id`."""

    queue_id: QueueId
    requirement: Requirement
    spec: PoolSpec
    limit: int = 1  # how many to ring at once (ring-all)


@dataclass(slots=True, eq=False)
class Waiting:
    work_id: WorkId
    queue_id: QueueId
    channel: Channel
    priority: int
    entered_at: float
    key: tuple[float, int]
    extra: Requirement  # the interaction's own skills, on top of the queue's
    customer_id: CustomerId | None = None
    targets: tuple[Target, ...] = ()
    state: WaitState = WaitState.WAITING
    ringing: set[AgentId] = field(default_factory=set)
    via: QueueId | None = None  # the target queue of the current offer
    attempts: int = 0
    declined_by: set[AgentId] = field(default_factory=set)
    sticky_agent: AgentId | None = None  # waiting for this agent only, until STICKY_EXPIRY
    callback_number: str | None = None
    max_wait_passed: bool = False  # max wait came while ringing: leave if the offer fails
    steps_done: int = 0  # overflow steps applied so far
    rules_queue: QueueId | None = None  # whose wrap-up rules the agent follows (personal line)

    @property
    def routable(self) -> bool:
        """May any agent of its targets be offered it right now?"""
        return self.state is WaitState.WAITING and self.sticky_agent is None

    def wait_s(self, now: float) -> float:
        return max(0.0, now - self.entered_at)
