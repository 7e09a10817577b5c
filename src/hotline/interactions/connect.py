"""Connecting an agent who answered to the customer of the contact (the `on_answered` of queue,
transfer and callback work items): the wait ends, the agent becomes the contact's primary party
with a segment of its own, the channel joins them (and starts the queue's recording), and the
flow's queue node hears `answered`.
"""

from __future__ import annotations

from collections.abc import Callable

from hotline.clock import Clock
from hotline.flows.inputs import QueueOutcome, QueueResult
from hotline.ids import AgentId
from hotline.interactions.assignments import Assignments
from hotline.interactions.channel import CUSTOMER, Channel
from hotline.interactions.model import Contact, ContactEvent, ContactState, WorkItem
from hotline.interactions.waits import QueueWaits
from hotline.routing import is_personal

__all__ = ["Connector"]


class Connector:
    def __init__(
        self,
        waits: QueueWaits,
        assignments: Assignments,
        channel_of: Callable[[Contact], Channel],
        clock: Clock,
        *,
        on_connected: Callable[[Contact, AgentId], None],
    ) -> None:
        self._waits = waits
        self._assignments = assignments
        self._channel_of = channel_of
        self._clock = clock
        self._on_connected = on_connected

    async def connect_customer(self, contact: Contact, work: WorkItem, agent_id: AgentId) -> None:
        waiter = self._waits.take(contact)
        if waiter is not None:
            await waiter.close(keep_sound=True)
        now = self._clock.now()
        if contact.state is not ContactState.CONNECTED:
            contact.step(ContactEvent.CONNECT, now)
        if contact.work is work:
            contact.work = None
        if not is_personal(work.queue_id):
            contact.queue_id = work.queue_id
        contact.primary = agent_id
        contact.last_agent = agent_id
        contact.last_segment = work.work_id
        contact.agents[agent_id] = work.work_id
        contact.answered = True
        contact.transfer_pending = False
        self._assignments.connect(agent_id, contact.contact_id, work.work_id)
        channel = self._channel_of(contact)
        await channel.join(contact.contact_id, CUSTOMER, agent_id)
        await channel.connected(contact.contact_id, agent_id)
        if waiter is not None and (waiter.request is not None or waiter.flow_waiting):
            waiter.resolve(QueueOutcome(QueueResult.ANSWERED, agent_id))
        self._on_connected(contact, agent_id)
