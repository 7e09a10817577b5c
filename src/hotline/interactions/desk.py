"""What the agent desktop (and admin changes) ask of telephony: presence through the router, the
agent's phone, and the call controls — answer (browser phones), hold, mute, DTMF, hang up,
recording pause, click-to-dial.

Every router call goes through `safely`/`route`, so its decisions (an offer to the agent who
just became available, say) are carried out at once. Configuration passes through here too, so
that a queue change that moves waiting callers is applied, and so that every agent carries its
own transfer skill (`agent:<id>`, see `transfers.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from hotline.calls import Cause, DestinationDenied, Leg, LegFailed, LegRole, LegState
from hotline.calls.events import CallOriginated
from hotline.errors import HotlineError
from hotline.ids import AgentId, InteractionId, QueueId, new_id
from hotline.interactions.agents import AgentPhone, BrowserPhone, Seat
from hotline.interactions.core import RuntimeCore
from hotline.interactions.errors import (
    AgentBusy,
    AgentNotLoggedIn,
    NothingToDo,
    PhoneNotConnected,
    PhoneUnsupported,
)
from hotline.interactions.events import (
    AgentMuted,
    AgentPhoneBound,
    AgentPhoneUnbound,
    InteractionCreated,
)
from hotline.interactions.interaction import InteractionEvent, VoiceInteraction
from hotline.interactions.settings import QueueOptions
from hotline.interactions.transfers import agent_skill
from hotline.media.player import Tone
from hotline.media.tones import CN_RINGBACK
from hotline.routing import AgentProfile, AgentState, QueueConfig, RoutingError
from hotline.sip.trunk import CallerId

__all__ = ["Desk"]

log = logging.getLogger(__name__)


class Desk(RuntimeCore):
    # --- configuration --------------------------------------------------------------------

    def configure_queue(self, config: QueueConfig, options: QueueOptions | None = None) -> None:
        if options is not None:
            self.queue_options[config.queue_id] = options
        self.route(self.router.configure_queue(config, now=self.now()))

    def remove_queue(self, queue_id: QueueId) -> None:
        self.route(self.router.remove_queue(queue_id, now=self.now()))
        self.queue_options.pop(queue_id, None)

    def configure_agent(self, profile: AgentProfile) -> None:
        skills = {**profile.skills, agent_skill(profile.agent_id): 1}
        own = AgentProfile(profile.agent_id, skills, profile.teams, profile.capacity)
        self.route(self.router.configure_agent(own, now=self.now()))

    def remove_agent(self, agent_id: AgentId) -> None:
        self.route(self.router.remove_agent(agent_id, now=self.now()))

    def ensure_direct_queue(self) -> None:
        """The hidden queue transfers to one agent go through (no skills of its own; nobody
        is made not ready for missing a transfer)."""
        queue_id = QueueId(self.settings.direct_queue)
        if queue_id not in self.router.queue_ids():
            self.configure_queue(QueueConfig(queue_id, rona_not_ready=False))

    # --- presence -------------------------------------------------------------------------

    def seat(self, agent_id: AgentId) -> Seat:
        seat = self.seats.get(agent_id)
        if seat is None:
            raise AgentNotLoggedIn(agent_id)
        return seat

    def login(self, agent_id: AgentId, phone: AgentPhone, *, ready: bool = False) -> None:
        """签入 at `phone`: a SIP extension (it must be registered to be offered calls) or a
        browser, whose WebRTC session must be connected already (`PhoneNotConnected`)."""
        if isinstance(phone, BrowserPhone) and not self.browser_connected(phone.key):
            raise PhoneNotConnected(
                f"agent {agent_id}'s browser phone is not connected",
                details={"agent_id": agent_id},
            )
        seat = self.seats.get(agent_id)
        self.route(self.router.login(agent_id, now=self.now(), ready=ready))
        if seat is None or seat.phone != phone:
            self.seats[agent_id] = Seat(agent_id, phone, self.now())
            self.emit(
                AgentPhoneBound(
                    tenant_id=self.tenant_id,
                    at=self.now(),
                    agent_id=agent_id,
                    kind=phone.kind.value,
                    address=phone.address,
                )
            )

    def set_available(self, agent_id: AgentId) -> None:
        self.seat(agent_id).away_for_call = False
        self.route(self.router.set_available(agent_id, now=self.now()))

    def set_not_ready(self, agent_id: AgentId, reason: str) -> None:
        self.seat(agent_id).away_for_call = False
        self.route(self.router.set_not_ready(agent_id, reason, now=self.now()))

    def logout(self, agent_id: AgentId) -> None:
        """签出; the phone stays bound until the agent's current call is over."""
        self.route(self.router.logout(agent_id, now=self.now()))
        seat = self.seats.get(agent_id)
        if seat is not None and not seat.on_call:
            del self.seats[agent_id]
            self.emit(
                AgentPhoneUnbound(
                    tenant_id=self.tenant_id,
                    at=self.now(),
                    agent_id=agent_id,
                    kind=seat.phone.kind.value,
                    address=seat.phone.address,
                )
            )

    def end_wrap_up(self, agent_id: AgentId) -> None:
        self.route(self.router.end_wrap_up(agent_id, now=self.now()))

    def extend_wrap_up(self, agent_id: AgentId, seconds: float) -> None:
        self.route(self.router.extend_wrap_up(agent_id, seconds, now=self.now()))

    def check_phones(self) -> None:
        """A logged-in agent whose phone has no live registration is made unreachable; one
        made unreachable by a restart gets its availability back when its phone returns
        within `startup_grace_s`."""
        now = self.now()
        for seat in list(self.seats.values()):
            reachable = self.phone_reachable(seat.phone)
            if seat.reachable and not reachable:
                self._unreachable(seat.agent_id)
            seat.reachable = reachable
            until = self.restore_when_reachable.get(seat.agent_id)
            if until is not None and (reachable or now > until):
                del self.restore_when_reachable[seat.agent_id]
                if reachable and now <= until:
                    self._restore(seat.agent_id)

    def phone_reachable(self, phone: AgentPhone) -> bool:
        if isinstance(phone, BrowserPhone):
            return self.browser_connected(phone.key)
        return any(b.reachable for b in self.sip.contacts(phone.extension))

    def _restore(self, agent_id: AgentId) -> None:
        snapshot = self.router.agent_snapshot(agent_id, now=self.now())
        if snapshot.state is AgentState.NOT_READY and snapshot.reason == "unreachable":
            self.safely(lambda: self.router.set_available(agent_id, now=self.now()))

    def _unreachable(self, agent_id: AgentId) -> None:
        self.safely(lambda: self.router.agent_unreachable(agent_id, now=self.now()))

    # --- call controls --------------------------------------------------------------------

    def _current(self, agent_id: AgentId) -> tuple[Seat, VoiceInteraction]:
        seat = self.seat(agent_id)
        interaction = self.interactions.get(seat.interaction_id) if seat.interaction_id else None
        if interaction is None or seat.leg is None or not seat.leg.is_live:
            raise NothingToDo(f"agent {agent_id} is not on a call", details={"agent_id": agent_id})
        return seat, interaction

    def ringing_leg(self, agent_id: AgentId) -> Leg | None:
        """The browser leg ringing this agent (an offer, a consult, a callback), if any."""
        for leg in self.calls.legs.values():
            if (
                leg.borrowed
                and leg.agent_id == agent_id
                and leg.state is LegState.RINGING
                and leg.call.tenant_id == self.tenant_id
                and leg.role in (LegRole.AGENT, LegRole.CONSULT)
            ):
                return leg
        return None

    async def answer(self, agent_id: AgentId) -> None:
        """接听 from the desk: a browser phone's ringing leg is answered and the customer
        bridged into its session at once (returns once connected, or after `answer_wait_s`).
        A SIP desk phone is answered on the phone (`PhoneUnsupported`)."""
        seat = self.seat(agent_id)
        if seat.on_call and seat.leg is not None and seat.leg.is_up:
            return
        if not isinstance(seat.phone, BrowserPhone):
            raise PhoneUnsupported(
                f"agent {agent_id} answers on the SIP phone {seat.phone.extension}",
                details={"agent_id": agent_id},
            )
        leg = self.ringing_leg(agent_id)
        if leg is None:
            raise NothingToDo(f"nothing rings for agent {agent_id}", details={"agent_id": agent_id})
        await self.calls.answer_attached(leg)
        task = self.ring_tasks.get(leg.leg_id)
        if task is not None and not task.done():
            # The ring's own task reports the answer to the router and bridges: wait for it
            # (not for a callback's customer, who is dialled after the agent answers).
            await asyncio.wait({task}, timeout=self.settings.answer_wait_s)

    async def hangup(self, agent_id: AgentId) -> None:
        """Hang up the agent's call; a ringing offer is declined instead."""
        seat = self.seat(agent_id)
        if seat.leg is not None and seat.leg.is_live:
            await self.calls.hangup(seat.leg, Cause.NORMAL)
            return
        ringing = self.ringing_leg(agent_id)
        if ringing is not None:
            await self.calls.hangup(ringing, Cause.REJECTED)
            return
        for iid in list(seat.rings):
            interaction = self.interactions.get(iid)
            leg = interaction.offers.get(agent_id) if interaction else None
            if leg is not None:
                await self.calls.hangup(leg, Cause.REJECTED)
                return
        raise NothingToDo(f"agent {agent_id} is not on a call", details={"agent_id": agent_id})

    async def hold(self, agent_id: AgentId) -> None:
        _, interaction = self._current(agent_id)
        customer = interaction.customer
        if customer is None or customer.state is not LegState.ANSWERED:
            raise NothingToDo("no customer to hold")
        await self.calls.hold(customer, by="agent")
        interaction.held_since = self.now()

    async def resume(self, agent_id: AgentId) -> None:
        seat, interaction = self._current(agent_id)
        customer = interaction.customer
        if customer is None or customer.state is not LegState.HELD:
            raise NothingToDo("the customer is not on hold")
        await self.calls.resume(customer)
        if interaction.held_since is not None:
            interaction.hold_s += self.now() - interaction.held_since
            interaction.held_since = None
        partner = seat.consult.leg if seat.consult is not None else None
        if partner is None or not partner.is_up:
            assert seat.leg is not None
            await self.join_agent(customer, seat.leg)

    async def mute(self, agent_id: AgentId, muted: bool) -> None:
        """The agent still hears the customer; the customer no longer hears the agent."""
        seat, interaction = self._current(agent_id)
        assert seat.leg is not None
        await self.calls.set_listen_only(seat.leg, muted)
        self.emit(
            AgentMuted(
                tenant_id=self.tenant_id,
                at=self.now(),
                interaction_id=interaction.interaction_id,
                agent_id=agent_id,
                muted=muted,
            )
        )

    async def send_dtmf(self, agent_id: AgentId, digits: str) -> None:
        """Keys to whoever the agent talks to (an external IVR after a transfer out, say)."""
        seat, interaction = self._current(agent_id)
        target = seat.consult.leg if seat.consult is not None else interaction.customer
        if target is None or not target.is_up:
            raise NothingToDo("nobody to send keys to")
        await self.media.send_dtmf(target.endpoint, digits)

    async def pause_recording(self, agent_id: AgentId, paused: bool) -> None:
        """暂停录音 while the customer reads out a card number."""
        _, interaction = self._current(agent_id)
        await self.calls.pause_recording(interaction.call, paused)
        interaction.recording_paused = paused

    # --- click-to-dial --------------------------------------------------------------------

    async def dial(self, agent_id: AgentId, number: str) -> InteractionId:
        """Ring the agent's phone, then call `number` out of the trunk and join them."""
        seat = self.seat(agent_id)
        if seat.on_call or seat.rings:
            raise AgentBusy(f"agent {agent_id} is on a call", details={"agent_id": agent_id})
        policy = self.calls.policy
        if policy is not None:
            decision = policy.check(self.tenant_id, "agent", number)
            if not decision.allowed:
                raise DestinationDenied(number, decision.reason)
        state = self.router.agent_snapshot(agent_id, now=self.now()).state
        if state is AgentState.AVAILABLE:
            # Nobody may offer this agent a caller while it dials out (the router has no
            # outbound work of its own yet): not ready "outbound", back to available after.
            self.route(self.router.set_not_ready(agent_id, "outbound", now=self.now()))
            seat.away_for_call = True
        elif state is not AgentState.NOT_READY:
            raise AgentBusy(f"agent {agent_id} is {state.value}", details={"agent_id": agent_id})
        now = self.now()
        iid = InteractionId(new_id(now))
        call = self.calls.new_call(tenant_id=self.tenant_id, interaction_id=iid)
        self.emit(
            CallOriginated(
                tenant_id=self.tenant_id,
                at=now,
                interaction_id=iid,
                agent_id=agent_id,
                call_id=call.call_id,
                purpose="click_to_dial",
                target=number,
            )
        )
        interaction = VoiceInteraction(
            iid,
            tenant_id=self.tenant_id,
            call=call,
            customer=None,
            created_at=now,
            direction="outbound",
            caller_number=number,
            language=self.settings.default_language,
        )
        interaction.agent_id = agent_id
        self.interactions[iid] = interaction
        self.emit(
            InteractionCreated(
                tenant_id=self.tenant_id,
                at=now,
                interaction_id=iid,
                agent_id=agent_id,
                channel="voice",
                direction="outbound",
                caller_number=number,
                caller_name=None,
                did=None,
                customer_id=None,
                vip_level=None,
                flow=None,
                flow_version=None,
                call_id=call.call_id,
            )
        )
        self.tasks.spawn(self._click_to_dial(interaction, seat, number), name="click-to-dial")
        return iid

    async def _click_to_dial(self, interaction: VoiceInteraction, seat: Seat, number: str) -> None:
        call = interaction.call
        try:
            agent_leg = await self.ring_phone(
                call,
                seat,
                role=LegRole.AGENT,
                caller=CallerId(number, None),
                timeout=self.settings.transfer_timeout_s,
            )
            seat.leg, seat.interaction_id = agent_leg, interaction.interaction_id
            interaction.agent_leg = agent_leg
            if agent_leg.borrowed:  # the agent clicked "call" in the desk: it is there
                await self.calls.answer_attached(agent_leg)
            await self.calls.wait_answered(agent_leg)
        except (LegFailed, HotlineError) as exc:
            log.info("click-to-dial: agent %s did not answer: %s", seat.agent_id, exc)
            await self._dial_over(interaction, seat)
            return
        with contextlib.suppress(HotlineError):
            await self.media.play(agent_leg.endpoint, [Tone(CN_RINGBACK, 120.0)])
        presented = self.settings.outbound_caller_id
        try:
            customer = await self.calls.dial(
                call,
                number,
                role=LegRole.CUSTOMER,
                trunk=self.settings.trunk,
                caller_id=CallerId(presented, None) if presented else None,
                timeout=60.0,
            )
            interaction.customer = customer
            await self.calls.wait_answered(customer)
        except (LegFailed, DestinationDenied) as exc:
            log.info("click-to-dial to %s failed: %s", number, exc)
            await self._dial_over(interaction, seat)
            return
        if not agent_leg.is_live:
            await self.calls.hangup(customer)
            return
        interaction.step(InteractionEvent.CONNECT, self.now())
        interaction.answered = True
        await self.calls.bridge(customer, agent_leg)
        if self.options(None).record:
            with contextlib.suppress(HotlineError):
                await self.calls.start_recording(call)

    async def _dial_over(self, interaction: VoiceInteraction, seat: Seat) -> None:
        for leg in interaction.call.live_legs():
            await self.calls.hangup(leg)
        if seat.away_for_call and seat.leg is None:
            seat.away_for_call = False
            with contextlib.suppress(RoutingError):
                self.route(self.router.set_available(seat.agent_id, now=self.now()))
        await self.end_interaction(interaction)
