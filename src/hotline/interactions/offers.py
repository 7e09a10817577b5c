"""Offers: the router's `Offer` rings the agent's device through the contact's channel, and
the device's answer goes back to the router.

- answered → `router.offer_answered`, then what the work item is for happens (`on_answered`,
  one handler per `WorkKind`: connect the customer, or the consulting agent);
- declined → `offer_rejected`; no answer from the device → `offer_rejected(NO_ANSWER)`; the
  device gone → `agent_unreachable` (the agent goes not ready until it is back); a ring that
  outlives the router's timeout is the router's RONA, which arrives as `CancelOffer`;
- on a personal line (a transfer or consultation to one agent) a missed offer is given up at
  once (`on_personal_missed`): nobody else could take it;
- `DialCallback`: ring the agent first, then reach the customer's number, and report
  `offer_answered` only when both are up (`callback_failed` if the customer is not).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from hotline.clock import Clock
from hotline.ids import AgentId, WorkId
from hotline.interactions.assignments import Assignments
from hotline.interactions.channel import Channel, Release, Ring, RingPurpose, RingResult
from hotline.interactions.model import Contact, Outcome, WorkItem, WorkKind
from hotline.interactions.registry import ContactRegistry
from hotline.interactions.routerlink import RouterLink
from hotline.routing import CancelOffer, DialCallback, Offer, OfferEnd, RoutingError
from hotline.tasks import TaskSet

__all__ = ["Answered", "Offers"]

log = logging.getLogger(__name__)

Answered = Callable[[Contact, WorkItem, AgentId], Awaitable[None]]
"""What happens once the router accepted an agent's answer (per work kind)."""


@dataclass(eq=False)
class _Ringing:
    work_id: WorkId
    agent_id: AgentId
    cancelled: bool = False


