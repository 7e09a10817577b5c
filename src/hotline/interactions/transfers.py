"""Transfers and three-way calls, always through the router (docs/realtime.md, ADR 0046).

- **Blind** (desktop, or REFER from the agent's phone): the agent's leg ends, its after-call
  work is closed at once (the router holds an interaction for one agent at a time) and the
  customer, on hold music, enters the target through `router.enqueue`: a queue as it is, an
  agent through the hidden `direct` queue with that agent's own skill (`agent:<id>`), so the
  offer, RONA and the agent's state are the router's as for any call. A number is dialled out
  of the trunk (toll-fraud policy first) and bridged when it answers.
- **Consultative**: the customer holds (music); the agent talks to the consulted party — an
  agent reached as an internal interaction through the same `direct` queue, a queue, or a
  number. Then *complete* (the customer is bridged to that party, the first agent leaves with
  its normal wrap-up), *cancel* (back to the customer) or *conference* (all three mixed). An
  agent hanging up during an answered consult completes it.
- Every transfer by an agent emits `interaction.transferred` (and `call.transferred`).
- The flow's `transfer` node (before any agent) waits in the router like a queue node does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from hotline.calls import Cause, DestinationDenied, Leg, LegFailed, LegRole, LegState
from hotline.errors import HotlineError
from hotline.flows.actions import Transfer
from hotline.flows.inputs import QueueResult, TransferOutcome
from hotline.ids import AgentId, InteractionId, QueueId, new_id
from hotline.interactions.agents import Consult, Seat, phone_label
from hotline.interactions.core import RuntimeCore
from hotline.interactions.errors import (
    AgentBusy,
    InvalidTransferTarget,
    NothingToDo,
)
from hotline.interactions.events import InteractionCreated, InteractionTransferred
from hotline.interactions.interaction import InteractionEvent, InteractionState, VoiceInteraction
from hotline.routing import CancelOffer, Offer, OfferEnd, RoutingError
from hotline.sip.refer import ReferTarget
from hotline.sip.trunk import CallerId

__all__ = ["TransferTarget", "Transfers", "agent_skill"]

log = logging.getLogger(__name__)


def agent_skill(agent_id: str) -> str:
    """The skill only `agent_id` has: how a transfer to one agent goes through the router."""
    return f"agent:{agent_id}"


@dataclass(frozen=True, slots=True)
class TransferTarget:
    kind: str  # "agent" | "queue" | "number"
    value: str

    def __post_init__(self) -> None:
        if self.kind not in ("agent", "queue", "number") or not self.value:
            raise InvalidTransferTarget(f"bad transfer target {self.kind}:{self.value}")


@dataclass
class _ConsultRing:
    seat: Seat  # the consulting agent
    interaction: VoiceInteraction  # the customer's contact
    created_at: float


class Transfers(RuntimeCore):
    _consults: dict[InteractionId, _ConsultRing]

    def _talking(self, agent_id: AgentId) -> tuple[Seat, VoiceInteraction]:
        seat = self.seat(agent_id)
        interaction = self.interactions.get(seat.interaction_id) if seat.interaction_id else None
        if interaction is None or seat.leg is None or not seat.leg.is_up:
            raise NothingToDo(f"agent {agent_id} is not on a call", details={"agent_id": agent_id})
        return seat, interaction

    def seat(self, agent_id: AgentId) -> Seat:
        raise NotImplementedError

    def _target_queue(self, target: TransferTarget) -> tuple[QueueId, dict[str, int]]:
        if target.kind == "queue":
            if QueueId(target.value) not in self.router.queue_ids():
                raise InvalidTransferTarget(f"no queue {target.value!r}")
            return QueueId(target.value), {}
        if AgentId(target.value) not in self.router.agent_ids():
            raise InvalidTransferTarget(f"no agent {target.value!r}")
        return QueueId(self.settings.direct_queue), {agent_skill(target.value): 1}

    def _check_number(self, number: str) -> None:
        """The toll-fraud guard before anything moves (the dial checks again, with the cap)."""
        policy = self.calls.policy
        if policy is not None:
            decision = policy.check(self.tenant_id, "agent", number)
            if not decision.allowed:
                raise DestinationDenied(number, decision.reason)

    def target_of_refer(self, refer: ReferTarget) -> TransferTarget:
        """A REFER's user part: an agent's extension, a queue id, or a number."""
        user = refer.user or ""
        for seat in self.seats.values():
            if phone_label(seat.phone) == user:
                return TransferTarget("agent", seat.agent_id)
        if QueueId(user) in self.router.queue_ids():
            return TransferTarget("queue", user)
        if user.lstrip("+").isdigit():
            return TransferTarget("number", user)
        raise InvalidTransferTarget(f"cannot transfer to {user!r}")

    def _transferred(
        self,
        interaction: VoiceInteraction,
        seat: Seat | None,
        kind: str,
        target: TransferTarget,
        note: str | None,
        *,
        from_leg: Leg | None,
        to_leg: Leg | None,
    ) -> None:
        self.emit(
            InteractionTransferred(
                tenant_id=self.tenant_id,
                at=self.now(),
                interaction_id=interaction.interaction_id,
                agent_id=seat.agent_id if seat else None,
                kind=kind,
                target=target.value,
                target_kind=target.kind,
                queue_id=interaction.queue_id,
                note=note,
            )
        )
        self.calls.note_transfer(
            interaction.call,
            kind=kind,
            from_leg=from_leg,
            to_leg=to_leg,
            target=f"{target.kind}:{target.value}",
        )

    # --- blind ----------------------------------------------------------------------------

    async def transfer(
        self, agent_id: AgentId, target: TransferTarget, *, note: str | None = None
    ) -> None:
        seat, interaction = self._talking(agent_id)
        if target.kind == "number":
            self._check_number(target.value)
            self.tasks.spawn(self._transfer_out(interaction, seat, target, note), name="transfer")
            return
        queue_id, skills = self._target_queue(target)
        agent_leg = seat.leg
        interaction.agent_leg = None  # from here the agent's hang-up is not "the agent left"
        interaction.transfer_target = target.value
        self._transferred(interaction, seat, "blind", target, note, from_leg=agent_leg, to_leg=None)
        customer = interaction.customer
        assert customer is not None
        assert agent_leg is not None
        await self.calls.detach(customer)
        if agent_leg.is_live:
            await self.calls.hangup(agent_leg, Cause.TRANSFERRED)
        iid = interaction.interaction_id
        # The router holds an interaction for one agent at a time: close the first agent's
        # after-call work before the contact is queued again.
        self.safely(
            lambda: self.router.end_wrap_up(seat.agent_id, now=self.now(), interaction_id=iid)
        )
        await self._queue_transfer(interaction, queue_id, skills, self.settings.transfer_timeout_s)

    async def _queue_transfer(
        self,
        interaction: VoiceInteraction,
        queue_id: QueueId,
        skills: dict[str, int],
        timeout_s: float,
    ) -> None:
        waiter = await self.join_queue(interaction, queue_id, request=None, skills=skills)
        if waiter is None:
            self._finish_wait(interaction, None, QueueResult.UNAVAILABLE)
        elif skills:  # a named agent: give up after the transfer timeout
            waiter.arm_max_wait(timeout_s)

    async def _transfer_out(
        self,
        interaction: VoiceInteraction,
        seat: Seat | None,
        target: TransferTarget,
        note: str | None,
    ) -> bool:
        """Dial a number for the customer; bridge it when it answers."""
        customer = interaction.customer
        assert customer is not None
        agent_leg = seat.leg if seat else None
        if agent_leg is not None:
            interaction.agent_leg = None
            await self.calls.hangup(agent_leg, Cause.TRANSFERRED)
        if customer.state is LegState.ANSWERED:
            await self.calls.detach(customer)
            with contextlib.suppress(HotlineError):
                await self.media.start_moh(
                    customer.endpoint, self.options(interaction.queue_id).moh
                )
        presented = interaction.caller_number or self.settings.outbound_caller_id
        try:
            leg = await self.calls.dial(
                interaction.call,
                target.value,
                role=LegRole.EXTERNAL,
                trunk=self.settings.trunk,
                caller_id=CallerId(presented, None),
                timeout=self.settings.transfer_timeout_s,
            )
            await self.calls.wait_answered(leg, self.settings.transfer_timeout_s)
        except (LegFailed, DestinationDenied) as exc:
            log.info("transfer of %s to %s failed: %s", interaction.interaction_id, target, exc)
            if seat is not None and customer.is_live:  # the agent is gone: the flow's `after`
                interaction.agent_left.set()
            return False
        if not customer.is_live:
            await self.calls.hangup(leg)
            return False
        if seat is not None:
            self._transferred(
                interaction, seat, "blind", target, note, from_leg=agent_leg, to_leg=leg
            )
        if interaction.state is not InteractionState.CONNECTED:
            interaction.step(InteractionEvent.CONNECT, self.now())
        interaction.agent_leg = leg
        interaction.answered = True
        await self.calls.bridge(customer, leg)
        return True

    # --- the flow's transfer node ---------------------------------------------------------

    async def flow_transfer(
        self, interaction: VoiceInteraction, request: Transfer
    ) -> TransferOutcome:
        if request.to == "number":
            target = TransferTarget("number", request.target)
            customer = interaction.customer
            assert customer is not None
            if request.caller_id:
                interaction.caller_number = interaction.caller_number or request.caller_id
            ok = await self._transfer_out(interaction, None, target, None)
            return TransferOutcome(ok, "" if ok else "no_answer")
        try:
            queue_id, skills = self._target_queue(TransferTarget(request.to, request.target))
        except InvalidTransferTarget as exc:
            return TransferOutcome(False, exc.message)
        waiter = await self.join_queue(interaction, queue_id, request=None, skills=skills)
        if waiter is None:
            return TransferOutcome(False, "unavailable")
        outcome = await waiter.wait(self.now() + request.timeout, self.now())
        if outcome.result is QueueResult.ANSWERED:
            return TransferOutcome(True)
        return TransferOutcome(False, outcome.result.value)

    # --- REFER from a phone ---------------------------------------------------------------

    def transfer_requested(self, leg: Leg, refer: ReferTarget, referred_by: str | None) -> None:
        seat = self.seat_for(leg)
        if seat is None or seat.leg is not leg:
            self.tasks.spawn(self._notify(leg, 603), name="refer-refused")
            return
        self.tasks.spawn(self._refer(seat, leg, refer), name="refer")

    async def _refer(self, seat: Seat, leg: Leg, refer: ReferTarget) -> None:
        if refer.replaces is not None and seat.consult is not None and seat.consult.leg:
            await self._notify(leg, 200)
            await self.complete_transfer(seat.agent_id)
            return
        try:
            target = self.target_of_refer(refer)
        except InvalidTransferTarget:
            await self._notify(leg, 404)
            return
        await self._notify(leg, 200)
        try:
            await self.transfer(seat.agent_id, target)
        except HotlineError as exc:
            log.info("REFER from %s could not be carried out: %s", seat.agent_id, exc)

    async def _notify(self, leg: Leg, status: int) -> None:
        if leg.session is not None and leg.is_live:
            with contextlib.suppress(HotlineError, TimeoutError):
                await asyncio.wait_for(leg.session.notify_transfer(status), 5)

    # --- consultative ---------------------------------------------------------------------

    async def consult(
        self, agent_id: AgentId, target: TransferTarget, *, note: str | None = None
    ) -> None:
        seat, interaction = self._talking(agent_id)
        if seat.consult is not None:
            raise AgentBusy(
                f"agent {agent_id} is already consulting", details={"agent_id": agent_id}
            )
        customer = interaction.customer
        assert customer is not None
        assert seat.leg is not None
        if target.kind == "number":
            self._check_number(target.value)
            await self.calls.hold(customer, by="agent")
            await self.calls.detach(seat.leg)
            try:
                leg = await self.calls.dial(
                    interaction.call,
                    target.value,
                    role=LegRole.CONSULT,
                    trunk=self.settings.trunk,
                    caller_id=CallerId(self.settings.outbound_caller_id or interaction.did, None),
                    timeout=self.settings.transfer_timeout_s,
                )
            except (LegFailed, DestinationDenied):
                await self._back_to_customer(seat, interaction)
                raise
            seat.consult = Consult(
                leg, target.value, "number", note=note, interaction_id=interaction.interaction_id
            )
            self.tasks.spawn(self._consult_number(seat, leg), name="consult")
            return
        queue_id, skills = self._target_queue(target)
        if target.kind == "agent" and AgentId(target.value) == agent_id:
            raise InvalidTransferTarget("an agent cannot consult itself")
        await self.calls.hold(customer, by="agent")
        await self.calls.detach(seat.leg)
        child = InteractionId(new_id(self.now()))
        self._consults[child] = _ConsultRing(seat, interaction, self.now())
        seat.consult = Consult(
            None,
            target.value,
            target.kind,
            child=child,
            note=note,
            interaction_id=interaction.interaction_id,
        )
        self.emit(
            InteractionCreated(
                tenant_id=self.tenant_id,
                at=self.now(),
                interaction_id=child,
                agent_id=agent_id,
                channel="voice",
                direction="internal",
                caller_number=phone_label(seat.phone),
                caller_name=None,
                did=None,
                customer_id=None,
                vip_level=None,
                flow=None,
                flow_version=None,
                call_id=interaction.call.call_id,
                parent_interaction_id=interaction.interaction_id,
            )
        )
        if not self.safely(
            lambda: self.router.enqueue(child, queue_id, now=self.now(), skills=skills)
        ):
            await self._consult_failed(seat, child)
            return
        self.tasks.spawn(self._consult_timeout(seat, child), name="consult-timeout")

    async def _consult_number(self, seat: Seat, leg: Leg) -> None:
        try:
            await self.calls.wait_answered(leg)
        except LegFailed:
            return  # consult_ended puts the agent back with the customer
        if seat.leg is not None and seat.leg.is_live:
            await self.calls.bridge(seat.leg, leg)

    async def _consult_timeout(self, seat: Seat, child: InteractionId) -> None:
        await asyncio.sleep(self.settings.transfer_timeout_s)
        consult = seat.consult
        if consult is not None and consult.child == child and consult.leg is None:
            self.safely(lambda: self.router.remove(child, now=self.now(), reason="timeout"))
            await self._consult_failed(seat, child)

    async def _consult_failed(self, seat: Seat, child: InteractionId) -> None:
        ring = self._consults.pop(child, None)
        if seat.consult is not None and seat.consult.child == child:
            seat.consult = None
        self.end_child(child, answered=False)
        if ring is not None:
            await self._back_to_customer(seat, ring.interaction)

    def pending_consult(self, child: InteractionId) -> tuple[AgentId, Consult] | None:
        """The consult ringing (or talking to) another agent as `child`: who asked, and its
        note — what the consulted agent's screen pop shows before the transfer happens."""
        ring = self._consults.get(child)
        seat = ring.seat if ring is not None else None
        if seat is None:
            seat = next(
                (s for s in self.seats.values() if s.consult and s.consult.child == child), None
            )
        if seat is None or seat.consult is None or seat.consult.child != child:
            return None
        return seat.agent_id, seat.consult

    def consult_offer(self, d: Offer) -> bool:
        ring = self._consults.get(d.interaction_id)
        if ring is None:
            return False
        target = self.seats.get(d.agent_id)
        if target is None:
            self.safely(
                lambda: self.router.agent_unreachable(d.agent_id, now=self.now(), reason="no_phone")
            )
            return True
        self.tasks.spawn(self._ring_consult(ring, target, d), name="ring-consult")
        return True

    async def _ring_consult(self, ring: _ConsultRing, target: Seat, d: Offer) -> None:
        seat, interaction, child = ring.seat, ring.interaction, d.interaction_id
        target.rings.add(child)
        try:
            leg = await self.ring_phone(
                interaction.call,
                target,
                role=LegRole.CONSULT,
                caller=CallerId(phone_label(seat.phone), None),
                timeout=d.ring_timeout_s + self.settings.ring_slack_s,
            )
            if seat.consult is not None and seat.consult.child == child:
                seat.consult.leg = leg
            await self.calls.wait_answered(leg)
        except (LegFailed, DestinationDenied) as exc:
            target.rings.discard(child)
            if seat.consult is not None and seat.consult.child == child:
                seat.consult.leg = None
            cause = exc.cause if isinstance(exc, LegFailed) else Cause.DENIED
            if cause is Cause.NO_ANSWER:
                self.safely(
                    lambda: self.router.offer_rejected(
                        child, target.agent_id, now=self.now(), reason=OfferEnd.NO_ANSWER
                    )
                )
            elif cause is not Cause.CANCELLED:
                self.safely(
                    lambda: self.router.offer_rejected(child, target.agent_id, now=self.now())
                )
            return
        target.rings.discard(child)
        consult = seat.consult
        if consult is None or consult.child != child or seat.leg is None or not seat.leg.is_live:
            await self.calls.hangup(leg)
            return
        try:
            decisions = self.router.offer_answered(child, target.agent_id, now=self.now())
        except RoutingError:
            await self.calls.hangup(leg)
            return
        self._consults.pop(child, None)
        target.leg, target.interaction_id, target.work = leg, interaction.interaction_id, child
        await self.calls.bridge(seat.leg, leg)
        self.route(decisions)

    def consult_cancel(self, d: CancelOffer) -> bool:
        if d.interaction_id not in self._consults:
            return False
        ring = self._consults[d.interaction_id]
        consult = ring.seat.consult
        if consult is not None and consult.child == d.interaction_id and consult.leg is not None:
            leg, consult.leg = consult.leg, None
            self.tasks.spawn(self.calls.hangup(leg, Cause.NO_ANSWER), name="cancel-consult")
        return True

    async def complete_transfer(self, agent_id: AgentId) -> None:
        seat, interaction = self._talking(agent_id)
        consult = seat.consult
        if consult is None or consult.leg is None or not consult.leg.is_up:
            raise NothingToDo(f"agent {agent_id} has no answered consult")
        await self._complete(seat, interaction, consult)

    async def _complete(self, seat: Seat, interaction: VoiceInteraction, consult: Consult) -> None:
        customer = interaction.customer
        leg = consult.leg
        assert customer is not None
        assert leg is not None
        agent_leg = seat.leg
        seat.consult = None
        target = TransferTarget(consult.target_kind, consult.target)
        interaction.agent_leg = leg  # the first agent's hang-up is no longer "the agent left"
        interaction.agent_id = leg.agent_id or interaction.agent_id
        if customer.state is LegState.HELD:
            await self.calls.resume(customer)
        await self.calls.bridge(customer, leg)
        self._transferred(
            interaction, seat, "consult", target, consult.note, from_leg=agent_leg, to_leg=leg
        )
        if agent_leg is not None and agent_leg.is_live:
            await self.calls.hangup(agent_leg, Cause.TRANSFERRED)

    async def cancel_consult(self, agent_id: AgentId) -> None:
        seat, _interaction = self._talking(agent_id)
        consult = seat.consult
        if consult is None:
            raise NothingToDo(f"agent {agent_id} is not consulting")
        if consult.leg is not None and consult.leg.is_live:
            await self.calls.hangup(consult.leg)  # consult_ended takes the agent back
        elif consult.child is not None:
            child = consult.child
            self.safely(lambda: self.router.remove(child, now=self.now(), reason="cancelled"))
            await self._consult_failed(seat, child)

    def consult_ended(self, seat: Seat, leg: Leg) -> None:
        consult = seat.consult
        if consult is None or consult.leg is not leg:
            return
        seat.consult = None
        if consult.child is not None:
            self._consults.pop(consult.child, None)
        interaction = (
            self.interactions.get(consult.interaction_id) if consult.interaction_id else None
        )
        if interaction is not None:
            self.tasks.spawn(self._back_to_customer(seat, interaction), name="consult-ended")

    async def _back_to_customer(self, seat: Seat, interaction: VoiceInteraction) -> None:
        customer = interaction.customer
        if customer is None or not customer.is_live or seat.leg is None or not seat.leg.is_live:
            return
        if interaction.call.conference is not None and interaction.call.in_conference(customer):
            return
        if customer.state is LegState.HELD:
            await self.calls.resume(customer)
        await self.join_agent(customer, seat.leg)

    async def conference(self, agent_id: AgentId) -> None:
        """Three-way: the customer, the agent and the consulted party all hear each other."""
        seat, interaction = self._talking(agent_id)
        consult = seat.consult
        if consult is None or consult.leg is None or not consult.leg.is_up:
            raise NothingToDo(f"agent {agent_id} has no answered consult to conference")
        customer = interaction.customer
        assert customer is not None
        assert seat.leg is not None
        if customer.state is LegState.HELD:
            await self.calls.resume(customer)
        await self.calls.conference(interaction.call, [customer, seat.leg, consult.leg])
        seat.consult = None  # the consulted party is now simply in the call

    def transfer_on_hangup(self, interaction: VoiceInteraction, seat: Seat) -> bool:
        """The agent hung up with a consult answered (transfer) or in a conference (the others
        go on): True when someone else now talks to the customer."""
        consult = seat.consult
        if consult is not None and consult.leg is not None and consult.leg.is_up:
            self.tasks.spawn(self._complete(seat, interaction, consult), name="transfer-on-hangup")
            return True
        customer = interaction.customer
        call = interaction.call
        if call.conference is None or customer is None:
            return False
        for leg in call.live_legs():
            # A supervisor in the conference does not take over the customer.
            if leg.role is LegRole.SUPERVISOR:
                continue
            if leg is not customer and leg.is_up and call.in_conference(leg):
                interaction.agent_leg = leg
                interaction.agent_id = leg.agent_id or interaction.agent_id
                return True
        return False
