"""How sides of a contact end, and the contact with them.

- An agent's side ending ends its *segment*: the router starts its after-call work
  (`end_segment`). If it was consulting, an answered consultation becomes the transfer; if it
  was the one the customer talked to, another agent of a conference takes over, or the flow
  goes on (the survey), or the customer is let go.
- The customer leaving while waiting is an abandon; every agent's side ends with it.
- A contact ends once nothing keeps it alive (no customer, no flow running, no agent, not a
  booked callback or a parked contact): `interaction.ended` with how long the flow, the waits,
  the talk and the hold took, and why (`Outcome`).
- After a restart, contacts the log shows open are closed as `interrupted`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from hotline.clock import Clock
from hotline.events import EventSink
from hotline.ids import AgentId
from hotline.interactions.assignments import Assignments
from hotline.interactions.channel import CUSTOMER, Channel, Release
from hotline.interactions.events import InteractionEnded
from hotline.interactions.model import Contact, ContactEvent, ContactState, Outcome
from hotline.interactions.ports import StartupFacts
from hotline.interactions.registry import ContactRegistry
from hotline.interactions.routerlink import RouterLink
from hotline.interactions.waits import QueueWaits
from hotline.tasks import TaskSet

__all__ = ["Endings", "TransferHooks"]

log = logging.getLogger(__name__)


class TransferHooks:
    """What endings ask of `Transfers` (wired in `center.py`)."""

    consultant_left: Callable[[Contact, AgentId], Awaitable[bool]]
    consulted_left: Callable[[Contact, str], Awaitable[bool]]
    transfer_failed: Callable[[Contact, int], Awaitable[None]]

    def __init__(
        self,
        consultant_left: Callable[[Contact, AgentId], Awaitable[bool]],
        consulted_left: Callable[[Contact, str], Awaitable[bool]],
        transfer_failed: Callable[[Contact, int], Awaitable[None]],
    ) -> None:
        self.consultant_left = consultant_left
        self.consulted_left = consulted_left
        self.transfer_failed = transfer_failed


class Endings:
    def __init__(
        self,
        link: RouterLink,
        registry: ContactRegistry,
        assignments: Assignments,
        waits: QueueWaits,
        channel_of: Callable[[Contact], Channel],
        tasks: TaskSet,
        clock: Clock,
        sink: EventSink,
        *,
        tenant_id: str,
        transfers: TransferHooks,
        withdraw_offers: Callable[[Contact], None],
    ) -> None:
        self._link = link
        self._registry = registry
        self._assignments = assignments
        self._waits = waits
        self._channel_of = channel_of
        self._tasks = tasks
        self._clock = clock
        self._sink = sink
        self._tenant_id = tenant_id
        self._transfers = transfers
        self._withdraw_offers = withdraw_offers

    def now(self) -> float:
        return self._clock.now()

    # --- segments -------------------------------------------------------------------------

    def end_segment(self, contact: Contact, agent_id: AgentId) -> None:
        """The agent's part of the contact is over: its after-call work starts."""
        work_id = contact.agents.pop(agent_id, None)
        if contact.primary == agent_id:
            contact.primary = None
        self._assignments.release(agent_id, contact.contact_id)
        if work_id is not None:
            self._link.call(lambda: self._link.router.interaction_ended(work_id, now=self.now()))

    # --- sides ending ---------------------------------------------------------------------

    def party_left(self, contact: Contact, party: str) -> None:
        """`ContactEvents.party_left`: a side ended on its own."""
        self._tasks.spawn(self._party_left(contact, party), name="party-left")

    async def _party_left(self, contact: Contact, party: str) -> None:
        if party == CUSTOMER:
            await self._customer_left(contact)
            return
        agent_id = AgentId(party)
        if agent_id in contact.agents:
            if await self._transfers.consultant_left(contact, agent_id):
                return  # it became the transfer
            was_primary = contact.primary == party
            work = self._assignments.peek(agent_id)
            consulted = work is not None and work.consulted_by is not None
            self.end_segment(contact, agent_id)
            if consulted:
                await self._transfers.consulted_left(contact, party)
            elif was_primary:
                await self._primary_left(contact)
            self.maybe_end(contact)
            return
        if await self._transfers.consulted_left(contact, party):
            return
        if contact.primary == party:
            contact.primary = None
            await self._primary_left(contact)
        self.maybe_end(contact)

    async def _primary_left(self, contact: Contact) -> None:
        """The side the customer talked to hung up."""
        if contact.transfer_pending or not contact.live:
            return
        channel = self._channel_of(contact)
        for agent_id in contact.agents:  # a conference: another agent takes the customer
            if channel.present(contact.contact_id, agent_id):
                contact.primary = agent_id
                contact.last_agent = agent_id
                contact.last_segment = contact.agents[agent_id]
                return
        await channel.resume(contact.contact_id, CUSTOMER)
        if contact.state is ContactState.CONNECTED:
            contact.step(ContactEvent.AGENT_LEFT, self.now())
        if contact.flow_task is not None and not contact.flow_task.done():
            contact.agent_left.set()  # the flow goes on with the queue node's `after`
        else:
            await channel.end(contact.contact_id, Release.NORMAL)

    async def _customer_left(self, contact: Contact) -> None:
        contact.customer_present = False
        contact.gone.set()
        if contact.state is ContactState.QUEUED:
            self._waits.abandon(contact)
        await self._transfers.transfer_failed(contact, 487)
        channel = self._channel_of(contact)
        for agent_id in list(contact.agents):
            self.end_segment(contact, agent_id)
            await channel.release(contact.contact_id, agent_id, Release.NORMAL)
        if contact.primary is not None:  # an outside number it was transferred to
            await channel.release(contact.contact_id, contact.primary, Release.NORMAL)
            contact.primary = None
        self.maybe_end(contact)

    # --- the contact ending ---------------------------------------------------------------

    def maybe_end(self, contact: Contact) -> None:
        """End the contact once nothing keeps it alive."""
        if contact.state is ContactState.ENDED or contact.closing:
            return
        if contact.live or contact.state in (ContactState.CALLBACK, ContactState.PARKED):
            return
        if contact.flow_task is not None and not contact.flow_task.done():
            return
        if contact.agents or contact.primary is not None or contact.in_line:
            return
        self._tasks.spawn(self.end_contact(contact), name="end-contact")

    def end_later(self, contact: Contact, outcome: Outcome | None) -> None:
        if outcome is not None:
            contact.outcome = outcome
        self._tasks.spawn(self.end_contact(contact), name="end-contact")

    async def end_contact(
        self, contact: Contact, outcome: Outcome | None = None, reason: Release = Release.NORMAL
    ) -> None:
        if contact.state is ContactState.ENDED or contact.closing:
            return
        contact.closing = True
        if outcome is not None:
            contact.outcome = outcome
        self._waits.withdraw(contact, reason="ended")
        self._withdraw_offers(contact)
        for agent_id in list(contact.agents):
            self.end_segment(contact, agent_id)
        channel = self._channel_of(contact)
        cause, q850 = await channel.end(contact.contact_id, reason)
        now = self.now()
        contact.step(ContactEvent.END, now)
        self._registry.remove(contact.contact_id)
        self._sink.emit(
            InteractionEnded(
                tenant_id=self._tenant_id,
                at=now,
                interaction_id=contact.contact_id,
                agent_id=contact.last_agent,
                reason=self.outcome(contact).value,
                cause=cause,
                q850=q850,
                queue_id=contact.queue_id,
                answered=contact.answered,
                ivr_s=round(contact.seconds_in(ContactState.IVR, now), 3),
                queue_s=round(contact.seconds_in(ContactState.QUEUED, now), 3),
                talk_s=round(contact.seconds_in(ContactState.CONNECTED, now), 3),
                hold_s=round(contact.hold_s, 3),
                total_s=round(now - contact.created_at, 3),
                flow_end=contact.flow_end,
            )
        )
        contact.ended.set()

    @staticmethod
    def outcome(contact: Contact) -> Outcome:
        if contact.outcome is not None:
            return contact.outcome
        if contact.answered:
            return Outcome.COMPLETED
        if contact.voicemail:
            return Outcome.VOICEMAIL
        if contact.abandoned:
            return Outcome.ABANDONED
        return Outcome.IVR

    # --- restarts and drains --------------------------------------------------------------

    async def recover(self, facts: StartupFacts) -> int:
        """After a restart: close what the log left open as `interrupted`."""
        closed = 0
        now = self.now()
        for open_ in await facts.open_interactions(self._tenant_id):
            if open_.interaction_id in self._registry:
                continue
            self._sink.emit(
                InteractionEnded(
                    tenant_id=self._tenant_id,
                    at=now,
                    interaction_id=open_.interaction_id,
                    agent_id=open_.agent_id,
                    reason=Outcome.INTERRUPTED.value,
                    cause="interrupted",
                    q850=41,
                    queue_id=open_.queue_id,
                    answered=open_.answered,
                    ivr_s=0.0,
                    queue_s=0.0,
                    talk_s=0.0,
                    hold_s=0.0,
                    total_s=round(max(0.0, now - open_.created_at), 3),
                )
            )
            closed += 1
        return closed

    async def interrupt_all(self) -> None:
        """End every live contact as `interrupted` (the end of a drain)."""
        for contact in self._registry:
            if contact.flow_task is not None:
                contact.flow_task.cancel()
                contact.flow_task = None
            await self.end_contact(contact, Outcome.INTERRUPTED, Release.INTERRUPTED)
