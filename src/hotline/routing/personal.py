"""The personal line: how the router offers a work item to one named agent (a transfer or a
consultation to that agent, ADR 0061).

Every agent carries a skill only it has (`personal_skill`); a work item routed to an agent waits
in the hidden queue `PERSONAL_QUEUE` needing that skill, so offers, ring timeouts and the
agent's state are the router's as for any call. The personal line is not a queue of the center:
its id cannot be an admin's queue name, and figures never count it as a queue (`is_personal`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from hotline.ids import AgentId, CustomerId, InteractionId, QueueId, WorkId
from hotline.routing.agent_state import AgentState
from hotline.routing.agents import AgentProfile
from hotline.routing.core import RoutingCore
from hotline.routing.decisions import Decision
from hotline.routing.errors import AgentNotFree, DuplicateInteraction, InvalidRoutingInput
from hotline.routing.events import QueueEntered
from hotline.routing.queues import QueueConfig
from hotline.routing.skills import Requirement
from hotline.routing.waiting import Waiting

__all__ = [
    "PERSONAL_QUEUE",
    "PersonalLines",
    "is_personal",
    "personal_skill",
    "with_personal_skill",
]

PERSONAL_QUEUE = QueueId("@agent")
"""Queue ids of the center are slugs (`[a-z0-9][a-z0-9_-]*`); this one never collides."""


def personal_skill(agent_id: str) -> str:
    """The skill only `agent_id` has."""
    return f"@{agent_id}"


def is_personal(queue_id: str | None) -> bool:
    """Is this the personal line rather than a queue of the center?"""
    return queue_id == PERSONAL_QUEUE


def with_personal_skill(profile: AgentProfile) -> AgentProfile:
    """The profile the router keeps: the configured one plus the agent's personal skill."""
    skill = personal_skill(profile.agent_id)
    if profile.skills.get(skill) == 1:
        return profile
    return dataclasses.replace(profile, skills={**profile.skills, skill: 1})


class PersonalLines(RoutingCore):
    """The router's operations on personal lines (a base of `Router`, kept apart for size)."""

    enqueue: Callable[..., list[Decision]]  # `Router.enqueue`
    configure_queue: Callable[..., list[Decision]]  # `Router.configure_queue`

    def route_to_agent(
        self,
        work_id: WorkId,
        agent_id: AgentId,
        *,
        now: float,
        contact_id: InteractionId | None = None,
        priority: int = 0,
        customer_id: CustomerId | None = None,
        rules_queue: QueueId | None = None,
    ) -> list[Decision]:
        """Offer a work item to one named agent (a transfer or a consult to that agent): it
        waits on the agent's *personal line* (`PERSONAL_QUEUE`, not a queue of the center,
        never counted in queue figures) until the agent is free, the caller goes, or the caller
        of this method gives up (`remove`). A missed offer does not make the agent not ready.
        `rules_queue`: whose wrap-up time and disposition rule the agent's after-call work
        follows (the contact's queue)."""
        self._agent(agent_id)
        if PERSONAL_QUEUE not in self._queues:
            self.configure_queue(QueueConfig(PERSONAL_QUEUE, rona_not_ready=False), now=now)
        return self.enqueue(
            work_id,
            PERSONAL_QUEUE,
            now=now,
            priority=priority,
            customer_id=customer_id,
            contact_id=contact_id,
            target_agent=agent_id,
            rules_queue=rules_queue,
        )

    def assign_outbound(
        self,
        work_id: WorkId,
        agent_id: AgentId,
        number: str,
        *,
        now: float,
        contact_id: InteractionId | None = None,
        customer_id: CustomerId | None = None,
        rules_queue: QueueId | None = None,
    ) -> list[Decision]:
        """Reserve the agent for a call out to `number` that the centre starts for it (click to
        dial, a callback from the worklist): a work item on the agent's personal line, offered
        to it at once even while not ready, as a `DialCallback` — ring the agent, dial the
        number, then `offer_answered` (or `callback_failed`). Refused (`AgentNotFree`) while
        the agent holds other work or is logged out."""
        self._begin(now)
        agent = self._agent(agent_id)
        if agent.state is AgentState.LOGGED_OUT or agent.work:
            raise AgentNotFree(agent_id, agent.state.value)
        if not number:
            raise InvalidRoutingInput("an outbound call needs a number", field="number")
        if PERSONAL_QUEUE not in self._queues:
            self.configure_queue(QueueConfig(PERSONAL_QUEUE, rona_not_ready=False), now=now)
            self._begin(now)
        if work_id in self._items or work_id in self._handling:
            raise DuplicateInteraction(work_id)
        self._contact_of[work_id] = contact_id or InteractionId(work_id)
        self._settled.append(work_id)
        queue = self._queues[PERSONAL_QUEUE]
        config = queue.config
        self._seq += 1
        item = Waiting(
            work_id=work_id,
            queue_id=PERSONAL_QUEUE,
            channel=config.channel,
            priority=0,
            entered_at=now,
            key=(now, self._seq),
            extra=Requirement.of({personal_skill(agent_id): 1}),
            customer_id=customer_id,
            callback_number=number,
            rules_queue=rules_queue,
        )
        item.targets = self._targets_for(item)
        for target in item.targets:
            self._dispatch.acquire(target.requirement)
        self._items[work_id] = item
        queue.line.add(work_id, item.key)
        self._emit(
            QueueEntered(
                tenant_id=self.tenant_id,
                at=now,
                work_id=work_id,
                queue_id=PERSONAL_QUEUE,
                channel=config.channel,
                priority=0,
                skills=item.targets[0].requirement.labels(),
                customer_id=customer_id,
                target_agent_id=agent_id,
            )
        )
        self._offer(item, item.targets[0], [agent], now)
        return self._flush()
