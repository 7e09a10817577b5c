"""Offers: the router's `Offer` rings the agent's phone, and the phone's answer goes back.

- answered → `router.offer_answered`, the customer is bridged to the agent, recording starts
  per the queue's options (with the consent prompt), the flow's queue node hears `answered`;
- busy / declined → `offer_rejected(REJECTED)`; the phone gone (not registered, no response,
  transport error) → `agent_unreachable` (the agent goes not ready and is offered nothing
  until it is back); a ring that outlives the router's timeout is the router's RONA, which
  arrives as `CancelOffer(no_answer)` and cancels the INVITE;
- `DialCallback`: ring the agent first, then dial the customer's number out of the trunk, and
  report `offer_answered` only when both are up (`callback_failed` if the customer is not).

The agent's phone is a SIP extension or a browser (`RuntimeCore.ring_phone`): a browser leg
rings on the desk and is answered there (`Desk.answer`); the rest is the same.
"""

from __future__ import annotations

import contextlib
import logging

from hotline.calls import Cause, DestinationDenied, Leg, LegFailed, LegRole
from hotline.calls.events import CallOriginated
from hotline.errors import HotlineError
from hotline.flows.inputs import QueueOutcome, QueueResult
from hotline.ids import InteractionId
from hotline.interactions.agents import Seat
from hotline.interactions.core import RuntimeCore
from hotline.interactions.interaction import (
    InteractionEvent,
    InteractionOutcome,
    InteractionState,
    VoiceInteraction,
)
from hotline.interactions.prompts import spoken
from hotline.media.player import Tone
from hotline.media.tones import CN_RINGBACK
from hotline.routing import CancelOffer, DialCallback, Offer, OfferEnd, RoutingError
from hotline.sip.trunk import CallerId

__all__ = ["Offers"]

log = logging.getLogger(__name__)

_REFUSALS = frozenset({Cause.BUSY, Cause.REJECTED, Cause.DENIED, Cause.MEDIA_FAILED})


