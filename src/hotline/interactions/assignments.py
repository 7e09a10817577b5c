"""Agents at work: which contact each agent is connected to, its segment's work item, the
consultation it leads, and the offers ringing it — the lifecycle's side of "what is this agent
doing" (the router keeps its state; the channel keeps its devices and legs).

An agent with capacity for several contacts at once (three chats, a chat during a call) has one
*focus* — the contact its desk commands act on (`contact_id`) — and the others beside it
(`beside`); the desk moves the focus (`focus`), and when the focused contact ends the next one
beside it takes its place.
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
    beside: dict[InteractionId, WorkId] = field(default_factory=dict)  # contacts out of focus

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
        work.rings.discard(work_id)
        if work.contact_id is not None and work.contact_id != contact_id:
            work.beside[contact_id] = work_id  # another contact at once: beside the focus
            return
        work.beside.pop(contact_id, None)
        work.contact_id, work.work_id = contact_id, work_id

    def holds(self, agent_id: AgentId, contact_id: InteractionId) -> bool:
        work = self._agents.get(agent_id)
        return work is not None and (work.contact_id == contact_id or contact_id in work.beside)

    def focus(self, agent_id: AgentId, contact_id: InteractionId) -> None:
        """The agent's desk commands now act on `contact_id`, one of the contacts it holds."""
        work = self._agents.get(agent_id)
        if work is None or not self.holds(agent_id, contact_id):
            raise NothingToDo(
                f"agent {agent_id} is not connected to {contact_id}",
                details={"agent_id": agent_id, "contact_id": contact_id},
            )
        if work.contact_id == contact_id:
            return
        if work.consult is not None or work.consulted_by is not None:
            raise NothingToDo(
                f"agent {agent_id} is in a consultation", details={"agent_id": agent_id}
            )
        new_work = work.beside.pop(contact_id)
        if work.contact_id is not None and work.work_id is not None:
            work.beside[work.contact_id] = work.work_id
        work.contact_id, work.work_id = contact_id, new_work

    def release(
        self, agent_id: AgentId, contact_id: InteractionId | None = None
    ) -> AgentWork | None:
        """The agent left `contact_id` (default: its focus): forget it; the next contact beside
        the focus takes its place."""
        work = self._agents.get(agent_id)
        if work is None:
            return None
        if contact_id is not None and contact_id != work.contact_id:
            work.beside.pop(contact_id, None)  # beside the focus (or already forgotten)
            return work
        work.contact_id = work.work_id = None
        work.consult = None
        work.consulted_by = None
        if work.beside:
            next_id = next(iter(work.beside))
            work.contact_id, work.work_id = next_id, work.beside.pop(next_id)
        elif not work.rings and not work.away_for_call:
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