class Offers:
    def __init__(
        self,
        link: RouterLink,
        registry: ContactRegistry,
        assignments: Assignments,
        channel_of: Callable[[Contact], Channel],
        tasks: TaskSet,
        clock: Clock,
        *,
        ring_slack_s: float,
        on_answered: Mapping[WorkKind, Answered],
        on_missed: Callable[[Contact, WorkItem], None],
        on_personal_missed: Callable[[Contact, WorkItem], None],
        end_contact: Callable[[Contact, Outcome | None], None],
    ) -> None:
        self._link = link
        self._registry = registry
        self._assignments = assignments
        self._channel_of = channel_of
        self._tasks = tasks
        self._clock = clock
        self._slack_s = ring_slack_s
        self._on_answered = on_answered
        self._on_missed = on_missed
        self._on_personal_missed = on_personal_missed
        self._end_contact = end_contact
        self._rings: dict[tuple[WorkId, AgentId], _Ringing] = {}

    def now(self) -> float:
        return self._clock.now()

    def ringing(self, agent_id: AgentId) -> list[WorkId]:
        return [work for work, agent in self._rings if agent == agent_id]

    # --- offers ---------------------------------------------------------------------------

    def offer(self, d: Offer) -> None:
        contact = self._registry.of_work(d.work_id)
        work = self._registry.work(d.work_id)
        customer_needed = work is None or work.kind is not WorkKind.CONSULT
        if contact is None or work is None or (customer_needed and not contact.live):
            # Nothing left to connect (a race with the customer leaving): withdraw it.
            self._link.call(
                lambda: self._link.router.remove(d.work_id, now=self.now(), reason="gone")
            )
            return
        purpose = RingPurpose.CONSULT if work.kind is WorkKind.CONSULT else RingPurpose.OFFER
        self._start(contact, work, d.agent_id, d.ring_timeout_s, purpose)

    def _start(
        self,
        contact: Contact,
        work: WorkItem,
        agent_id: AgentId,
        timeout_s: float,
        purpose: RingPurpose,
        number: str | None = None,
    ) -> None:
        ringing = self._rings[(work.work_id, agent_id)] = _Ringing(work.work_id, agent_id)
        self._assignments.of(agent_id).rings.add(work.work_id)
        self._tasks.spawn(
            self._ring(contact, work, ringing, timeout_s, purpose, number), name="ring"
        )

    def _caller(
        self, contact: Contact, work: WorkItem, purpose: RingPurpose
    ) -> tuple[str | None, str | None]:
        """What the agent's device shows: the customer — or the agent who consults."""
        if purpose is RingPurpose.CONSULT and work.by_agent is not None:
            return work.by_agent, None
        if purpose is RingPurpose.CALLBACK:
            return contact.callback_number or contact.caller_number, "回呼 Callback"
        name = contact.record.name if contact.record else contact.caller_name
        return contact.caller_number, name

    async def _ring(
        self,
        contact: Contact,
        work: WorkItem,
        ringing: _Ringing,
        timeout_s: float,
        purpose: RingPurpose,
        number: str | None,
    ) -> None:
        agent_id = ringing.agent_id
        channel = self._channel_of(contact)
        caller_number, caller_name = self._caller(contact, work, purpose)
        result = await channel.ring(
            Ring(
                contact.contact_id,
                agent_id,
                work.work_id,
                purpose,
                timeout_s + self._slack_s,
                caller_number,
                caller_name,
            )
        )
        self._rang(ringing)
        if result is not RingResult.ANSWERED:
            self._ring_failed(contact, work, ringing, result)
            return
        gone = work.kind is not WorkKind.CONSULT and not contact.live and number is None
        if ringing.cancelled or gone:
            await channel.cancel(contact.contact_id, agent_id, Release.CANCELLED)
            return
        if number is not None:
            await self._reach_customer(contact, work, agent_id, number, channel, timeout_s)
            return
        await self._answered(contact, work, agent_id, channel)

    async def _answered(
        self, contact: Contact, work: WorkItem, agent_id: AgentId, channel: Channel
    ) -> None:
        try:
            decisions = self._link.router.offer_answered(work.work_id, agent_id, now=self.now())
        except RoutingError as exc:
            log.info("answer of %s by %s came too late: %s", work.work_id, agent_id, exc)
            await channel.cancel(contact.contact_id, agent_id, Release.NORMAL)
            return
        work.agent_id, work.answered_at, work.done = agent_id, self.now(), True
        await self._on_answered[work.kind](contact, work, agent_id)
        self._link.route(decisions)

    def _rang(self, ringing: _Ringing) -> None:
        self._rings.pop((ringing.work_id, ringing.agent_id), None)
        agent = self._assignments.peek(ringing.agent_id)
        if agent is not None:
            agent.rings.discard(ringing.work_id)

    def _ring_failed(
        self, contact: Contact, work: WorkItem, ringing: _Ringing, result: RingResult
    ) -> None:
        agent_id, work_id = ringing.agent_id, work.work_id
        if not ringing.cancelled:  # the router withdrew it itself: nothing to report
            router, now = self._link.router, self.now()
            if result is RingResult.REJECTED:
                self._link.call(lambda: router.offer_rejected(work_id, agent_id, now=now))
            elif result is RingResult.NO_ANSWER:
                self._link.call(
                    lambda: router.offer_rejected(
                        work_id, agent_id, now=now, reason=OfferEnd.NO_ANSWER
                    )
                )
            elif result is RingResult.UNREACHABLE:
                self._link.call(lambda: router.agent_unreachable(agent_id, now=now))
        if work.target_agent is not None and not work.done:
            self._on_personal_missed(contact, work)
        else:
            self._on_missed(contact, work)

    def cancel(self, d: CancelOffer) -> None:
        contact = self._registry.of_work(d.work_id)
        agent = self._assignments.peek(d.agent_id)
        if agent is not None:
            agent.rings.discard(d.work_id)
        ringing = self._rings.get((d.work_id, d.agent_id))
        if contact is None or ringing is None:
            return
        ringing.cancelled = True
        reason = Release.NO_ANSWER if d.reason is OfferEnd.NO_ANSWER else Release.CANCELLED
        channel = self._channel_of(contact)
        self._tasks.spawn(channel.cancel(contact.contact_id, d.agent_id, reason), name="cancel")

    def withdraw_all(self, contact: Contact) -> None:
        """The contact is over: stop every ring of it."""
        channel = self._channel_of(contact)
        for (work_id, agent_id), ringing in list(self._rings.items()):
            if work_id in contact.works:
                ringing.cancelled = True
                self._tasks.spawn(
                    channel.cancel(contact.contact_id, agent_id, Release.CANCELLED), name="cancel"
                )

    # --- calls out: callbacks and the agent's own calls -----------------------------------

    def dial_callback(self, d: DialCallback) -> None:
        contact = self._registry.of_work(d.work_id)
        work = self._registry.work(d.work_id)
        if contact is None or work is None:
            self._link.call(
                lambda: self._link.router.callback_failed(
                    d.work_id, now=self.now(), reason="unknown"
                )
            )
            return
        purpose = RingPurpose.OUTBOUND if work.kind is WorkKind.OUTBOUND else RingPurpose.CALLBACK
        self._start(contact, work, d.agent_id, d.ring_timeout_s, purpose, number=d.number)

    async def _reach_customer(
        self,
        contact: Contact,
        work: WorkItem,
        agent_id: AgentId,
        number: str,
        channel: Channel,
        ring_timeout_s: float,
    ) -> None:
        """The agent answered its ring: now the customer's number (a callback rings it as
        long as the queue rings agents; an agent's own call a minute)."""
        timeout = 60.0 if work.kind is WorkKind.OUTBOUND else ring_timeout_s
        reached = await channel.dial(contact.contact_id, number, customer=True, timeout_s=timeout)
        if reached is None or not channel.present(contact.contact_id, agent_id):
            if reached is not None:
                await channel.release(contact.contact_id, reached, Release.NORMAL)
            await channel.cancel(contact.contact_id, agent_id, Release.NORMAL)
            contact.outcome = Outcome.CALLBACK_FAILED
            reason = "not_reached" if reached is None else "agent_gone"
            self._link.call(
                lambda: self._link.router.callback_failed(
                    work.work_id, now=self.now(), reason=reason
                )
            )
            self._end_contact(contact, None)
            return
        contact.customer_present = True
        contact.gone.clear()
        await self._answered(contact, work, agent_id, channel)