class Offers(RuntimeCore):
    def _offer(self, d: Offer) -> None:
        if self.consult_offer(d):
            return
        interaction = self.interactions.get(d.interaction_id)
        if interaction is None or not interaction.customer_up:
            # Nothing left to connect (a race with the caller's hang-up): withdraw it.
            self.safely(lambda: self.router.remove(d.interaction_id, now=self.now(), reason="gone"))
            return
        seat = self.seats.get(d.agent_id)
        if seat is None:
            self.safely(
                lambda: self.router.agent_unreachable(d.agent_id, now=self.now(), reason="no_phone")
            )
            return
        interaction.offers[d.agent_id] = None
        seat.rings.add(d.interaction_id)
        self.tasks.spawn(self._ring(interaction, seat, d.ring_timeout_s), name="ring")

    async def _ring_leg(
        self,
        interaction: VoiceInteraction,
        seat: Seat,
        timeout_s: float,
        caller: CallerId,
        role: LegRole = LegRole.AGENT,
    ) -> Leg:
        """Ring the agent's phone (SIP or browser) as a new leg of the interaction's call."""
        return await self.ring_phone(
            interaction.call,
            seat,
            role=role,
            caller=caller,
            timeout=timeout_s + self.settings.ring_slack_s,
        )

    def _caller_id(self, interaction: VoiceInteraction) -> CallerId:
        name = interaction.record.name if interaction.record else None
        return CallerId(interaction.caller_number, name)

    async def _ring(self, interaction: VoiceInteraction, seat: Seat, timeout_s: float) -> None:
        agent = seat.agent_id
        try:
            leg = await self._ring_leg(interaction, seat, timeout_s, self._caller_id(interaction))
        except (LegFailed, DestinationDenied) as exc:
            cause = exc.cause if isinstance(exc, LegFailed) else Cause.DENIED
            self._ring_failed(interaction, seat, cause)
            return
        if agent in interaction.cancelled_offers or agent not in interaction.offers:
            interaction.cancelled_offers.discard(agent)
            await self.calls.hangup(leg, Cause.CANCELLED)
            return
        interaction.offers[agent] = leg
        try:
            await self.calls.wait_answered(leg)
        except LegFailed as exc:
            self._ring_failed(interaction, seat, exc.cause)
            return
        self._rang(interaction, seat)
        if agent in interaction.cancelled_offers or not interaction.customer_up:
            interaction.cancelled_offers.discard(agent)
            await self.calls.hangup(leg, Cause.NORMAL)
            return
        try:
            decisions = self.router.offer_answered(
                interaction.interaction_id, agent, now=self.now()
            )
        except RoutingError as exc:
            log.info("answer of %s by %s came too late: %s", interaction.interaction_id, agent, exc)
            await self.calls.hangup(leg, Cause.NORMAL)
            return
        await self.connect_agent(interaction, seat, leg, work=interaction.interaction_id)
        self.route(decisions)

    def _rang(self, interaction: VoiceInteraction, seat: Seat) -> None:
        interaction.offers.pop(seat.agent_id, None)
        seat.rings.discard(interaction.interaction_id)

    def _ring_failed(self, interaction: VoiceInteraction, seat: Seat, cause: Cause) -> None:
        agent = seat.agent_id
        self._rang(interaction, seat)
        if agent in interaction.cancelled_offers:  # the router withdrew it: nothing to report
            interaction.cancelled_offers.discard(agent)
            self._after_failed_offer(interaction)
            return
        iid, now = interaction.interaction_id, self.now()
        if cause in _REFUSALS:
            self.safely(lambda: self.router.offer_rejected(iid, agent, now=now))
        elif cause is Cause.NO_ANSWER:
            self.safely(
                lambda: self.router.offer_rejected(iid, agent, now=now, reason=OfferEnd.NO_ANSWER)
            )
        elif cause is not Cause.CANCELLED:
            self.safely(lambda: self.router.agent_unreachable(agent, now=now))
        self._after_failed_offer(interaction)

    def _after_failed_offer(self, interaction: VoiceInteraction) -> None:
        waiter = self._waiters.get(interaction.interaction_id)
        if waiter is not None and waiter.max_wait_passed and not interaction.offers:
            self.leave_line(interaction, reason="max_wait")
            self._finish_wait(interaction, waiter, QueueResult.TIMEOUT)

    def _cancel_offer(self, d: CancelOffer) -> None:
        if self.consult_cancel(d):
            return
        interaction = self.interactions.get(d.interaction_id)
        seat = self.seats.get(d.agent_id)
        if seat is not None:
            seat.rings.discard(d.interaction_id)
        if interaction is None or d.agent_id not in interaction.offers:
            return
        interaction.cancelled_offers.add(d.agent_id)
        leg = interaction.offers.get(d.agent_id)
        if leg is not None:
            cause = Cause.NO_ANSWER if d.reason is OfferEnd.NO_ANSWER else Cause.CANCELLED
            self.tasks.spawn(self.calls.hangup(leg, cause), name="cancel-offer")

    async def connect_agent(
        self, interaction: VoiceInteraction, seat: Seat, leg: Leg, *, work: InteractionId | None
    ) -> None:
        """The agent answered: bridge, record, tell the flow."""
        waiter = self._waiters.pop(interaction.interaction_id, None)
        if waiter is not None:
            await waiter.close(keep_sound=True)
        customer = interaction.customer
        assert customer is not None
        now = self.now()
        if interaction.state is not InteractionState.CONNECTED:
            interaction.step(InteractionEvent.CONNECT, now)
        interaction.agent_leg = leg
        interaction.agent_id = seat.agent_id
        interaction.answered = True
        interaction.transfer_target = None
        seat.leg, seat.interaction_id, seat.work = leg, interaction.interaction_id, work
        await self.calls.bridge(customer, leg)
        await self._record(interaction)
        if waiter is not None and (waiter.request is not None or waiter.flow_waiting):
            waiter.resolve(QueueOutcome(QueueResult.ANSWERED, seat.agent_id))

    async def _record(self, interaction: VoiceInteraction) -> None:
        options = self.options(interaction.queue_id)
        call = interaction.call
        if not options.record or call.recording is not None or interaction.recording_started:
            return
        interaction.recording_started = True
        language = interaction.language
        announcement = []
        if options.consent_prompt:
            text = options.consent_text.get(language) or next(iter(options.consent_text.values()))
            announcement = spoken(text, language)
        try:
            await self.calls.start_recording(call, announcement)
        except HotlineError as exc:
            log.warning("recording of %s did not start: %s", interaction.interaction_id, exc)

    # --- callbacks ----------------------------------------------------------------------

    def _dial_callback(self, d: DialCallback) -> None:
        interaction = self.interactions.get(d.interaction_id)
        seat = self.seats.get(d.agent_id)
        if interaction is None:
            self.safely(
                lambda: self.router.callback_failed(
                    d.interaction_id, now=self.now(), reason="unknown"
                )
            )
            return
        if seat is None:
            self.safely(
                lambda: self.router.agent_unreachable(d.agent_id, now=self.now(), reason="no_phone")
            )
            return
        interaction.offers[d.agent_id] = None
        seat.rings.add(d.interaction_id)
        self.tasks.spawn(self._callback(interaction, seat, d), name="callback")

    async def _callback(self, interaction: VoiceInteraction, seat: Seat, d: DialCallback) -> None:
        agent = seat.agent_id
        if interaction.call.state.value == "ended":
            interaction.call = self.calls.new_call(
                tenant_id=self.tenant_id, interaction_id=interaction.interaction_id
            )
            self.emit(
                CallOriginated(
                    tenant_id=self.tenant_id,
                    at=self.now(),
                    interaction_id=interaction.interaction_id,
                    call_id=interaction.call.call_id,
                    purpose="callback",
                    target=d.number,
                )
            )
        try:
            agent_leg = await self._ring_leg(
                interaction, seat, d.ring_timeout_s, CallerId(d.number, "回呼 Callback")
            )
            interaction.offers[agent] = agent_leg
            await self.calls.wait_answered(agent_leg)
        except (LegFailed, DestinationDenied) as exc:
            self._ring_failed(
                interaction, seat, exc.cause if isinstance(exc, LegFailed) else Cause.DENIED
            )
            return
        self._rang(interaction, seat)
        if agent in interaction.cancelled_offers:
            interaction.cancelled_offers.discard(agent)
            await self.calls.hangup(agent_leg)
            return
        with contextlib.suppress(HotlineError):
            await self.media.play(agent_leg.endpoint, [Tone(CN_RINGBACK, 120.0)])
        presented = self.settings.outbound_caller_id or interaction.did
        try:
            customer = await self.calls.dial(
                interaction.call,
                d.number,
                role=LegRole.CUSTOMER,
                trunk=self.settings.trunk,
                caller_id=CallerId(presented, None),
                timeout=d.ring_timeout_s,
            )
            await self.calls.wait_answered(customer)
        except (LegFailed, DestinationDenied) as exc:
            reason = exc.cause.value if isinstance(exc, LegFailed) else "denied"
            await self.calls.hangup(agent_leg)
            interaction.outcome = InteractionOutcome.CALLBACK_FAILED
            self.safely(
                lambda: self.router.callback_failed(
                    interaction.interaction_id, now=self.now(), reason=reason
                )
            )
            await self.end_interaction(interaction)
            return
        interaction.customer = customer
        interaction.customer_gone.clear()
        try:
            decisions = self.router.offer_answered(
                interaction.interaction_id, agent, now=self.now()
            )
        except RoutingError:
            await self.calls.end_call(interaction.call)
            return
        await self.connect_agent(interaction, seat, agent_leg, work=interaction.interaction_id)
        self.route(decisions)
