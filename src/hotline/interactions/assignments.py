"""Agents at work: which contact each agent is connected to, its segment's work item, the
consultation it leads, and the offers ringing it — the lifecycle's side of "what is this agent
doing" (the router keeps its state; the channel keeps its devices and legs).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from hotline.ids import AgentId, InteractionId, WorkId
from hotline.interactions.errors import NothingToDo

__all__ = ["AgentWork", "Assignments", "Consult"]


@dataclass
class Consult:
    """An agent talking to a third party while its customer holds."""

    target: str
    target_kind: str  # "agent" | "queue" | "number"
    work_id: WorkId | None  # the consult's work item (None for a number)
    party: str | None = None  # the consulted party's key once it answered
    note: str | None = None
    started_at: float = 0.0

    @property
    def answered(self) -> bool:
        return self.party is not None


@dataclass
class AgentWork:
    agent_id: AgentId
    contact_id: InteractionId | None = None  # the contact the agent is connected to
    work_id: WorkId | None = None  # its segment (what the router counts it as handling)
    consult: Consult | None = None
    consulted_by: AgentId | None = None  # this agent answers another agent's consultation
    rings: set[WorkId] = field(default_factory=set)
    away_for_call: bool = False  # we made it not ready for a call of its own (click-to-dial)

    @property
    def busy(self) -> bool:
        return self.contact_id is not None


class Assignments:
    def __init__(self) -> None:
        self._agents: dict[AgentId, AgentWork] = {}

    def __iter__(self) -> Iterator[AgentWork]:
        return iter(list(self._agents.values()))

    def of(self, agent_id: AgentId) -> AgentWork:
        work = self._agents.get(agent_id)
        if work is None:
            work = self._agents[agent_id] = AgentWork(agent_id)
        return work

    def peek(self, agent_id: AgentId) -> AgentWork | None:
        return self._agents.get(agent_id)

    def talking(self, agent_id: AgentId) -> tuple[InteractionId, WorkId]:
        """The contact and segment the agent is connected to (`NothingToDo` if none)."""
        work = self._agents.get(agent_id)
        if work is None or work.contact_id is None or work.work_id is None:
            raise NothingToDo(f"agent {agent_id} is not on a call", details={"agent_id": agent_id})
        return work.contact_id, work.work_id

    def connect(self, agent_id: AgentId, contact_id: InteractionId, work_id: WorkId) -> None:
        work = self.of(agent_id)
        work.contact_id, work.work_id = contact_id, work_id
        work.rings.discard(work_id)

    def release(self, agent_id: AgentId) -> AgentWork | None:
        """The agent left its contact: forget what it was connected to."""
        work = self._agents.get(agent_id)
        if work is None:
            return None
        work.contact_id = work.work_id = None
        work.consult = None
        work.consulted_by = None
        if not work.rings and not work.away_for_call:
            del self._agents[agent_id]
        return work

    def on(self, contact_id: InteractionId) -> list[AgentWork]:
        return [w for w in self._agents.values() if w.contact_id == contact_id]

    def consultant_of(self, work_id: WorkId) -> AgentWork | None:
        """The agent whose consultation is `work_id`."""
        return next(
            (
                w
                for w in self._agents.values()
                if w.consult is not None and w.consult.work_id == work_id
            ),
            None,
        )
